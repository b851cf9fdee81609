/** A K-FAC analysis failure whose message names the bad layer or value. */
export class KfacError extends Error {
  override name = 'KfacError';
}
