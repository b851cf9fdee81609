/**
 * The per-layer breakdown: params, mults, adds, bits (weight / multiply), sparsity and share of
 * the score, sorted by share (or in graph order). Prunable layers get their own sparsity slider
 * and weight / activation bit selects (overrides of the global settings). Rows are virtualised
 * in a fixed-height scroll box — only the visible ones (plus a margin) are in the DOM — so an
 * 800-layer net re-renders as cheaply as a tiny one while a slider is dragged.
 */
import { useMemo, useState } from 'react';
import type { LayerScore } from '../core/score/index';
import type { Recipe } from '../core/recipe/index';
import type { BitsKind } from '../store/recipe-edit';
import { globalBits } from '../store/recipe-edit';
import { BitsPicker } from './BitsPicker';
import { SparsitySlider } from './SparsitySlider';
import { formatCompact, formatShare } from '../format/score-format';

export const ROW_PX = 36;
const VISIBLE_ROWS = 12;
const OVERSCAN = 6;

export type LayerOrder = 'share' | 'graph';

export interface LayerScoreTableProps {
  layers: readonly LayerScore[];
  recipe: Recipe;
  /** Names of the prunable (conv / depthwise / dense) layers. */
  prunable: ReadonlySet<string>;
  onSparsity: (layer: string, s: number | null) => void;
  onBits: (layer: string, kind: BitsKind, bits: number | null) => void;
  /** A row slider's thumb is held / released. */
  onHold?: (held: boolean) => void;
}

/** Rows [start, end) to render for a scroll offset (window + overscan, clamped). */
export function visibleRange(scrollTop: number, count: number): [number, number] {
  const first = Math.floor(scrollTop / ROW_PX);
  const start = Math.max(0, first - OVERSCAN);
  return [start, Math.min(count, first + VISIBLE_ROWS + OVERSCAN)];
}

interface RowProps {
  l: LayerScore;
  recipe: Recipe;
  prunable: boolean;
  onSparsity: LayerScoreTableProps['onSparsity'];
  onBits: LayerScoreTableProps['onBits'];
  onHold: LayerScoreTableProps['onHold'];
}

function BitsCell({ l, recipe, prunable, onBits }: RowProps) {
  if (!prunable)
    return <>{l.params > 0 ? `${l.paramBits} / ${l.multBits}` : `– / ${l.multBits}`}</>;
  const own = recipe.layerBits?.[l.name];
  const picker = (kind: BitsKind, label: string) => (
    <BitsPicker
      compact
      label={`${label} bits of ${l.name}`}
      value={own?.[kind] ?? null}
      inherit={`${label[0]} ${globalBits(recipe, kind)}`}
      onChange={(b) => onBits(l.name, kind, b)}
    />
  );
  return (
    <span
      className="bits-pair"
      title={`stored at ${l.paramBits} bits, multiplies at ${l.multBits}`}
    >
      {picker('weight', 'weight')}
      {picker('activation', 'activation')}
    </span>
  );
}

function SparsityCell({ l, recipe, prunable, onSparsity, onHold }: RowProps) {
  if (!prunable) return <>–</>;
  const own = recipe.layerSparsity?.[l.name];
  return (
    <span className="layer-sparsity">
      <SparsitySlider
        compact
        label={`Sparsity of ${l.name}`}
        value={own ?? Math.round(l.sparsity * 100) / 100}
        onChange={(v) => onSparsity(l.name, v)}
        onHold={onHold}
      />
      {own !== undefined && (
        <button
          type="button"
          className="small clear"
          aria-label={`Clear the sparsity override of ${l.name}`}
          title={`Effective ${formatShare(l.sparsity)}; clear the override`}
          onClick={() => onSparsity(l.name, null)}
        >
          ×
        </button>
      )}
    </span>
  );
}

function Row(p: RowProps) {
  const { l } = p;
  return (
    <tr data-layer={l.name} className={p.prunable ? 'prunable' : undefined}>
      <td className="layer-name" title={`${l.name} (${l.op}, ${l.path})`}>
        {l.name}
      </td>
      <td>{l.op}</td>
      <td className="num">{formatCompact(l.params)}</td>
      <td className="num">{formatCompact(l.mults)}</td>
      <td className="num">{formatCompact(l.adds)}</td>
      <td>
        <BitsCell {...p} />
      </td>
      <td className="num" data-testid={p.prunable ? `sparsity-${l.name}` : undefined}>
        <SparsityCell {...p} />
      </td>
      <td className="num">{formatShare(l.share)}</td>
    </tr>
  );
}

export function LayerScoreTable(p: LayerScoreTableProps) {
  const [order, setOrder] = useState<LayerOrder>('share');
  const [scrollTop, setScrollTop] = useState(0);
  const rows = useMemo(
    () => (order === 'graph' ? p.layers : [...p.layers].sort((a, b) => b.share - a.share)),
    [p.layers, order],
  );
  const [start, end] = visibleRange(scrollTop, rows.length);
  return (
    <div className="layer-table-wrap">
      <div className="layer-table-head">
        <span className="hint">
          {rows.length} counted rows; {p.prunable.size} prunable layers
        </span>
        <label className="check">
          <input
            type="checkbox"
            checked={order === 'graph'}
            onChange={(e) => setOrder(e.currentTarget.checked ? 'graph' : 'share')}
          />
          graph order
        </label>
      </div>
      <div
        className="layer-table"
        data-testid="layer-table"
        data-rows={rows.length}
        tabIndex={0}
        role="region"
        aria-label="Per-layer counts and share of the score"
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        style={{ maxHeight: (VISIBLE_ROWS + 1) * ROW_PX }}
      >
        <table>
          <thead>
            <tr>
              <th scope="col">layer</th>
              <th scope="col">op</th>
              <th scope="col" className="num">
                params
              </th>
              <th scope="col" className="num">
                mults
              </th>
              <th scope="col" className="num">
                adds
              </th>
              <th scope="col">bits (w / a)</th>
              <th scope="col" className="num">
                sparsity
              </th>
              <th scope="col" className="num">
                share
              </th>
            </tr>
          </thead>
          <tbody>
            {start > 0 && <tr aria-hidden="true" style={{ height: start * ROW_PX }} />}
            {rows.slice(start, end).map((l) => (
              <Row
                key={l.name}
                l={l}
                recipe={p.recipe}
                prunable={p.prunable.has(l.name)}
                onSparsity={p.onSparsity}
                onBits={p.onBits}
                onHold={p.onHold}
              />
            ))}
            {end < rows.length && (
              <tr aria-hidden="true" style={{ height: (rows.length - end) * ROW_PX }} />
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
