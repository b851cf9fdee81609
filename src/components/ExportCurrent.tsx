/**
 * The Model panel's export of the current network as a lab checkpoint (safetensors with the graph
 * in its metadata), with a link to the saved file or the error.
 */
import { useLabStore } from '../store/lab-store';
import { formatBytes } from '../format/format';

export function ExportCurrent({ disabled }: { disabled: boolean }) {
  const exported = useLabStore((s) => s.exported);
  const error = useLabStore((s) => s.exportError);
  const { exportNetwork } = useLabStore.getState();
  return (
    <div className="model-export">
      <button type="button" onClick={() => void exportNetwork()} disabled={disabled}>
        Export checkpoint
      </button>
      <span className={error ? 'hint status-error' : 'hint'} data-testid="export-status">
        {error ??
          (exported ? (
            <>
              Saved{' '}
              <a href={exported.url} download={exported.fileName}>
                {exported.fileName}
              </a>{' '}
              ({formatBytes(exported.bytes)})
            </>
          ) : (
            'safetensors with the graph in its metadata; re-import it here or load it in PyTorch'
          ))}
      </span>
    </div>
  );
}
