import { describe, expect, it } from 'vitest';
import { cluster, guest, inventory, manyGuests, node } from '../test/fixtures';
import {
  allTags,
  applyFilters,
  isFiltered,
  NO_FILTERS,
  nodeKey,
  withCluster,
  withNode,
  type Filters,
} from './filters';
import { buildRows, defaultCollator, sortRows, DEFAULT_SORT } from './guests';
import { buildTree, COLLAPSE_OVER, flattenTree } from './tree';

const two = inventory({
  clusters: [cluster(), cluster({ id: 'c2', name: 'Lab' })],
  nodes: [node(), node({ name: 'pve2' }), node({ cluster: 'c2', name: 'pve1', status: 'offline' })],
  guests: [
    guest({ vmid: 101, name: 'web-01', tags: ['prod', 'web'] }),
    guest({ vmid: 105, name: 'dns', type: 'lxc', status: 'stopped', node: 'pve2' }),
    guest({ cluster: 'c2', vmid: 101, name: 'lab-web', tags: ['web'] }),
    guest({ cluster: 'c2', vmid: 200, name: 'lab-ct', type: 'lxc', status: 'paused' }),
  ],
});
const rows = buildRows(two);
const names = (f: Partial<Filters>, q = '') => applyFilters(rows, q, { ...NO_FILTERS, ...f }).map((r) => r.name);

describe('filters', () => {
  it('passes everything without filters', () => {
    expect(names({})).toHaveLength(4);
    expect(isFiltered(NO_FILTERS)).toBe(false);
  });

  it('filters by type, status, cluster, node and tag, combined with search', () => {
    expect(names({ type: 'lxc' })).toEqual(['dns', 'lab-ct']);
    expect(names({ status: 'paused' })).toEqual(['lab-ct']);
    expect(names({ cluster: 'c2' })).toEqual(['lab-web', 'lab-ct']);
    expect(names({ node: nodeKey('c1', 'pve1') })).toEqual(['web-01']);
    // Same node name in another cluster is another node.
    expect(names({ node: nodeKey('c2', 'pve1') })).toEqual(['lab-web', 'lab-ct']);
    expect(names({ tag: 'web' })).toEqual(['web-01', 'lab-web']);
    expect(names({ tag: 'web', cluster: 'c1' })).toEqual(['web-01']);
    expect(names({ type: 'qemu' }, 'lab')).toEqual(['lab-web']);
  });

  it('lists tags sorted', () => {
    expect(allTags(rows, defaultCollator())).toEqual(['prod', 'web']);
  });

  it('keeps cluster and node filters consistent', () => {
    const f = withNode(NO_FILTERS, nodeKey('c2', 'pve1'));
    expect(f.cluster).toBe('c2');
    expect(withCluster(f, 'c1').node).toBeNull();
    expect(withCluster(f, 'c2').node).toBe(nodeKey('c2', 'pve1'));
    expect(withCluster(f, null)).toMatchObject({ cluster: null, node: null });
  });

  // Speed is a benchmark's business, not a test's: these check the result
  // on a large estate only.
  it('filters 10,000 rows', () => {
    const many = buildRows(inventory({ guests: manyGuests(10_000) }));
    const out = applyFilters(many, 'guest', { ...NO_FILTERS, status: 'running', tag: 'prod' });
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((r) => r.category === 'running' && r.tags.includes('prod'))).toBe(true);
  });
});

describe('tree', () => {
  it('groups guests under their cluster and node, with counts', () => {
    const tree = buildTree(two.clusters, two.nodes, sortRows(rows, DEFAULT_SORT));
    expect(tree.map((c) => [c.id, c.guests, c.running])).toEqual([
      ['c1', 2, 1],
      ['c2', 2, 1],
    ]);
    expect(tree[0].nodes.map((n) => [n.name, n.guests.map((g) => g.vmid)])).toEqual([
      ['pve1', [101]],
      ['pve2', [105]],
    ]);
    expect(tree[1].nodes[0].status).toBe('offline');
  });

  it('flattens with every level open for small clusters', () => {
    const items = flattenTree(buildTree(two.clusters, two.nodes, rows), new Map());
    expect(items.map((i) => i.kind)).toEqual(['cluster', 'node', 'guest', 'node', 'guest', 'cluster', 'node', 'guest', 'guest']);
    const closed = flattenTree(buildTree(two.clusters, two.nodes, rows), new Map([['c:c1', false]]));
    expect(closed.filter((i) => i.kind === 'cluster')).toHaveLength(2);
    expect(closed[1].kind).toBe('cluster');
  });

  it('keeps 5 × 2,000 guests to a few rows: nodes of big clusters start closed', () => {
    const clusters = Array.from({ length: 5 }, (_, i) => cluster({ id: `c${i}`, name: `C${i}` }));
    const nodes = clusters.flatMap((c) => [1, 2, 3].map((n) => node({ cluster: c.id, name: `pve${n}` })));
    const guests = clusters.flatMap((c) => manyGuests(2000).map((g) => ({ ...g, cluster: c.id })));
    const big = buildRows(inventory({ clusters, nodes, guests }));
    const tree = buildTree(clusters, nodes, big);
    const items = flattenTree(tree, new Map());
    expect(2000).toBeGreaterThan(COLLAPSE_OVER);
    expect(items).toHaveLength(5 + 15);
    // Opening one node shows its guests.
    const open = flattenTree(tree, new Map([[`n:${nodeKey('c0', 'pve1')}`, true]]));
    expect(open.length).toBe(20 + tree[0].nodes[0].guests.length);
  });
});
