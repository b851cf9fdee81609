/**
 * Always-visible badge naming the tfjs backend the worker runs, why it was chosen, and every
 * backend tried before it with the reason it was skipped.
 */
import { useLabStore } from '../store/lab-store.ts';

export function BackendBadge() {
  const backend = useLabStore((s) => s.backend);
  const status = useLabStore((s) => s.backendStatus);
  const error = useLabStore((s) => s.backendError);
  const note = useLabStore((s) => s.preferenceNote);

  let name = 'starting…';
  let detail = 'Selecting a backend in the worker';
  if (status === 'error') {
    name = 'none';
    detail = error ?? 'no backend could start';
  } else if (backend) {
    name = backend.name;
    detail = backend.forced
      ? `forced by ?backend=${backend.name}: ${backend.reason}`
      : backend.reason;
  }
  const fallbacks = backend?.fallbacks ?? [];
  return (
    <div className="backend" data-testid="backend-badge" data-backend={backend?.name ?? ''}>
      <span className={`badge badge-${status === 'error' ? 'error' : name}`}>
        Backend: <strong>{name}</strong>
        {backend?.forced ? ' (forced)' : ''}
      </span>
      <span className="backend-reason">{detail}</span>
      {note && <span className="backend-reason warn">{note}</span>}
      {fallbacks.length > 0 && (
        <details className="backend-fallbacks">
          <summary>why not {fallbacks.map((f) => f.name).join(', ')}?</summary>
          <ul>
            {fallbacks.map((f) => (
              <li key={f.name}>
                <strong>{f.name}</strong>: {f.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
