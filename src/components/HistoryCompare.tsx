/**
 * Two runs side by side (History panel): kind, network, parameters, score and its two terms,
 * top-1, checkpoint and every recipe field either run sets; differing rows are highlighted.
 */
import type { RunRecord } from '../persist/history-db';
import { compareRows } from './history-data';

const DIFF_STYLE = { background: '#fff4d6' } as const;

export function HistoryCompare({ a, b }: { a: RunRecord; b: RunRecord }) {
  const rows = compareRows(a, b);
  const differs = rows.filter((r) => r.differs).length;
  return (
    <div className="history-compare" data-testid="history-compare" data-differs={differs}>
      <div className="tensor-table" style={{ height: 'auto', maxHeight: '24rem' }}>
        <table>
          <thead>
            <tr>
              <th scope="col">field</th>
              <th scope="col">{new Date(a.time).toLocaleString()}</th>
              <th scope="col">{new Date(b.time).toLocaleString()}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.field}
                data-testid="compare-row"
                data-field={r.field}
                data-differs={r.differs}
                style={r.differs ? DIFF_STYLE : undefined}
              >
                <td style={{ fontWeight: r.differs ? 600 : 400 }}>{r.field}</td>
                <td>{r.a}</td>
                <td>{r.b}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint">
        {differs === 0 ? 'The two runs agree on every field.' : `${differs} fields differ.`}
      </p>
    </div>
  );
}
