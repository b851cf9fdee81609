/**
 * Data panel: load CIFAR-100 (drop / choose files, or download the official archive through the
 * app's server), see progress, counts, cache status and a grid of sample images.
 */
import { FileDrop } from '../components/FileDrop';
import { JobInterrupted } from '../components/JobInterrupted';
import { SampleGrid } from '../components/SampleGrid';
import { StatusSlot } from '../components/StatusSlot';
import { formatBytes, formatCount } from '../format/format';
import { useLabStore } from '../store/lab-store';
import type { SplitSummary } from '../worker/lab-types';

function SplitStat({ name, split }: { name: string; split: SplitSummary | null }) {
  return (
    <div className="stat" data-testid={`count-${name}`}>
      <dt>{name}</dt>
      <dd>
        {split ? formatCount(split.count) : '—'}
        {split && <span className="stat-note"> from {split.source}</span>}
      </dd>
    </div>
  );
}

function CacheStat() {
  const cache = useLabStore((s) => s.cache);
  const clearCache = useLabStore((s) => s.clearCache);
  const busy = useLabStore((s) => s.jobs.load !== null);
  const has = cache !== null && cache.bytes > 0;
  return (
    <div className="stat" data-testid="cache-info">
      <dt>browser cache</dt>
      <dd>
        {cache === null ? '—' : has ? formatBytes(cache.bytes) : 'empty'}
        {has && cache.savedAt && (
          <span className="stat-note"> saved {new Date(cache.savedAt).toLocaleString()}</span>
        )}{' '}
        <button
          type="button"
          className="small"
          onClick={() => void clearCache()}
          disabled={!has || busy}
        >
          Clear cache
        </button>
      </dd>
    </div>
  );
}

export function DataPanel() {
  const summary = useLabStore((s) => s.summary);
  const samples = useLabStore((s) => s.samples);
  const error = useLabStore((s) => s.dataError);
  const notice = useLabStore((s) => s.dataNotice);
  const loadJob = useLabStore((s) => s.jobs.load);
  const busyElsewhere = useLabStore((s) => s.jobs.train !== null || s.jobs.evaluate !== null);
  const { loadFiles, downloadArchive, cancelJob, dismissDataError } = useLabStore.getState();
  const disabled = loadJob !== null || busyElsewhere;

  return (
    <section className="panel panel-data" aria-labelledby="data-heading">
      <h2 id="data-heading">Data: CIFAR-100</h2>
      <div className="data-sources">
        <FileDrop onFiles={(files) => void loadFiles(files)} disabled={disabled} />
        <div className="download">
          <button type="button" onClick={() => void downloadArchive()} disabled={disabled}>
            Download CIFAR-100
          </button>
          <p className="hint">
            Fetches the official <code>cifar-100-binary.tar.gz</code> (161 MB) through this app's
            server. It is cached in the browser afterwards.
          </p>
        </div>
      </div>
      <JobInterrupted slot="load" />
      <StatusSlot
        job={loadJob}
        progressName="Data loading progress"
        onCancel={() => void cancelJob('load')}
        error={error}
        onDismiss={dismissDataError}
        testIds="data"
        notice={notice}
        idle={!summary && <p className="idle-hint">No dataset loaded yet.</p>}
      />
      <dl className="stats">
        <SplitStat name="train" split={summary?.train ?? null} />
        <SplitStat name="test" split={summary?.test ?? null} />
        <CacheStat />
      </dl>
      <SampleGrid
        samples={samples}
        fineNames={summary?.fineNames ?? []}
        coarseNames={summary?.coarseNames ?? []}
      />
    </section>
  );
}
