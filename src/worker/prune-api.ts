/**
 * The Pruning panel's methods of the worker's API (lab-api.ts spreads them in): the live plan,
 * the one-shot prune with its accuracy before → after (./prune-accuracy.ts), the gradual
 * schedule and its kept state (./prune-service.ts); network-changing calls return their
 * NetworkChange.
 */
import type { CifarDataset } from '../core/data/types';
import type { PruneSpec, Recipe } from '../core/recipe/index';
import type { CurrentNetwork } from './current-network';
import type {
  JobProgress,
  PruneOutcome,
  PrunePlan,
  ScheduleIteration,
  ScheduleOutcome,
  ScheduleRequest,
  ScheduleSaved,
} from './lab-types';
import type { WithChange } from '../protocol/network-change';
import { PRUNE_SLICE_IMAGES, pruneWithAccuracy } from './prune-accuracy';
import type { PruneService } from './prune-service';
import type { Changed, RunJob } from './recipe-run-api';

type OnProgress = (p: JobProgress) => void;

/** What the prune methods read of the worker's state, at call time. */
export interface PruneApiDeps {
  current: CurrentNetwork;
  networkKey: () => Promise<string | null>;
  dataset: () => CifarDataset | null;
}

export function pruneApi(
  pruner: PruneService,
  runJob: RunJob,
  changed: Changed,
  deps: PruneApiDeps,
) {
  const { current, networkKey, dataset } = deps;
  return {
    /**
     * A planned prune of the current network (nothing changes) with its score before → after,
     * scored at `exitRate`: the main thread's choice (measured, typed or published).
     */
    planPrune(spec: PruneSpec, recipe: Recipe, exitRate: number | null): Promise<PrunePlan> {
      return pruner.plan(spec, recipe, exitRate);
    },
    /**
     * One-shot prune: the smaller network becomes the current one; top-1 on the first
     * `sliceImages` test images (0: skip) before and after.
     */
    prune(
      id: string,
      spec: PruneSpec,
      onProgress: OnProgress,
      sliceImages = PRUNE_SLICE_IMAGES,
    ): Promise<WithChange<PruneOutcome>> {
      return runJob(id, onProgress, (signal, report) =>
        pruneWithAccuracy(
          { current, networkKey, data: dataset() },
          () => pruner.prune(spec, { signal, report }),
          { images: sliceImages, signal, report },
        ),
      ).then((r) => changed(r));
    },
    /** The gradual schedule (or its resumption); per-iteration records through onIteration. */
    runPruneSchedule(
      id: string,
      spec: PruneSpec,
      request: ScheduleRequest,
      onIteration: (r: ScheduleIteration) => void,
      onProgress: OnProgress,
    ): Promise<WithChange<ScheduleOutcome>> {
      return runJob(id, onProgress, (signal, report) =>
        pruner.schedule(spec, request, dataset(), { signal, report, onIteration }),
      ).then((r) => changed(r));
    },
    /** The unfinished schedule kept for "Resume" (after a failed schedule; else in its change). */
    savedPruneSchedule(): ScheduleSaved | null {
      return pruner.savedSchedule();
    },
    discardPruneSchedule(): void {
      pruner.discardSchedule();
    },
  };
}
