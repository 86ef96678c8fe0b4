// The window's view of the backend: plain JSON shapes mirroring app/dto.go.
//
// They are declared here rather than taken from wailsjs/go/models.ts because
// the generated classes carry methods (convertValues) that event payloads,
// which arrive as plain JSON, never have. backend.ts checks at compile time
// that these shapes still match the generated ones.

export type ErrorCode =
  | 'invalid'
  | 'unreachable'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'notfound'
  | 'fingerprint'
  | 'server'
  | 'unavailable'
  | 'keychain'
  | 'conflict'
  | 'database'
  | 'salvaged'
  | 'salvageNone'
  | 'walRefused'
  | 'startupReadOnly'
  | 'startupFull'
  | 'startupFailed'
  | 'startupRunning'
  | 'notloopback'
  | 'storage'
  | 'internal';

export const ERROR_CODES: readonly ErrorCode[] = [
  'invalid',
  'unreachable',
  'timeout',
  'unauthorized',
  'forbidden',
  'notfound',
  'fingerprint',
  'server',
  'unavailable',
  'keychain',
  'conflict',
  'database',
  'salvaged',
  'salvageNone',
  'walRefused',
  'startupReadOnly',
  'startupFull',
  'startupFailed',
  'startupRunning',
  'notloopback',
  'storage',
  'internal',
];

/** How every error reaches the window (Wails' ErrorFormatter output). */
export interface ErrorInfo {
  code: string;
  /** English, for logs; the window shows a translation of code instead. */
  message: string;
  /** Proxmox's own words, shown verbatim and never translated. */
  detail?: string;
  params?: Record<string, string>;
}

export type ClusterStatus = 'connecting' | 'ok' | 'error';

export interface ClusterState {
  id: string;
  name: string;
  endpoint: string;
  demo: boolean;
  version: string;
  status: string;
  error?: ErrorInfo;
  /** Unix ms of the last successful poll; 0 if none. */
  lastPollAt: number;
  /** Proxmox's cluster name; "" for a single node. */
  clusterName: string;
  tokenId: string;
  /** Every node address, each pinned to a fingerprint. */
  endpoints: Endpoint[];
  /** Set when a pinned certificate changed: that endpoint is stopped. */
  certChange?: CertChange;
  /** Effective privileges by ACL path; null until read (= unknown). */
  permissions: Permissions | null;
}

/** ACL path → privilege → true, as /access/permissions reports it. */
export type Permissions = Record<string, Record<string, boolean>>;

export interface Endpoint {
  node: string;
  url: string;
  fingerprint: string;
  active: boolean;
}

export interface Certificate {
  /** SHA-256, "AB:CD:…" as Proxmox shows it. */
  fingerprint: string;
  subject: string;
  issuer: string;
  /** Unix ms. */
  notBefore: number;
  notAfter: number;
  dnsNames: string[];
  ipAddresses: string[];
  selfSigned: boolean;
}

export interface CertChange {
  url: string;
  node: string;
  /** The pinned fingerprint. */
  expected: string;
  /** What the server presents now. */
  actual: Certificate;
}

/** What the add-cluster wizard collects. The secret is sent once, never returned. */
export interface ClusterInput {
  name: string;
  address: string;
  tokenId: string;
  secret: string;
  /** A kept history (KeptHistory.id) the new cluster takes back; absent or "" starts an empty one. */
  history?: string;
}

/** The history of a removed cluster, kept at removal, that a cluster being added is recognised as. */
export interface KeptHistory {
  /** The removed cluster's ID. */
  id: string;
  /** The user's name for it then. */
  name: string;
  /** Proxmox's cluster name; "" for a single node. */
  clusterName: string;
  nodes: string[];
  /** Unix ms. */
  removedAt: number;
  /** Nodes and guests with history. */
  targets: number;
}

export interface Probe {
  endpoint: string;
  host: string;
  /** "" when the server did not say. */
  version: string;
  certificate: Certificate;
}

export type TaskStatus = 'running' | 'ok' | 'warnings' | 'error';

export interface Task {
  upid: string;
  cluster: string;
  node: string;
  guestId: string;
  vmid: number;
  guestName: string;
  action: string;
  status: string;
  /** Proxmox's text: "OK", "WARNINGS: 2", or the error message. */
  exitStatus?: string;
  startedAt: number;
  endedAt?: number;
  /** Set when the action could not even start. */
  error?: ErrorInfo;
}

export interface ActionOptions {
  /** Graceful shutdown limit in seconds; 0/absent = Proxmox's default. */
  timeout?: number;
  /** A stop aborts the guest's running shutdown first. */
  overruleShutdown?: boolean;
}

export interface GuestTarget {
  cluster: string;
  guestId: string;
}

export interface TaskLogLine {
  n: number;
  t: string;
}

export interface GuestDetails {
  guest: Guest;
  config: Record<string, string>;
  tasks: Task[];
}

/** One console session (app.Console). url is single-use and valid 30 s. */
export interface Console {
  id: string;
  /** ws://127.0.0.1:PORT/console/TOKEN */
  url: string;
  cluster: string;
  guestId: string;
  guestName: string;
  node: string;
  vmid: number;
  /** "qemu" or "lxc". */
  type: string;
}

/** The "console-ended" event: why the Go side ended a session. */
export interface ConsoleEnded {
  id: string;
  /** Absent when closed on purpose; code "auth" = Proxmox refused the VNC password. */
  error?: ErrorInfo;
}

export interface Node {
  cluster: string;
  name: string;
  status: string;
  cpu: number;
  maxcpu: number;
  mem: number;
  maxmem: number;
  uptime: number;
  /**
   * Network rates in bytes per second over the last poll; null (or absent)
   * when unknown: the first poll, or a counter reset.
   */
  netin?: number | null;
  netout?: number | null;
}

export interface Guest {
  cluster: string;
  id: string;
  vmid: number;
  name: string;
  type: string;
  node: string;
  status: string;
  template: boolean;
  lock?: string;
  hastate?: string;
  cpu: number;
  maxcpu: number;
  mem: number;
  maxmem: number;
  uptime: number;
  tags: string[];
  /**
   * The host's view of a VM's memory in bytes (Proxmox 9); 0 or absent when
   * not sent (containers, older Proxmox).
   */
  memhost?: number;
  /**
   * Its node is not online: status and figures are the last the node
   * reported (Proxmox keeps them five minutes, then says "unknown").
   */
  nodeOffline?: boolean;
  /**
   * With nodeOffline, the last poll (unix ms) that found the node online,
   * which the status is at most as old as; absent when not known.
   */
  reportedAt?: number;
  /**
   * Rates in bytes per second over the last poll; null (or absent) when
   * unknown: the first poll after start, or a counter reset.
   */
  diskread?: number | null;
  diskwrite?: number | null;
  netin?: number | null;
  netout?: number | null;
}

export interface Inventory {
  clusters: ClusterState[];
  nodes: Node[];
  guests: Guest[];
  /** Every alert that is pending or firing (never resolved ones). */
  alerts: Alert[];
  /** Unix ms of the newest successful poll; 0 before any. */
  updatedAt: number;
}

export interface Environment {
  locale: string;
  version: string;
  demo: boolean;
  /** Things the user must know about this start (e.g. code "database"). */
  notices: ErrorInfo[];
  /** Why Cecyber could not start (codes startupReadOnly, startupFull, startupFailed, startupRunning); the window shows only it. */
  failure?: ErrorInfo;
}

export const EMPTY_INVENTORY: Inventory = Object.freeze({
  clusters: [],
  nodes: [],
  guests: [],
  alerts: [],
  updatedAt: 0,
}) as Inventory;

/**
 * Go marshals nil slices as null; everything past this point can rely on
 * arrays being arrays.
 */
export function normalizeInventory(raw: Partial<Inventory> | null | undefined): Inventory {
  if (!raw) return EMPTY_INVENTORY;
  return {
    clusters: (raw.clusters ?? []).map(normalizeCluster),
    nodes: raw.nodes ?? [],
    guests: (raw.guests ?? []).map((g) => (g.tags ? g : { ...g, tags: [] })),
    alerts: raw.alerts ?? [],
    updatedAt: raw.updatedAt ?? 0,
  };
}

/** Fills what Go may send as null or an older backend may not send at all. */
export function normalizeCluster(raw: ClusterState): ClusterState {
  return {
    ...raw,
    clusterName: raw.clusterName ?? '',
    tokenId: raw.tokenId ?? '',
    endpoints: raw.endpoints ?? [],
    permissions: raw.permissions ?? null,
  };
}

export function isErrorInfo(value: unknown): value is ErrorInfo {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorInfo).code === 'string' &&
    typeof (value as ErrorInfo).message === 'string'
  );
}

/**
 * Turns whatever a rejected call produced into an ErrorInfo. Bound methods
 * reject with ErrorInfo objects; anything else (a JSON string, an Error from
 * the runtime itself) becomes an "internal" error carrying its text.
 */
export function toErrorInfo(reason: unknown): ErrorInfo {
  if (isErrorInfo(reason)) return reason;
  if (typeof reason === 'string') {
    try {
      const parsed: unknown = JSON.parse(reason);
      if (isErrorInfo(parsed)) return parsed;
    } catch {
      // not JSON: fall through
    }
    return { code: 'internal', message: reason };
  }
  if (reason instanceof Error) return { code: 'internal', message: reason.message };
  return { code: 'internal', message: String(reason) };
}

/**
 * Stored metrics of one target (a guest or "node/<name>") over a window, in
 * columns: times are unix seconds; every column has one value per time, null
 * where nothing was recorded (a gap, never interpolated).
 */
export interface Series {
  times: number[];
  columns: Record<string, (number | null)[]>;
  /** Seconds between two times. */
  step: number;
  /** Which stored resolution answered (for diagnostics). */
  tier: string;
}

/** One metric of many targets on shared times, for the table's sparklines. */
export interface Sparklines {
  times: number[];
  /** Keyed by target ID ("qemu/101"); null is a gap. */
  values: Record<string, (number | null)[]>;
}

export type AlertMetric =
  | 'cpu'
  | 'mem'
  | 'diskread'
  | 'diskwrite'
  | 'netin'
  | 'netout'
  | 'node-offline'
  | 'unexpected-stop'
  | 'guest-error';

export type AlertScope = 'all' | 'cluster' | 'node' | 'guest' | 'tag';

export type AlertState = 'pending' | 'firing' | 'resolved';

/** A rule the poller evaluates after every poll (app.AlertRule). */
export interface AlertRule {
  id: string;
  /** The user's name; "" for a built-in, which the window names by builtin. */
  name: string;
  /** "cpu" | "mem" | "node-offline" | "unexpected-stop" for shipped rules; "" otherwise. */
  builtin: string;
  metric: string;
  scope: string;
  /** Cluster ID, for scope cluster, node and guest. */
  cluster: string;
  /** For scope node: the node and the guests on it. */
  node: string;
  /** "qemu/101", for scope guest. */
  guest: string;
  /** For scope tag: the guests carrying it. */
  tag: string;
  /** cpu/mem: percent 0–100; rates: bytes per second; unused for offline/stop. */
  trigger: number;
  /** Clears below this (hysteresis); never above trigger. */
  clear: number;
  /** How long the condition must hold before firing; 0 = at once. */
  forSeconds: number;
  enabled: boolean;
  /** Send an OS notification when it fires. */
  notify: boolean;
}

/** One alert of one target (app.Alert). Times are unix ms; 0 = not yet. */
export interface Alert {
  id: string;
  ruleId: string;
  /** "" for built-ins. */
  ruleName: string;
  builtin: string;
  metric: string;
  cluster: string;
  clusterName: string;
  /** "qemu/101" | "lxc/105" | "node/pve1". */
  target: string;
  targetName: string;
  node: string;
  state: string;
  /** Latest value in the rule's trigger unit (1 for offline/stopped). */
  value: number;
  trigger: number;
  pendingAt: number;
  firingAt: number;
  resolvedAt: number;
  ackedAt: number;
  snoozedUntil: number;
}

export interface AlertsView {
  active: Alert[];
  /** Resolved alerts, newest first. */
  history: Alert[];
  rules: AlertRule[];
}

/** What the user can change in Settings (app.Settings). */
export interface Settings {
  /** "" follows the OS; else "en" or "pt-BR". */
  language: string;
  /** "system" | "dark" | "light". */
  theme: string;
  /** 5–60. */
  pollSeconds: number;
  /** 10–300, while the window is minimised or hidden. */
  minimisedPollSeconds: number;
  /** Every poll kept this long: 1–168 h. */
  rawHours: number;
  /** 5-minute averages: 1–90 days. */
  m5Days: number;
  /** 15-minute averages: 7–365 days. */
  m15Days: number;
  /** Hourly averages: 30–3650 days. */
  h1Days: number;
  /** Size cap of the history database in MB; 0 = none. */
  maxHistoryMB: number;
  /** "fit" | "native" | "remote". */
  consoleScaling: string;
  /** "us" | "abnt2". */
  pasteLayout: string;
}

export interface SettingsView {
  settings: Settings;
  /** Current size of the history database in bytes. */
  historyBytes: number;
  historyPath: string;
  defaults: Settings;
}

/** The About dialog's facts (app.About). */
export interface About {
  version: string;
  commit: string;
  buildDate: string;
  wails: string;
  go: string;
  platform: string;
  /** SPDX identifier. */
  license: string;
  logDir: string;
  configDir: string;
}

export function normalizeAlertsView(raw: Partial<AlertsView> | null | undefined): AlertsView {
  return {
    active: raw?.active ?? [],
    history: raw?.history ?? [],
    rules: raw?.rules ?? [],
  };
}

/** Whether the metric history is being saved (app.HistoryStatus). */
export interface HistoryStatus {
  saving: boolean;
  /** 'full' (no space left), 'error' (another write failure), '' while saving. */
  reason: string;
  /** Bytes left on the disk that holds dir; -1 if unknown. */
  freeBytes: number;
  dir: string;
  /** Polls waiting in memory to be saved. */
  unsaved: number;
  /** Polls given up, oldest first, to keep the waiting ones bounded. */
  dropped: number;
  /** Unix ms when saving stopped; 0 while saving. */
  since: number;
}
