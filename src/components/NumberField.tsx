/**
 * A labelled number input for panel settings: reports NaN while the field is empty (the slice
 * validates), so typing never fights the user.
 */
import { useId } from 'react';

export interface NumberFieldProps {
  label: string;
  value: number;
  onChange: (v: number) => void;
  min?: number;
  max?: number;
  step?: number;
  disabled?: boolean;
  testId?: string;
  /** Shown after the input (e.g. "%"). */
  unit?: string;
}

export function NumberField(p: NumberFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{p.label}</label>
      <span className="number-field">
        <input
          id={id}
          type="number"
          min={p.min}
          max={p.max}
          step={p.step ?? 1}
          value={Number.isNaN(p.value) ? '' : p.value}
          disabled={p.disabled}
          data-testid={p.testId}
          onChange={(e) => p.onChange(e.currentTarget.valueAsNumber)}
        />
        {p.unit && <span className="unit">{p.unit}</span>}
      </span>
    </div>
  );
}
