/**
 * "Export compressed": compresses the current network with the Score panel's recipe and offers
 * the compressed checkpoint, the dequantized safetensors and the recipe JSON as downloads, with
 * the compressed file's size beside the parameter storage the score counts, and whether the
 * (network, recipe) it writes qualifies (the Score panel's eligibility). Files of an earlier
 * network or recipe are labelled stale.
 */
import { EligibilityTag } from './EligibilityTag';
import { useEligibility } from './ScoreEligibility';
import { useLabStore } from '../store/lab-store';
import type { ExportLink } from '../store/export-slice';
import { formatBytes } from '../format/format';
import { JobInterrupted } from './JobInterrupted';
import { ProgressBar } from './ProgressBar';
import { StaleNote } from './StaleNote';
import { staleReason } from '../store/stale';

const KIND_TEXT: Record<ExportLink['kind'], string> = {
  compressed: 'compressed checkpoint',
  safetensors: 'dequantized weights (safetensors, for PyTorch)',
  recipe: 'recipe',
};

function sizeNote(links: ExportLink[], storageBytes: number): string {
  const file = links.find((l) => l.kind === 'compressed');
  if (!file) return '';
  const over = file.bytes - storageBytes;
  const pct = storageBytes > 0 ? (100 * over) / storageBytes : 0;
  return (
    `compressed file ${formatBytes(file.bytes)} vs counted storage ${formatBytes(storageBytes)} ` +
    `(${over >= 0 ? '+' : '−'}${formatBytes(Math.abs(over))}, ${pct >= 0 ? '+' : ''}${pct.toFixed(2)} %: header and graph)`
  );
}

export function CompressedExport() {
  const network = useLabStore((s) => s.network);
  const job = useLabStore((s) => s.jobs.model);
  const busy = useLabStore((s) => s.jobs.train !== null || s.jobs.model !== null);
  const result = useLabStore((s) => s.compressedExport);
  const error = useLabStore((s) => s.compressedExportError);
  const stale = useLabStore((s) => staleReason(s, s.compressedExport));
  const { exportCompressed, cancelJob } = useLabStore.getState();
  const exporting = job?.label.startsWith('Exporting') ?? false;
  const eligibility = useEligibility();
  return (
    <div className="compressed-export" data-testid="compressed-export">
      <button
        type="button"
        onClick={() => void exportCompressed()}
        disabled={network === null || busy}
      >
        Export compressed
      </button>{' '}
      <span className="hint" data-testid="compressed-export-eligibility">
        this network with this recipe: <EligibilityTag e={eligibility} />
      </span>
      {exporting && (
        <ProgressBar job={job} onCancel={() => void cancelJob('model')} name="export" />
      )}
      <JobInterrupted slot="model" kinds={['export']} />
      {error && (
        <p className="status status-error" role="alert" data-testid="compressed-export-error">
          {error}
        </p>
      )}
      <StaleNote reason={stale} action="export again" testId="compressed-export-stale" />
      {result && (
        <div
          data-testid="compressed-export-files"
          data-stale={stale !== null}
          className={stale ? 'stale-result' : undefined}
        >
          <ul className="export-links">
            {result.links.map((l) => (
              <li key={l.kind}>
                <a href={l.url} download={l.fileName} data-kind={l.kind}>
                  {l.fileName}
                </a>{' '}
                <span className="hint">
                  {KIND_TEXT[l.kind]}, {formatBytes(l.bytes)}
                </span>
              </li>
            ))}
          </ul>
          <p
            className="hint"
            data-testid="compressed-export-size"
            data-file-bytes={result.links.find((l) => l.kind === 'compressed')?.bytes}
            data-storage-bytes={result.storageBytes}
          >
            {sizeNote(result.links, result.storageBytes)}
          </p>
        </div>
      )}
    </div>
  );
}
