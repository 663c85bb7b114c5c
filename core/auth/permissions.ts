import type { Role } from '../model.js';

/** How much each role may do; a higher rank includes everything below it. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, manager: 2, admin: 3 };

/**
 * The seed's permission matrix, as the least role each (resource, action) needs. Enforced in one
 * place (the HTTP router) from each route's declared permission.
 */
export const PERMISSIONS = {
  rules: { read: 'viewer', write: 'manager' },
  tasks: { read: 'viewer', write: 'operator', manage: 'manager' },
  assistant: { use: 'viewer', configure: 'admin' },
  healing: { read: 'viewer', ingest: 'operator', execute: 'manager', manage: 'admin' },
  compliance: { read: 'viewer', manage: 'manager', admin: 'admin' },
  workload: { read: 'viewer', manage: 'manager', admin: 'admin' },
  org: { read: 'viewer', write: 'manager' },
  events: { read: 'viewer' },
  audit: { read: 'manager' },
  users: { read: 'admin', write: 'admin' },
} as const satisfies Record<string, Record<string, Role>>;

export type Resource = keyof typeof PERMISSIONS;
export type Permission = { [R in Resource]: [R, keyof (typeof PERMISSIONS)[R]] }[Resource];

export function leastRoleFor(permission: Permission): Role {
  const [resource, action] = permission;
  return (PERMISSIONS[resource] as Record<string, Role>)[action as string]!;
}

export function isAllowed(role: Role, permission: Permission): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[leastRoleFor(permission)];
}

export function parseRole(text: string): Role | undefined {
  const lower = text.toLowerCase();
  return lower in ROLE_RANK ? (lower as Role) : undefined;
}
