/**
 * Always-visible badge naming the tfjs backend the worker runs, why it was chosen, and every
 * backend tried before it with the reason it was skipped.
 */
import { useLabStore } from '../store/lab-store';

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
  const threads = threadNote(backend?.wasmThreads, backend?.crossOriginIsolated);
  return (
    <div className="backend" data-testid="backend-badge" data-backend={backend?.name ?? ''}>
      <span className={`badge badge-${status === 'error' ? 'error' : name}`}>
        Backend: <strong>{name}</strong>
        {backend?.forced ? ' (forced)' : ''}
      </span>
      <span className="backend-reason">{detail}</span>
      {threads && (
        <span
          className="backend-reason"
          data-testid="backend-threads"
          data-threads={backend?.wasmThreads ?? ''}
          data-isolated={String(backend?.crossOriginIsolated ?? false)}
        >
          {threads}
        </span>
      )}
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

/**
 * Wasm only: "4 threads (multi-threaded build)", or why it is one thread — tfjs gives XNNPACK
 * ⌊logical cores / 2⌋ threads (1..8), and only a cross-origin isolated page gets threads at all.
 */
function threadNote(threads: number | undefined, isolated: boolean | undefined): string | null {
  if (threads === undefined) return null;
  const n = `${threads} thread${threads === 1 ? '' : 's'}`;
  if (threads > 1) return `wasm: ${n} (multi-threaded build)`;
  return isolated
    ? `wasm: ${n} (multi-threaded build; tfjs uses half the ${globalThis.navigator?.hardwareConcurrency ?? '?'} logical cores)`
    : `wasm: ${n} — the page is not cross-origin isolated (COOP/COEP headers), so no threads`;
}
