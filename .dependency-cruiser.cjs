/* global module -- CommonJS: dependency-cruiser reads this file with require() */
/**
 * Fener's layering, checked by `npm test`. Each module lists the modules it may import; imports
 * flow downward only, and another module is reached only through its index.ts:
 *
 *   core → store | state | providers | mock | pii → identity → gateway
 *        → prompts | registry | datasets | feedback → evals → server → cli
 *   sdk → core only (the console's client); ui is built separately and talks to /api through sdk.
 *
 * (`state` is the shared state, in memory or Redis, under the gateway's limits, budgets, breakers
 * and cache; `pii` is the pure detection and redaction engine used by the gateway, traces and
 * datasets.)
 */
const modules = [
  'core',
  'store',
  'state',
  'providers',
  'mock',
  'pii',
  'identity',
  'gateway',
  'prompts',
  'registry',
  'datasets',
  'feedback',
  'evals',
  'server',
  'cli',
  'sdk',
  'ui',
];

const allowed = {
  core: [],
  store: ['core'],
  state: ['core'],
  providers: ['core'],
  mock: ['core'],
  pii: ['core'],
  identity: ['core', 'store'],
  gateway: ['core', 'store', 'state', 'providers', 'identity', 'pii'],
  prompts: ['core', 'store', 'providers', 'identity', 'gateway'],
  registry: ['core', 'store', 'providers', 'identity', 'gateway'],
  datasets: ['core', 'store', 'providers', 'identity', 'gateway', 'pii', 'prompts'],
  feedback: ['core', 'store', 'identity', 'gateway'],
  evals: ['core', 'store', 'providers', 'identity', 'gateway', 'pii', 'prompts', 'registry', 'datasets', 'feedback'],
  server: modules.filter((name) => !['cli', 'sdk', 'ui'].includes(name)),
  cli: modules.filter((name) => !['ui'].includes(name)),
  sdk: ['core'],
  ui: ['sdk', 'core'],
};

const layerRules = Object.entries(allowed).map(([name, may]) => {
  const forbidden = modules.filter((other) => other !== name && !may.includes(other));
  return {
    name: `layer-${name}`,
    severity: 'error',
    comment: `${name} may import only ${may.join(', ') || 'nothing of ours'}`,
    from: { path: `^src/${name}/` },
    to: { path: `^src/(${forbidden.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles are not allowed', from: {}, to: { circular: true } },
    ...layerRules,
    {
      name: 'prompts-provider-types-only',
      severity: 'error',
      comment: 'prompts use the provider spec types only, never an adapter',
      from: { path: '^src/prompts/' },
      to: { path: '^src/providers/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'module-entry-only',
      severity: 'error',
      comment:
        'another module is imported through its index.ts only; core/contracts.ts (wire types, nothing that runs) is its second entry, for the browser SDK',
      from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/core/contracts\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
