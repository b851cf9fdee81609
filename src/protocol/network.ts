/** Where the worker's current network came from (shown by the store, kept by persist). */
export type NetworkOrigin = 'initialised' | 'trained' | 'imported';
