// Who may do what: API/MCP roles ordered viewer < operator < admin, and the minimum role of each action.

/** Roles a token can carry, weakest first. */
export const ROLES = ['viewer', 'operator', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** Every action an actor can attempt, with the weakest role allowed to do it. */
export const ACTION_ROLES = {
  'state.read': 'viewer',
  'job.run': 'operator',
  'job.enable': 'operator',
  'job.disable': 'operator',
  'job.pause': 'operator',
  'job.resume': 'operator',
  'scheduler.pause': 'operator',
  'scheduler.resume': 'operator',
  'task.schedule': 'operator',
  'task.cancel': 'operator',
  'cleanup.run': 'operator',
  'breaker.trip': 'operator',
  'breaker.reset': 'admin',
  'preset.load': 'admin',
  'cleanup.register': 'admin',
  'config.change': 'admin',
} as const satisfies Record<string, Role>

/** One action name. */
export type Action = keyof typeof ACTION_ROLES

/** Who attempts an action: the token's name (never the token), its role, and where the request came from. */
export interface Actor {
  name: string
  role: Role | null
  source: 'http' | 'mcp' | 'cli' | 'system'
}

/** True when `role` may perform `action`; a missing role may do nothing. Tripping the breaker is a safety
 * action (it only stops sending), so operators may do it; releasing money flow again needs an admin. */
export function allows(role: Role | null, action: Action): boolean {
  if (role === null) return false
  return ROLES.indexOf(role) >= ROLES.indexOf(ACTION_ROLES[action])
}
