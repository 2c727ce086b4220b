export { createLlamaCppProvider } from './provider.js';
export type { LlamaCppProvider } from './provider.js';
export { checkGgufFile } from './gguf-check.js';
export type { GgufSummary } from './gguf-check.js';
