// The dashed vertical lines of the reference scores (2019 winner, the OSI entry as published, …)
// that the Score panel's chart and History's scatter both draw. A function returning the
// elements, not a component: the chart takes them as its direct children.
import { ReferenceLine } from 'recharts';
import { REFERENCE_SCORES } from '../store/score-compute';

export function referenceScoreLines() {
  return REFERENCE_SCORES.map((r, i) => (
    <ReferenceLine
      key={r.key}
      x={r.score}
      stroke="#8a94a6"
      strokeDasharray="4 3"
      label={{
        value: `${r.label} ${r.score}`,
        position: i % 2 === 0 ? 'top' : 'insideTopRight',
        fontSize: 11,
        fill: '#5b6678',
      }}
    />
  ));
}
