/**
 * A labelled "first N images" input: empty means all of them (the placeholder says how many);
 * reports null while empty (the slice validates the rest).
 */
import { useId } from 'react';
import { formatCount } from '../format/format';

export interface CountFieldProps {
  label: string;
  value: number | null;
  /** How many "all" is (null: unknown). */
  all: number | null;
  onChange: (v: number | null) => void;
  testId: string;
  disabled?: boolean;
  /** Shown while empty (default: "all" / "all (N)"). */
  placeholder?: string;
}

export function CountField(p: CountFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{p.label}</label>
      <input
        id={id}
        type="number"
        min={1}
        step={1}
        placeholder={p.placeholder ?? (p.all === null ? 'all' : `all (${formatCount(p.all)})`)}
        value={p.value ?? ''}
        disabled={p.disabled}
        data-testid={p.testId}
        onChange={(e) => {
          const v = e.currentTarget.valueAsNumber;
          p.onChange(Number.isNaN(v) ? null : v);
        }}
      />
    </div>
  );
}
