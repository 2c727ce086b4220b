export { diffLines, diffPrompts, diffSections, formatDiff } from './diff.js';
export type { DiffLine, DiffOp, DiffSection, PromptDiff } from './diff.js';
export { formatOfPath, formatPromptFile, isPromptFile, parsePromptFile } from './prompt-file.js';
export type { PromptFileData, PromptFileFormat } from './prompt-file.js';
export { defaultLabel, findPrompt, getPrompt, pushPrompt, toLoadedPrompt } from './prompts.js';
export type { LoadedPrompt, VersionSelector } from './prompts.js';
export { renderPrompt } from './render.js';
export type { RenderedPrompt, RenderOptions } from './render.js';
export { mergeRequest, parsePromptReference, promptPrefix, PromptResolver } from './resolver.js';
export type { PromptReference, PromptResolverOptions } from './resolver.js';
export {
  contentSchema,
  labelName,
  labelPattern,
  messageSchema,
  parametersSchema,
  parseContent,
  promptName,
  promptNamePattern,
  pushSchema,
  toolSchema,
  variableTypes,
} from './schema.js';
export type { PromptContent, PromptContentInput, PromptParameters, PromptRole, PromptVariable, PushInput, VariableType } from './schema.js';
export { promptFileText, pullDirectory, pushDirectory, readPromptDirectory, readPromptFile } from './sync.js';
export type { PromptFileEntry, PulledFile, PushedFile } from './sync.js';
