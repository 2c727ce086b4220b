/**
 * `--ref <git-ref>`: benchmark a committed revision instead of the working tree — to compare two
 * commits, or to measure while the working tree is half-way through a change. The revision is
 * extracted with `git archive` into a temporary directory (the repository itself is only read),
 * with the checkout's `node_modules` linked in, and built and run there.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupOnExit } from './processes.js';

export interface ExtractedRevision {
  directory: string;
  /** Short commit id the ref pointed to. */
  commit: string;
  remove(): void;
}

export function extractRevision(root: string, ref: string): ExtractedRevision {
  const commit = execFileSync('git', ['rev-parse', '--short', '--verify', `${ref}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const directory = mkdtempSync(join(tmpdir(), 'fener-bench-ref-'));
  const archive = execFileSync('git', ['archive', '--format=tar', commit], { cwd: root, maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', directory], { input: archive });
  const modules = join(directory, 'node_modules');
  symlinkSync(join(root, 'node_modules'), modules, 'dir');
  const remove = (): void => {
    // The link first, so that removing the directory can never reach the real node_modules.
    rmSync(modules, { force: true });
    rmSync(directory, { recursive: true, force: true });
  };
  const forget = cleanupOnExit(remove);
  return {
    directory,
    commit,
    remove() {
      remove();
      forget();
    },
  };
}
