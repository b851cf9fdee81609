/** Structured pruning steps and plans (channels, eigenbasis); see prune-network.ts. */
export { channelPlan, groupRatios, type ChannelPlan, type GroupPlan } from './channel-plan';
export {
  applyEigenPlan,
  eigenPlan,
  type AppliedEigenPlan,
  type EigenLayerPlan,
} from './eigen-plan';
export {
  directionsToGrow,
  growEigen,
  lostSaliency,
  reserveOf,
  type EigenReserve,
  type GrownLayer,
  type RemovedDirection,
} from './eigen-grow';
export { analyseForPrune, pruneNetwork, type PruneInput, type PruneResult } from './prune-network';
export { growChannels } from './grow-channels';
export {
  pruneSchedule,
  type IterationRecord,
  type ScheduleOptions,
  type SchedulePhase,
  type ScheduleProgress,
  type ScheduleResult,
  type ScheduleState,
} from './prune-schedule';
