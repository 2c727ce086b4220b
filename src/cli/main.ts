/** The `fener` command. Each command group lives in its own file under `commands/`. */
import { Command, CommanderError } from 'commander';
import { version } from '../server/index.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerDatasetCommands } from './commands/datasets.js';
import { registerDemoCommand } from './commands/demo.js';
import { evalConfigArgs, registerEvalCommands } from './commands/eval.js';
import { registerEvalMetricCommand } from './commands/eval-metric.js';
import { registerFeedbackCommands } from './commands/feedback.js';
import { registerDeploymentCommands } from './commands/deployments.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerMockProviderCommand } from './commands/mock-provider.js';
import { registerPiiCommands } from './commands/pii.js';
import { registerRegistryCommands } from './commands/registry.js';
import { promptVersionArgs, registerPromptCommands } from './commands/prompts.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTraceCommands } from './commands/traces.js';
import type { GlobalOptions } from './shared.js';

export function buildProgram(): Command {
  const program = new Command('fener')
    .description('Fener: an OpenAI-compatible LLM gateway and the control plane around it')
    .version(version)
    .option('-c, --config <path>', 'configuration file (default: FENER_CONFIG, or ./fener.yaml when present)')
    .showHelpAfterError()
    .exitOverride();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerServeCommand(program, globals);
  registerAdminCommands(program, globals);
  registerKeyCommands(program, globals);
  registerTraceCommands(program, globals);
  registerRegistryCommands(program, globals);
  registerDeploymentCommands(program);
  registerAuditCommands(program, globals);
  registerPromptCommands(program, globals);
  registerEvalMetricCommand(registerEvalCommands(program, globals));
  registerDatasetCommands(program, globals);
  registerFeedbackCommands(program, globals);
  registerPiiCommands(program);
  registerMockProviderCommand(program);
  registerDemoCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(promptVersionArgs(evalConfigArgs(argv)));
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}
