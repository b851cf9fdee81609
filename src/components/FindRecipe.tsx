/**
 * "Find a recipe": a target score or an accuracy floor → the planner's proposal over the last
 * sensitivity report, shown as an editable table (ProposalTable); nothing changes the current
 * recipe before "Apply".
 */
import { useId } from 'react';
import { planBlocker, type PlanGoal } from '../store/plan-slice';
import { useLabStore } from '../store/lab-store';
import { NumberField } from './NumberField';
import { ProposalTable } from './ProposalTable';

const GOALS: readonly (readonly [PlanGoal, string])[] = [
  ['score', 'the lowest loss under a target score'],
  ['accuracy', 'the lowest score above an accuracy floor'],
];

export function FindRecipe() {
  const headingId = useId();
  const goalId = useId();
  const settings = useLabStore((s) => s.planSettings);
  const planning = useLabStore((s) => s.planning);
  const error = useLabStore((s) => s.planError);
  const notice = useLabStore((s) => s.planNotice);
  const proposal = useLabStore((s) => s.proposal);
  const blocker = useLabStore(planBlocker);
  const { setPlanSettings, findRecipe } = useLabStore.getState();
  const orNull = (v: number) => (Number.isNaN(v) ? null : v);
  return (
    <div className="find-recipe" role="group" aria-labelledby={headingId}>
      <h3 id={headingId}>Find a recipe</h3>
      <div className="find-recipe-controls">
        <div className="field">
          <label htmlFor={goalId}>Aim for</label>
          <select
            id={goalId}
            value={settings.goal}
            onChange={(e) =>
              setPlanSettings({ goal: e.currentTarget.value === 'accuracy' ? 'accuracy' : 'score' })
            }
          >
            {GOALS.map(([k, text]) => (
              <option key={k} value={k}>
                {text}
              </option>
            ))}
          </select>
        </div>
        {settings.goal === 'score' ? (
          <NumberField
            label="Target score"
            value={settings.targetScore ?? NaN}
            min={0}
            step={0.0001}
            onChange={(v) => setPlanSettings({ targetScore: orNull(v) })}
            testId="plan-target-score"
          />
        ) : (
          <NumberField
            label="Accuracy floor"
            unit="%"
            value={settings.accuracyFloorPercent ?? NaN}
            min={0}
            max={100}
            step={0.1}
            onChange={(v) => setPlanSettings({ accuracyFloorPercent: orNull(v) })}
            testId="plan-accuracy-floor"
          />
        )}
        <button type="button" onClick={() => void findRecipe()} disabled={!!blocker || planning}>
          {planning ? 'Planning…' : 'Find a recipe'}
        </button>
        {blocker && <span className="hint">{blocker}</span>}
      </div>
      {error && (
        <p className="status status-error" role="alert" data-testid="plan-error">
          {error}
        </p>
      )}
      {notice && (
        <p className="status" role="status" data-testid="plan-notice">
          {notice}
        </p>
      )}
      {proposal && <ProposalTable proposal={proposal} />}
    </div>
  );
}
