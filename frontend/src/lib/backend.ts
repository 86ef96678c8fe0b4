// The one doorway to the Go side. Everything else imports from here, so unit
// tests replace this module with vi.mock('./backend') and never touch Wails.

import * as App from '../../wailsjs/go/app/App';
import { EventsOn } from '../../wailsjs/runtime/runtime';
import type { app } from '../../wailsjs/go/models';
import {
  normalizeInventory,
  toErrorInfo,
  type ClusterState,
  type Environment,
  type ErrorInfo,
  type Guest,
  type Inventory,
  type Node,
} from './types';

/** Event the backend emits with an Inventory after every poll. */
export const INVENTORY_EVENT = 'inventory';

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
];
