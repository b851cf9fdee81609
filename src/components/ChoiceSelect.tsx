/**
 * A labelled select over a fixed list of [value, text] options; onChange only ever receives one
 * of the options' values. Shared by the Score panel's quantization choices and the sensitivity
 * chart's controls.
 */
import { useId } from 'react';

export type ChoiceOptions<T extends string> = readonly (readonly [T, string])[];

export interface ChoiceSelectProps<T extends string> {
  label: string;
  value: T;
  options: ChoiceOptions<T>;
  onChange: (v: T) => void;
  testId?: string;
  /** Tooltip of the label and the select. */
  hint?: string;
}

export function ChoiceSelect<T extends string>(p: ChoiceSelectProps<T>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} title={p.hint}>
        {p.label}
      </label>
      <select
        id={id}
        value={p.value}
        data-testid={p.testId}
        title={p.hint}
        onChange={(e) => {
          const hit = p.options.find(([k]) => k === e.currentTarget.value);
          if (hit) p.onChange(hit[0]);
        }}
      >
        {p.options.map(([k, text]) => (
          <option key={k} value={k}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
