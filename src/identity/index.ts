export { Authenticator } from './authenticator.js';
export type { AuthenticatorOptions, Principal } from './authenticator.js';
export { bootstrapIdentity } from './bootstrap.js';
export type { BootstrapResult } from './bootstrap.js';
