/**
 * Structured compression by graph surgery: channel dependency groups, channel pruning (L1 or
 * caller-scored importance) and eigenbasis (K-FAC / EigenDamage) Tucker-2 layer factorization.
 */
export {
  analyseGroups,
  channelGroups,
  type ChannelGroup,
  type GroupAnalysis,
  type GroupMember,
} from './channel-groups';
export { channelImportance, keepByRatio, keepTop } from './channel-importance';
export {
  pruneChannels,
  rebuildWithPositions,
  type KeepChannels,
  type PrunedNetwork,
} from './prune-channels';
export { eigenbasisWeights, factorizeLayer } from './factorize-layer';
export { takeAlong } from './tensor-slice';
