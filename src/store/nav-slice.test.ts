// The nav slice with a stand-in window: the page opens on the URL's view, opening another view
// pushes `?view=` (other parameters kept), Back / Forward follow the URL, and a dismissed hint is
// remembered across page loads until "Show first steps" brings it back.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import { HINT_KEY } from './first-run';
import { createNavSlice, type NavSlice } from './nav-slice';

interface FakeWindow {
  location: { pathname: string; search: string; hash: string };
  history: { state: unknown; pushState: (s: unknown, t: string, url: string) => void };
  localStorage: Storage;
}

function fakeWindow(search: string, stored = new Map<string, string>()): FakeWindow {
  const location = { pathname: '/lab/', search, hash: '' };
  const history = {
    state: null,
    pushState: vi.fn((_s: unknown, _t: string, url: string) => {
      location.search = url.slice(url.indexOf('?'));
    }),
  };
  const localStorage = {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => void stored.set(k, v),
    removeItem: (k: string) => void stored.delete(k),
  } as unknown as Storage;
  return { location, history, localStorage };
}

function navStore() {
  return create<NavSlice>()((...a) =>
    createNavSlice(...(a as unknown as Parameters<typeof createNavSlice>)),
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('nav slice', () => {
  it('opens on the view in the URL, or on Data', () => {
    vi.stubGlobal('window', fakeWindow('?backend=wasm&view=compress'));
    expect(navStore().getState().view).toBe('compress');
    vi.stubGlobal('window', fakeWindow('?view=bogus'));
    expect(navStore().getState().view).toBe('data');
  });

  it('pushes the opened view into the URL and follows Back / Forward', () => {
    const w = fakeWindow('?backend=wasm&recipe={"sparsity":0.5}');
    vi.stubGlobal('window', w);
    const store = navStore();
    store.getState().openView('history');
    expect(store.getState().view).toBe('history');
    expect(w.history.pushState).toHaveBeenCalledWith(
      null,
      '',
      '/lab/?backend=wasm&recipe={"sparsity":0.5}&view=history',
    );
    store.getState().openView('history'); // already there: no second entry
    expect(w.history.pushState).toHaveBeenCalledTimes(1);
    store.getState().viewFromUrl('?view=model'); // Back
    expect(store.getState().view).toBe('model');
    store.getState().viewFromUrl(''); // Back to the first entry
    expect(store.getState().view).toBe('data');
  });

  it('remembers a dismissed hint in the next page load', () => {
    const stored = new Map<string, string>();
    vi.stubGlobal('window', fakeWindow('', stored));
    const first = navStore();
    expect(first.getState().hintDismissed).toBe(false);
    first.getState().dismissHint();
    expect(first.getState().hintDismissed).toBe(true);
    expect(stored.get(HINT_KEY)).toBe('dismissed');
    vi.stubGlobal('window', fakeWindow('', stored));
    const second = navStore();
    expect(second.getState().hintDismissed).toBe(true);
    second.getState().showHint(); // the header's "Show first steps"
    expect(second.getState().hintDismissed).toBe(false);
    expect(stored.has(HINT_KEY)).toBe(false);
    vi.stubGlobal('window', fakeWindow('', stored));
    expect(navStore().getState().hintDismissed).toBe(false);
  });
});
