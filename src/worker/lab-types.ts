/**
 * Plain data that crosses the main-thread ↔ worker boundary (structured clone; big arrays are
 * transferred). The contract lives in src/protocol, one file per service; this barrel re-exports
 * it so that store, panels and worker import it from one place. No tfjs imports: the main thread
 * imports these types only.
 */
export * from '../protocol/analysis.ts';
export * from '../protocol/backend.ts';
export * from '../protocol/checkpoint.ts';
export * from '../protocol/data.ts';
export * from '../protocol/evaluate.ts';
export * from '../protocol/job.ts';
export * from '../protocol/network.ts';
export * from '../protocol/prune.ts';
export * from '../protocol/score.ts';
export type { AugmentConfig, MetricPoint, TrainConfig, TrainSummary } from '../protocol/train.ts';
