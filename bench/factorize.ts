/** Re-export: the synthetic factorization lives in src/ so the lab worker can use it too. */
export { factorize } from '../src/core/models/synthetic-factorize';
