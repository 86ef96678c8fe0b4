// Inventories for unit tests, shaped like what app.Inventory sends.

import type { ClusterState, Guest, Inventory, Node } from '../lib/types';

export const GiB = 1024 ** 3;

export function cluster(over: Partial<ClusterState> = {}): ClusterState {
  return {
    id: 'c1',
    name: 'Demo',
    endpoint: 'https://pve1.example.com:8006',
    demo: true,
    version: '9.1.2',
    status: 'ok',
    lastPollAt: 1_700_000_000_000,
    clusterName: '',
    tokenId: 'root@pam!cecyber',
    endpoints: [
      { node: 'pve1', url: 'https://pve1.example.com:8006', fingerprint: 'AA:BB', active: true },
    ],
    permissions: null,
    ...over,
  };
}

export function node(over: Partial<Node> = {}): Node {
  return {
    cluster: 'c1',
    name: 'pve1',
    status: 'online',
    cpu: 0.25,
    maxcpu: 16,
    mem: 32 * GiB,
    maxmem: 128 * GiB,
    uptime: 3 * 86400 + 4 * 3600,
    ...over,
  };
}

export function guest(over: Partial<Guest> = {}): Guest {
  const vmid = over.vmid ?? 100;
  const type = over.type ?? 'qemu';
  return {
    cluster: 'c1',
    id: `${type}/${vmid}`,
    vmid,
    name: `vm-${vmid}`,
    type,
    node: 'pve1',
    status: 'running',
    template: false,
    cpu: 0.1,
    maxcpu: 4,
    mem: 2 * GiB,
    maxmem: 4 * GiB,
    uptime: 7200,
    tags: [],
    ...over,
  };
}

export function inventory(over: Partial<Inventory> = {}): Inventory {
  return {
    clusters: [cluster()],
    nodes: [node(), node({ name: 'pve2' })],
    guests: [
      guest({ vmid: 101, name: 'web-01', tags: ['prod', 'web'] }),
      guest({ vmid: 100, name: 'db-01', node: 'pve2', cpu: 0.6, mem: 3 * GiB }),
      guest({ vmid: 105, name: 'dns', type: 'lxc', status: 'stopped', cpu: 0, mem: 0, uptime: 0 }),
      guest({ vmid: 110, name: 'backup-target', status: 'suspended', lock: 'backup' }),
      guest({ vmid: 9000, name: 'debian-13-template', template: true, status: 'stopped', uptime: 0 }),
    ],
    alerts: [],
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

/** n guests spread over three nodes, for scale tests. */
export function manyGuests(n: number): Guest[] {
  const statuses = ['running', 'running', 'running', 'stopped', 'paused'];
  return Array.from({ length: n }, (_, i) =>
    guest({
      vmid: 100 + i,
      name: `guest-${String(i).padStart(5, '0')}`,
      node: `pve${(i % 3) + 1}`,
      status: statuses[i % statuses.length],
      cpu: (i % 100) / 100,
      tags: i % 7 === 0 ? ['prod'] : [],
    }),
  );
}
