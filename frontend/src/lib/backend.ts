// The one doorway to the Go side. Everything else imports from here. Unit
// tests run it for real against src/test/fakebackend.ts, which stands in for
// the Go methods and events Wails would install on window.

import * as App from '../../wailsjs/go/app/App';
import { EventsOn } from '../../wailsjs/runtime/runtime';
import type { app } from '../../wailsjs/go/models';
import {
  normalizeAlertsView,
  normalizeCluster,
  normalizeInventory,
  toErrorInfo,
  type About,
  type ActionOptions,
  type Alert,
  type AlertRule,
  type AlertsView,
  type CertChange,
  type Certificate,
  type ClusterInput,
  type ClusterState,
  type Console,
  type ConsoleEnded,
  type Endpoint,
  type Environment,
  type ErrorInfo,
  type Guest,
  type GuestDetails,
  type GuestTarget,
  type HistoryStatus,
  type Inventory,
  type KeptHistory,
  type Node,
  type Probe,
  type Series,
  type Settings,
  type SettingsView,
  type Sparklines,
  type Task,
  type TaskLogLine,
} from './types';

/** Event the backend emits with an Inventory after every poll. */
export const INVENTORY_EVENT = 'inventory';
/** Event the backend emits with a Task whenever a followed task changes. */
export const TASK_EVENT = 'task';
/** Event the backend emits with a ConsoleEnded when it ends a console session. */
export const CONSOLE_ENDED_EVENT = 'console-ended';
/** Event the backend emits with an Alert the moment it starts firing. */
export const ALERT_EVENT = 'alert';
/** Event the backend emits with a HistoryStatus when saving history stops, goes on failing, or resumes. */
export const HISTORY_STATUS_EVENT = 'historyStatus';

async function call<T>(promise: () => Promise<T>): Promise<T> {
  try {
    return await promise();
  } catch (reason) {
    throw toErrorInfo(reason);
  }
}

export function environment(): Promise<Environment> {
  return call(App.Environment);
}

export async function inventory(): Promise<Inventory> {
  return normalizeInventory(await call(App.Inventory));
}

/** Polls every cluster now and answers with the fresh inventory. */
export async function refresh(): Promise<Inventory> {
  return normalizeInventory(await call(App.Refresh));
}

/** Starts the built-in demo cluster and adds it; calling it twice is harmless. */
export function openDemo(): Promise<ClusterState> {
  return call(App.OpenDemo);
}

/** Calls listener with every inventory the backend emits; returns the unsubscribe. */
export function onInventory(listener: (inv: Inventory) => void): () => void {
  return EventsOn(INVENTORY_EVENT, (data: Partial<Inventory> | null) =>
    listener(normalizeInventory(data)),
  );
}

/** Calls listener with every Task the backend emits; returns the unsubscribe. */
export function onTask(listener: (task: Task) => void): () => void {
  return EventsOn(TASK_EVENT, (data: Task | null) => {
    if (data) listener(data);
  });
}

/** Reads the server's certificate and version; sends no credential. */
export function probeCluster(input: ClusterInput): Promise<Probe> {
  return call(() => App.ProbeCluster(input));
}

/** Connects pinned to the fingerprint the user confirmed, and saves the cluster. */
export async function addCluster(input: ClusterInput, fingerprint: string): Promise<ClusterState> {
  return normalizeCluster(await call(() => App.AddCluster(input, fingerprint)));
}

/** Renames a cluster; a non-empty secret replaces the token secret. */
export async function updateCluster(id: string, name: string, secret: string): Promise<ClusterState> {
  return normalizeCluster(await call(() => App.UpdateCluster(id, name, secret)));
}

/** Lists the kept histories of removed clusters the cluster at input is recognised as. */
export async function findKeptHistory(input: ClusterInput, fingerprint: string): Promise<KeptHistory[]> {
  return (await call(() => App.FindKeptHistory(input, fingerprint))) ?? [];
}

/** Reads the certificate at the address a cluster moved to; sends no credential. */
export function probeClusterAddress(id: string, address: string): Promise<Probe> {
  return call(() => App.ProbeClusterAddress(id, address));
}

/**
 * Points a cluster at a new address pinned to the fingerprint the user
 * confirmed, keeping its ID and history; a non-empty secret replaces the token secret.
 */
export async function updateClusterEndpoint(
  id: string,
  address: string,
  fingerprint: string,
  secret: string,
): Promise<ClusterState> {
  return normalizeCluster(await call(() => App.UpdateClusterEndpoint(id, address, fingerprint, secret)));
}

export function removeCluster(id: string, keepHistory: boolean): Promise<void> {
  return call(() => App.RemoveCluster(id, keepHistory));
}

export async function retrustEndpoint(
  clusterId: string,
  url: string,
  fingerprint: string,
): Promise<ClusterState> {
  return normalizeCluster(await call(() => App.RetrustEndpoint(clusterId, url, fingerprint)));
}

export function guestAction(
  cluster: string,
  guestId: string,
  action: string,
  opts: ActionOptions = {},
): Promise<Task> {
  return call(() => App.GuestAction(cluster, guestId, action, opts));
}

export async function bulkAction(
  targets: GuestTarget[],
  action: string,
  opts: ActionOptions = {},
): Promise<Task[]> {
  return (await call(() => App.BulkAction(targets, action, opts))) ?? [];
}

/** The tasks started here, newest first. */
export async function tasks(): Promise<Task[]> {
  return (await call(App.Tasks)) ?? [];
}

export async function taskLog(cluster: string, node: string, upid: string): Promise<TaskLogLine[]> {
  return (await call(() => App.TaskLog(cluster, node, upid))) ?? [];
}

export async function guestDetails(cluster: string, guestId: string): Promise<GuestDetails> {
  const raw = await call(() => App.GuestDetails(cluster, guestId));
  return {
    guest: { ...raw.guest, tags: raw.guest?.tags ?? [] },
    config: raw.config ?? {},
    tasks: raw.tasks ?? [],
  };
}

/**
 * A fresh, single-use console URL for a running guest (valid 30 s). Every
 * (re)connect needs a new one: tickets are never cached.
 */
export function openConsole(cluster: string, guestId: string): Promise<Console> {
  return call(() => App.OpenConsole(cluster, guestId));
}

export function closeConsole(id: string): Promise<void> {
  return call(() => App.CloseConsole(id));
}

/** Saves a console screenshot (PNG data URL) in the user's Pictures; resolves to the path. */
export function saveScreenshot(fileName: string, pngDataURL: string): Promise<string> {
  return call(() => App.SaveScreenshot(fileName, pngDataURL));
}

/** Calls listener whenever the Go side ends a console session; returns the unsubscribe. */
export function onConsoleEnded(listener: (ended: ConsoleEnded) => void): () => void {
  return EventsOn(CONSOLE_ENDED_EVENT, (data: ConsoleEnded | null) => {
    if (data && typeof data.id === 'string') listener(data);
  });
}

/**
 * Stored history of one target ("qemu/101" or "node/pve1") between from and
 * to (unix s), at most maxPoints times. Gaps stay null.
 */
export async function history(
  cluster: string,
  targetId: string,
  metrics: string[],
  from: number,
  to: number,
  maxPoints: number,
): Promise<Series> {
  const raw = await call(() => App.History(cluster, targetId, metrics, from, to, maxPoints));
  return {
    times: raw?.times ?? [],
    columns: (raw?.columns as Series['columns'] | undefined) ?? {},
    step: raw?.step ?? 0,
    tier: raw?.tier ?? '',
  };
}

/** One metric of many targets of one cluster in a single call. */
export async function sparklines(
  cluster: string,
  targetIds: string[],
  metric: string,
  from: number,
  to: number,
  points: number,
): Promise<Sparklines> {
  const raw = await call(() => App.Sparklines(cluster, targetIds, metric, from, to, points));
  return {
    times: raw?.times ?? [],
    values: (raw?.values as Sparklines['values'] | undefined) ?? {},
  };
}

/** Active alerts, the newest `limit` resolved ones, and every rule. */
export async function alerts(limit: number): Promise<AlertsView> {
  return normalizeAlertsView(await call(() => App.Alerts(limit)));
}

/** Creates (id "") or replaces a rule; invalid fields reject with code "invalid" and params.field. */
export function saveAlertRule(rule: AlertRule): Promise<AlertRule> {
  return call(() => App.SaveAlertRule(rule));
}

/** Built-in rules cannot be deleted, only disabled. */
export function deleteAlertRule(id: string): Promise<void> {
  return call(() => App.DeleteAlertRule(id));
}

export function ackAlert(id: string): Promise<void> {
  return call(() => App.AckAlert(id));
}

export function snoozeAlert(id: string, minutes: number): Promise<void> {
  return call(() => App.SnoozeAlert(id, minutes));
}

/** Calls listener with every alert that starts firing; returns the unsubscribe. */
export function onAlert(listener: (alert: Alert) => void): () => void {
  return EventsOn(ALERT_EVENT, (data: Alert | null) => {
    if (data && typeof data.id === 'string') listener(data);
  });
}

export function historyStatus(): Promise<HistoryStatus> {
  return call(App.HistoryStatus);
}

/** Calls listener with every HistoryStatus the backend emits; returns the unsubscribe. */
export function onHistoryStatus(listener: (status: HistoryStatus) => void): () => void {
  return EventsOn(HISTORY_STATUS_EVENT, (data: HistoryStatus | null) => {
    if (data && typeof data.saving === 'boolean') listener(data);
  });
}

export function getSettings(): Promise<SettingsView> {
  return call(App.GetSettings);
}

/** Saves and answers with the stored view; invalid fields reject with params.field = the JSON name. */
export function saveSettings(settings: Settings): Promise<SettingsView> {
  return call(() => App.SaveSettings(settings));
}

/** The Go side polls less often while the window is hidden or minimised. */
export function setWindowHidden(hidden: boolean): Promise<void> {
  return call(() => App.SetWindowHidden(hidden));
}

export function about(): Promise<About> {
  return call(App.About);
}

export function openLogFolder(): Promise<void> {
  return call(App.OpenLogFolder);
}

export type { ErrorInfo };

// Compile-time guard: the hand-written shapes in types.ts must keep the same
// fields as the generated bindings. A Go DTO change that is not mirrored in
// types.ts turns into a svelte-check error here.
type Fields<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K];
};
type SameShape<Generated, Ours> = [keyof Fields<Generated>] extends [keyof Ours]
  ? [keyof Ours] extends [keyof Fields<Generated>]
    ? Fields<Generated> extends Ours
      ? true
      : false
    : false
  : false;
type Assert<T extends true> = T;
export type BindingsMatch = [
  Assert<SameShape<app.Inventory, Inventory>>,
  Assert<SameShape<app.ClusterState, ClusterState>>,
  Assert<SameShape<app.Node, Node>>,
  Assert<SameShape<app.Guest, Guest>>,
  Assert<SameShape<app.ErrorInfo, ErrorInfo>>,
  Assert<SameShape<app.Environment, Environment>>,
  Assert<SameShape<app.ClusterInput, ClusterInput>>,
  Assert<SameShape<app.Certificate, Certificate>>,
  Assert<SameShape<app.Probe, Probe>>,
  Assert<SameShape<app.Endpoint, Endpoint>>,
  Assert<SameShape<app.CertChange, CertChange>>,
  Assert<SameShape<app.Task, Task>>,
  Assert<SameShape<app.ActionOptions, ActionOptions>>,
  Assert<SameShape<app.GuestTarget, GuestTarget>>,
  Assert<SameShape<app.TaskLogLine, TaskLogLine>>,
  Assert<SameShape<app.GuestDetails, GuestDetails>>,
  Assert<SameShape<app.Console, Console>>,
  Assert<SameShape<app.Series, Series>>,
  Assert<SameShape<app.Sparklines, Sparklines>>,
  Assert<SameShape<app.Alert, Alert>>,
  Assert<SameShape<app.AlertRule, AlertRule>>,
  Assert<SameShape<app.AlertsView, AlertsView>>,
  Assert<SameShape<app.Settings, Settings>>,
  Assert<SameShape<app.SettingsView, SettingsView>>,
  Assert<SameShape<app.About, About>>,
  Assert<SameShape<app.HistoryStatus, HistoryStatus>>,
];
