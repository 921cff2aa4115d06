// The files `npm run mutation` mutates, grouped with the fast tests that exercise each group.

/** A set of source files mutated together and the only test files run against their mutants. */
export interface MutationGroup {
  name: string
  mutate: string[]
  tests: string[]
  /** Only run when named: its tests start chains, so a mutant costs seconds, not milliseconds. */
  slow?: boolean
}

/**
 * The money path (spend policy, nonce lanes, intent journal, engine decisions, confirmation), the scheduler
 * core (dag, dispatch, recovery, run executor), the dynamic policy and the capital allocator. Each group runs
 * only its own tests, so a mutant costs one small test file, not the suite.
 */
export const MUTATION_GROUPS: MutationGroup[] = [
  {
    name: 'spend-policy',
    mutate: ['src/chain/spend-policy.ts'],
    tests: ['src/chain/spend-policy.test.ts', 'src/chain/spend-policy-edges.test.ts'],
  },
  {
    name: 'dag',
    mutate: ['src/scheduler/jobs/dag.ts'],
    tests: ['src/scheduler/jobs/dag.test.ts', 'src/scheduler/jobs/dag-edges.test.ts'],
  },
  {
    name: 'intent-journal',
    mutate: ['src/store/sqlite-intent-journal.ts'],
    tests: [
      'src/store/sqlite-intent-journal.test.ts',
      'src/store/sqlite-intent-journal-commit.test.ts',
      'src/store/sqlite-intent-journal-edges.test.ts',
    ],
  },
  {
    name: 'nonce-lane',
    mutate: ['src/chain/nonce-lane.ts'],
    tests: ['src/chain/nonce-lane.test.ts'],
  },
  {
    // Engine decisions: the policy guard, and how broadcast outcomes and settled groups read in the journal.
    name: 'engine',
    mutate: ['src/chain/tx-policy.ts', 'src/chain/confirm.ts:51-96'],
    tests: ['src/chain/tx-policy.test.ts', 'src/chain/confirm-decisions.test.ts'],
  },
  {
    // The send path end to end on anvil (each mutant restarts a chain): named runs only, not part of the ~30 min.
    name: 'engine-send',
    slow: true,
    mutate: [
      'src/chain/tx-engine.ts',
      'src/chain/tx-send.ts',
      'src/chain/engine-lanes.ts',
      'src/chain/engine-chains.ts',
      'src/chain/tx-engine-types.ts',
      'src/chain/confirm.ts:97-345',
    ],
    // Not test/chain/tx-faults.test.ts: its chaos case draws random faults and hangs, so it cannot decide a mutant
    // the same way twice, and under Stryker's instrumentation it ran past its 60 s limit in the initial run.
    tests: [
      'test/chain/tx-engine.test.ts',
      'test/chain/tx-recovery.test.ts',
      'test/chain/tx-confirm-loop.test.ts',
      'test/chain/tx-confirm-fees.test.ts',
      'test/chain/engine-wiring.test.ts',
      'test/chain/engine-lanes.test.ts',
      'test/chain/tx-policy.test.ts',
      'src/chain/engine-chains.test.ts',
    ],
  },
  {
    name: 'scheduler-recovery',
    mutate: ['src/scheduler/runs/recovery.ts'],
    tests: [
      'src/scheduler/runs/recovery.test.ts',
      'src/scheduler/scheduler-durability.test.ts',
      'src/scheduler/unfinished-mark.test.ts',
    ],
  },
  {
    name: 'scheduler-dispatch',
    mutate: ['src/scheduler/runs/dispatch.ts'],
    tests: [
      'src/scheduler/runs/dispatch-gate.test.ts',
      'src/scheduler/runs/dispatch-blockers.test.ts',
      'src/scheduler/runs/run-window.test.ts',
      'src/scheduler/triggers-writes-clocks.test.ts',
      'src/scheduler/scheduler-flow.test.ts',
      'src/scheduler/scheduler-jobs.test.ts',
      'src/scheduler/scheduler-timing.test.ts',
    ],
  },
  {
    name: 'scheduler-executor',
    mutate: ['src/scheduler/runs/run-executor.ts'],
    tests: [
      'src/scheduler/runs/run-executor.test.ts',
      'src/scheduler/runs/run-executor-aborts.test.ts',
      'src/scheduler/scheduler-flow.test.ts',
      'src/scheduler/scheduler-durability.test.ts',
      'src/scheduler/scheduler-timing.test.ts',
    ],
  },
  {
    name: 'dynamic-policy',
    mutate: ['src/bot/dynamic-policy.ts'],
    tests: [
      'src/bot/dynamic-policy-reservation.test.ts',
      'src/bot/dynamic-policy-edges.test.ts',
      'src/bot/dynamic-policy-reasons.test.ts',
      'test/risk/dynamic-policy.test.ts',
    ],
  },
  {
    name: 'capital',
    mutate: ['src/capital/allocator.ts', 'src/capital/rebalance.ts'],
    tests: ['test/risk/allocator.test.ts', 'src/capital/allocator-edges.test.ts', 'src/capital/rebalance.test.ts'],
  },
]
