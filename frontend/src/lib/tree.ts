// The sidebar tree: cluster → node → guest, flattened into the rows that are
// visible for the current expansion, so the component can virtualize it like
// the table. Big clusters start with their nodes collapsed.

import { nodeKey } from './filters';
import type { GuestRow } from './guests';
import type { ClusterState, Node } from './types';

/** A cluster with more guests than this starts with its nodes collapsed. */
export const COLLAPSE_OVER = 200;

export interface TreeNode {
  key: string;
  cluster: string;
  name: string;
  status: string;
  guests: GuestRow[];
  running: number;
}

export interface TreeCluster {
  id: string;
  cluster: ClusterState;
  nodes: TreeNode[];
  guests: number;
  running: number;
}

/** rows should come sorted (the tree keeps their order within a node). */
export function buildTree(
  clusters: readonly ClusterState[],
  nodes: readonly Node[],
  rows: readonly GuestRow[],
): TreeCluster[] {
  const byNode = new Map<string, TreeNode>();
  const byCluster = new Map<string, TreeCluster>();
  for (const c of clusters) byCluster.set(c.id, { id: c.id, cluster: c, nodes: [], guests: 0, running: 0 });
  const addNode = (cluster: string, name: string, status: string): TreeNode | null => {
    const tc = byCluster.get(cluster);
    if (!tc) return null;
    const key = nodeKey(cluster, name);
    let tn = byNode.get(key);
    if (!tn) {
      tn = { key, cluster, name, status, guests: [], running: 0 };
      byNode.set(key, tn);
      tc.nodes.push(tn);
    }
    return tn;
  };
  for (const n of nodes) addNode(n.cluster, n.name, n.status);
  for (const r of rows) {
    const tn = byNode.get(nodeKey(r.cluster, r.node)) ?? addNode(r.cluster, r.node, 'unknown');
    if (!tn) continue;
    tn.guests.push(r);
    const tc = byCluster.get(r.cluster)!;
    tc.guests++;
    if (r.category === 'running') {
      tn.running++;
      tc.running++;
    }
  }
  return [...byCluster.values()];
}

export type TreeItem =
  | { kind: 'cluster'; key: string; depth: 0; expanded: boolean; cluster: TreeCluster }
  | { kind: 'node'; key: string; depth: 1; expanded: boolean; node: TreeNode }
  | { kind: 'guest'; key: string; depth: 2; guest: GuestRow };

export function clusterKey(id: string): string {
  return `c:${id}`;
}

/** Expanded unless the user chose otherwise; nodes of big clusters start collapsed. */
export function isExpanded(
  key: string,
  overrides: ReadonlyMap<string, boolean>,
  clusterGuests: number,
  kind: 'cluster' | 'node',
): boolean {
  const o = overrides.get(key);
  if (o !== undefined) return o;
  return kind === 'cluster' ? true : clusterGuests <= COLLAPSE_OVER;
}

export function flattenTree(tree: readonly TreeCluster[], overrides: ReadonlyMap<string, boolean>): TreeItem[] {
  const items: TreeItem[] = [];
  for (const c of tree) {
    const ck = clusterKey(c.id);
    const cOpen = isExpanded(ck, overrides, c.guests, 'cluster');
    items.push({ kind: 'cluster', key: ck, depth: 0, expanded: cOpen, cluster: c });
    if (!cOpen) continue;
    for (const n of c.nodes) {
      const nk = `n:${n.key}`;
      const nOpen = isExpanded(nk, overrides, c.guests, 'node');
      items.push({ kind: 'node', key: nk, depth: 1, expanded: nOpen, node: n });
      if (!nOpen) continue;
      for (const g of n.guests) items.push({ kind: 'guest', key: `g:${g.key}`, depth: 2, guest: g });
    }
  }
  return items;
}
