/**
 * Next to the bit pickers: how weights and activations are quantized — one power-of-two exponent
 * per tensor or per output channel, chosen by SigmaMax or by the least squared error; signed
 * activation codes or unsigned ones with an integer zero point — and how the global sparsity is
 * spread (one global magnitude threshold, or the same fraction in every layer). Each change is a
 * recipe edit like the bit pickers' (URL, live score, measurement); withQuantChoices keeps the
 * recipe valid (a zero point brings least-squared-error activation exponents with it).
 */
import type { QuantMethod } from '../core/recipe/index';
import { quantChoices, withQuantChoices, type QuantChoices as Choices } from '../store/recipe-edit';
import { useLabStore } from '../store/lab-store';
import { ChoiceSelect, type ChoiceOptions } from './ChoiceSelect';

/** One select: its options, where its value sits in the choices, and the edit a pick makes. */
interface Control {
  label: string;
  testId: string;
  hint: string;
  options: ChoiceOptions<string>;
  value(c: Choices): string;
  patch(v: string): Partial<Choices>;
}

const METHOD: ChoiceOptions<QuantMethod> = [
  ['sigmamax', 'SigmaMax'],
  ['mse', 'least squared error'],
];

const CONTROLS: readonly Control[] = [
  {
    label: 'Weight exponents',
    testId: 'weight-granularity',
    hint: 'One power-of-two exponent per weight tensor, or one per output channel (each exponent counted as a stored parameter)',
    options: [
      ['tensor', 'per tensor'],
      ['channel', 'per output channel'],
    ],
    value: (c) => c.weightGranularity,
    patch: (weightGranularity: Choices['weightGranularity']) => ({ weightGranularity }),
  },
  {
    label: 'Exponent choice',
    testId: 'quant-method',
    hint: 'How each exponent is chosen: SigmaMax (|mean| + λ·std), or the one with the least squared error (activations follow unless chosen below)',
    options: METHOD,
    value: (c) => c.quantMethod,
    patch: (quantMethod: QuantMethod) => ({ quantMethod }),
  },
  {
    label: 'Activation exponents',
    testId: 'activation-method',
    hint: 'How the activation exponents are chosen (by default as the weights’); a zero point needs the least squared error',
    options: METHOD,
    value: (c) => c.activationMethod,
    patch: (activationMethod: QuantMethod) => ({ activationMethod }),
  },
  {
    label: 'Activation codes',
    testId: 'activation-codes',
    hint: 'Signed codes, or unsigned codes with an integer zero point (each zero point counted as a stored value per quantized layer input); the zero point needs least-squared-error activation exponents, so picking it sets them',
    options: [
      ['signed', 'signed'],
      ['zero-point', 'unsigned with zero point'],
    ],
    value: (c) => (c.activationZeroPoint ? 'zero-point' : 'signed'),
    patch: (v: 'signed' | 'zero-point') => ({ activationZeroPoint: v === 'zero-point' }),
  },
  {
    label: 'Sparsity allocation',
    testId: 'sparsity-allocation',
    hint: 'How the global extra sparsity is spread: one magnitude threshold over all layers, or the same fraction in each layer',
    options: [
      ['global', 'global threshold'],
      ['uniform', 'uniform per layer'],
    ],
    value: (c) => c.sparsityAllocation,
    patch: (sparsityAllocation: Choices['sparsityAllocation']) => ({ sparsityAllocation }),
  },
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
      {CONTROLS.map((k) => (
        <ChoiceSelect
          key={k.testId}
          label={k.label}
          value={k.value(c)}
          options={k.options}
          onChange={(v) => edit(k.patch(v))}
          testId={k.testId}
          hint={k.hint}
        />
      ))}
    </>
  );
}
