/**
 * MicroNet Lab on the command line: `npx micronet-lab <command> …` runs the same core as the
 * browser worker and prints one JSON object on stdout. Bad input: `{"error": "…"}` on stderr and
 * exit code 2. Commands: inspect, train, eval, score, analyse, prune, export, export-torch, sensitivity, plan, compress (later issues add more; field names are a contract).
 */
import { parseArgs, UsageError, type ParsedArgs } from './args';
import { analyseCommand } from './commands/analyse';
import { compressCommand } from './commands/compress';
import { evalCommand } from './commands/eval';
import { exportCommand } from './commands/export';
import { exportTorchCommand } from './commands/export-torch';
import { inspectCommand } from './commands/inspect';
import { planCommand } from './commands/plan';
import { pruneCommand } from './commands/prune';
import { scoreCommand } from './commands/score';
import { sensitivityCommand } from './commands/sensitivity';
import { trainCommand } from './commands/train';
import { runMain } from './run-main';

type Command = (args: ParsedArgs) => Promise<Record<string, unknown>>;

const COMMANDS: Record<string, Command> = {
  inspect: inspectCommand,
  train: trainCommand,
  eval: evalCommand,
  score: scoreCommand,
  analyse: analyseCommand,
  prune: pruneCommand,
  export: exportCommand,
  'export-torch': exportTorchCommand,
  sensitivity: sensitivityCommand,
  plan: planCommand,
  compress: compressCommand,
};

const USAGE =
  'usage: micronet-lab <inspect <file> | train --data <dir|file> --model <zoo name> --epochs E ' +
  '[--limit N] --out <file> | eval --model <file> --data <dir|file> [--limit N] [--recipe <json>] | ' +
  'score --model <file|zoo name> [--recipe <json>] [--exit-rate R] | ' +
  'analyse --model <file> --data <file> [--limit N] | ' +
  'prune --model <file> --recipe <json> --data <dir> [--limit N] --out <file> | ' +
  'export --model <file|zoo name> --recipe <json|file> --out <file.mnlc> [--calibration <dir|train.bin>] [--limit N] | ' +
  'export-torch --model <file|zoo name> [--recipe <json|file>] --out DIR [--data <dir|test.bin>] [--images N] | ' +
  'sensitivity --model <file|zoo name> --data <dir|file> [--limit N] [--batch B] [--bits 2,4,8] [--sparsities 0.1,0.5] [--recipe <json|file>] [--hessian-probes P] [--out report.json] | ' +
  'plan --model <file|zoo name> --target-score S | --accuracy-floor A [--sensitivity report.json | --data <dir|file> [--limit N]] [--recipe <json|file>] [--exit-rate R] [--explain] | ' +
  'compress --model <file|zoo name> --recipe <json|file> --data <dir> --out <file.mnlc> [--limit N] [--resume] [--checkpoint-dir DIR] [--train-limit N] [--seed S] [--stop-after-step K] [--keep-checkpoint]>';

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const run = args.command === undefined ? undefined : COMMANDS[args.command];
  if (!run) {
    const what =
      args.command === undefined ? 'no command given' : `unknown command "${args.command}"`;
    throw new UsageError(`${what}; ${USAGE}`);
  }
  const result = await run(args);
  process.stdout.write(JSON.stringify(result) + '\n');
}

runMain(() => main(process.argv.slice(2)));
