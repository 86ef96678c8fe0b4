// The one doorway to the Go side. Everything else imports from here, so unit
// tests replace this module with vi.mock('./backend') and never touch Wails.

import * as App from '../../wailsjs/go/app/App';
import { EventsOn } from '../../wailsjs/runtime/runtime';
import type { app } from '../../wailsjs/go/models';
import {
  normalizeCluster,
  normalizeInventory,
  toErrorInfo,
  type ActionOptions,
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
  type Inventory,
  type Node,
  type Probe,
  type Series,
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
];
