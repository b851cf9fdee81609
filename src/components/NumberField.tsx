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
  /** Default 1; 'any' (or a fraction) takes decimals (the decimal keypad on phones). */
  step?: number | 'any';
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
          inputMode={p.step === 'any' || !Number.isInteger(p.step ?? 1) ? 'decimal' : 'numeric'}
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
