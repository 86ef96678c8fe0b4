import { describe, expect, it } from 'vitest';
import { buildRows } from './guests';
import { computeOverview } from './overview';
import { guest, inventory, manyGuests, node } from '../test/fixtures';

const ALL = { cluster: null, node: null };

describe('overview', () => {
  it('counts VMs and containers by status, and nodes', () => {
    const inv = inventory({
      nodes: [node(), node({ name: 'pve2', status: 'offline' }), node({ cluster: 'c2', name: 'lab1' })],
      guests: [
        ...inventory().guests,
        guest({ vmid: 106, type: 'lxc', status: 'running' }),
        guest({ vmid: 107, status: 'weird' }),
        guest({ vmid: 108, status: 'guest-panicked' }),
      ],
    });
    const o = computeOverview(buildRows(inv), inv.nodes, ALL);
    // 101, 100 running; 110 suspended; 9000 stopped template; 108 panicked; 107 unknown
    expect(o.vms).toEqual({ running: 2, stopped: 1, paused: 1, error: 1, unknown: 1, total: 6 });
    expect(o.cts).toEqual({ running: 1, stopped: 1, paused: 0, error: 0, unknown: 0, total: 2 });
    expect([o.nodesOnline, o.nodesOffline]).toEqual([2, 1]);
    expect(o.nodes.map((n) => n.name)).toEqual(['pve1', 'pve2', 'lab1']);
  });

  it('scopes to a cluster or a node', () => {
    const inv = inventory({
      nodes: [node(), node({ name: 'pve2' }), node({ cluster: 'c2', name: 'lab1' })],
      guests: [...inventory().guests, guest({ cluster: 'c2', vmid: 300, node: 'lab1' })],
    });
    const rows = buildRows(inv);
    const c2 = computeOverview(rows, inv.nodes, { cluster: 'c2', node: null });
    expect(c2.vms.total).toBe(1);
    expect(c2.nodes.map((n) => n.name)).toEqual(['lab1']);
    const pve2 = computeOverview(rows, inv.nodes, { cluster: 'c1', node: 'pve2' });
    expect(pve2.vms.total + pve2.cts.total).toBe(1);
  });

  it('ranks the top consumers among running guests only', () => {
    const inv = inventory({
      guests: [
        guest({ vmid: 1, cpu: 0.2, mem: 1 }),
        guest({ vmid: 2, cpu: 0.9, mem: 5 }),
        guest({ vmid: 3, cpu: 0.5, mem: 9 }),
        guest({ vmid: 4, cpu: 0.99, mem: 99, status: 'stopped' }),
        guest({ vmid: 5, cpu: 0.7, mem: 3 }),
        guest({ vmid: 6, cpu: 0.1, mem: 7 }),
        guest({ vmid: 7, cpu: 0.3, mem: 2 }),
        guest({ vmid: 8, cpu: 0, mem: 0 }),
      ],
    });
    const o = computeOverview(buildRows(inv), inv.nodes, ALL);
    expect(o.topCpu.map((r) => r.vmid)).toEqual([2, 5, 3, 7, 1]);
    expect(o.topMem.map((r) => r.vmid)).toEqual([3, 6, 2, 5, 7]);
    expect(computeOverview(buildRows(inv), inv.nodes, ALL, 2).topCpu.map((r) => r.vmid)).toEqual([2, 5]);
  });

  it('handles 10,000 guests', () => {
    const inv = inventory({ guests: manyGuests(10_000) });
    const rows = buildRows(inv);
    const o = computeOverview(rows, inv.nodes, ALL);
    // statuses cycle running ×3, stopped, paused
    expect(o.vms).toEqual({ running: 6000, stopped: 2000, paused: 2000, error: 0, unknown: 0, total: 10_000 });
    expect(o.topCpu).toHaveLength(5);
    expect(o.topCpu[0].cpu).toBe(0.97); // 0.98 and 0.99 fall on paused guests
    expect(o.topCpu.every((r, i, a) => i === 0 || a[i - 1].cpu >= r.cpu)).toBe(true);
  });
});
