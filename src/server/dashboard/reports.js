// Dashboard cells for transactions as the API formats them: decoded call with amounts, fee, explorer link.
'use strict'

/** A cell with the call by contract name and function, its amounts with symbols; exact base units in the tooltip. */
function txCallCell(t) {
  const td = document.createElement('td')
  td.className = 'tx-call'
  if (!t.call) return td
  td.textContent = t.call.summary
  td.title = [t.call.value, ...t.call.amounts].map((a) => `${a.formatted} = ${a.amount} base units`).join('\n')
  return td
}

/** A cell with the fee in the native coin and gwei (exact wei in the tooltip), or the raw wei when unformatted. */
function txFeeCell(t) {
  const td = document.createElement('td')
  td.className = 'tx-fee'
  if (t.fee) {
    td.textContent = t.fee.formatted
    td.title = `${t.fee.wei} wei`
  } else if (t.feeWei) td.textContent = `${(Number(t.feeWei) / 1e18).toFixed(6)} ETH`
  return td
}

/** A cell with the hash, linked to the chain's block explorer on real chains (none on a devnet). */
function txHashCell(t, explorerBase) {
  const td = document.createElement('td')
  td.className = 'tx-hash'
  const href = t.explorerUrl || (t.hash && explorerBase ? `${explorerBase}/tx/${t.hash}` : '')
  const text = t.hash ? `${t.hash.slice(0, 12)}…` : ''
  if (href) {
    const a = document.createElement('a')
    a.href = href
    a.target = '_blank'
    a.rel = 'noopener'
    a.textContent = text
    td.append(a)
  } else td.textContent = text
  td.title = t.hash || ''
  return td
}

/** Shows one run's transactions under the runs table (GET /api/runs/:id). */
async function showRun(id) {
  const { run, transactions } = await api(`/api/runs/${encodeURIComponent(id)}`)
  $('run-detail-title').textContent = `${run.id} ${run.jobId}: ${run.status}`
  $('run-detail').replaceChildren(
    ...transactions.map((t) => {
      const tr = document.createElement('tr')
      const chain = document.createElement('td')
      chain.textContent = String(t.chainId)
      const status = document.createElement('td')
      status.textContent = t.status
      status.className = `status-${t.status}`
      tr.append(txCallCell(t), chain, status, txFeeCell(t), txHashCell(t))
      return tr
    }),
  )
  $('run-detail-empty').hidden = transactions.length > 0
  $('run-detail-panel').hidden = false
  document.body.dataset.runDetail = String(run.id)
}
