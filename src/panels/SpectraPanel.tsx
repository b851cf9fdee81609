/**
 * Spectra panel: "Analyse" runs the K-FAC / EKFAC eigen analysis of every conv / dense layer
 * (training records, no augmentation) and the full network's Hessian spectrum (the first test
 * records) in the worker, with progress, ETA and cancel. Shown: the selected layer's Kronecker
 * factor spectra (log axis), the saliency distribution of all eigen-directions, and for the
 * whole network the top Hessian eigenvalues, the trace and the spectral density (log axis).
 */
import { useId } from 'react';
import { FactorSpectrumChart } from '../components/FactorSpectrumChart';
import { HessianDensityChart } from '../components/HessianDensityChart';
import { HessianTopChart } from '../components/HessianTopChart';
import { JobInterrupted } from '../components/JobInterrupted';
import { NumberField } from '../components/NumberField';
import { ProgressBar } from '../components/ProgressBar';
import { SaliencyHistogram } from '../components/SaliencyHistogram';
import { formatBytes, formatCount, sci3 } from '../format/format';
import { passSplitText } from '../components/spectra-data';
import { useLabStore } from '../store/lab-store';
import type { HessianSummary } from '../worker/lab-types';

function AnalyseControls() {
  const settings = useLabStore((s) => s.analysisSettings);
  const job = useLabStore((s) => s.jobs.analyse);
  const blocked = useLabStore(
    (s) =>
      !s.network ||
      s.backendStatus !== 'ready' ||
      s.jobs.train !== null ||
      s.jobs.model !== null ||
      s.jobs.prune !== null,
  );
  const { setAnalysisSettings: set, analyse, cancelAnalysis } = useLabStore.getState();
  const busy = job !== null;
  return (
    <>
      <div className="analyse-controls">
        <NumberField
          label="K-FAC batches"
          value={settings.kfacBatches}
          min={1}
          disabled={busy}
          onChange={(v) => set({ kfacBatches: v })}
        />
        <NumberField
          label="Batch size"
          value={settings.batchSize}
          min={1}
          disabled={busy}
          onChange={(v) => set({ batchSize: v })}
        />
        <NumberField
          label="Hessian records"
          value={settings.hessianRecords}
          min={0}
          disabled={busy}
          onChange={(v) => set({ hessianRecords: v })}
        />
        <NumberField
          label="Hessian top-k"
          value={settings.topK}
          min={1}
          disabled={busy}
          onChange={(v) => set({ topK: v })}
        />
        <button
          type="button"
          className="primary"
          disabled={blocked || busy}
          onClick={() => void analyse()}
        >
          Analyse
        </button>
      </div>
      <ProgressBar job={job} name="Analysis progress" onCancel={() => void cancelAnalysis()} />
      <JobInterrupted slot="analyse" />
    </>
  );
}

function LayerSpectra() {
  const id = useId();
  const analysis = useLabStore((s) => s.analysis);
  const chosen = useLabStore((s) => s.spectrumLayer);
  const { selectSpectrumLayer } = useLabStore.getState();
  const layers = analysis?.layers ?? [];
  const layer = layers.find((l) => l.name === chosen) ?? null;
  return (
    <div className="spectra-layer">
      <h3>Kronecker factor spectra</h3>
      <div className="field">
        <label htmlFor={id}>Layer</label>
        <select
          id={id}
          value={layer?.name ?? ''}
          disabled={layers.length === 0}
          onChange={(e) => selectSpectrumLayer(e.currentTarget.value)}
        >
          {layers.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name} ({l.op}, {l.kernel}×{l.kernel}, {l.inChannels}→{l.outChannels})
            </option>
          ))}
        </select>
      </div>
      <FactorSpectrumChart layer={layer} />
      <h3>Saliency distribution</h3>
      <SaliencyHistogram layers={layers} selected={layer} />
    </div>
  );
}

function HessianStats({ h }: { h: HessianSummary }) {
  return (
    <dl className="stats hessian-stats" data-testid="hessian-stats">
      <div className="stat">
        <dt>largest eigenvalue</dt>
        <dd data-testid="hessian-lambda-max">{h.top[0] === undefined ? '—' : sci3(h.top[0])}</dd>
      </div>
      <div className="stat">
        <dt>trace (Hutchinson)</dt>
        <dd data-testid="hessian-trace">
          {sci3(h.trace)} ± {sci3(h.traceStdErr)}
        </dd>
      </div>
      <div className="stat">
        <dt>smallest Ritz value</dt>
        <dd>{sci3(h.smallest)}</dd>
      </div>
      <div className="stat">
        <dt>H size</dt>
        <dd>
          {formatCount(h.params)}² · {formatCount(h.records)} records
        </dd>
      </div>
    </dl>
  );
}

function NetworkHessian() {
  const h = useLabStore((s) => s.analysis?.hessian ?? null);
  const analysed = useLabStore((s) => s.analysis !== null);
  return (
    <div className="spectra-hessian">
      <h3>Hessian of the whole network</h3>
      {analysed && !h && <p className="hint">Skipped (0 Hessian records).</p>}
      {h && <HessianStats h={h} />}
      <HessianTopChart top={h?.top ?? []} />
      <HessianDensityChart grid={h?.density.grid ?? []} values={h?.density.values ?? []} />
    </div>
  );
}

function Summary() {
  const a = useLabStore((s) => s.analysis);
  const stale = useLabStore((s) => s.analysisStale);
  if (!a) return null;
  const skipped = a.skipped.length > 0 ? `; ${a.skipped.length} layers skipped` : '';
  return (
    <p className={stale ? 'status status-warn' : 'hint'} data-testid="analysis-summary">
      {stale ? 'Analysis of an earlier network (pruned, trained or imported since): ' : ''}
      {a.network.name}: K-FAC of {a.layers.length} layers on {formatCount(a.kfacSamples)}{' '}
      {a.kfacSplit} records{skipped}; analysed in {a.seconds.toFixed(1)} s.
    </p>
  );
}

/** Says which passes ran as micro-batches to fit memory (nothing when all ran whole). */
function PassSplits() {
  const passes = useLabStore((s) => s.analysis?.passes ?? null);
  if (!passes) return null;
  const lines = [
    passSplitText('K-FAC Fisher passes', passes.kfac, formatBytes),
    passSplitText('Hessian-vector products', passes.hessian, formatBytes),
  ].filter((l): l is string => l !== null);
  if (lines.length === 0) return null;
  return (
    <p className="hint" data-testid="analysis-micro-batches">
      Split to fit memory, same result: {lines.join('; ')}.
    </p>
  );
}

export function SpectraPanel() {
  const network = useLabStore((s) => s.network);
  const error = useLabStore((s) => s.analysisError);
  const notice = useLabStore((s) => s.analysisNotice);
  return (
    <section className="panel panel-spectra" aria-labelledby="spectra-heading">
      <h2 id="spectra-heading">Spectra</h2>
      <p className="hint">
        {network
          ? `Eigenvalue spectra of ${network.name}: K-FAC factors per layer (EigenDamage) and the full Hessian (Lanczos, stochastic Lanczos quadrature, Hutchinson).`
          : 'No current network yet: import, train or evaluate one.'}
      </p>
      <AnalyseControls />
      {error && (
        <p className="status status-error" role="alert" data-testid="analysis-error">
          {error}
        </p>
      )}
      {notice && <p className="notice">{notice}</p>}
      <Summary />
      <PassSplits />
      <div className="spectra-body">
        <LayerSpectra />
        <NetworkHessian />
      </div>
    </section>
  );
}
