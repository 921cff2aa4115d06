// Stryker ignore-plugin: skips mutants of human-readable message and hint text, never of codes or logic.
// Plain JavaScript because Stryker loads plugins in its own child processes, without the TypeScript hooks.

/**
 * Calls whose string arguments are message text: `refuse(code, message, ...)`, `new XError(...)` and log lines
 * (`logger.warn({fields}, 'text')`: the fields are still mutated).
 */
const MESSAGE_CALLS = /^(refuse|fail|reject|.*Error|trace|debug|info|warn|error|fatal)$/
/** Object properties that carry text for people, not for code. */
const TEXT_KEYS = new Set(['message', 'hint', 'reason', 'help'])
/** An error code (`POLICY_MAX_FEE`) is matched by tests and callers, so its mutants stay. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]+$/

/**
 * @param {any} node a Babel node
 * @returns {string | undefined} the callee name of a call or `new` expression
 */
function calleeName(node) {
  const c = node.callee
  if (c?.type === 'Identifier') return c.name
  if (c?.type === 'MemberExpression' && c.property?.type === 'Identifier') return c.property.name
  return undefined
}

/**
 * True for a string or template literal that is message text: an argument of a message call (except an
 * error code), or the value of a `message`/`hint` property.
 * @param {any} path a Babel NodePath
 */
function isMessageText(path) {
  const node = path.node
  if (node.type !== 'StringLiteral' && node.type !== 'TemplateLiteral') return false
  if (node.type === 'StringLiteral' && ERROR_CODE.test(node.value)) return false
  const parent = path.parent
  if (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') {
    const name = calleeName(parent)
    return name !== undefined && MESSAGE_CALLS.test(name) && parent.arguments.includes(node)
  }
  if (parent?.type === 'ObjectProperty' && parent.value === node) {
    const key = parent.key?.type === 'Identifier' ? parent.key.name : parent.key?.value
    return TEXT_KEYS.has(key)
  }
  return false
}

export const strykerPlugins = [
  {
    kind: 'Ignore',
    name: 'message-text',
    value: {
      /** @param {any} path */
      shouldIgnore(path) {
        return isMessageText(path) ? 'message or hint text for people; codes and numbers are still mutated' : undefined
      },
    },
  },
]
