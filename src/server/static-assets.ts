// The dashboard's files, read once at start: our own page plus cytoscape and uPlot from node_modules (no CDN, no bundler).
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/** One servable file. */
export interface Asset {
  body: Buffer
  type: string
}

/** Maps URL paths to file contents: `/` -> index.html, `/assets/<file>` -> dashboard files, cytoscape and uPlot. */
export function loadDashboardAssets(): Map<string, Asset> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'dashboard')
  const assets = new Map<string, Asset>()
  for (const f of readdirSync(dir)) {
    const type = TYPES[extname(f)]
    if (type) assets.set(f === 'index.html' ? '/' : `/assets/${f}`, { body: readFileSync(join(dir, f)), type })
  }
  const require = createRequire(import.meta.url)
  const cy = require.resolve('cytoscape/dist/cytoscape.min.js')
  assets.set('/assets/cytoscape.min.js', { body: readFileSync(cy), type: TYPES['.js']! })
  const uplot = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'))
  assets.set('/assets/uPlot.iife.min.js', { body: readFileSync(join(uplot, 'uPlot.iife.min.js')), type: TYPES['.js']! })
  assets.set('/assets/uPlot.min.css', { body: readFileSync(join(uplot, 'uPlot.min.css')), type: TYPES['.css']! })
  return assets
}
