/**
 * The planner's proposal before it is applied: its score and predicted top-1, the score of the
 * proposal as edited (counted here, live), and one row per layer with its weight bits and extra
 * sparsity (share of the layer's remaining non-zeros) to edit. "Apply" makes it the current
 * recipe; "Discard" drops it.
 */
import { useMemo } from 'react';
import { applyBlocker } from '../store/plan-slice';
import {
  isEdited,
  proposalRecipe,
  type Proposal,
  type ProposalRow,
} from '../store/recipe-proposal';
import { computeScore } from '../store/score-compute';
import { useLabStore } from '../store/lab-store';
import { BitsPicker } from './BitsPicker';
import { formatPercent } from '../format/format';
import { formatScore } from '../format/score-format';

function Row({ r }: { r: ProposalRow }) {
  const { editProposalRow } = useLabStore.getState();
  const edited = isEdited(r);
  const pct = Math.round(r.sparsity * 1000) / 10;
  return (
    <tr data-testid="proposal-row" data-layer={r.layer} data-edited={edited}>
      <th scope="row">{r.layer}</th>
      <td>
        <BitsPicker
          compact
          label={`Proposed weight bits of ${r.layer}`}
          value={r.weightBits}
          onChange={(b) => b !== null && editProposalRow(r.layer, { weightBits: b })}
        />
      </td>
      <td>
        <label className="visually-hidden" htmlFor={`proposal-sparsity-${r.layer}`}>
          Proposed extra sparsity of {r.layer} (%)
        </label>
        <input
          id={`proposal-sparsity-${r.layer}`}
          type="number"
          min={0}
          max={95}
          step={1}
          value={pct}
          onChange={(e) => {
            const v = e.currentTarget.valueAsNumber;
            if (!Number.isNaN(v)) editProposalRow(r.layer, { sparsity: v / 100 });
          }}
        />
      </td>
      <td>{edited ? 'edited' : r.deltaLoss.toFixed(4)}</td>
    </tr>
  );
}

function useEditedScore(p: Proposal): { score: number | null; error: string | null } {
  const inputs = useLabStore((s) => s.scoreInputs);
  const exitRate = useLabStore((s) => s.exitRate?.rate);
  return useMemo(() => {
    if (!inputs) return { score: null, error: null };
    const r = computeScore(inputs, proposalRecipe(p), exitRate, false);
    return { score: r.score?.score ?? null, error: r.error };
  }, [inputs, exitRate, p]);
}

export function ProposalTable({ proposal: p }: { proposal: Proposal }) {
  const blocked = useLabStore(applyBlocker);
  const edited = useEditedScore(p);
  const { applyProposal, discardProposal } = useLabStore.getState();
  const anyEdit = p.rows.some(isEdited);
  const target = [
    p.targetScore !== null ? `score ≤ ${formatScore(p.targetScore)}` : null,
    p.accuracyFloor !== null ? `top-1 ≥ ${formatPercent(p.accuracyFloor)}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className="proposal" data-testid="proposal" data-feasible={p.plan.feasible}>
      <p data-testid="proposal-summary">
        Proposed for {target}: score{' '}
        <strong data-testid="proposal-score">{formatScore(p.plan.score)}</strong>, predicted top-1{' '}
        <strong data-testid="proposal-top1">{formatPercent(p.plan.predictedTop1)}</strong> (loss +
        {p.plan.predictedLossIncrease.toFixed(4)}) —{' '}
        <span className="eligibility-tag eligibility-unmeasured" data-testid="proposal-eligibility">
          not measured: a prediction, which qualifies nothing until the full test set is measured
        </span>
        .{!p.plan.feasible && ' No recipe meets the target: this is the closest the planner found.'}
      </p>
      {anyEdit && (
        <p data-testid="proposal-edited">
          With your edits: score{' '}
          <strong data-testid="proposal-edited-score">
            {edited.score === null ? '—' : formatScore(edited.score)}
          </strong>
          {edited.error ? ` (${edited.error})` : ''}; the predicted top-1 is the planner's, before
          your edits.
        </p>
      )}
      <div className="proposal-scroll">
        <table className="proposal-table" aria-label="Proposed recipe per layer">
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Weight bits</th>
              <th scope="col">Extra sparsity %</th>
              <th scope="col">Predicted Δloss</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <Row key={r.layer} r={r} />
            ))}
          </tbody>
        </table>
      </div>
      <div className="buttons">
        <button type="button" className="primary" onClick={applyProposal} disabled={!!blocked}>
          Apply
        </button>
        <button type="button" onClick={discardProposal}>
          Discard
        </button>
        {blocked && <span className="hint">{blocked}</span>}
      </div>
    </div>
  );
}
