/**
 * Structured compression by graph surgery: channel dependency groups, channel pruning (L1 or
 * caller-scored importance) and eigenbasis (K-FAC / EigenDamage) low-rank layer chains.
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
export {
  CHAIN_FORMS,
  chainDims,
  chainNameOf,
  chainNodes,
  chainParams,
  cheapestForm,
  collapseChain,
  effectiveWeights,
  eigenLayerNames,
  formOf,
  formParams,
  mainNodeOf,
  reachableForms,
  readChain,
  writeChain,
  type ChainDims,
  type ChainForm,
  type ChainNodes,
  type LayerChain,
} from './layer-chain';
export {
  eigenView,
  growChain,
  truncatedChain,
  type EigenView,
  type HeldDirections,
} from './eigen-chain';
export { takeAlong } from './tensor-slice';
