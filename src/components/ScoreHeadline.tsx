/**
 * The MicroNet score in large type with its two terms: storage (32-bit-equivalent parameters ÷
 * 36.5 M, WideResNet-28-10's) and operations (÷ 10.49 B), and the freebie badge.
 */
import type { ScoreResult } from '../core/score/index';
import { FreebieBadge } from './FreebieBadge';
import { formatCompact, formatScore } from '../format/score-format';

export function ScoreHeadline({ score }: { score: ScoreResult | null }) {
  return (
    <div className="score-headline" data-testid="score-headline">
      <div className="score-big">
        <span className="score-label">MicroNet score</span>
        <output className="score-value" data-testid="score-value" aria-live="off">
          {score ? formatScore(score.score) : '—'}
        </output>
        <FreebieBadge on={score ? score.freebie : null} />
      </div>
      <p className="score-terms">
        ={' '}
        <span className="term" data-testid="score-params-term">
          {score ? formatScore(score.paramsTerm) : '—'}
        </span>{' '}
        storage ({score ? formatCompact(score.params32) : '—'} 32-bit params ÷ 36.5 M) +{' '}
        <span className="term" data-testid="score-ops-term">
          {score ? formatScore(score.opsTerm) : '—'}
        </span>{' '}
        ops ({score ? formatCompact(score.ops) : '—'} ops ÷ 10.49 B)
      </p>
    </div>
  );
}
