/**
 * The lab's navigation: one link per step (Data → Model → Train & evaluate → Compress → History)
 * with the step's status (not yet / busy / done / stale). The current view is in the URL
 * (`?view=`), so a link opens it; a plain click switches views in place (modified clicks open a
 * new tab as links do).
 */
import type { MouseEvent } from 'react';
import { useLabStore } from '../store/lab-store';
import { STEP_STATUS } from '../store/step-status';
import { searchWithView, VIEW_LABELS, VIEWS, type View } from '../store/view-url';

function isPlainClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

function StepLink({ view, index }: { view: View; index: number }) {
  const current = useLabStore((s) => s.view === view);
  const state = useLabStore((s) => STEP_STATUS[view](s).state);
  const text = useLabStore((s) => STEP_STATUS[view](s).text);
  // Re-rendered with the recipe, so the link carries the URL's current ?recipe= too.
  useLabStore((s) => s.recipe);
  const href = `${window.location.pathname}${searchWithView(window.location.search, view)}`;
  const open = (e: MouseEvent<HTMLAnchorElement>) => {
    if (!isPlainClick(e)) return;
    e.preventDefault();
    useLabStore.getState().openView(view);
  };
  return (
    <a
      href={href}
      className="step-link"
      aria-current={current ? 'page' : undefined}
      data-testid={`nav-${view}`}
      data-status={state}
      onClick={open}
    >
      <span className="step-index" aria-hidden="true">
        {index}
      </span>
      <span className="step-name">{VIEW_LABELS[view]}</span>
      <span className={`step-status step-${state}`} data-testid={`nav-${view}-status`}>
        {text}
      </span>
    </a>
  );
}

export function StepNav() {
  return (
    <nav className="step-nav" aria-label="Lab steps">
      <ol>
        {VIEWS.map((view, i) => (
          <li key={view}>
            <StepLink view={view} index={i + 1} />
          </li>
        ))}
      </ol>
    </nav>
  );
}
