/* global module -- CommonJS: dependency-cruiser reads this file with require() */
/**
 * Fener's layering, checked by `npm test`. Imports flow downward only:
 *   core → store | state | providers | mock → identity → gateway → prompts | registry → server → cli
 * and another module is reached only through its index.ts. (`state` is the shared state, in
 * memory or Redis, under the gateway's limits, budgets, breakers and cache.)
 */
const layer = (name, forbidden, why) => ({
  name: `layer-${name}`,
  severity: 'error',
  comment: `${name} may not import ${forbidden}: ${why}`,
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${forbidden})/` },
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'import cycles are not allowed', from: {}, to: { circular: true } },
    layer(
      'core',
      'store|state|providers|mock|identity|gateway|registry|prompts|server|cli|sdk|ui',
      'core is pure and imports nothing of ours',
    ),
    layer('store', 'state|providers|mock|identity|gateway|registry|prompts|server|cli|sdk|ui', 'store sits just above core'),
    layer(
      'state',
      'store|providers|mock|identity|gateway|registry|prompts|server|cli|sdk|ui',
      'state sits on core and knows nothing of its users',
    ),
    layer('providers', 'store|state|mock|identity|gateway|registry|prompts|server|cli|sdk|ui', 'providers know only core and their spec'),
    layer(
      'mock',
      'store|state|providers|identity|gateway|registry|prompts|server|cli|sdk|ui',
      'the mock provider is a standalone tool over core',
    ),
    layer('identity', 'state|providers|mock|gateway|registry|prompts|server|cli|sdk|ui', 'identity sits on store'),
    layer('gateway', 'mock|registry|prompts|server|cli|sdk|ui', 'the gateway is below the HTTP server'),
    layer(
      'registry',
      'state|mock|prompts|server|cli|sdk|ui',
      'the registry sits on the gateway, below the HTTP server, and holds prompt references as text',
    ),
    layer(
      'prompts',
      'state|mock|registry|server|cli|sdk|ui',
      'prompts sit on the gateway (they plug in as a resolver), below the HTTP server',
    ),
    {
      name: 'prompts-provider-types-only',
      severity: 'error',
      comment: 'prompts use the provider spec types only, never an adapter',
      from: { path: '^src/prompts/' },
      to: { path: '^src/providers/', dependencyTypesNot: ['type-only'] },
    },
    layer('server', 'cli|sdk|ui', 'the server is below the CLI'),
    layer('sdk', 'store|state|providers|mock|identity|gateway|registry|prompts|server|cli|ui', 'the SDK depends on core only'),
    {
      name: 'module-entry-only',
      severity: 'error',
      comment: 'another module is imported through its index.ts only',
      from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
