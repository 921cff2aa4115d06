// Compiles contracts/src/*.sol once with solc-js and writes contracts/artifacts/<Name>.json ({abi, bytecode}).
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const srcDir = join(root, 'contracts', 'src')
const outDir = join(root, 'contracts', 'artifacts')

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[]
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>
}

/** Resolves `@openzeppelin/...` imports through node's resolver, so the installed version is the one compiled. */
function findImport(path: string): { contents: string } | { error: string } {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') }
  } catch {
    return { error: `import not found: ${path}` }
  }
}

/** Compiles every source in contracts/src and writes one artifact per contract defined there. */
export function compileContracts(): string[] {
  // solc is loaded lazily: only this script needs it, tests read the committed artifacts.
  const solc = require('solc') as {
    compile(input: string, cb: { import: typeof findImport }): string
    version(): string
  }
  const files = readdirSync(srcDir)
    .filter((f) => f.endsWith('.sol'))
    .sort()
  const sources = Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(srcDir, f), 'utf8') }]))
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      // cancun: anvil 1.x defaults to a recent hardfork, and OpenZeppelin 5.x uses mcopy.
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`)
  mkdirSync(outDir, { recursive: true })
  const written: string[] = []
  for (const file of files) {
    for (const [name, c] of Object.entries(output.contracts[file] ?? {})) {
      const bytecode = c.evm.bytecode.object
      // Interfaces have no bytecode; only deployable contracts get an artifact.
      if (!bytecode) continue
      const artifact = {
        contractName: name,
        sourceName: `contracts/src/${file}`,
        compiler: `solc ${solc.version()}`,
        abi: c.abi,
        bytecode: `0x${bytecode}`,
      }
      writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`)
      written.push(name)
    }
  }
  return written
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now()
  const names = compileContracts()
  console.log(`compiled ${names.join(', ')} in ${Math.round(performance.now() - started)} ms -> ${outDir}`)
}
