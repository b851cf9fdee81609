/**
 * The header's summary of the lab's global state, visible on every view: the dataset loaded, the
 * current network, the recipe and the score it gives.
 */
import { describeCounts } from '../store/data-slice';
import { useLabStore } from '../store/lab-store';
import { recipeJson } from '../core/recipe/index';
import { formatCount } from '../format/format';
import { formatScore } from '../format/score-format';

function Item({ label, testId, children }: { label: string; testId: string; children: string }) {
  return (
    <div className="lab-status-item">
      <dt>{label}</dt>
      <dd data-testid={testId} title={children}>
        {children}
      </dd>
    </div>
  );
}

export function LabStatus() {
  const summary = useLabStore((s) => s.summary);
  const network = useLabStore((s) => s.network);
  const recipe = useLabStore((s) => recipeJson(s.recipe));
  const score = useLabStore((s) => s.score?.score ?? null);
  const dataset = summary && (summary.train || summary.test) ? describeCounts(summary) : 'none';
  const net = network ? `${network.name} (${formatCount(network.params)} params)` : 'none';
  return (
    <dl className="lab-status" aria-label="Lab state" data-testid="lab-status">
      <Item label="dataset" testId="header-dataset">
        {dataset}
      </Item>
      <Item label="network" testId="header-network">
        {net}
      </Item>
      <Item label="recipe" testId="header-recipe">
        {recipe === '{}' ? 'none (as is)' : recipe}
      </Item>
      <Item label="score" testId="header-score">
        {score === null ? '—' : formatScore(score)}
      </Item>
    </dl>
  );
}
