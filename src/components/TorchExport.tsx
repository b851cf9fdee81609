/**
 * "Export for PyTorch" (Compress view, beside "Export compressed"): the current network and this
 * recipe as the job the CLI's `export-torch` writes — the network as a lab checkpoint, the recipe,
 * golden logits, job.json, README.md and the Python package — in one .zip, with its progress and
 * Cancel; then its download link, what it holds, and the commands. A zip of another network or
 * recipe than the current pair says so (stale).
 */
import { TORCH_EXPORT_LABEL, type TorchExportLink } from '../store/export-slice';
import { useLabStore } from '../store/lab-store';
import { staleReason } from '../store/stale';
import { formatBytes } from '../format/format';
import { JobInterrupted } from './JobInterrupted';
import { ProgressBar } from './ProgressBar';
import { StaleNote } from './StaleNote';

function ZipLink({ r, stale }: { r: TorchExportLink; stale: boolean }) {
  const folder = r.fileName.replace(/\.zip$/, '');
  return (
    <div
      data-testid="torch-export-result"
      data-stale={stale}
      className={stale ? 'stale-result' : ''}
    >
      <a href={r.url} download={r.fileName} data-testid="torch-export-download">
        {r.fileName}
      </a>{' '}
      <span className="hint">
        {formatBytes(r.bytes)}: {r.entries.length} files — network, recipe, golden logits (
        {r.goldenSource}), the micronet_lab_torch package
      </span>
      <p className="hint">
        Unzip, then in <code>{folder}</code>: <code>python3 -m micronet_lab_torch check .</code>{' '}
        (the same logits in PyTorch), then{' '}
        <code>python3 -m micronet_lab_torch train . --data &lt;cifar-100-binary&gt;</code> (or
        torchrun on a cluster); drop the <code>result.safetensors</code> it writes into the Model
        view.
      </p>
    </div>
  );
}

export function TorchExport() {
  const network = useLabStore((s) => s.network);
  const job = useLabStore((s) => s.jobs.model);
  const busy = useLabStore((s) => s.jobs.train !== null || s.jobs.model !== null);
  const result = useLabStore((s) => s.torchExport);
  const error = useLabStore((s) => s.torchExportError);
  const stale = useLabStore((s) => staleReason(s, s.torchExport));
  const { exportTorchJob, cancelJob } = useLabStore.getState();
  const exporting = job?.label === TORCH_EXPORT_LABEL;
  return (
    <div className="torch-export" data-testid="torch-export">
      <button
        type="button"
        onClick={() => void exportTorchJob()}
        disabled={network === null || busy}
      >
        Export for PyTorch
      </button>{' '}
      <span className="hint">
        this network and recipe as a PyTorch (DDP) fine-tuning job, one .zip
      </span>
      {exporting && (
        <ProgressBar job={job} onCancel={() => void cancelJob('model')} name="PyTorch export" />
      )}
      <JobInterrupted slot="model" kinds={['export-torch']} />
      {error && (
        <p className="status status-error" role="alert" data-testid="torch-export-error">
          {error}
        </p>
      )}
      {result && <ZipLink r={result} stale={stale !== null} />}
      <StaleNote reason={stale} action="export again" testId="torch-export-stale" />
    </div>
  );
}
