/**
 * Lets the event loop run a macrotask. Long jobs call it between steps (a training step, an
 * evaluation batch, a K-FAC pass, a Hessian-vector product's micro-batch): awaiting promises
 * alone runs only microtasks, so a worker that never gets here cannot answer the main thread's
 * heartbeat (client/worker-watchdog.ts) nor receive a cancel, and is taken for hung.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
