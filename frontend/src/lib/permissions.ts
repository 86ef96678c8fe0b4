// What the cluster's API token may do, from the map /access/permissions
// returns (path → privilege → true). The nearest listed path decides, as in
// Proxmox, where a more specific ACL overrides an inherited one:
// /vms/101 is decided by "/vms/101" if listed, else "/vms", else "/".

import type { Permissions } from './types';

export const POWER_PRIVILEGE = 'VM.PowerMgmt';
export const CONSOLE_PRIVILEGE = 'VM.Console';

/** The path and its ancestors, nearest first: /vms/101 → /vms/101, /vms, /. */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push('/' + parts.slice(0, i).join('/'));
  out.push('/');
  return out;
}

/**
 * Whether privilege applies at path. null permissions = not read yet: allow,
 * and let the backend report a refusal.
 */
export function hasPrivilege(perms: Permissions | null | undefined, path: string, privilege: string): boolean {
  if (perms == null) return true;
  for (const p of ancestors(path)) {
    const entry = perms[p];
    if (!entry) continue;
    if (p === path) return Object.prototype.hasOwnProperty.call(entry, privilege);
    // On an ancestor the value is Proxmox's "propagate" bit: false stays there.
    return entry[privilege] === true;
  }
  return false;
}

export function guestPath(vmid: number): string {
  return `/vms/${vmid}`;
}

/** canAct(cluster.permissions, 101, 'VM.PowerMgmt'). */
export function canAct(perms: Permissions | null | undefined, vmid: number, privilege: string): boolean {
  return hasPrivilege(perms, guestPath(vmid), privilege);
}

/** The token has been read and holds no permission at all. */
export function hasNoPermissions(perms: Permissions | null | undefined): boolean {
  if (perms == null) return false;
  return Object.values(perms).every((privs) => Object.keys(privs ?? {}).length === 0);
}

export const OPERATOR_ROLE = 'CecyberOperator';
export const OPERATOR_PRIVILEGES = [
  'VM.Audit',
  'VM.PowerMgmt',
  'VM.Console',
  'Sys.Audit',
  'Datastore.Audit',
] as const;

/** A token ID safe inside single quotes in a shell. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The pveum commands that give tokenId a least-privilege role on the whole cluster. */
export function roleCommands(tokenId: string): string {
  const token = tokenId.trim() || 'user@realm!tokenid';
  return [
    `pveum role add ${OPERATOR_ROLE} --privs "${OPERATOR_PRIVILEGES.join(',')}"`,
    `pveum acl modify / --tokens ${shellQuote(token)} --roles ${OPERATOR_ROLE}`,
  ].join('\n');
}
