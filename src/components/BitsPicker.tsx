/**
 * A bit-width select: 2–16 or 32 (= not quantized). With `inherit`, an extra first option
 * follows the global width (value null), for per-layer overrides.
 */
import { useId } from 'react';
import { BIT_CHOICES } from '../store/recipe-edit';
import { FULL_PRECISION } from '../core/recipe/index';

export interface BitsPickerProps {
  label: string;
  /** null: inherit (only with `inherit`). */
  value: number | null;
  onChange: (bits: number | null) => void;
  /** Text of the inherit option, e.g. "global (8)"; absent: no inherit option. */
  inherit?: string;
  compact?: boolean;
  disabled?: boolean;
  testId?: string;
}

function bitsText(b: number): string {
  return b === FULL_PRECISION ? '32 (off)' : String(b);
}

export function BitsPicker(p: BitsPickerProps) {
  const id = useId();
  return (
    <div className={p.compact ? 'bits bits-compact' : 'field bits'}>
      <label htmlFor={id} className={p.compact ? 'visually-hidden' : undefined}>
        {p.label}
      </label>
      <select
        id={id}
        value={p.value === null ? '' : String(p.value)}
        disabled={p.disabled}
        data-testid={p.testId}
        onChange={(e) => {
          const v = e.currentTarget.value;
          p.onChange(v === '' ? null : Number(v));
        }}
      >
        {p.inherit !== undefined && <option value="">{p.inherit}</option>}
        {BIT_CHOICES.map((b) => (
          <option key={b} value={b}>
            {bitsText(b)}
          </option>
        ))}
      </select>
    </div>
  );
}
