#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm install` builds it (the `prepare` script).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((error) => {
  process.stderr.write(`fener: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
