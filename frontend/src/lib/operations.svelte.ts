// Running power actions: availability per row, the confirmation step, the
// calls, and the toasts that follow them. Components call request(); the
// rules live in actions.ts, the tasks in tasks.svelte.ts.

import * as backend from './backend';
import {
  consoleUnavailable,
  DEFAULT_SHUTDOWN_TIMEOUT,
  isShutdownTimeout,
  needsConfirm,
  unavailable,
  type Action,
  type ActionContext,
  type Unavailable,
} from './actions';
import { nodeKey } from './filters';
import type { GuestRow } from './guests';
import { store } from './inventory.svelte';
import { effectiveStatus, taskKey } from './tasks';
import { tasksStore } from './tasks.svelte';
import { toasts } from './toasts.svelte';
import { toErrorInfo, type Guest, type Task } from './types';

export interface ConfirmRequest {
  action: Action;
  /** The guests the action will run on. */
  rows: GuestRow[];
  /** Selected guests the action cannot run on, left out. */
  skipped: number;
  /** Started from the bulk bar. */
  bulk: boolean;
  /** Shutdown's limit in seconds. */
  timeout: number;
  /** A stop that aborts the running shutdown of its guest first. */
  overrule?: boolean;
}

type Row = Pick<GuestRow, 'key' | 'cluster' | 'id' | 'vmid' | 'name' | 'node'> &
  Pick<Guest, 'type' | 'template' | 'lock' | 'status'>;

export class Operations {
  confirm = $state.raw<ConfirmRequest | null>(null);
  /** Row keys with a call in flight (before the task exists). */
  pending = $state.raw<ReadonlySet<string>>(new Set());

  context(row: Row): ActionContext {
    const cluster = store.clusterById.get(row.cluster);
    const nodeStatus = store.nodeStatus.get(nodeKey(row.cluster, row.node));
    return {
      nodeOnline: nodeStatus === undefined ? true : nodeStatus === 'online',
      clusterUp: !!cluster && cluster.status !== 'error' && !cluster.certChange,
      busy: tasksStore.busy.has(row.key) || this.pending.has(row.key),
      shuttingDown: tasksStore.shuttingDown.has(row.key) && !this.pending.has(row.key),
      permissions: cluster?.permissions,
    };
  }

  reason(row: Row, action: Action): Unavailable | null {
    return unavailable(row, action, this.context(row));
  }

  /** Why a console cannot open on row now; null when it can. */
  consoleReason(row: Row): Unavailable | null {
    return consoleUnavailable(row, this.context(row));
  }

  /**
   * Asks to run action on rows: the ones that cannot are left out; a
   * confirmation comes first when the action or the count asks for one.
   */
  request(action: Action, rows: readonly GuestRow[], bulk = false): void {
    const eligible = rows.filter((r) => this.reason(r, action) === null);
    if (eligible.length === 0) return;
    const overrule = action === 'stop' && eligible.some((r) => tasksStore.shuttingDown.has(r.key));
    const req: ConfirmRequest = {
      action,
      rows: eligible,
      skipped: rows.length - eligible.length,
      bulk,
      timeout: DEFAULT_SHUTDOWN_TIMEOUT,
      overrule,
    };
    if (bulk || overrule || needsConfirm(action, eligible.length)) this.confirm = req;
    else void this.run(req);
  }

  cancel(): void {
    this.confirm = null;
  }

  /** The dialog's OK. */
  async accept(timeout?: number): Promise<void> {
    const req = this.confirm;
    if (!req) return;
    this.confirm = null;
    await this.run({ ...req, timeout: timeout ?? req.timeout });
  }

  async run(req: ConfirmRequest): Promise<void> {
    const opts =
      req.action === 'shutdown' && req.timeout > 0
        ? { timeout: Math.round(req.timeout) }
        : req.overrule
          ? { overruleShutdown: true }
          : {};
    this.#setPending(req.rows, true);
    try {
      if (req.rows.length === 1 && !req.bulk) {
        const row = req.rows[0];
        try {
          const task = await backend.guestAction(row.cluster, row.id, req.action, opts);
          const merged = tasksStore.apply(withGuest(task, row, req.action));
          toasts.push({ kind: 'task', taskKey: taskKey(merged) });
          this.#settle(merged);
        } catch (reason) {
          toasts.push({ kind: 'error', action: req.action, guestName: row.name, error: toErrorInfo(reason) });
        }
        return;
      }
      const targets = req.rows.map((r) => ({ cluster: r.cluster, guestId: r.id }));
      try {
        const list = await backend.bulkAction(targets, req.action, opts);
        list.forEach((task, i) => {
          const row = req.rows.find((r) => r.cluster === task.cluster && r.id === task.guestId) ?? req.rows[i];
          const merged = tasksStore.apply(row ? withGuest(task, row, req.action) : task);
          toasts.push({ kind: 'task', taskKey: taskKey(merged) });
          this.#settle(merged);
        });
        if (req.bulk) store.selection = { keys: new Set(), anchor: null };
      } catch (reason) {
        toasts.push({
          kind: 'error',
          action: req.action,
          guestName: req.rows.map((r) => r.name).join(', '),
          error: toErrorInfo(reason),
        });
      }
    } finally {
      this.#setPending(req.rows, false);
    }
  }

  /** The toast's "Force stop" after a shutdown that timed out. */
  forceStop(task: Task): void {
    const row = store.rowByKey.get(`${task.cluster}/${task.guestId}`);
    if (!row) return;
    const eligible = this.reason(row, 'stop') === null;
    if (!eligible) return;
    this.confirm = { action: 'stop', rows: [row], skipped: 0, bulk: false, timeout: 0 };
  }

  /** Whether a finished task's toast should offer "Force stop". */
  offersForceStop(task: Task): boolean {
    return isShutdownTimeout(task.action, effectiveStatus(task), task.exitStatus ?? '');
  }

  /** Success hides its toast after a while; the rest stays. */
  #settle(task: Task): void {
    if (effectiveStatus(task) !== 'ok') return;
    const toast = toasts.forTask(taskKey(task));
    if (toast) toasts.autoHide(toast.id);
  }

  #setPending(rows: readonly Row[], on: boolean): void {
    const next = new Set(this.pending);
    for (const r of rows) {
      if (on) next.add(r.key);
      else next.delete(r.key);
    }
    this.pending = next;
  }

  /** Wires task events to the toasts; returns the undo. */
  start(): () => void {
    return tasksStore.listen((task) => this.#settle(task));
  }
}

/** Fills what a refused task may lack, so its toast can name the guest. */
function withGuest(task: Task, row: Row, action: string): Task {
  return {
    ...task,
    cluster: task.cluster || row.cluster,
    guestId: task.guestId || row.id,
    vmid: task.vmid || row.vmid,
    guestName: task.guestName || row.name,
    node: task.node || row.node,
    action: task.action || action,
    startedAt: task.startedAt || Date.now(),
    status: task.status || (task.error ? 'error' : 'running'),
  };
}

export const operations = new Operations();
