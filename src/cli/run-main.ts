/**
 * Runs a command-line entry's main and turns every way it can end into the CLI's contract:
 * success prints what main printed; a thrown error prints `{"error": …}` on stderr with exit
 * code 2; and a main that never settles — Node ends a process whose event loop drains even while
 * a promise still waits — is an error too, never a silent exit 0 that printed nothing. Once main
 * has settled the process ends (worker threads would keep it alive).
 */
export function runMain(main: () => Promise<void>): void {
  let settled = false;
  process.on('beforeExit', () => {
    if (!settled)
      fail('the command stopped before finishing: it waited on work that never completed');
    settled = true;
  });
  main()
    .catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)))
    .finally(() => {
      settled = true;
      exitWhenWritten();
    });
}

/**
 * Ends the process once stdout and stderr have taken what was written: the threaded wasm build's
 * pthread workers would keep it alive (src/cli/wasm-threads.ts).
 */
function exitWhenWritten(): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
}

function fail(message: string): void {
  process.stderr.write(JSON.stringify({ error: message }) + '\n');
  process.exitCode = 2;
}
