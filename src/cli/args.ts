/** Minimal argv parsing for the CLI: `<command> [positional…] [--flag value | --flag]`. */

export interface ParsedArgs {
  command: string | undefined;
  positional: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: string[]): ParsedArgs {
  const [command, ...rest] = argv;
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      continue;
    }
    const next = rest[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags.set(arg.slice(2), next);
      i++;
    } else {
      flags.set(arg.slice(2), true);
    }
  }
  return { command, positional, flags };
}

/** A required string flag; throws a UsageError naming the flag when absent. */
export function requireFlag(args: ParsedArgs, name: string): string {
  const v = args.flags.get(name);
  if (typeof v !== 'string' || v === '') throw new UsageError(`missing --${name} <value>`);
  return v;
}

export function optionalFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

/** An optional number flag with bounds; the message names the flag and the bad value. */
export function numberFlag(
  args: ParsedArgs,
  name: string,
  fallback: number,
  { min = -Infinity, max = Infinity, integer = false } = {},
): number {
  const raw = optionalFlag(args, name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new UsageError(`--${name} must be ${kind} in [${min}, ${max}], got "${raw}"`);
  }
  return v;
}
