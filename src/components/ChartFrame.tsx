/**
 * The frame every recharts chart of the lab shares: a <figure> with its test id, accessible label
 * and point count (tests and e2e read `data-points` / `data-bars`), the placeholder text while
 * there is nothing to draw, and a ResponsiveContainer of fixed height around the chart, so a
 * panel does not jump when the first point arrives.
 */
import type { ReactElement, ReactNode } from 'react';
import { ResponsiveContainer } from 'recharts';

export interface ChartFrameProps {
  testId: string;
  label: string;
  className: string;
  /** What is drawn (points, bars); 0 shows `empty` instead of the chart. */
  count: number;
  /** The attribute that carries `count` (default data-points). */
  countAttr?: 'data-points' | 'data-bars';
  empty: string;
  height: number;
  /** Below the chart, inside the figure (a caption). */
  after?: ReactNode;
  children: ReactElement;
}

export function ChartFrame(p: ChartFrameProps) {
  return (
    <figure
      className={p.className}
      data-testid={p.testId}
      {...{ [p.countAttr ?? 'data-points']: p.count }}
      aria-label={p.label}
    >
      {p.count === 0 ? (
        <p className="chart-empty">{p.empty}</p>
      ) : (
        <ResponsiveContainer width="100%" height={p.height}>
          {p.children}
        </ResponsiveContainer>
      )}
      {p.after}
    </figure>
  );
}
