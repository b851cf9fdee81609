/**
 * For OSI-AI MicroNet, the Score panel shows two reference scores: this lab's count of its real
 * weights ("as counted") and OSI-AI's own published figure ("as published").
 */
import { useMemo } from 'react';
import { formatScore } from '../format/score-format';
import { useLabStore } from '../store/lab-store';
import { osiReference } from '../store/score-compute';
import { exitRateText } from './exit-rate-text';

export function OsiNote() {
  const inputs = useLabStore((s) => s.scoreInputs);
  const override = useLabStore((s) => s.exitRateOverride);
  const ref = useMemo(() => (inputs ? osiReference(inputs, override) : null), [inputs, override]);
  if (!ref) return null;
  return (
    <div className="osi-note" data-testid="osi-note">
      <p className="hint" data-testid="osi-note-explain">
        “As counted”: this lab’s count of OSI-AI’s real weights; “as published”: OSI-AI’s own
        figure, from the sparsities it assumed.
      </p>
      <ReferenceRow
        label="as counted"
        score={ref.asCounted.score}
        testId="osi-as-counted"
        hint={`each layer's own zeros, 16-bit freebie, BN folded, ${exitRateText(ref.exitRate)}`}
      />
      <ReferenceRow
        label="as published"
        score={ref.asPublished.score}
        testId="osi-as-published"
        hint="the uniform 64 % / 50 % sparsity OSI-AI assumed (its layers really differ), exit at 29.29 %"
      />
    </div>
  );
}

function ReferenceRow(p: { label: string; score: number; testId: string; hint: string }) {
  return (
    <div>
      <span className="osi-label">{p.label}</span>{' '}
      <strong data-testid={p.testId}>{formatScore(p.score)}</strong>
      <span className="hint"> {p.hint}</span>
    </div>
  );
}
