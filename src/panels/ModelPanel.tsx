/**
 * Model panel: import a checkpoint (drop / choose a .pth, .pt or .safetensors file, paste a URL,
 * or load the bundled example network), see what it held (format, architecture recognised or
 * not, tensor table, parameter count, share of exact zeros), evaluate the current network on the
 * test split (components/ModelEvaluate.tsx) and export it as a lab checkpoint. The URL form and
 * the import status are in components/ModelImport.tsx. Every slot keeps its height, so nothing
 * jumps while jobs run.
 */
import { ExampleNetworkButton } from '../components/ExampleNetworkButton';
import { ExportCurrent } from '../components/ExportCurrent';
import { FileDrop } from '../components/FileDrop';
import { EvaluateCurrent } from '../components/ModelEvaluate';
import { ImportStatus, UrlImport } from '../components/ModelImport';
import { StatRows, type StatRow } from '../components/StatList';
import { TensorTable } from '../components/TensorTable';
import { formatBytes, formatCount, formatPercent } from '../format/format';
import { useLabStore } from '../store/lab-store';
import type { CheckpointReport, NetworkInfo } from '../worker/lab-types';

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

/** The imported checkpoint's figures ('—' before the first import). */
function checkpointRows(report: CheckpointReport | null): StatRow[] {
  const of = (f: (r: CheckpointReport) => string) => (report ? f(report) : '—');
  return [
    {
      label: 'format',
      value: of((r) => `${FORMAT_NAMES[r.format]}, ${formatBytes(r.bytes)}`),
      testId: 'checkpoint-format',
    },
    {
      label: 'architecture',
      value: of((r) => r.architecture ?? 'not recognised'),
      testId: 'checkpoint-architecture',
    },
    {
      label: 'tensors',
      value: of((r) => formatCount(r.tensorCount)),
      testId: 'checkpoint-tensors',
    },
    { label: 'parameters', value: of((r) => formatCount(r.params)), testId: 'checkpoint-params' },
    {
      label: 'exact zeros',
      value: of((r) => formatPercent(r.zeroShare)),
      testId: 'checkpoint-zeros',
    },
  ];
}

function CheckpointStats({ report }: { report: CheckpointReport | null }) {
  return (
    <dl className="stats" data-testid="checkpoint-stats">
      <StatRows rows={checkpointRows(report)} />
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
