// The guest table's logic: rows, status categories, search, filter, sort and
// the summary. Pure functions over plain data, so they are unit-tested and the
// components only render.

import { fmt, t } from './i18n/index.svelte';
import type { ClusterState, Guest, Inventory, Node } from './types';

export type StatusCategory = 'running' | 'stopped' | 'paused' | 'error' | 'unknown';
export const STATUS_FILTERS = ['all', 'running', 'stopped', 'paused', 'error', 'unknown'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/**
 * Every status Proxmox reports for a guest: a VM's is its QMP status
 * (/cluster/resources), a container's running or stopped, and "unknown"
 * once its node has not reported for five minutes.
 */
export const GUEST_STATUSES = [
  'running',
  'stopped',
  'paused',
  'suspended',
  'prelaunch',
  'inmigrate',
  'postmigrate',
  'io-error',
  'internal-error',
  'guest-panicked',
  'unknown',
] as const;

/**
 * Colour group of a Proxmox status. Amber: the VM's processors are held
 * (paused, suspended to RAM, not started yet, or on either side of a
 * migration). Red: QEMU stopped it on an error, or the guest panicked.
 */
export function statusCategory(status: string): StatusCategory {
  switch (status) {
    case 'running':
      return 'running';
    case 'stopped':
      return 'stopped';
    case 'paused':
    case 'suspended':
    case 'prelaunch':
    case 'inmigrate':
    case 'postmigrate':
      return 'paused';
    case 'io-error':
    case 'internal-error':
    case 'guest-panicked':
      return 'error';
    default:
      return 'unknown';
  }
}

/** The label of a Proxmox status ("Running", "I/O error", …). */
export function statusLabel(status: string): string {
  return (GUEST_STATUSES as readonly string[]).includes(status)
    ? t(`status.${status as (typeof GUEST_STATUSES)[number]}`)
    : t('status.unknown');
}

/**
 * The status text of a guest as the window shows it. A guest whose node is
 * offline still carries its last reported status, which says how old it
 * is ("Running · 3 min ago"), or that it is the last one known when its
 * age is not; once Proxmox aged it out its status is plain "Unknown".
 */
export function guestStatusText(
  g: Pick<Guest, 'status' | 'nodeOffline' | 'reportedAt'>,
  now: number,
): string {
  const label = statusLabel(g.status);
  if (!g.nodeOffline || g.status === 'unknown') return label;
  return g.reportedAt
    ? t('status.staleAgo', { status: label, ago: fmt.relative(g.reportedAt, now) })
    : t('status.staleLastKnown', { status: label });
}

/** Whether the guest's process runs (whatever its processors do). */
export function processRuns(status: string): boolean {
  const c = statusCategory(status);
  return c === 'running' || c === 'paused' || c === 'error';
}

/** A guest ready for the table. */
export interface GuestRow extends Guest {
  /** Unique across clusters: VMIDs are only unique within one. */
  key: string;
  clusterName: string;
  category: StatusCategory;
  /** The guest's cluster failed its last poll: the numbers are old. */
  stale: boolean;
  /** Lowercased name, VMID, node and tags, for search. */
  haystack: string;
}

export function buildRows(inv: Inventory): GuestRow[] {
  const clusters = new Map<string, ClusterState>(inv.clusters.map((c) => [c.id, c]));
  return inv.guests.map((g) => {
    const cluster = clusters.get(g.cluster);
    const tags = g.tags ?? [];
    // A guest whose node has not reported for five minutes comes without
    // its name; Proxmox itself then says "VM 101".
    const name = g.name || `${t(g.type === 'lxc' ? 'type.lxc' : 'type.qemu')} ${g.vmid}`;
    return {
      ...g,
      name,
      tags,
      key: `${g.cluster}/${g.id}`,
      clusterName: cluster?.name ?? g.cluster,
      category: statusCategory(g.status),
      stale: cluster?.status === 'error',
      haystack: [name, String(g.vmid), g.node, ...tags].join('\u0000').toLowerCase(),
    };
  });
}

/**
 * Search: every whitespace-separated term must occur in the name, VMID, node
 * or a tag, case-insensitively. An empty query matches everything.
 */
export function matchesQuery(row: GuestRow, query: string): boolean {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  return terms.every((term) => row.haystack.includes(term));
}

export function matchesStatus(row: GuestRow, filter: StatusFilter): boolean {
  return filter === 'all' || row.category === filter;
}

export function filterRows(
  rows: readonly GuestRow[],
  query: string,
  status: StatusFilter,
): GuestRow[] {
  if (!query.trim() && status === 'all') return rows.slice();
  return rows.filter((r) => matchesStatus(r, status) && matchesQuery(r, query));
}

export const SORT_KEYS = ['name', 'vmid', 'type', 'node', 'status', 'cpu', 'mem', 'uptime'] as const;

/** Sorts by a figure that changes at every poll: rows would move by themselves. */
export function isLiveSort(sort: { key: SortKey }): boolean {
  return sort.key === 'cpu' || sort.key === 'mem' || sort.key === 'uptime' || sort.key === 'status';
}

/**
 * Keeps rows in a held order (key → position): known rows where they were,
 * rows that appeared since after them in their own order.
 */
export function holdOrder(rows: readonly GuestRow[], held: ReadonlyMap<string, number>): GuestRow[] {
  const known: GuestRow[] = [];
  const added: GuestRow[] = [];
  for (const r of rows) (held.has(r.key) ? known : added).push(r);
  known.sort((a, b) => (held.get(a.key) ?? 0) - (held.get(b.key) ?? 0));
  return known.concat(added);
}
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';
export interface SortSpec {
  key: SortKey;
  dir: SortDir;
}

export const DEFAULT_SORT: SortSpec = { key: 'vmid', dir: 'asc' };

/** Columns whose first click shows the biggest values first. */
const DESC_FIRST: ReadonlySet<SortKey> = new Set(['cpu', 'mem', 'uptime']);

/** The sort after clicking `key`: the same column flips, another one starts fresh. */
export function nextSort(current: SortSpec, key: SortKey): SortSpec {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: DESC_FIRST.has(key) ? 'desc' : 'asc' };
}

const STATUS_RANK: Record<StatusCategory, number> = { running: 0, error: 1, paused: 2, stopped: 3, unknown: 4 };

type Compare = (a: GuestRow, b: GuestRow) => number;

function primary(key: SortKey, collator: Intl.Collator): Compare {
  switch (key) {
    case 'name':
      return (a, b) => collator.compare(a.name, b.name);
    case 'vmid':
      return (a, b) => a.vmid - b.vmid;
    case 'type':
      return (a, b) => collator.compare(a.type, b.type);
    case 'node':
      return (a, b) => collator.compare(a.node, b.node);
    case 'status':
      return (a, b) => STATUS_RANK[a.category] - STATUS_RANK[b.category];
    case 'cpu':
      return (a, b) => a.cpu - b.cpu;
    case 'mem':
      return (a, b) => a.mem - b.mem;
    case 'uptime':
      return (a, b) => a.uptime - b.uptime;
  }
}

export function defaultCollator(locale = 'en'): Intl.Collator {
  return new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
}

/**
 * Sorted copy. Ties fall back to VMID ascending, then cluster and ID, so the
 * order is total and rows do not shuffle between polls.
 */
export function sortRows(
  rows: readonly GuestRow[],
  spec: SortSpec,
  collator: Intl.Collator = defaultCollator(),
): GuestRow[] {
  const cmp = primary(spec.key, collator);
  const sign = spec.dir === 'asc' ? 1 : -1;
  return rows.slice().sort(
    (a, b) =>
      sign * cmp(a, b) ||
      a.vmid - b.vmid ||
      collator.compare(a.clusterName, b.clusterName) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

export interface Summary {
  total: number;
  running: number;
}

export function summarize(rows: readonly GuestRow[]): Summary {
  let running = 0;
  for (const r of rows) if (r.category === 'running') running++;
  return { total: rows.length, running };
}

/** Nodes in a stable order: cluster, then name with numbers compared as numbers. */
export function sortNodes(nodes: readonly Node[], collator: Intl.Collator = defaultCollator()): Node[] {
  return nodes
    .slice()
    .sort((a, b) => collator.compare(a.cluster, b.cluster) || collator.compare(a.name, b.name));
}

/** used/max as 0..1, 0 when max is unknown. */
export function fraction(used: number, max: number): number {
  if (!(max > 0)) return 0;
  return Math.min(1, Math.max(0, used / max));
}

/** A stable hue (0..359) per tag, so a tag keeps its colour everywhere. */
export function tagHue(tag: string): number {
  let h = 2166136261;
  for (let i = 0; i < tag.length; i++) {
    h ^= tag.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 360;
}
