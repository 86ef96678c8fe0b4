// The Go side, faked once for every unit test. It stands where Wails puts the
// real one: window.go.app.App (the bound methods the generated wailsjs
// bindings call) and window.runtime (events). So lib/backend.ts runs for
// real in every suite, normalising and mapping errors exactly as in the app.
//
//   import { backend } from '../test/fakebackend';
//   backend.Inventory.mockResolvedValue(inventory());
//   backend.emitInventory(next);
//
// Each method is a vi.fn named after the Go method, typed from
// wailsjs/go/app/App.d.ts: a method added, removed or changed in Go breaks
// this file (and every suite that uses the change) under svelte-check.
// Replies are typed with the hand-written shapes in lib/types.ts that mirror
// the generated classes; a Go DTO change that types.ts does not follow
// leaves a method without a reply type and fails here too.

import { vi, type Mock } from 'vitest';
import type * as Bindings from '../../wailsjs/go/app/App';
import { ALERT_EVENT, CONSOLE_ENDED_EVENT, INVENTORY_EVENT, TASK_EVENT } from '../lib/backend';
import type {
  About,
  ActionOptions,
  Alert,
  AlertRule,
  AlertsView,
  CertChange,
  Certificate,
  ClusterInput,
  ClusterState,
  Console,
  ConsoleEnded,
  Endpoint,
  Environment,
  ErrorInfo,
  Guest,
  GuestDetails,
  GuestTarget,
  Inventory,
  KeptHistory,
  Node,
  Probe,
  Series,
  Settings,
  SettingsView,
  Sparklines,
  Task,
  TaskLogLine,
} from '../lib/types';

type Binding = typeof Bindings;
type Method = keyof Binding;

/** The data fields of a generated class (its methods dropped). */
type Fields<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K];
};
/** Every shape lib/types.ts mirrors from wailsjs/go/models.ts. */
type Mirrored =
  | About
  | ActionOptions
  | Alert
  | AlertRule
  | AlertsView
  | CertChange
  | Certificate
  | ClusterInput
  | ClusterState
  | Console
  | Endpoint
  | Environment
  | ErrorInfo
  | Guest
  | GuestDetails
  | GuestTarget
  | Inventory
  | KeptHistory
  | Node
  | Probe
  | Series
  | Settings
  | SettingsView
  | Sparklines
  | Task
  | TaskLogLine;
type SameKeys<G, O> = [keyof Fields<G>] extends [keyof O] ? ([keyof O] extends [keyof Fields<G>] ? true : false) : false;
/** Our shape with exactly the fields of generated class G; never when none has. */
type MirrorOf<G, O = Mirrored> = O extends unknown ? (SameKeys<G, O> extends true ? O : never) : never;
/** What the fake answers for a generated reply type. */
export type Reply<G> = G extends void
  ? void
  : G extends string | number | boolean
    ? G
    : G extends (infer E)[]
      ? Reply<E>[]
      : MirrorOf<G>;

/** One bound method as a mock: Go's arguments, our reply. */
export type FakeMethod<K extends Method> = Mock<(...args: Parameters<Binding[K]>) => Promise<Reply<Awaited<ReturnType<Binding[K]>>>>>;
type FakeMethods = { [K in Method]: FakeMethod<K> };
type Impls = { [K in Method]: FakeMethod<K> extends Mock<infer F> ? F : never };

export const ABOUT: About = {
  version: '1.2.3',
  commit: 'abc1234',
  buildDate: '2025-01-02',
  wails: 'v2.9.2',
  go: 'go1.24.4',
  platform: 'linux/amd64',
  license: 'MIT',
  logDir: '/home/u/.local/state/cecyber',
  configDir: '/home/u/.config/cecyber',
};

const unavailable: ErrorInfo = { code: 'unavailable', message: 'not set up in this test' };

let consoleCount = 0;

/**
 * The defaults answer like an empty, healthy backend; a suite changes what
 * it needs with mockResolvedValue and friends. Methods a suite must set up
 * first (Inventory, GuestDetails, ProbeCluster…) reject "unavailable" rather
 * than answer with something a test did not mean.
 */
function methods(): FakeMethods {
  const impls: Impls = {
    About: async () => ({ ...ABOUT }),
    AckAlert: async () => {},
    AddCluster: async () => Promise.reject(unavailable),
    Alerts: async () => ({ active: [], history: [], rules: [] }),
    BulkAction: async () => [],
    CloseConsole: async () => {},
    DeleteAlertRule: async () => {},
    Environment: async () => ({ locale: 'en-US', version: '0.1.0', demo: false, notices: [] }),
    FindKeptHistory: async () => [],
    GetSettings: async () => Promise.reject(unavailable),
    GuestAction: async () => Promise.reject(unavailable),
    GuestDetails: async () => Promise.reject(unavailable),
    History: async () => ({ times: [], columns: {}, step: 60, tier: 'raw' }),
    HistoryStatus: async () => ({ saving: true, reason: '', freeBytes: -1, dir: '', unsaved: 0, dropped: 0, since: 0 }),
    Inventory: async () => ({ clusters: [], nodes: [], guests: [], alerts: [], updatedAt: 0 }),
    OpenConsole: async (cluster, guestId) => {
      consoleCount++;
      return {
        id: `s${consoleCount}`,
        url: `ws://127.0.0.1:1/console/t${consoleCount}`,
        cluster,
        guestId,
        guestName: 'web-01',
        node: 'pve1',
        vmid: 101,
        type: 'qemu',
      };
    },
    OpenDemo: async () => Promise.reject(unavailable),
    OpenLogFolder: async () => {},
    ProbeCluster: async () => Promise.reject(unavailable),
    ProbeClusterAddress: async () => Promise.reject(unavailable),
    Refresh: async () => ({ clusters: [], nodes: [], guests: [], alerts: [], updatedAt: 0 }),
    RemoveCluster: async () => {},
    RetrustEndpoint: async () => Promise.reject(unavailable),
    SaveAlertRule: async (r) => ({ ...r, id: r.id || 'r-new' }),
    SaveScreenshot: async (fileName: string) => `/home/u/Pictures/${fileName}`,
    SaveSettings: async (settings) => ({ settings, historyBytes: 0, historyPath: '', defaults: settings }),
    SetWindowHidden: async () => {},
    SnoozeAlert: async () => {},
    Sparklines: async () => ({ times: [], values: {} }),
    TaskLog: async () => [{ n: 1, t: 'starting VM 101' }],
    Tasks: async () => [],
    UpdateCluster: async () => Promise.reject(unavailable),
    UpdateClusterEndpoint: async () => Promise.reject(unavailable),
  };
  return Object.fromEntries(Object.entries(impls).map(([name, impl]) => [name, vi.fn(impl)])) as FakeMethods;
}

type Listener = (data: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

function emit(event: string, data: unknown): void {
  for (const fn of [...(listeners.get(event) ?? [])]) fn(data);
}

/** Helpers beside the methods: events the Go side would emit, and inspection. */
const extras = {
  /** Emits any event by name, as runtime.EventsEmit on the Go side does. */
  emit,
  emitInventory: (inv: Inventory) => emit(INVENTORY_EVENT, inv),
  emitTask: (task: Task) => emit(TASK_EVENT, task),
  emitAlert: (alert: Alert) => emit(ALERT_EVENT, alert),
  emitConsoleEnded: (ended: ConsoleEnded) => emit(CONSOLE_ENDED_EVENT, ended),
  /** How many listeners an event has (a store that stopped leaves none). */
  listenerCount: (event: string) => listeners.get(event)?.size ?? 0,
  /** Console ids restart at s1. */
  resetConsoleIds: () => {
    consoleCount = 0;
  },
};

export const backend: FakeMethods & typeof extras = Object.assign(methods(), extras);

// The only runtime call lib/backend.ts makes is EventsOn (→ EventsOnMultiple).
// Anything else the frontend starts to use fails loudly here instead of
// silently doing nothing.
const runtime = new Proxy(
  {
    EventsOnMultiple(event: string, fn: Listener, max: number): () => void {
      let left = max;
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      const wrapped: Listener = (data) => {
        if (left === 0) return;
        if (left > 0 && --left === 0) set.delete(wrapped);
        fn(data);
      };
      set.add(wrapped);
      return () => void set.delete(wrapped);
    },
  } as Record<string, unknown>,
  {
    get(target, name) {
      if (typeof name === 'string' && !(name in target)) {
        throw new Error(`fake backend: window.runtime.${name} is not faked; add it to src/test/fakebackend.ts`);
      }
      return target[name as string];
    },
  },
);

const go = { app: { App: backend } };
const g = globalThis as unknown as { window?: { go?: unknown; runtime?: unknown } };
// Node-environment suites have no window; the generated bindings only need these two fields of it.
g.window ??= {};
g.window.go = go;
g.window.runtime = runtime;
