/**
 * Training images for the activation quantizers of a recipe (`eval --recipe`, `export`): the
 * training split of `--calibration <dir|file>` if given, else of the command's `--data`; only
 * needed when the recipe quantizes some layer's input activations (weights-only recipes need no
 * data). `limit` keeps the first N training records.
 */
import { quantizedInputs } from '../core/compress/quant/layer-bits';
import type { CifarDataset } from '../core/data/types';
import type { Graph } from '../core/graph/ir';
import { cifarSource } from '../core/train/cifar-source';
import { minRecipeBits, type Recipe } from '../core/recipe';
import type { BatchSource } from '../core/train/types';
import { optionalFlag, UsageError, type ParsedArgs } from './args';
import { limitSplit, loadDataset } from './node-files';

export async function calibrationSource(
  args: ParsedArgs,
  graph: Graph,
  data: CifarDataset | undefined,
  recipe: Recipe,
  limit?: number,
): Promise<BatchSource | undefined> {
  if (quantizedInputs(graph, recipe).size === 0) return undefined;
  const other = optionalFlag(args, 'calibration');
  if (other === undefined && data === undefined) {
    throw new UsageError(
      `--recipe quantizes to ${minRecipeBits(recipe)} bits: calibrating the activation quantizers needs training images — pass --calibration <dir|train.bin>`,
    );
  }
  const train = (other === undefined ? data : await loadDataset(other))?.train;
  if (!train) {
    const where =
      other === undefined
        ? '--data has'
        : data === undefined
          ? '--calibration has'
          : '--data and --calibration have';
    throw new UsageError(
      `--recipe quantizes to ${minRecipeBits(recipe)} bits: calibrating the activation quantizers needs training images — ${where} no train split (add train.bin or pass --calibration <dir|train.bin>)`,
    );
  }
  return cifarSource(limitSplit(train, limit), null);
}
