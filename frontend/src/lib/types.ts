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
}

export interface Inventory {
  clusters: ClusterState[];
  nodes: Node[];
  guests: Guest[];
  /** Unix ms of the newest successful poll; 0 before any. */
  updatedAt: number;
}

export interface Environment {
  locale: string;
  version: string;
  demo: boolean;
}

export const EMPTY_INVENTORY: Inventory = Object.freeze({
  clusters: [],
  nodes: [],
  guests: [],
  updatedAt: 0,
}) as Inventory;

/**
 * Go marshals nil slices as null; everything past this point can rely on
 * arrays being arrays.
 */
export function normalizeInventory(raw: Partial<Inventory> | null | undefined): Inventory {
  if (!raw) return EMPTY_INVENTORY;
  return {
    clusters: raw.clusters ?? [],
    nodes: raw.nodes ?? [],
    guests: (raw.guests ?? []).map((g) => (g.tags ? g : { ...g, tags: [] })),
    updatedAt: raw.updatedAt ?? 0,
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
