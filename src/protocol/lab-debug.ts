/**
 * Whether this build carries the worker's bench, debug and test hooks (worker/debug-api.ts, and
 * `window.__lab` on the main thread, client/lab-client.ts): in the dev server, in unit tests, and
 * in a production build made with `VITE_LAB_DEBUG=1` (the e2e tests' and the browser benches'
 * builds). Vite replaces the expression at build time, so a plain `vite build` drops the hooks.
 */
export const LAB_DEBUG: boolean =
  import.meta.env.DEV || import.meta.env.MODE === 'test' || import.meta.env.VITE_LAB_DEBUG === '1';
