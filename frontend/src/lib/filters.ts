// Table filters beyond search and status: type, cluster, node, tag. Pure
// functions over GuestRow; the store composes them with the search.

import { matchesQuery, matchesStatus, type GuestRow, type StatusFilter } from './guests';

export const TYPE_FILTERS = ['all', 'qemu', 'lxc'] as const;
export type TypeFilter = (typeof TYPE_FILTERS)[number];

export interface Filters {
  status: StatusFilter;
  type: TypeFilter;
  /** ClusterState.id, or null for every cluster. */
  cluster: string | null;
  /** nodeKey(cluster, node), or null; node names repeat across clusters. */
  node: string | null;
  tag: string | null;
}

export const NO_FILTERS: Filters = Object.freeze({
  status: 'all',
  type: 'all',
  cluster: null,
  node: null,
  tag: null,
}) as Filters;

export function nodeKey(cluster: string, node: string): string {
  return `${cluster}\u0000${node}`;
}

export function splitNodeKey(key: string): { cluster: string; node: string } {
  const i = key.indexOf('\u0000');
  return { cluster: key.slice(0, i), node: key.slice(i + 1) };
}

export function isFiltered(f: Filters): boolean {
  return f.status !== 'all' || f.type !== 'all' || f.cluster !== null || f.node !== null || f.tag !== null;
}

export function matchesFilters(row: GuestRow, f: Filters): boolean {
  if (!matchesStatus(row, f.status)) return false;
  if (f.type !== 'all' && row.type !== f.type) return false;
  if (f.cluster !== null && row.cluster !== f.cluster) return false;
  if (f.node !== null && nodeKey(row.cluster, row.node) !== f.node) return false;
  if (f.tag !== null && !row.tags.includes(f.tag)) return false;
  return true;
}

/** Search and every filter; keeps the input order (sort first, then filter). */
export function applyFilters(rows: readonly GuestRow[], query: string, f: Filters): GuestRow[] {
  const q = query.trim();
  if (!q && !isFiltered(f)) return rows.slice();
  return rows.filter((r) => matchesFilters(r, f) && (!q || matchesQuery(r, q)));
}

/** Every tag in use, sorted for a select. */
export function allTags(rows: readonly GuestRow[], collator: Intl.Collator): string[] {
  const tags = new Set<string>();
  for (const r of rows) for (const t of r.tags) tags.add(t);
  return [...tags].sort(collator.compare);
}

/** Picking a cluster drops a node filter of another cluster, and vice versa. */
export function withCluster(f: Filters, cluster: string | null): Filters {
  const node = f.node !== null && cluster !== null && splitNodeKey(f.node).cluster !== cluster ? null : f.node;
  return { ...f, cluster, node: cluster === null ? null : node };
}

export function withNode(f: Filters, key: string | null): Filters {
  if (key === null) return { ...f, node: null };
  return { ...f, node: key, cluster: splitNodeKey(key).cluster };
}
