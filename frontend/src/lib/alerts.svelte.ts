// The window's alerts: the active ones ride on every inventory (so the
// banner, badge and highlights move with the polls); history and rules are
// read with Alerts() when the alerts page needs them. Acknowledging or
// snoozing shows at once: a local override covers the time until the next
// inventory carries the change.

import * as backend from './backend';
import {
  targetStates,
  unattendedAlerts,
  withOverrides,
  type AlertOverride,
  type TargetAlertState,
} from './alerts';
import { clockNow } from './clock.svelte';
import { store } from './inventory.svelte';
import { toasts } from './toasts.svelte';
import { toErrorInfo, type Alert, type AlertRule, type AlertsView, type ErrorInfo } from './types';

/** How many resolved alerts the history tab shows. */
export const HISTORY_LIMIT = 200;
/** An alert toast hides itself after this long; the banner stays. */
export const ALERT_TOAST_MS = 12_000;

export class AlertsStore {
  /** History and rules as Alerts() last answered; null before the first answer. */
  view = $state.raw<AlertsView | null>(null);
  loading = $state(false);
  loadError = $state.raw<ErrorInfo | null>(null);
  /** The last ack/snooze/toggle that failed. */
  actionError = $state.raw<ErrorInfo | null>(null);
  /** Alert IDs with an ack or snooze in flight. */
  busy = $state.raw<ReadonlySet<string>>(new Set());
  #overrides = $state.raw<ReadonlyMap<string, AlertOverride>>(new Map());
  #seq = 0;
  #unsubscribe: (() => void) | null = null;
  readonly #now: () => number = clockNow;

  constructor(now: () => number = clockNow) {
    this.#now = now;
  }

  /** Pending and firing alerts, with local acks and snoozes applied. */
  readonly active = $derived(withOverrides(store.inventory.alerts, this.#overrides));
  /** Firing, not acknowledged, not snoozed: the banner's and the badge's. */
  readonly unattended = $derived(unattendedAlerts(this.active, this.#now()));
  /** Row key ("c1/qemu/101", "c1/node/pve1") → firing or pending. */
  readonly states = $derived<ReadonlyMap<string, TargetAlertState>>(targetStates(this.active));
  readonly rules = $derived(this.view?.rules ?? []);
  readonly history = $derived(this.view?.history ?? []);

  /** Reads history and rules. */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const view = await backend.alerts(HISTORY_LIMIT);
      if (seq !== this.#seq) return;
      this.view = view;
      this.loadError = null;
    } catch (reason) {
      if (seq === this.#seq) this.loadError = toErrorInfo(reason);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  async ack(id: string): Promise<void> {
    await this.#act(id, () => backend.ackAlert(id), { ackedAt: Date.now() });
  }

  /** Acknowledges every unattended alert. */
  async ackAll(): Promise<void> {
    await Promise.all(this.unattended.map((a) => this.ack(a.id)));
  }

  async snooze(id: string, minutes: number): Promise<void> {
    await this.#act(id, () => backend.snoozeAlert(id, minutes), { snoozedUntil: Date.now() + minutes * 60_000 });
  }

  async #act(id: string, call: () => Promise<void>, override: AlertOverride): Promise<void> {
    if (this.busy.has(id)) return;
    this.busy = new Set([...this.busy, id]);
    this.actionError = null;
    try {
      await call();
      const live = new Set(store.inventory.alerts.map((a) => a.id));
      const next = new Map([...this.#overrides].filter(([key]) => live.has(key)));
      next.set(id, { ...next.get(id), ...override });
      this.#overrides = next;
    } catch (reason) {
      this.actionError = toErrorInfo(reason);
    } finally {
      const busy = new Set(this.busy);
      busy.delete(id);
      this.busy = busy;
    }
  }

  /** Saves a rule (id "" creates it); rejects with the ErrorInfo so the editor can point at a field. */
  async saveRule(rule: AlertRule): Promise<AlertRule> {
    const saved = await backend.saveAlertRule(rule);
    this.#putRule(saved);
    return saved;
  }

  /** The list's on/off switch. */
  async setEnabled(rule: AlertRule, enabled: boolean): Promise<void> {
    this.actionError = null;
    this.#putRule({ ...rule, enabled });
    try {
      this.#putRule(await backend.saveAlertRule({ ...rule, enabled }));
    } catch (reason) {
      this.#putRule(rule);
      this.actionError = toErrorInfo(reason);
    }
  }

  async deleteRule(id: string): Promise<void> {
    await backend.deleteAlertRule(id);
    const view = this.view;
    if (view) this.view = { ...view, rules: view.rules.filter((r) => r.id !== id) };
  }

  #putRule(rule: AlertRule): void {
    const view = this.view ?? { active: [], history: [], rules: [] };
    const i = view.rules.findIndex((r) => r.id === rule.id);
    const rules = i < 0 ? [...view.rules, rule] : view.rules.map((r, j) => (j === i ? rule : r));
    this.view = { ...view, rules };
  }

  /** Shows a toast for every alert that starts firing; returns the undo. */
  start(): () => void {
    this.#unsubscribe?.();
    const off = backend.onAlert((alert: Alert) => {
      const id = toasts.push({ kind: 'alert', alert });
      toasts.autoHide(id, ALERT_TOAST_MS);
    });
    this.#unsubscribe = off;
    return () => {
      off();
      if (this.#unsubscribe === off) this.#unsubscribe = null;
    };
  }

  /** Forgets everything (tests). */
  reset(): void {
    this.view = null;
    this.loadError = null;
    this.actionError = null;
    this.busy = new Set();
    this.#overrides = new Map();
  }
}

export const alertsStore = new AlertsStore();
