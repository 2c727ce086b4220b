export { RegistryService } from './service.js';
export type { DeploymentInput, RegistryServiceOptions } from './service.js';
export { RegistryRouting, deploymentPrefix } from './resolvers.js';
export type { RegistryRoutingOptions } from './resolvers.js';
export { policySchema } from './policy.js';
export type { Policy } from './policy.js';
export { deploymentParametersSchema } from './parameters.js';
export { registryPrefix } from './model-refs.js';
