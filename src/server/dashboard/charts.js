// Dashboard charts (uPlot): base fee per chain with caps and sends, gas per day against budgets, balances, runs per
// hour by status, the transactions table and the gas-timing savings. Reads the /api/history/* endpoints.
'use strict'
const PALETTE = ['#2471a3', '#27ae60', '#d68910', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#2c3e50']
const STATUS_ORDER = [
  'succeeded',
  'failed',
  'needs_attention',
  'skipped',
  'missed',
  'cancelled',
  'interrupted',
  'thinned',
]
const charts = {}
window.botCharts = charts
const gwei = (wei) => Number(wei) / 1e9
const eth = (wei) => Number(wei) / 1e18
const ethText = (wei) => `${eth(wei).toFixed(6)} ETH`
const sec = (ms) => ms / 1000

/** Sorted union of x values, and each series' y values aligned to it (null where it has none). */
function align(seriesList) {
  const xs = [...new Set(seriesList.flatMap((s) => s.map(([x]) => x)))].sort((a, b) => a - b)
  const idx = new Map(xs.map((x, i) => [x, i]))
  return [
    xs,
    ...seriesList.map((s) => {
      const ys = new Array(xs.length).fill(null)
      for (const [x, y] of s) ys[idx.get(x)] = y
      return ys
    }),
  ]
}

/** Creates or replaces the chart `key` in `parent` (a chart per key; series may change between refreshes). */
function draw(parent, key, title, series, data, extra = {}) {
  parent.querySelector('.empty')?.remove()
  let box = parent.querySelector(`[data-chart="${key}"]`)
  if (!box) {
    box = document.createElement('div')
    box.dataset.chart = key
    box.className = 'chart'
    parent.append(box)
  }
  // One x value (or a few close together) would make uPlot span years: add a step each side; lines and caps hold
  // their level there, bars and marks have none.
  const pad = extra.pad ?? 60
  const xs = data[0]
  if (xs.length && xs[xs.length - 1] - xs[0] < pad) {
    const hold = (col, at) => {
      for (const v of at < 0 ? col : [...col].reverse()) if (v !== null) return v
      return null
    }
    data = data.map((col, i) =>
      i === 0
        ? [col[0] - pad, ...col, col[col.length - 1] + pad]
        : series[i - 1].paths
          ? [null, ...col, null]
          : [hold(col, -1), ...col, hold(col, 1)],
    )
  }
  delete extra.pad
  charts[key]?.destroy()
  const width = Math.max(320, Math.floor(parent.getBoundingClientRect().width) - 8)
  charts[key] = new uPlot(
    { title, width, height: 220, series: [{}, ...series], legend: { live: false }, ...extra },
    data,
    box,
  )
}

/** Says why `parent` has no chart yet (replaced by the first chart drawn). */
function empty(parent, text) {
  if (parent.querySelector('.chart')) return
  let p = parent.querySelector('.empty')
  if (!p) {
    p = document.createElement('p')
    p.className = 'empty'
    parent.append(p)
  }
  p.textContent = text
}

/** An x range around the data, at least `pad` seconds each side (one sample would otherwise span years). */
const around = (pad) => (u, lo, hi) => [lo - Math.max(pad, (hi - lo) * 0.03), hi + Math.max(pad, (hi - lo) * 0.03)]

const line = (label, i, scale) => ({
  label,
  stroke: PALETTE[i % PALETTE.length],
  width: 2,
  spanGaps: true,
  ...(scale ? { scale } : {}),
})
const capLine = (label, i) => ({
  label,
  stroke: ['#c0392b', '#e67e22', '#7f8c8d', '#9b59b6'][i % 4],
  dash: [6, 4],
  width: 1,
  spanGaps: true,
  points: { show: false },
})
const marks = (label) => ({
  label,
  stroke: '#1d2330',
  fill: '#f1c40f',
  paths: () => null,
  points: { show: true, size: 9, width: 2 },
})

async function drawBaseFees(since) {
  const r = await api(`/api/history/base-fees?since=${since}&points=300`)
  const box = $('chart-base-fee')
  for (const [chainId, points] of Object.entries(r.series)) {
    const fee = points.map((p) => [sec(p.at), gwei(p.avg)])
    const caps = r.caps.filter((c) => c.chainId === undefined || String(c.chainId) === chainId)
    const sent = (r.marks[chainId] || []).map((m) => [sec(m.at), gwei(m.baseFee)])
    const [xs, feeYs, sentYs] = align([fee, sent])
    draw(
      box,
      `base-fee-${chainId}`,
      `Base fee, chain ${chainId} (gwei)`,
      [line('base fee', 0), ...caps.map((c, i) => capLine(c.label, i)), marks('sent')],
      [xs, feeYs, ...caps.map((c) => xs.map(() => gwei(c.wei))), sentYs],
      // Log scale: caps sit far above a calm base fee, and both must stay readable.
      { scales: { x: { time: true, range: around(60) }, y: { distr: 3 } }, axes: [{}, { label: 'gwei (log)' }] },
    )
  }
  if (!Object.keys(r.series).length) empty(box, 'no base-fee samples yet (the market tick records them)')
}

async function drawGasSpend(since) {
  const r = await api(`/api/history/gas-spend?since=${since}&points=60`)
  const chains = [...new Set([...r.days.map((d) => d.chainId), ...Object.keys(r.dailyGasBudgetWei).map(Number)])].sort(
    (a, b) => a - b,
  )
  const days = [...new Set(r.days.map((d) => d.day))].sort()
  const box = $('chart-gas-spend')
  if (!days.length) {
    empty(box, 'no gas spent yet')
    return
  }
  const x = days.map((d) => sec(Date.parse(`${d}T12:00:00Z`)))
  const spend = chains.map((c) =>
    days.map((d) => {
      const row = r.days.find((e) => e.day === d && e.chainId === c)
      return row ? eth(row.wei) : null
    }),
  )
  const limits = []
  for (const c of chains) {
    if (r.dailyGasBudgetWei[c]) limits.push([`gas budget ${c}`, x.map(() => eth(r.dailyGasBudgetWei[c]))])
    if (r.dailyNativeCapWei[c]) limits.push([`native cap ${c}`, x.map(() => eth(r.dailyNativeCapWei[c]))])
  }
  const n = Math.max(1, chains.length)
  // The y range shows the spend and the tightest limit; a far higher cap stays in the legend, not flattening the bars.
  const tightest = limits.length ? Math.min(...limits.map(([, ys]) => ys[0])) : 0
  const top = Math.max(tightest, ...spend.flat().filter((v) => v !== null))
  draw(
    box,
    'gas-spend',
    'Gas spent per day (ETH) against the daily budget and caps',
    [
      ...chains.map((c, i) => ({
        ...line(`chain ${c}`, i),
        fill: `${PALETTE[i % PALETTE.length]}88`,
        paths: uPlot.paths.bars({ size: [0.6 / n, 60] }),
        points: { show: false },
      })),
      ...limits.map(([label], i) => capLine(label, i)),
    ],
    [x, ...spend, ...limits.map(([, ys]) => ys)],
    {
      pad: 86_400,
      scales: {
        x: { time: true, range: (u, lo, hi) => [lo - 86_400, hi + 86_400] },
        y: { range: () => [0, top * 1.25 || 1] },
      },
    },
  )
}

async function drawBalances(since) {
  const r = await api(`/api/history/balances?since=${since}&points=300`)
  const box = $('chart-balances')
  const byChain = new Map()
  for (const l of r.lines) {
    if (!byChain.has(l.chainId)) byChain.set(l.chainId, [])
    byChain.get(l.chainId).push(l)
  }
  for (const [chainId, lines] of byChain) {
    // Each asset gets its own y scale (ETH and USDC differ by orders of magnitude); the legend shows which is which.
    const series = lines.map((l, i) => line(`${l.asset} ${l.wallet.slice(0, 8)}…`, i, l.asset))
    draw(
      box,
      `balances-${chainId}`,
      `Balances, chain ${chainId} (each asset on its own scale)`,
      series,
      align(lines.map((l) => l.points.map((p) => [sec(p.at), p.units]))),
      {
        scales: { x: { time: true, range: around(60) } },
        axes: [{}, { scale: lines[0].asset, label: lines[0].asset }],
      },
    )
  }
  if (!byChain.size) empty(box, 'no balance samples yet')
}

async function drawRuns(since) {
  const r = await api(`/api/history/runs?since=${since}&points=168`)
  const box = $('chart-runs')
  if (!r.hours.length) {
    empty(box, 'no finished runs yet')
    return
  }
  const statuses = [...new Set(r.hours.map((h) => h.status))].sort(
    (a, b) => ((STATUS_ORDER.indexOf(a) + 99) % 99) - ((STATUS_ORDER.indexOf(b) + 99) % 99),
  )
  const hours = [...new Set(r.hours.map((h) => h.hour))].sort((a, b) => a - b)
  const count = (h, s) => r.hours.find((e) => e.hour === h && e.status === s)?.count ?? 0
  // Stacked bars: each series is the running total, drawn tallest first so the shorter ones sit in front.
  const stacked = statuses.map((_, k) =>
    hours.map((h) => statuses.slice(0, k + 1).reduce((n, s) => n + count(h, s), 0)),
  )
  const order = statuses.map((s, k) => k).reverse()
  draw(
    box,
    'runs',
    'Runs per hour by status (stacked)',
    order.map((k) => ({
      label: `${statuses[k]} (${hours.reduce((n, h) => n + count(h, statuses[k]), 0)})`,
      stroke: COLORS[statuses[k]] || '#999',
      fill: COLORS[statuses[k]] || '#999',
      paths: uPlot.paths.bars({ size: [0.7, 40] }),
      points: { show: false },
    })),
    [hours.map(sec), ...order.map((k) => stacked[k])],
    { pad: 3_600, scales: { x: { time: true, range: (u, lo, hi) => [lo - 3_600, hi + 3_600] } } },
  )
}

async function drawTransactions(since) {
  const r = await api(`/api/history/transactions?since=${since}&limit=50`)
  $('transactions').replaceChildren(
    ...r.transactions.map((t) => {
      const tr = document.createElement('tr')
      tr.dataset.tx = t.hash || ''
      tr.append(txHashCell(t, r.explorers[t.chainId]), txCallCell(t))
      const cells = [[t.chainId], [t.jobId || ''], [t.wallet], [t.nonce], null, [t.status, `status-${t.status}`]]
      for (const cell of [...cells, [t.replacements], [time(t.sentAt)]]) {
        if (!cell) {
          tr.append(txFeeCell(t))
          continue
        }
        const [text, cls] = cell
        const td = document.createElement('td')
        td.textContent = text == null ? '' : String(text)
        if (cls) td.className = cls
        tr.append(td)
      }
      return tr
    }),
  )
}

async function drawSavings() {
  const { savings } = await api('/api/history/savings')
  const rows = []
  for (const [label, w] of savings
    ? [
        ['last day', savings.day],
        ['last week', savings.week],
      ]
    : []) {
    rows.push(
      [
        `saved, ${label}`,
        w.delayedTxs ? `${ethText(w.savedWei)} on ${w.delayedTxs} gas-delayed tx` : 'no gas-delayed transactions',
      ],
      [`paid / at due time, ${label}`, `${ethText(w.paidWei)} / ${ethText(w.atDueWei)}`],
      [`all fees, ${label}`, ethText(w.allFeesWei)],
    )
  }
  $('savings').replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt')
      dt.textContent = k
      const dd = document.createElement('dd')
      dd.textContent = v
      return [dt, dd]
    }),
  )
}

/** Redraws every chart from the last 7 days of history. */
async function refreshCharts() {
  const since = Date.now() - 7 * 86_400_000
  try {
    await Promise.all([
      drawBaseFees(since),
      drawGasSpend(since),
      drawBalances(since),
      drawRuns(since),
      drawTransactions(since),
      drawSavings(),
    ])
    document.body.dataset.charts = String(Number(document.body.dataset.charts || 0) + 1)
  } catch (err) {
    say(`charts failed: ${err.message}`)
  }
}
window.botRefreshCharts = refreshCharts
setInterval(refreshCharts, 30_000)
refreshCharts()
