// What the wizard's last step concludes about the cluster just added. It
// only says "a single node" when the token could have seen more: a token
// without Sys.Audit on /nodes is shown no cluster and no nodes by Proxmox,
// so the conclusion then says what Cecyber cannot see and why.

import type { MessageKey } from './i18n/locales';
import { hasNoPermissions, hasPrivilege } from './permissions';
import type { ClusterState } from './types';

export interface Conclusion {
  /** The line under the title. */
  summary: { key: MessageKey; params?: Record<string, string> };
  /** Nodes to count beside it, or null when the token cannot see them. */
  nodes: number | null;
  /** What follows: where things appear, or what the token lacks and where the fix is. */
  notes: MessageKey[];
  /** The token lacks what Cecyber needs to see the cluster. */
  blind: boolean;
}

/**
 * conclusion of an added cluster: result is what AddCluster returned, live
 * the same cluster in the inventory now (permissions arrive with its first
 * poll), nodes how many of its nodes the inventory lists.
 */
export function conclusion(result: ClusterState, live: ClusterState | undefined, nodes: number): Conclusion {
  const perms = live?.permissions ?? result.permissions;
  const clusterName = live?.clusterName || result.clusterName;
  if (hasNoPermissions(perms)) {
    return {
      summary: { key: 'wizard.done.noPerms', params: { token: result.tokenId } },
      nodes: null,
      notes: ['wizard.done.fix'],
      blind: true,
    };
  }
  const seesNodes = hasPrivilege(perms, '/nodes', 'Sys.Audit');
  const seesGuests = hasPrivilege(perms, '/vms', 'VM.Audit');
  if (!seesNodes && !clusterName) {
    return {
      summary: { key: 'wizard.done.noNodes' },
      nodes: null,
      notes: seesGuests ? ['wizard.done.fix'] : ['wizard.done.noGuests', 'wizard.done.fix'],
      blind: true,
    };
  }
  const notes: MessageKey[] = seesGuests ? ['wizard.done.body'] : ['wizard.done.noGuests', 'wizard.done.fix'];
  if (clusterName) {
    return { summary: { key: 'wizard.done.cluster', params: { cluster: clusterName } }, nodes: nodes || null, notes, blind: !seesGuests };
  }
  if (perms == null) {
    // Not read yet (the first poll is under way): claim nothing.
    return { summary: { key: 'wizard.done.checking' }, nodes: null, notes: ['wizard.done.body'], blind: false };
  }
  return { summary: { key: 'wizard.done.single' }, nodes: nodes || null, notes, blind: !seesGuests };
}
