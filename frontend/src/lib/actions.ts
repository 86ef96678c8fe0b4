// Which power actions a guest allows right now, and why not when it does not.
// Pure: the table menu, the guest page and the bulk bar all ask here.
import { processRuns, statusCategory } from './guests';

import { canAct, CONSOLE_PRIVILEGE, guestPath, POWER_PRIVILEGE } from './permissions';
import type { Guest, Permissions } from './types';

export const ACTIONS = ['start', 'shutdown', 'reboot', 'stop', 'reset', 'suspend', 'resume'] as const;
export type Action = (typeof ACTIONS)[number];

export function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

/** Actions that need a confirmation naming the guests, even for one guest. */
export const CONFIRM_ACTIONS: ReadonlySet<Action> = new Set(['stop', 'reset']);

export type Unavailable =
  | { code: 'vmOnly' }
  | { code: 'template' }
  | { code: 'clusterDown' }
  | { code: 'nodeOffline'; node: string }
  | { code: 'locked'; lock: string }
  | { code: 'busy' }
  | { code: 'state'; status: string }
  | { code: 'permission'; privilege: string; path: string };

export interface ActionContext {
  /** The guest's node answers (not "offline"/"unknown"). */
  nodeOnline: boolean;
  /** The cluster's last poll succeeded and no certificate change stops it. */
  clusterUp: boolean;
  /** A task started here is still running on this guest. */
  busy: boolean;
  /** That task is a shutdown: Stop may overrule it (overrule-shutdown). */
  shuttingDown?: boolean;
  permissions: Permissions | null | undefined;
}

/** Actions shown for a guest type: reset exists only for VMs. */
export function actionsFor(type: string): Action[] {
  return ACTIONS.filter((a) => a !== 'reset' || type === 'qemu');
}

function stateAllows(action: Action, status: string): boolean {
  switch (action) {
    case 'start':
      return status === 'stopped';
    case 'shutdown':
    case 'reboot':
    case 'suspend':
      return status === 'running';
    case 'stop':
      // Stop ends the process whatever its processors do.
      return processRuns(status);
    case 'reset':
      return status === 'running' || statusCategory(status) === 'error';
    case 'resume':
      // /cluster/resources gives the QMP status: resume what is held
      // (paused, suspended to RAM, stopped by QEMU on an I/O error).
      return status === 'paused' || status === 'suspended' || status === 'io-error';
  }
}

/** null when the action may run; else the first reason it may not. */
export function unavailable(
  guest: Pick<Guest, 'type' | 'template' | 'lock' | 'status' | 'vmid' | 'node'>,
  action: Action,
  ctx: ActionContext,
): Unavailable | null {
  if (action === 'reset' && guest.type !== 'qemu') return { code: 'vmOnly' };
  if (guest.template) return { code: 'template' };
  if (!ctx.clusterUp) return { code: 'clusterDown' };
  if (!ctx.nodeOnline) return { code: 'nodeOffline', node: guest.node };
  // A hibernated VM carries lock "suspended" and is resumed by start.
  if (guest.lock && !(guest.lock === 'suspended' && action === 'start')) {
    return { code: 'locked', lock: guest.lock };
  }
  // Proxmox lets Stop overrule a shutdown that hangs (overrule-shutdown).
  if (ctx.busy && !(action === 'stop' && ctx.shuttingDown)) return { code: 'busy' };
  if (!stateAllows(action, guest.status)) return { code: 'state', status: guest.status };
  if (!canAct(ctx.permissions, guest.vmid, POWER_PRIVILEGE)) {
    return { code: 'permission', privilege: POWER_PRIVILEGE, path: guestPath(guest.vmid) };
  }
  return null;
}

/** Whether the guest shows a screen a console can open: its process runs. */
export function consoleLive(status: string): boolean {
  return processRuns(status);
}

/**
 * null when a console may open on the guest; else why not. Unlike power
 * actions, a lock or a running task does not stop a console.
 */
export function consoleUnavailable(
  guest: Pick<Guest, 'template' | 'status' | 'vmid' | 'node'>,
  ctx: Pick<ActionContext, 'nodeOnline' | 'clusterUp' | 'permissions'>,
): Unavailable | null {
  if (guest.template) return { code: 'template' };
  if (!ctx.clusterUp) return { code: 'clusterDown' };
  if (!ctx.nodeOnline) return { code: 'nodeOffline', node: guest.node };
  if (!consoleLive(guest.status)) return { code: 'state', status: guest.status };
  if (!canAct(ctx.permissions, guest.vmid, CONSOLE_PRIVILEGE)) {
    return { code: 'permission', privilege: CONSOLE_PRIVILEGE, path: guestPath(guest.vmid) };
  }
  return null;
}

/** The confirmation and the options an action asks for before it runs. */
export function needsConfirm(action: Action, count: number): boolean {
  return count > 1 || CONFIRM_ACTIONS.has(action) || action === 'shutdown';
}

export const DEFAULT_SHUTDOWN_TIMEOUT = 60;

/** A failed graceful shutdown that a forced stop would resolve. */
export function isShutdownTimeout(action: string, status: string, exitStatus = ''): boolean {
  return (
    action === 'shutdown' &&
    status === 'error' &&
    /timeout|got timeout|did not stop|timed out/i.test(exitStatus)
  );
}
