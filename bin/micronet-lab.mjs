#!/usr/bin/env node
// `npx micronet-lab <command>`: the command line over the same core as the browser worker
// (src/cli/main.ts), bundled on first use by scripts/run-bundled.mjs.
import { runBundled } from '../scripts/run-bundled.mjs';

await runBundled('src/cli/main.ts');
