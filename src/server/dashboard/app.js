// Dashboard logic: draws the job DAG with cytoscape, follows runs over SSE, and sends operator actions with a token.
'use strict'
const COLORS = {
  succeeded: '#27ae60',
  failed: '#c0392b',
  needs_attention: '#c0392b',
  running: '#2471a3',
  retrying: '#2471a3',
  delayed: '#d68910',
  held: '#d68910',
  cancelled: '#7f8c8d',
  skipped: '#7f8c8d',
  missed: '#7f8c8d',
  interrupted: '#8e44ad',
}
const $ = (id) => document.getElementById(id)
const tokenInput = $('token')
tokenInput.value = sessionStorage.getItem('bot-token') || ''
tokenInput.addEventListener('change', () => sessionStorage.setItem('bot-token', tokenInput.value))

/** GET or mutate the API; mutations carry the token typed into the page (kept in sessionStorage only). */
async function api(path, method = 'GET', body) {
  const headers = { Accept: 'application/json' }
  if (tokenInput.value) headers.Authorization = `Bearer ${tokenInput.value}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const data = await res.json().catch(() => ({}))
  if (!res.ok)
    throw new Error(
      data.error ? `${data.error.message}${data.error.hint ? ` (${data.error.hint})` : ''}` : `HTTP ${res.status}`,
    )
  return data
}
const say = (text) => {
  $('message').textContent = text
}
const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '')

async function allJobs() {
  const jobs = []
  let cursor = null
  do {
    const page = await api(`/api/jobs?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
    jobs.push(...page.jobs)
    cursor = page.nextCursor
  } while (cursor)
  return jobs
}

const cy = cytoscape({
  container: $('dag'),
  style: [
    {
      selector: 'node',
      style: {
        label: 'data(id)',
        'background-color': 'data(color)',
        color: '#1d2330',
        'font-size': 11,
        'text-valign': 'bottom',
        'text-margin-y': 4,
        width: 22,
        height: 22,
      },
    },
    { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#1d2330' } },
    {
      selector: 'edge',
      style: {
        width: 2,
        'line-color': '#aab',
        'target-arrow-color': '#aab',
        'target-arrow-shape': 'triangle',
        'curve-style': 'bezier',
      },
    },
  ],
  wheelSensitivity: 0.2,
})
window.botCy = cy

/** Rebuilds the graph when the set of jobs or edges changed, else only recolors (keeps the layout stable). */
async function refreshGraph() {
  const jobs = await allJobs()
  const ids = new Set(jobs.map((j) => j.id))
  const shape = jobs
    .map((j) => `${j.id}<${j.dependencies.join(',')}`)
    .sort()
    .join('|')
  if (shape !== cy.scratch('shape')) {
    cy.elements().remove()
    cy.add(jobs.map((j) => ({ group: 'nodes', data: { id: j.id, color: '#bbb' } })))
    cy.add(
      jobs.flatMap((j) =>
        j.dependencies
          .filter((d) => ids.has(d))
          .map((d) => ({ group: 'edges', data: { id: `${d}->${j.id}`, source: d, target: j.id } })),
      ),
    )
    cy.layout({ name: 'breadthfirst', directed: true, spacingFactor: 1.1, padding: 20 }).run()
    cy.scratch('shape', shape)
  }
  for (const j of jobs) {
    const status = j.activeRuns > 0 ? 'running' : j.lastRun ? j.lastRun.status : null
    cy.getElementById(j.id).data({
      color: COLORS[status] || '#bbb',
      status: status || 'never ran',
      paused: j.paused,
      enabled: j.enabled,
    })
  }
  document.body.dataset.jobs = String(jobs.length)
}

const tip = $('tooltip')
cy.on('mouseover', 'node', async (e) => {
  const id = e.target.id()
  const pos = e.renderedPosition
  const rect = $('dag').getBoundingClientRect()
  tip.style.left = `${rect.left + pos.x + 12}px`
  tip.style.top = `${rect.top + pos.y + 12}px`
  tip.textContent = `${id}: ${e.target.data('status')}`
  tip.hidden = false
  try {
    const { explanation } = await api(`/api/jobs/${encodeURIComponent(id)}`)
    const why = explanation.reasons.length ? explanation.reasons.join('; ') : explanation.state
    const deps = explanation.dependencies?.length
      ? ` Depends on ${explanation.dependencies.join(', ')} (${explanation.triggerRule}).`
      : ''
    tip.textContent = `${id}: ${e.target.data('status')}. ${why}${deps}`
  } catch (err) {
    tip.textContent = `${id}: ${err.message}`
  }
})
cy.on('mouseout', 'node', () => {
  tip.hidden = true
})
cy.on('select', 'node', (e) => {
  $('selected').firstChild.textContent = `Selected: ${e.target.id()} `
  $('run-now').disabled = false
  $('run-now').dataset.job = e.target.id()
})

async function refreshRuns() {
  const { runs } = await api('/api/runs?limit=30')
  const body = $('runs')
  body.replaceChildren(
    ...runs.map((r) => {
      const tr = document.createElement('tr')
      tr.dataset.runId = String(r.id)
      tr.addEventListener('click', () => showRun(r.id).catch((err) => say(`run ${r.id}: ${err.message}`)))
      for (const [text, cls] of [
        [r.id],
        [r.jobId],
        [r.status, `status-${r.status}`],
        [time(r.startedAt)],
        [time(r.endedAt)],
        [r.error || r.reason || (r.gateReason && r.gateAction !== 'run' ? `${r.gateAction}: ${r.gateReason}` : '')],
      ]) {
        const td = document.createElement('td')
        td.textContent = text == null ? '' : String(text)
        if (cls) td.className = cls
        tr.append(td)
      }
      return tr
    }),
  )
}

async function refreshStatus() {
  const [status, risk] = await Promise.all([api('/api/status'), api('/api/risk')])
  const s = $('scheduler-state')
  s.textContent = `scheduler ${status.scheduler}`
  s.className = `pill ${status.scheduler}`
  const b = $('breaker-state')
  b.textContent = `breaker ${status.breaker.state}`
  b.className = `pill ${status.breaker.state}`
  const rows = []
  const a = risk.assessment
  if (a) {
    rows.push(['risk score', String(a.riskScore)], ['volatility', a.volatility.level])
    for (const g of Object.values(a.gas))
      rows.push([
        `base fee ${g.chainId}`,
        g.baseFee === null ? g.status : `${(Number(g.baseFee) / 1e9).toFixed(3)} gwei (${g.status})`,
      ])
    for (const p of a.prices || []) rows.push([`price ${p.source || p.id || ''}`, String(p.price ?? p.value ?? '')])
    rows.push(['assessed', time(a.at)])
  } else rows.push(['market', 'no assessment yet (first market tick pending)'])
  if (risk.breaker.state === 'open') rows.push(['breaker causes', risk.breaker.causes.map((c) => c.detail).join('; ')])
  $('risk').replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt')
      dt.textContent = k
      const dd = document.createElement('dd')
      dd.textContent = v
      return [dt, dd]
    }),
  )
}

async function action(path, method = 'POST', body) {
  try {
    await api(path, method, body)
    say(`ok: ${method} ${path}`)
    await refreshAll()
  } catch (err) {
    say(`failed: ${err.message}`)
  }
}
$('pause').addEventListener('click', () => action('/api/pause'))
$('resume').addEventListener('click', () => action('/api/resume'))
$('run-now').addEventListener('click', () => action(`/api/jobs/${encodeURIComponent($('run-now').dataset.job)}/run`))

let pending = null
/** Coalesces bursts of events into one refresh. */
function refreshSoon() {
  if (pending) return
  pending = setTimeout(() => {
    pending = null
    refreshAll()
  }, 250)
}
async function refreshAll() {
  try {
    await Promise.all([refreshGraph(), refreshRuns(), refreshStatus()])
    document.body.dataset.ready = '1'
  } catch (err) {
    say(`refresh failed: ${err.message}`)
  }
}
const events = new EventSource('/api/events')
events.addEventListener('run', refreshSoon)
events.onerror = () => {
  $('live').textContent = 'reconnecting…'
}
events.onopen = () => {
  $('live').textContent = 'live'
}
setInterval(refreshAll, 10_000)
refreshAll()
