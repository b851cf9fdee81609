// Node module-resolution hook for the CLI: tfjs-core's ESM files (needed for
// '@tensorflow/tfjs-core/dist/register_all_gradients', which no bundle includes) import
// relative paths without '.js', which Node's ESM resolver (and tsx) reject
// (ERR_MODULE_NOT_FOUND / ERR_UNSUPPORTED_DIR_IMPORT for './gradients'). Retry with '.js'.
// Register before importing any core module:
//   import { register } from 'node:module';
//   register('../src/core/backend/node-tfjs-resolve-hook.mjs', import.meta.url);
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const code = e && typeof e === 'object' ? e.code : undefined;
    const retry =
      (code === 'ERR_UNSUPPORTED_DIR_IMPORT' || code === 'ERR_MODULE_NOT_FOUND') &&
      specifier.startsWith('.') &&
      !specifier.endsWith('.js') &&
      (context.parentURL ?? '').includes('/@tensorflow/');
    if (!retry) throw e;
    return next(`${specifier}.js`, context);
  }
}
