/**
 * The tensors of a checkpoint: name, shape, dtype, element count and share of exact zeros, in a
 * fixed-height scroll box (keyboard-focusable) so a 245- or 2,000-row state_dict never pushes the
 * page around. Shown empty (same height) before any import.
 */
import type { TensorRow } from '../worker/lab-types';
import { formatCount, formatPercent } from '../format/format';

export interface TensorTableProps {
  rows: TensorRow[] | null;
  /** Accessible name of the table, e.g. "Tensors of trained_model.pth". */
  caption: string;
}

/** Elements of a tensor of `shape` (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** "[32, 3, 3, 3]"; "[]" for a scalar. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function zeroText(row: TensorRow): string {
  const n = elementCount(row.shape);
  if (row.zeros === 0 || n === 0) return '0';
  return `${formatCount(row.zeros)} (${formatPercent(row.zeros / n, 1)})`;
}

export function TensorTable({ rows, caption }: TensorTableProps) {
  if (!rows) {
    return (
      <div className="tensor-table empty" data-testid="tensor-table">
        <p>Import a checkpoint to see its tensors.</p>
      </div>
    );
  }
  return (
    <div
      className="tensor-table"
      data-testid="tensor-table"
      data-rows={rows.length}
      tabIndex={0}
      role="region"
      aria-label={caption}
    >
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">tensor</th>
            <th scope="col">shape</th>
            <th scope="col">dtype</th>
            <th scope="col" className="num">
              elements
            </th>
            <th scope="col" className="num">
              exact zeros
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <td className="tensor-name" title={r.name}>
                {r.name}
              </td>
              <td>{formatShape(r.shape)}</td>
              <td>{r.dtype}</td>
              <td className="num">{formatCount(elementCount(r.shape))}</td>
              <td className="num">{zeroText(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
