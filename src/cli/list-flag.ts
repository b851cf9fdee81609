/** `--bits 2,4,8`-style flags: a comma-separated list of numbers; errors name the flag and value. */
import { optionalFlag, UsageError, type ParsedArgs } from './args';

export function numberListFlag(
  args: ParsedArgs,
  name: string,
  ok: (x: number) => boolean,
  want: string,
): number[] | undefined {
  const raw = optionalFlag(args, name);
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  values.forEach((v, i) => {
    if (parts[i] === '' || !Number.isFinite(v) || !ok(v))
      throw new UsageError(`--${name} must be a comma-separated list of ${want}, got "${raw}"`);
  });
  return values;
}
