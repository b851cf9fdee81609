/**
 * A compression recipe (the field names are the contract) and its schema validator.
 * An empty recipe means "the network as it is": no extra pruning, no quantization (so the
 * 16-bit freebie applies), BN folded, official counting. The canonical form and identity are in
 * canonical.ts, the URL codec in recipe-url.ts.
 *
 * Bits: an integer in 2–16, or 32 = not quantized. `activationBits` is the width of the
 * activations entering each layer; a layer's multiplies cost max(weight, activation) bits.
 */

import { validatePruneSpec, type PruneSpec } from './prune-spec';
import { RecipeError } from './recipe-error';

export type CountingProfile = 'official' | 'seed';

export interface LayerBits {
  weight?: number;
  activation?: number;
}

export interface FineTuneSettings {
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  momentum?: number;
  weightDecay?: number;
  /** Quantization-aware fine-tuning: fake-quantize with a straight-through estimator. */
  qat?: boolean;
  /** Gradual sparsity: number of prune → fine-tune steps to reach the target (default 1). */
  pruneSteps?: number;
  /** Shape of the gradual schedule: AGP cubic (Zhu & Gupta 2017) or the seed's equal steps. */
  pruneSchedule?: PruneSchedule;
  /** Distillation from the uncompressed network (Hinton et al. 2015); see DistillSettings. */
  distill?: DistillSettings;
  /** Weight of the early-exit head's loss (≥ 0; default 1 when the network has an exit head). */
  exitLossWeight?: number;
  /**
   * Batch norms keep their running statistics while fine-tuning (γ, β still train); with `qat`
   * the BNs that deployment folds are folded into their convs and quantized as deployed
   * (compress/quant/qat-folded.ts). Default false: BN normalises with batch statistics.
   */
  freezeBatchNorm?: boolean;
  /**
   * Images per epoch (default: the whole training set). Shorter epochs walk through the data in
   * consecutive windows (train/batching.ts windowOrder), so a long run checkpoints more often.
   */
  epochImages?: number;
  /**
   * Learning rate over each fine-tuning phase: 'constant' (default) or 'cosine' annealing from
   * learningRate to minLearningRate over the phase's steps (Loshchilov & Hutter 2017).
   */
  lrSchedule?: 'constant' | 'cosine';
  /** The cosine schedule's last learning rate (≥ 0, below learningRate; default 0). */
  minLearningRate?: number;
  /**
   * Augmentation of the fine-tuning images (the teacher sees the same ones): 'none' (default),
   * 'standard' (pad-4 crop + flip) or 'seed' (AutoAugment policy, crop, flip, cutout 16); see
   * data/augment.ts. Calibration images are never augmented.
   */
  augment?: FineTuneAugment;
}

export type FineTuneAugment = 'none' | 'standard' | 'seed';

/** (1 − weight)·CE + weight·T²·KL(teacher ‖ student) at temperature T (train/distillation.ts). */
export interface DistillSettings {
  /** T > 0 (default 4). */
  temperature?: number;
  /** Share of the teacher term, in [0, 1] (default 0.9). */
  weight?: number;
}
export const DISTILL_DEFAULTS = { temperature: 4, weight: 0.9 } as const;

export type PruneSchedule = 'agp' | 'seed';

/** One power-of-two exponent per weight tensor (the seed's) or per output channel. */
export type WeightGranularity = 'tensor' | 'channel';
/** How an exponent is chosen: SigmaMax (|mean| + λ·std) or the least squared error. */
export type QuantMethod = 'sigmamax' | 'mse';
/** How recipe.sparsity is spread over layers: one global magnitude threshold or s per layer. */
export type SparsityAllocation = 'global' | 'uniform';

export interface Recipe {
  /** Global extra magnitude sparsity in [0, 1), on top of the weights' existing zeros. */
  sparsity?: number;
  /** Per-layer target sparsity in [0, 1) by layer (node) name. */
  layerSparsity?: Record<string, number>;
  weightBits?: number;
  activationBits?: number;
  /** Per-layer bit widths, overriding weightBits / activationBits. */
  layerBits?: Record<string, LayerBits>;
  /**
   * Weight exponents: one per tensor (default, the seed's) or one per output channel (every
   * exponent counted as a stored 8-bit parameter; docs/COUNTING.md).
   */
  weightGranularity?: WeightGranularity;
  /** Exponent choice for weights (and activations unless activationMethod says) (default 'sigmamax'). */
  quantMethod?: QuantMethod;
  /** Exponent choice for activations (default: quantMethod). */
  activationMethod?: QuantMethod;
  /**
   * Activations as unsigned codes with an integer zero point (value (u − z)·2^−bp, as TFLite's
   * asymmetric uint8) instead of signed codes; needs activationMethod 'mse'. The zero point is
   * counted as one more stored value per quantized layer input (default false).
   */
  activationZeroPoint?: boolean;
  /** Spread of recipe.sparsity: 'global' threshold (default) or 'uniform' per layer. */
  sparsityAllocation?: SparsityAllocation;
  /** SigmaMax λ for weights: f_max = |mean| + λ·std (default 10, the seed's); not counted. */
  lambda?: number;
  /** SigmaMax λ for activations (default 18, the seed's). */
  activationLambda?: number;
  /** Training batches for the activation quantizers' EMA calibration (default 8). */
  calibrationBatches?: number;
  /** Merge BN into the preceding conv as a bias (default true; seed profile default false). */
  foldBN?: boolean;
  countingProfile?: CountingProfile;
  /**
   * The 16-bit freebie (params and mults at 16 bits, adds at 32). Default: applied when no
   * width is below 16. `false`: unquantized values count at full 32-bit precision.
   * `true` with any width below 16 is an error.
   */
  freebie?: boolean;
  fineTune?: FineTuneSettings;
  /**
   * Early-exit rule: an image exits when the exit head's max softmax probability is > this, in
   * (0, 1] (default: the network's own, 0.85). Accuracy and the score's exit rate use it.
   */
  exitThreshold?: number;
  /**
   * Early-exit blend: an image that does not exit is classified by argmax(softmax(main) + w ·
   * softmax(exit)) — the exit head's probabilities, computed anyway for the exit decision, join
   * the main head's (both heads' ensemble; about 500 extra 32-bit ops per such image, counted).
   * w in [0, 4]; default 0, the network's own rule (main head alone).
   */
  exitBlend?: number;
  /** Structured pruning (channels or eigenbasis); see prune-spec.ts. */
  prune?: PruneSpec;
}

export { RecipeError };

const RECIPE_FIELDS: readonly string[] = [
  'sparsity',
  'layerSparsity',
  'weightBits',
  'activationBits',
  'layerBits',
  'weightGranularity',
  'quantMethod',
  'activationMethod',
  'activationZeroPoint',
  'sparsityAllocation',
  'lambda',
  'activationLambda',
  'calibrationBatches',
  'foldBN',
  'countingProfile',
  'freebie',
  'fineTune',
  'exitThreshold',
  'exitBlend',
  'prune',
];
const FINE_TUNE_FIELDS: readonly string[] = [
  'epochs',
  'learningRate',
  'batchSize',
  'momentum',
  'weightDecay',
  'qat',
  'pruneSteps',
  'pruneSchedule',
  'distill',
  'exitLossWeight',
  'freezeBatchNorm',
  'epochImages',
  'lrSchedule',
  'minLearningRate',
  'augment',
];

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined)
    return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function fail(path: string, what: string, v: unknown): never {
  throw new RecipeError(`${path} must be ${what}, got ${show(v)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(path: string, o: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) {
      throw new RecipeError(`${path} has unknown field '${k}' (known: ${known.join(', ')})`);
    }
  }
}

/** True for an integer in 2–16 or exactly 32. */
export function isValidBits(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && ((v >= 2 && v <= 16) || v === 32);
}

function checkBits(path: string, v: unknown): void {
  if (v !== undefined && !isValidBits(v)) fail(path, 'an integer in 2–16 or 32', v);
}

function checkFraction(path: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(path, 'a number in [0, 1)', v);
}

function checkRecord(path: string, v: unknown, each: (p: string, x: unknown) => void): void {
  if (v === undefined) return;
  if (!isPlainObject(v)) fail(path, 'an object keyed by layer name', v);
  for (const [k, x] of Object.entries(v)) each(`${path}[${JSON.stringify(k)}]`, x);
}

function checkLayerBits(path: string, v: unknown): void {
  if (!isPlainObject(v)) fail(path, 'an object { weight?, activation? }', v);
  checkKeys(path, v, ['weight', 'activation']);
  checkBits(`${path}.weight`, v.weight);
  checkBits(`${path}.activation`, v.activation);
}

function checkNumber(path: string, v: unknown, what: string, ok: (x: number) => boolean): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(path, what, v);
}

function checkFineTune(v: unknown): void {
  if (v === undefined) return;
  const p = 'recipe.fineTune';
  if (!isPlainObject(v)) fail(p, 'an object', v);
  checkKeys(p, v, FINE_TUNE_FIELDS);
  const int = (x: number) => Number.isInteger(x);
  checkNumber(`${p}.epochs`, v.epochs, 'an integer ≥ 0', (x) => int(x) && x >= 0);
  checkNumber(`${p}.learningRate`, v.learningRate, 'a number > 0', (x) => x > 0);
  checkNumber(`${p}.batchSize`, v.batchSize, 'an integer ≥ 1', (x) => int(x) && x >= 1);
  checkNumber(`${p}.momentum`, v.momentum, 'a number in [0, 1)', (x) => x >= 0 && x < 1);
  checkNumber(`${p}.weightDecay`, v.weightDecay, 'a number ≥ 0', (x) => x >= 0);
  checkBoolean(`${p}.qat`, v.qat);
  checkNumber(`${p}.pruneSteps`, v.pruneSteps, 'an integer ≥ 1', (x) => int(x) && x >= 1);
  if (v.pruneSchedule !== undefined && v.pruneSchedule !== 'agp' && v.pruneSchedule !== 'seed')
    fail(`${p}.pruneSchedule`, "'agp' or 'seed'", v.pruneSchedule);
  checkNumber(`${p}.exitLossWeight`, v.exitLossWeight, 'a number ≥ 0', (x) => x >= 0);
  checkBoolean(`${p}.freezeBatchNorm`, v.freezeBatchNorm);
  checkNumber(`${p}.epochImages`, v.epochImages, 'an integer ≥ 2', (x) => int(x) && x >= 2);
  checkChoice(`${p}.lrSchedule`, v.lrSchedule, ['constant', 'cosine']);
  checkLearningRates(p, v);
  checkChoice(`${p}.augment`, v.augment, ['none', 'standard', 'seed']);
  const d = v.distill;
  if (d === undefined) return;
  if (!isPlainObject(d)) fail(`${p}.distill`, 'an object { temperature?, weight? }', d);
  checkKeys(`${p}.distill`, d, ['temperature', 'weight']);
  checkNumber(`${p}.distill.temperature`, d.temperature, 'a number > 0', (x) => x > 0);
  checkNumber(`${p}.distill.weight`, d.weight, 'a number in [0, 1]', (x) => x >= 0 && x <= 1);
}

function checkLearningRates(p: string, v: Record<string, unknown>): void {
  checkNumber(`${p}.minLearningRate`, v.minLearningRate, 'a number ≥ 0', (x) => x >= 0);
  if (v.minLearningRate === undefined) return;
  if (v.lrSchedule !== 'cosine')
    fail(`${p}.minLearningRate`, "set only with lrSchedule 'cosine'", v.minLearningRate);
  const lr = typeof v.learningRate === 'number' ? v.learningRate : 1e-3;
  if ((v.minLearningRate as number) > lr)
    fail(`${p}.minLearningRate`, `at most learningRate (${lr})`, v.minLearningRate);
}

function checkChoice(path: string, v: unknown, choices: readonly string[]): void {
  if (v !== undefined && !choices.includes(v as string))
    fail(path, choices.map((c) => `'${c}'`).join(' or '), v);
}

function checkBoolean(path: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'boolean') fail(path, 'true or false', v);
}

/** Smallest bit width the recipe names anywhere (32 when nothing is quantized). */
export function minRecipeBits(r: Recipe): number {
  let min = Math.min(r.weightBits ?? 32, r.activationBits ?? 32);
  for (const lb of Object.values(r.layerBits ?? {})) {
    min = Math.min(min, lb.weight ?? 32, lb.activation ?? 32);
  }
  return min;
}

/**
 * Checks a recipe against the schema; returns it typed or throws a RecipeError naming the bad
 * field and value, e.g. "recipe.weightBits must be an integer in 2–16 or 32, got 40".
 */
export function validateRecipe(v: unknown): Recipe {
  if (!isPlainObject(v)) fail('recipe', 'an object', v);
  checkKeys('recipe', v, RECIPE_FIELDS);
  if (v.sparsity !== undefined) checkFraction('recipe.sparsity', v.sparsity);
  checkRecord('recipe.layerSparsity', v.layerSparsity, checkFraction);
  checkBits('recipe.weightBits', v.weightBits);
  checkBits('recipe.activationBits', v.activationBits);
  checkRecord('recipe.layerBits', v.layerBits, checkLayerBits);
  checkChoice('recipe.weightGranularity', v.weightGranularity, ['tensor', 'channel']);
  checkChoice('recipe.quantMethod', v.quantMethod, ['sigmamax', 'mse']);
  checkChoice('recipe.activationMethod', v.activationMethod, ['sigmamax', 'mse']);
  checkBoolean('recipe.activationZeroPoint', v.activationZeroPoint);
  if (v.activationZeroPoint === true && (v.activationMethod ?? v.quantMethod) !== 'mse') {
    throw new RecipeError(
      `recipe.activationZeroPoint needs activationMethod (or quantMethod) 'mse', got ${show(v.activationMethod ?? v.quantMethod ?? 'sigmamax')}`,
    );
  }
  checkChoice('recipe.sparsityAllocation', v.sparsityAllocation, ['global', 'uniform']);
  checkNumber('recipe.lambda', v.lambda, 'a finite number > 0', (x) => x > 0);
  checkNumber('recipe.activationLambda', v.activationLambda, 'a finite number > 0', (x) => x > 0);
  checkNumber(
    'recipe.calibrationBatches',
    v.calibrationBatches,
    'an integer ≥ 1',
    (x) => Number.isInteger(x) && x >= 1,
  );
  checkBoolean('recipe.foldBN', v.foldBN);
  if (v.countingProfile !== undefined && v.countingProfile !== 'official') {
    if (v.countingProfile !== 'seed')
      fail('recipe.countingProfile', "'official' or 'seed'", v.countingProfile);
  }
  checkBoolean('recipe.freebie', v.freebie);
  checkFineTune(v.fineTune);
  checkNumber(
    'recipe.exitThreshold',
    v.exitThreshold,
    'a number in (0, 1]',
    (x) => x > 0 && x <= 1,
  );
  checkNumber('recipe.exitBlend', v.exitBlend, 'a number in [0, 4]', (x) => x >= 0 && x <= 4);
  if (v.prune !== undefined) validatePruneSpec(v.prune);
  const recipe = v as Recipe;
  const min = minRecipeBits(recipe);
  if (recipe.freebie === true && min < 16) {
    throw new RecipeError(
      `recipe.freebie is true but the recipe quantizes to ${min} bits: the 16-bit freebie needs no width below 16`,
    );
  }
  return recipe;
}
