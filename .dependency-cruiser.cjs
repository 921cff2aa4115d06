// Import rules of the source tree (no cycles, the layers of the architecture), checked by `npm test`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A runtime import cycle ties files together so none can be loaded, tested or moved alone.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'scheduler-is-chain-agnostic',
      severity: 'error',
      comment: 'The scheduler knows jobs, runs and handlers, nothing of chains, wallets, adapters or the bot.',
      from: { path: '^src/scheduler/' },
      to: { path: ['^src/(chain|bot|devnet)/', '^protocols/', '^node_modules/(viem|ethers)/'] },
    },
    {
      name: 'protocols-only-build-calls',
      severity: 'error',
      comment: 'Adapters build calls; signing, sending, storage and scheduling belong to the engine and the bot.',
      from: { path: '^protocols/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(chain|store|scheduler)/' },
    },
    {
      name: 'bot-below-faces',
      severity: 'error',
      comment: 'The bot composes the core; the CLI and the server are faces on top of it.',
      from: { path: '^src/bot/' },
      to: { path: '^src/(cli|server)/' },
    },
    {
      name: 'src-not-scripts',
      severity: 'error',
      comment: 'scripts/ holds thin CLIs over src/; runtime code lives in src/ (the devnet in src/devnet/).',
      from: { path: '^src/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'store-imports-only-ports',
      severity: 'error',
      comment: 'A store implements a port of its core and imports only that port, never the core itself.',
      from: { path: '^src/store/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^src/(scheduler|chain|bot|cli|server|risk|capital|control|config|housekeeping|metrics|mcp|devnet)/',
        // The ports: the scheduler's store and cluster contracts, the chain's journal, the risk breaker's interface.
        pathNot: [
          '^src/scheduler/store/store-port\\.ts$',
          '^src/scheduler/cluster/cluster-types\\.ts$',
          '^src/chain/intent-types\\.ts$',
          '^src/risk/circuit-breaker\\.ts$',
        ],
      },
    },
    {
      name: 'scheduler-through-its-entry',
      severity: 'error',
      comment: 'Other modules use the scheduler through src/scheduler/index.ts; tests may also use its testing/ kit.',
      from: { pathNot: '^src/(scheduler|store)/' },
      to: { path: '^src/scheduler/', pathNot: ['^src/scheduler/index\\.ts$', '^src/scheduler/testing/'] },
    },
    {
      name: 'store-tests-through-the-entry',
      severity: 'error',
      comment: 'Store tests use the scheduler like any other module: its entry, its testing kit or the ports.',
      from: { path: '^src/store/.+\\.test\\.ts$' },
      to: {
        path: '^src/scheduler/',
        pathNot: ['^src/scheduler/index\\.ts$', '^src/scheduler/testing/', '^src/scheduler/store/store-port\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(data|contracts)/' },
  },
}
