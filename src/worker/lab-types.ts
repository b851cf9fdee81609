/**
 * Plain data that crosses the main-thread ↔ worker boundary (structured clone; big arrays are
 * transferred). The contract lives in src/protocol, one file per service; this barrel re-exports
 * it so that store, panels and worker import it from one place. No tfjs imports: the main thread
 * imports these types only.
 */
export * from '../protocol/analysis';
export * from '../protocol/backend';
export * from '../protocol/checkpoint';
export * from '../protocol/data';
export * from '../protocol/evaluate';
export * from '../protocol/job';
export * from '../protocol/network';
export * from '../protocol/prune';
export * from '../protocol/score';
export type { AugmentConfig, MetricPoint, TrainConfig, TrainSummary } from '../protocol/train';
