/** Fener's TypeScript SDK (imports only core). */
export { PromptClient } from './prompts.js';
export type { Prompt, PromptClientOptions, PromptData, PromptSelector } from './prompts.js';
