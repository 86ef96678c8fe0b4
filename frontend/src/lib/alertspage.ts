// What the alerts page's lists share beyond lib/alerts.ts: the inventory
// lookups that name an alert's or a rule's targets, and where a click on a
// target goes. The page's components stay markup.

import { isGuestTarget, nodeOfTarget } from './alerts';
import type { GuestRow } from './guests';
import { store } from './inventory.svelte';
import type { Alert } from './types';
import { ui } from './ui.svelte';

/** The guest row an alert is about, while the inventory still has it. */
export function alertGuestRow(alert: Alert): GuestRow | undefined {
  return isGuestTarget(alert.target) ? store.rowByKey.get(`${alert.cluster}/${alert.target}`) : undefined;
}

/** Opens the node or guest page of an alert's target. */
export function openAlertTarget(alert: Alert): void {
  const node = nodeOfTarget(alert.target);
  if (node) ui.openNode(alert.cluster, node);
  else ui.openGuest(alert.cluster, alert.target);
}

/** Names for a rule's scope: a cluster's name, a guest's name, or the ID when it is gone. */
export const scopeNames = {
  cluster: (id: string): string => store.clusterById.get(id)?.name ?? id,
  guest: (cluster: string, id: string): string => store.rowByKey.get(`${cluster}/${id}`)?.name ?? id,
};

/** The tab an arrow key moves to (wrapping), or null for any other key. */
export function tabAfterKey<T>(tabs: readonly T[], current: T, key: string): T | null {
  const i = tabs.indexOf(current);
  if (key === 'ArrowRight') return tabs[(i + 1) % tabs.length];
  if (key === 'ArrowLeft') return tabs[(i - 1 + tabs.length) % tabs.length];
  return null;
}
