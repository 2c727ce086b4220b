// The `fener` command run from source (tests spawn this with `node --import tsx`).
import { main } from '../../src/cli/main.js';

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`fener: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
