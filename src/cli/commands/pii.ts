/**
 * `fener pii redact`: the PII engine on a text from `--text` or stdin, locally (no server needed).
 * The `hash` salt is the one the server uses for the project — HMAC of FENER_SECRET_KEY and the
 * project id — unless `--salt` gives one.
 */
import { Option, type Command } from 'commander';
import { piiTypes, projectSalt, redactPii, redactionModes } from '../../pii/index.js';
import type { PiiType, RedactionMode } from '../../pii/index.js';
import { printJson } from '../shared.js';

interface RedactOptions {
  text?: string;
  mode: RedactionMode;
  types?: string;
  project: string;
  salt?: string;
  json?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseTypes(command: Command, value: string | undefined): PiiType[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(piiTypes as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    command.error(
      `--types: unknown type ${unknown.map((name) => `"${name}"`).join(', ') || '(none given)'}; expected ${piiTypes.join(', ')}`,
    );
  }
  return names as PiiType[];
}

export function registerPiiCommands(program: Command): void {
  const pii = program.command('pii').description('detect and redact personal data and secrets');
  pii
    .command('redact')
    .description('redact a text given with --text or on stdin; prints the redacted text (or JSON with --json)')
    .option('--text <text>', 'the text (default: read stdin)')
    .addOption(new Option('--mode <mode>', 'mask → [EMAIL], hash → [EMAIL_3f9a2c1b], remove').choices(redactionModes).default('mask'))
    .option('--types <list>', `comma-separated subset of: ${piiTypes.join(', ')}`)
    .option('--project <id>', 'project id whose hash salt to use', 'admin')
    .option('--salt <salt>', 'hash salt to use instead of the project salt')
    .option('--json', 'print {"text", "entities"} with offsets into the input')
    .action(async (options: RedactOptions, command: Command) => {
      const types = parseTypes(command, options.types);
      const text = options.text ?? (await readStdin());
      const salt = options.salt ?? projectSalt(process.env.FENER_SECRET_KEY, options.project);
      const result = redactPii(text, { mode: options.mode, salt, ...(types ? { types } : {}) });
      if (options.json) printJson(result);
      else process.stdout.write(options.text === undefined ? result.text : `${result.text}\n`);
    });
}
