/** What a benchmark measures: the working tree or a committed revision (`--ref`), built or from source. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from './log.js';
import { extractRevision } from './revision.js';
import { buildFener, isBuildFresh, type Launch, type LaunchMode } from './targets.js';

export const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = benchRoot;

function workingTreeCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} + uncommitted changes in src/` : commit;
  } catch {
    return 'unknown';
  }
}

export interface Subject {
  launch: Launch;
  /** What was measured, for the report: the commit, and how Fener ran. */
  commit: string;
  launchText: string;
  cleanup(): void;
}

async function launchMode(directory: string, skipBuild: boolean): Promise<LaunchMode> {
  if (skipBuild) return existsSync(join(directory, 'dist/cli/main.js')) ? 'dist' : 'tsx';
  if (isBuildFresh(directory)) {
    log('dist/ was built after the last change in src/: not building again');
    return 'dist';
  }
  log(`building Fener in ${directory} (tsc -p tsconfig.build.json)`);
  const built = await buildFener(directory);
  log(built.note);
  return built.mode;
}

/** Where Fener comes from (working tree or `--ref`) and how it runs (compiled, or tsx when the build fails). */
export async function prepareSubject(settings: { ref: string | undefined; skipBuild: boolean }): Promise<Subject> {
  const revision = settings.ref === undefined ? undefined : extractRevision(root, settings.ref);
  const directory = revision?.directory ?? root;
  try {
    const mode = await launchMode(directory, settings.skipBuild);
    return {
      launch: { root: directory, mode },
      commit: revision ? `${revision.commit} (--ref ${settings.ref})` : workingTreeCommit(),
      launchText: mode === 'dist' ? 'run as `node bin/fener.js serve` (compiled)' : 'run from source with tsx',
      cleanup: () => revision?.remove(),
    };
  } catch (error) {
    revision?.remove();
    throw error;
  }
}
