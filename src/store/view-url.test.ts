// The view in the URL: `?view=` names one step's view (or a panel it holds); other parameters
// keep their exact text, so the recipe stays readable and a link reopens the same view.
import { describe, expect, it } from 'vitest';
import { parseView, readViewParam, searchWithView, VIEWS } from './view-url';

describe('view in the URL', () => {
  it('reads the five views, case-insensitively, and the panels they hold', () => {
    expect(VIEWS).toEqual(['data', 'model', 'train', 'compress', 'history']);
    expect(readViewParam('?view=compress')).toBe('compress');
    expect(readViewParam('?backend=wasm&view=History')).toBe('history');
    expect(parseView(' Score ')).toBe('compress');
    expect(parseView('pruning')).toBe('compress');
    expect(parseView('evaluate')).toBe('train');
  });

  it('ignores a missing or unknown view', () => {
    expect(readViewParam('')).toBeNull();
    expect(readViewParam('?recipe={}')).toBeNull();
    expect(readViewParam('?view=nowhere')).toBeNull();
    expect(parseView(null)).toBeNull();
  });

  it('sets the view in place and keeps the other parameters as they are', () => {
    const recipe = 'recipe={"sparsity":0.5,"weightBits":8}';
    expect(searchWithView('', 'data')).toBe('?view=data');
    expect(searchWithView(`?backend=wasm&${recipe}`, 'compress')).toBe(
      `?backend=wasm&${recipe}&view=compress`,
    );
    expect(searchWithView(`?view=data&${recipe}`, 'history')).toBe(`?view=history&${recipe}`);
    expect(searchWithView('?a=1&view=x&view=y&b=2', 'model')).toBe('?a=1&view=model&b=2');
  });
});
