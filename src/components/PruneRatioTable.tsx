/**
 * The Pruning panel's per-layer ratio table. Channel method: one block per dependency group,
 * one row per layer it touches (output channels, BN, input channels of consumers) — coupled
 * layers sit together, every row shows and edits the group's one ratio, and the block edited
 * last is highlighted. Eigenbasis method: one row per analysed layer, its kept eigen-directions
 * and its parameters before → after the Tucker-2 factorization.
 */
import { useMemo, useState } from 'react';
import type { PruneSpec } from '../core/recipe/index';
import { groupRows, rowRatio } from '../store/prune-edit';
import type { PlanGroup, PlanLayer, PrunePlan } from '../worker/lab-types';
import { formatCount } from '../format/format';

const SHOWN_GROUPS = 40;
const ROLE_TEXT: Record<PlanGroup['layers'][number]['role'], string> = {
  out: 'output channels',
  bn: 'batch norm',
  in: 'input channels',
};

export interface PruneRatioTableProps {
  plan: PrunePlan | null;
  spec: PruneSpec;
  editedRow: string | null;
  onRatio: (key: string, ratio: number | null) => void;
  disabled?: boolean;
}

function RatioCell(p: {
  label: string;
  ratio: number;
  own: boolean;
  onChange: (r: number | null) => void;
  disabled?: boolean;
  attrs: Record<string, string>;
}) {
  const pct = Math.round(p.ratio * 1000) / 10;
  return (
    <td>
      <div className="ratio-cell">
        <span className="ratio-bar" aria-hidden="true">
          <span style={{ width: `${Math.min(100, pct)}%` }} />
        </span>
        <input
          type="number"
          min={0}
          max={95}
          step={5}
          value={pct}
          aria-label={p.label}
          className={p.own ? 'own' : undefined}
          disabled={p.disabled}
          data-testid="ratio-input"
          {...p.attrs}
          onChange={(e) => {
            const v = e.currentTarget.valueAsNumber;
            p.onChange(Number.isNaN(v) ? null : v / 100);
          }}
        />
        <span className="unit">%</span>
      </div>
    </td>
  );
}

function GroupBlock({
  g,
  spec,
  edited,
  onRatio,
  disabled,
}: {
  g: PlanGroup;
  spec: PruneSpec;
  edited: boolean;
  onRatio: PruneRatioTableProps['onRatio'];
  disabled?: boolean;
}) {
  const ratio = rowRatio(spec, g.id, g.ratio);
  const own = spec.layerRatios?.[g.id] !== undefined;
  const rows = groupRows([g]);
  return (
    <tbody
      className={edited ? 'group edited' : 'group'}
      data-group={g.id}
      data-edited={edited ? 'true' : 'false'}
    >
      {rows.map((r) => (
        <tr key={`${r.layer}|${r.role}`} data-layer={r.layer} data-role={r.role}>
          {r.first && (
            <td rowSpan={r.size} className="group-id" title={g.id}>
              {g.id}
              <div className="hint">
                {g.kept} / {g.width} kept{g.capped ? ' · capped' : ''}
              </div>
            </td>
          )}
          <td className="layer-name" title={r.layer}>
            {r.layer}
          </td>
          <td className="role">{ROLE_TEXT[r.role]}</td>
          <RatioCell
            label={`${r.layer} ${ROLE_TEXT[r.role]} pruned %`}
            ratio={ratio}
            own={own}
            disabled={disabled}
            onChange={(v) => onRatio(g.id, v)}
            attrs={{ 'data-group': g.id, 'data-layer': r.layer, 'data-role': r.role }}
          />
        </tr>
      ))}
    </tbody>
  );
}

function ChannelTable(p: PruneRatioTableProps & { groups: PlanGroup[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? p.groups : p.groups.slice(0, SHOWN_GROUPS);
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>channel group</th>
            <th>layer</th>
            <th>what shrinks</th>
            <th>pruned</th>
          </tr>
        </thead>
        {shown.map((g) => (
          <GroupBlock
            key={g.id}
            g={g}
            spec={p.spec}
            edited={p.editedRow === g.id}
            onRatio={p.onRatio}
            disabled={p.disabled}
          />
        ))}
      </table>
      {shown.length < p.groups.length && (
        <button type="button" className="small" onClick={() => setAll(true)}>
          Show all {p.groups.length} groups
        </button>
      )}
    </>
  );
}

function EigenTable(p: PruneRatioTableProps & { layers: PlanLayer[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>layer</th>
          <th className="num">kept G rows / A cols</th>
          <th className="num">weights before → after</th>
          <th>pruned</th>
        </tr>
      </thead>
      <tbody>
        {p.layers.map((l) => (
          <tr
            key={l.name}
            data-layer={l.name}
            className={p.editedRow === l.name ? 'edited' : undefined}
            data-edited={p.editedRow === l.name ? 'true' : 'false'}
          >
            <td className="layer-name" title={l.name}>
              {l.name}
            </td>
            <td className="num">
              {l.keptRows} / {l.outChannels} · {l.keptCols} / {l.inChannels}
            </td>
            <td className="num">
              {formatCount(l.paramsBefore)} → {formatCount(l.paramsAfter)}
              {!l.factorize && <span className="hint"> (kept whole)</span>}
            </td>
            <RatioCell
              label={`${l.name} eigen-directions pruned %`}
              ratio={rowRatio(p.spec, l.name, l.ratio)}
              own={p.spec.layerRatios?.[l.name] !== undefined}
              disabled={p.disabled}
              onChange={(v) => p.onRatio(l.name, v)}
              attrs={{ 'data-layer': l.name }}
            />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PruneRatioTable(p: PruneRatioTableProps) {
  const groups = useMemo(() => p.plan?.groups ?? [], [p.plan]);
  const layers = useMemo(() => p.plan?.layers ?? [], [p.plan]);
  const rows = p.plan?.method === 'eigenbasis' ? layers.length : groupRows(groups).length;
  return (
    <div className="layer-table prune-table" data-testid="prune-table" data-rows={rows}>
      {!p.plan ? (
        <p className="chart-empty">The planned ratio of every layer appears here.</p>
      ) : p.plan.method === 'channels' ? (
        <ChannelTable {...p} groups={groups} />
      ) : (
        <EigenTable {...p} layers={layers} />
      )}
    </div>
  );
}
