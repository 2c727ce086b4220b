export { piiTypes, redactionModes } from './types.js';
export type { DetectOptions, PiiEntity, PiiType, RedactOptions, RedactResult, RedactionMode } from './types.js';
export { detectPii } from './engine.js';
export { redactPii } from './redact.js';
export { piiPolicyOff, piiPolicySchema, piiRuleSchema, projectSalt, redactJson } from './policy.js';
export type { PiiPolicy, PiiRule } from './policy.js';
