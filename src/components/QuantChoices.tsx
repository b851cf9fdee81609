/**
 * Next to the bit pickers: how weights are quantized — one power-of-two exponent per tensor or
 * per output channel, chosen by SigmaMax or by the least squared error — and how the global
 * sparsity is spread (one global magnitude threshold, or the same fraction in every layer).
 * Each change is a recipe edit like the bit pickers' (URL, live score, measurement).
 */
import { useId } from 'react';
import type { QuantMethod, SparsityAllocation, WeightGranularity } from '../core/score/recipe.ts';
import {
  quantChoices,
  withQuantChoices,
  type QuantChoices as Choices,
} from '../store/recipe-edit.ts';
import { useLabStore } from '../store/lab-store.ts';

interface ChoiceProps<T extends string> {
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (v: T) => void;
  testId: string;
  hint: string;
}

function Choice<T extends string>(p: ChoiceProps<T>) {
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
          const v = e.currentTarget.value;
          const known = p.options.find(([k]) => k === v);
          if (known) p.onChange(known[0]);
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

const GRANULARITY: readonly (readonly [WeightGranularity, string])[] = [
  ['tensor', 'per tensor'],
  ['channel', 'per output channel'],
];
const METHOD: readonly (readonly [QuantMethod, string])[] = [
  ['sigmamax', 'SigmaMax'],
  ['mse', 'least squared error'],
];
const ALLOCATION: readonly (readonly [SparsityAllocation, string])[] = [
  ['global', 'global threshold'],
  ['uniform', 'uniform per layer'],
];

function edit(patch: Partial<Choices>): void {
  const s = useLabStore.getState();
  s.setRecipe(withQuantChoices(s.recipe, patch));
}

export function QuantChoices() {
  const recipe = useLabStore((s) => s.recipe);
  const c = quantChoices(recipe);
  return (
    <>
      <Choice
        label="Weight exponents"
        value={c.weightGranularity}
        options={GRANULARITY}
        onChange={(weightGranularity) => edit({ weightGranularity })}
        testId="weight-granularity"
        hint="One power-of-two exponent per weight tensor, or one per output channel (each exponent counted as a stored parameter)"
      />
      <Choice
        label="Exponent choice"
        value={c.quantMethod}
        options={METHOD}
        onChange={(quantMethod) => edit({ quantMethod })}
        testId="quant-method"
        hint="How each exponent is chosen: SigmaMax (|mean| + λ·std), or the one with the least squared error"
      />
      <Choice
        label="Sparsity allocation"
        value={c.sparsityAllocation}
        options={ALLOCATION}
        onChange={(sparsityAllocation) => edit({ sparsityAllocation })}
        testId="sparsity-allocation"
        hint="How the global extra sparsity is spread: one magnitude threshold over all layers, or the same fraction in each layer"
      />
    </>
  );
}
