/**
 * Model panel: import a checkpoint (drop / choose a .pth, .pt or .safetensors file, paste a URL,
 * or load the bundled example network), see what it held (format, architecture recognised or not, tensor table, parameter count,
 * share of exact zeros), evaluate the current network on the test split (main top-1 / top-5 and,
 * with an early-exit head, top-1 with early exit and the exit rate) and export it as a lab
 * checkpoint. Every slot keeps its height, so nothing jumps while jobs run.
 */
import { useId, type FormEvent } from 'react';
import { ExampleNetworkButton } from '../components/ExampleNetworkButton.tsx';
import { ExportCurrent } from '../components/ExportCurrent.tsx';
import { FileDrop } from '../components/FileDrop.tsx';
import { JobInterrupted } from '../components/JobInterrupted.tsx';
import { ProgressBar } from '../components/ProgressBar.tsx';
import { StaleNote } from '../components/StaleNote.tsx';
import { TensorTable } from '../components/TensorTable.tsx';
import { formatBytes, formatCount, formatPercent } from '../format/format.ts';
import { useLabStore } from '../store/lab-store.ts';
import { staleReason } from '../store/stale.ts';
import type { CheckpointReport, NetworkInfo } from '../worker/lab-types.ts';

const FORMAT_NAMES: Record<CheckpointReport['format'], string> = {
  safetensors: 'safetensors',
  'micronet-lab': 'MicroNet Lab',
  'micronet-compressed': 'MicroNet Lab compressed',
  'torch-zip': 'PyTorch zip',
  'torch-legacy': 'PyTorch legacy',
};

const ORIGINS: Record<NetworkInfo['origin'], string> = {
  initialised: 'freshly initialised',
  trained: 'trained here',
  imported: 'imported',
};

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

function ImportStatus() {
  const job = useLabStore((s) => s.jobs.model);
  const error = useLabStore((s) => s.importError);
  const notice = useLabStore((s) => s.importNotice);
  const { cancelImport, dismissImportError } = useLabStore.getState();
  return (
    <div className="status-slot">
      <JobInterrupted slot="model" kinds={['import']} />
      {job ? (
        <ProgressBar job={job} name="Import progress" onCancel={() => void cancelImport()} />
      ) : error ? (
        <div className="error" role="alert" data-testid="model-error">
          <span>{error}</span>
          <button type="button" className="small" onClick={dismissImportError}>
            Dismiss
          </button>
        </div>
      ) : notice ? (
        <p className="notice" role="status" data-testid="model-notice">
          {notice}
        </p>
      ) : (
        <p className="idle-hint">No checkpoint imported yet.</p>
      )}
    </div>
  );
}

function UrlImport({ disabled }: { disabled: boolean }) {
  const id = useId();
  const url = useLabStore((s) => s.importUrl);
  const { setImportUrl, importFromUrl } = useLabStore.getState();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void importFromUrl();
  };
  return (
    <form className="url-import" onSubmit={submit}>
      <label htmlFor={id} className="file-label">
        Checkpoint URL
      </label>
      <div className="url-row">
        <input
          id={id}
          type="url"
          inputMode="url"
          placeholder="https://raw.githubusercontent.com/…/model.pth"
          value={url}
          disabled={disabled}
          onChange={(e) => setImportUrl(e.currentTarget.value)}
        />
        <button type="submit" disabled={disabled || url.trim() === ''}>
          Import URL
        </button>
      </div>
      <p className="hint">The server must allow cross-origin requests, as raw GitHub links do.</p>
    </form>
  );
}

function CheckpointStats({ report }: { report: CheckpointReport | null }) {
  return (
    <dl className="stats" data-testid="checkpoint-stats">
      <Stat
        label="format"
        value={report ? `${FORMAT_NAMES[report.format]}, ${formatBytes(report.bytes)}` : '—'}
        testId="checkpoint-format"
      />
      <Stat
        label="architecture"
        value={report ? (report.architecture ?? 'not recognised') : '—'}
        testId="checkpoint-architecture"
      />
      <Stat
        label="tensors"
        value={report ? formatCount(report.tensorCount) : '—'}
        testId="checkpoint-tensors"
      />
      <Stat
        label="parameters"
        value={report ? formatCount(report.params) : '—'}
        testId="checkpoint-params"
      />
      <Stat
        label="exact zeros"
        value={report ? formatPercent(report.zeroShare) : '—'}
        testId="checkpoint-zeros"
      />
    </dl>
  );
}

/** The last path segment of a file name or URL. */
function shortSource(source: string): string {
  const path = source.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return path.slice(path.lastIndexOf('/') + 1) || source;
}

function networkText(n: NetworkInfo | null): string {
  if (!n) return 'none yet: import a checkpoint, or train or evaluate a zoo network';
  const exit = n.extraOutputs.includes('exit') ? ', early-exit head' : '';
  const from = n.source ? ` from ${shortSource(n.source)}` : '';
  return `${n.name} (${ORIGINS[n.origin]}${from}; ${formatCount(n.params)} parameters${exit})`;
}

function EvaluateCurrent({ locked }: { locked: boolean }) {
  const network = useLabStore((s) => s.network);
  const testCount = useLabStore((s) => s.summary?.test?.count ?? null);
  const job = useLabStore((s) => s.jobs.evaluate);
  const result = useLabStore((s) => s.evalResult);
  const error = useLabStore((s) => s.evalError);
  const runs = useLabStore((s) => s.evalRuns);
  const stale = useLabStore((s) => staleReason(s, { networkKey: s.evalResult?.networkKey }));
  const { startEvaluation, cancelEvaluation } = useLabStore.getState();
  const exit = result?.earlyExit ?? null;
  const canRun = network !== null && testCount !== null && job === null && !locked;
  return (
    <div className="model-eval">
      <div className="model-eval-head">
        <button
          type="button"
          className="primary"
          onClick={() => void startEvaluation()}
          disabled={!canRun}
        >
          Evaluate on the test split
        </button>
        <span className="hint">
          {testCount === null
            ? 'Load a test split (Data panel) to evaluate.'
            : `${formatCount(testCount)} test images`}
        </span>
      </div>
      {job ? (
        <ProgressBar
          job={job}
          name="Evaluation progress"
          onCancel={() => void cancelEvaluation()}
        />
      ) : (
        <div className="progress-slot">
          <p
            className={error ? 'status status-error' : 'status'}
            role={error ? 'alert' : undefined}
            data-testid="model-eval-status"
          >
            {error ??
              (result
                ? `Last run: ${formatCount(result.n)} images, ${result.model}` +
                  (exit
                    ? `; an image exits when the exit head's max softmax > ${exit.threshold}`
                    : '') +
                  (result.untrained ? ' (untrained)' : '') +
                  '.'
                : 'Not evaluated yet.')}
          </p>
        </div>
      )}
      <dl
        className={`results model-results${stale ? ' stale' : ''}`}
        data-testid="model-results"
        data-runs={runs}
        data-stale={stale !== null}
      >
        <Stat
          label="top-1 (main)"
          value={result ? formatPercent(result.top1) : '—'}
          testId="model-top1"
        />
        <Stat
          label="top-5 (main)"
          value={result ? formatPercent(result.top5) : '—'}
          testId="model-top5"
        />
        <Stat
          label="top-1 (early exit)"
          value={exit ? formatPercent(exit.top1) : result ? 'no exit head' : '—'}
          testId="model-top1-exit"
        />
        <Stat
          label="exit rate"
          value={exit ? formatPercent(exit.exitRate, 1) : result ? 'n/a' : '—'}
          testId="model-exit-rate"
        />
      </dl>
      <StaleNote reason={stale} action="evaluate again" testId="model-eval-stale" />
    </div>
  );
}

export function ModelPanel() {
  const report = useLabStore((s) => s.checkpoint);
  const network = useLabStore((s) => s.network);
  const busy = useLabStore((s) => s.jobs.model !== null);
  const training = useLabStore((s) => s.jobs.train !== null);
  const evaluating = useLabStore((s) => s.jobs.evaluate !== null);
  const loading = useLabStore((s) => s.jobs.load !== null);
  const backendReady = useLabStore((s) => s.backendStatus === 'ready');
  const { importFile } = useLabStore.getState();
  const importDisabled = busy || training || evaluating;

  return (
    <section className="panel panel-model" aria-labelledby="model-heading">
      <h2 id="model-heading">Model</h2>
      <div className="model-sources">
        <FileDrop
          onFiles={(files) => {
            const f = files[0];
            if (f) void importFile(f);
          }}
          disabled={importDisabled}
          prompt={
            <>
              Drop a <code>.pth</code>, <code>.pt</code>, <code>.safetensors</code> or compressed{' '}
              <code>.mnlc</code> checkpoint here
            </>
          }
          label="Choose a checkpoint file"
          accept=".pth,.pt,.safetensors,.mnlc,.bin,.ckpt"
          multiple={false}
          testId="model-drop"
        />
        <div className="model-import-more">
          <UrlImport disabled={importDisabled} />
          <div className="model-example">
            <ExampleNetworkButton />
            <p className="hint">
              OSI-AI MicroNet, a MicroNet Challenge 2019 entry (80.26 % top-1, MIT licence), bundled
              with the lab.
            </p>
          </div>
        </div>
      </div>
      <ImportStatus />
      <div className="model-body">
        <div className="model-checkpoint">
          <h3>Checkpoint</h3>
          <CheckpointStats report={report} />
          <TensorTable
            rows={report?.table ?? null}
            caption={report ? `Tensors of ${report.fileName}` : 'Tensors'}
          />
        </div>
        <div className="model-current">
          <h3>Current network</h3>
          <p
            className="current-network"
            data-testid="current-network"
            title={network?.source ?? undefined}
          >
            {networkText(network)}
          </p>
          <EvaluateCurrent locked={busy || loading || training || !backendReady} />
          <ExportCurrent disabled={network === null || importDisabled} />
        </div>
      </div>
    </section>
  );
}
