/**
 * Label / value pairs of a `<dl className="stats">` (Model panel: checkpoint figures and the
 * evaluation's top-1 / top-5 / early exit), one `Stat` each, given as a list of rows.
 */

export interface StatRow {
  label: string;
  value: string;
  testId?: string;
}

export function Stat({ label, value, testId }: StatRow) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** The rows' `Stat`s, for inside a `<dl>`. */
export function StatRows({ rows }: { rows: StatRow[] }) {
  return (
    <>
      {rows.map((r) => (
        <Stat key={r.label} {...r} />
      ))}
    </>
  );
}
