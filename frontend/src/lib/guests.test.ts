import { describe, expect, it } from 'vitest';
import { guest, inventory, manyGuests } from '../test/fixtures';
import { setLocale, t } from './i18n/index.svelte';
import {
  buildRows,
  GUEST_STATUSES,
  DEFAULT_SORT,
  guestStatusText,
  filterRows,
  fraction,
  matchesQuery,
  nextSort,
  sortNodes,
  sortRows,
  statusCategory,
  summarize,
  tagHue,
  type SortSpec,
} from './guests';
import { normalizeInventory } from './types';

const rows = buildRows(inventory());
const vmids = (list: { vmid: number }[]) => list.map((r) => r.vmid);

describe('statusCategory', () => {
  it.each([
    ['running', 'running'],
    ['stopped', 'stopped'],
    ['paused', 'paused'],
    ['suspended', 'paused'],
    ['unknown', 'unknown'],
    ['', 'unknown'],
    ['prelaunch', 'paused'],
    ['inmigrate', 'paused'],
    ['postmigrate', 'paused'],
    ['io-error', 'error'],
    ['internal-error', 'error'],
    ['guest-panicked', 'error'],
    ['weird', 'unknown'],
  ])('%j → %s', (status, want) => {
    expect(statusCategory(status)).toBe(want);
  });
});

describe('status labels', () => {
  it('names every status Proxmox reports, distinctly, in both languages', () => {
    for (const locale of ['en', 'pt-BR'] as const) {
      setLocale(locale);
      const labels = GUEST_STATUSES.map((s) => t(`status.${s}`));
      expect(new Set(labels).size, `${locale}: ${labels}`).toBe(GUEST_STATUSES.length);
      for (const l of labels) expect(l).not.toMatch(/^status\./);
    }
    setLocale('en');
  });
});

describe('guestStatusText', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0);
  const threeMinAgo = now - 3 * 60_000 - 5_000;

  it('says how old the status of a guest on an offline node is, in both languages', () => {
    setLocale('en');
    expect(guestStatusText({ status: 'running', nodeOffline: true, reportedAt: threeMinAgo }, now)).toMatch(/^Running · 3 ?m(in\.?)? ago$/);
    expect(guestStatusText({ status: 'paused', nodeOffline: true }, now)).toBe('Paused · last known');
    setLocale('pt-BR');
    expect(guestStatusText({ status: 'running', nodeOffline: true, reportedAt: threeMinAgo }, now)).toMatch(/^Em execução · há 3 ?min\.?$/);
    expect(guestStatusText({ status: 'stopped', nodeOffline: true }, now)).toBe('Parado · último status conhecido');
    setLocale('en');
  });

  it('gives a guest aged out by Proxmox plain "Unknown", and a reporting one its label', () => {
    setLocale('en');
    expect(guestStatusText({ status: 'unknown', nodeOffline: true, reportedAt: threeMinAgo }, now)).toBe('Unknown');
    expect(guestStatusText({ status: 'io-error' }, now)).toBe('I/O error');
    expect(guestStatusText({ status: 'running', nodeOffline: false, reportedAt: threeMinAgo }, now)).toBe('Running');
    expect(guestStatusText({ status: '' }, now)).toBe('Unknown');
  });

  it('never leaves a row of an offline node blank', () => {
    const built = buildRows(inventory({ guests: [guest({ vmid: 104, name: '', status: 'unknown', nodeOffline: true })] }));
    expect(built[0].name).toBe('VM 104');
    expect(guestStatusText(built[0], now)).toBe('Unknown');
  });
});

describe('buildRows', () => {
  it('names a guest Proxmox reports without a name as Proxmox does', () => {
    const rows = buildRows(inventory({ guests: [guest({ vmid: 104, name: '', status: 'unknown' }), guest({ vmid: 105, type: 'lxc', name: '' })] }));
    expect(rows.map((r) => r.name)).toEqual(['VM 104', 'CT 105']);
  });

  it('keys rows by cluster so equal VMIDs in two clusters stay apart', () => {
    const inv = inventory({
      clusters: [
        { ...inventory().clusters[0], id: 'a', name: 'Alpha' },
        { ...inventory().clusters[0], id: 'b', name: 'Beta', status: 'error' },
      ],
      guests: [guest({ cluster: 'a', vmid: 100 }), guest({ cluster: 'b', vmid: 100 })],
    });
    const built = buildRows(inv);
    expect(built.map((r) => r.key)).toEqual(['a/qemu/100', 'b/qemu/100']);
    expect(built.map((r) => r.clusterName)).toEqual(['Alpha', 'Beta']);
    expect(built.map((r) => r.stale)).toEqual([false, true]);
  });

  it('copes with tags that Go sent as null', () => {
    const inv = normalizeInventory({
      clusters: null as never,
      guests: [{ ...guest(), tags: null as never }],
    });
    expect(inv.clusters).toEqual([]);
    expect(inv.nodes).toEqual([]);
    expect(buildRows(inv)[0].tags).toEqual([]);
  });
});

describe('search', () => {
  const find = (q: string) => vmids(rows.filter((r) => matchesQuery(r, q)));

  it('matches name, VMID, node and tags, ignoring case', () => {
    expect(find('WEB')).toEqual([101]);
    expect(find('9000')).toEqual([9000]);
    expect(find('pve2')).toEqual([100]);
    expect(find('prod')).toEqual([101]);
  });
  it('needs every term to match', () => {
    expect(find('web prod')).toEqual([101]);
    expect(find('web db')).toEqual([]);
  });
  it('matches everything when empty', () => {
    expect(find('  ')).toHaveLength(rows.length);
  });
});

describe('filterRows', () => {
  it('filters by status category', () => {
    expect(vmids(filterRows(rows, '', 'running'))).toEqual([101, 100]);
    expect(vmids(filterRows(rows, '', 'stopped'))).toEqual([105, 9000]);
    expect(vmids(filterRows(rows, '', 'paused'))).toEqual([110]);
    expect(vmids(filterRows(rows, '', 'unknown'))).toEqual([]);
  });
  it('combines status and search', () => {
    expect(vmids(filterRows(rows, 'pve1', 'stopped'))).toEqual([105, 9000]);
    expect(vmids(filterRows(rows, 'dns', 'running'))).toEqual([]);
  });
  it('returns a copy, never the input', () => {
    expect(filterRows(rows, '', 'all')).not.toBe(rows);
  });
});

describe('sortRows', () => {
  const sorted = (spec: SortSpec) => vmids(sortRows(rows, spec));

  it('sorts by VMID ascending by default', () => {
    expect(DEFAULT_SORT).toEqual({ key: 'vmid', dir: 'asc' });
    expect(sorted(DEFAULT_SORT)).toEqual([100, 101, 105, 110, 9000]);
  });
  it('sorts names naturally', () => {
    const named = buildRows(
      inventory({
        guests: [guest({ vmid: 1, name: 'node10' }), guest({ vmid: 2, name: 'node9' }), guest({ vmid: 3, name: 'Node1' })],
      }),
    );
    expect(sortRows(named, { key: 'name', dir: 'asc' }).map((r) => r.name)).toEqual(['Node1', 'node9', 'node10']);
  });
  it('sorts by status: running, paused, stopped, unknown; ties by VMID', () => {
    expect(sorted({ key: 'status', dir: 'asc' })).toEqual([100, 101, 110, 105, 9000]);
    // Descending flips the status order but keeps ties in VMID order.
    expect(sorted({ key: 'status', dir: 'desc' })).toEqual([105, 9000, 110, 100, 101]);
  });
  it('sorts numbers', () => {
    expect(sorted({ key: 'cpu', dir: 'desc' }).slice(0, 1)).toEqual([100]);
    expect(sorted({ key: 'mem', dir: 'asc' }).slice(0, 1)).toEqual([105]);
    expect(sorted({ key: 'uptime', dir: 'asc' })).toEqual([105, 9000, 100, 101, 110]);
  });
  it('sorts by type and node', () => {
    expect(sorted({ key: 'type', dir: 'asc' })[0]).toBe(105);
    expect(sorted({ key: 'node', dir: 'desc' })[0]).toBe(100);
  });
  it('does not touch its input', () => {
    const before = vmids(rows);
    sortRows(rows, { key: 'name', dir: 'desc' });
    expect(vmids(rows)).toEqual(before);
  });
  it('handles 10,000 rows', () => {
    const big = buildRows(inventory({ guests: manyGuests(10_000).reverse() }));
    const out = sortRows(big, DEFAULT_SORT);
    expect(out[0].vmid).toBe(100);
    expect(out[9999].vmid).toBe(10_099);
  });
});

describe('nextSort', () => {
  it('flips the same column', () => {
    expect(nextSort({ key: 'vmid', dir: 'asc' }, 'vmid')).toEqual({ key: 'vmid', dir: 'desc' });
    expect(nextSort({ key: 'vmid', dir: 'desc' }, 'vmid')).toEqual({ key: 'vmid', dir: 'asc' });
  });
  it('starts text ascending and load descending', () => {
    expect(nextSort(DEFAULT_SORT, 'name')).toEqual({ key: 'name', dir: 'asc' });
    expect(nextSort(DEFAULT_SORT, 'cpu')).toEqual({ key: 'cpu', dir: 'desc' });
    expect(nextSort(DEFAULT_SORT, 'mem')).toEqual({ key: 'mem', dir: 'desc' });
  });
});

describe('summary and helpers', () => {
  it('counts guests and running ones', () => {
    expect(summarize(rows)).toEqual({ total: 5, running: 2 });
    expect(summarize([])).toEqual({ total: 0, running: 0 });
  });
  it('orders nodes naturally within clusters', () => {
    const nodes = inventory().nodes;
    const names = sortNodes([{ ...nodes[0], name: 'pve10' }, { ...nodes[0], name: 'pve2' }]).map((n) => n.name);
    expect(names).toEqual(['pve2', 'pve10']);
  });
  it('computes bounded fractions', () => {
    expect(fraction(1, 4)).toBe(0.25);
    expect(fraction(5, 4)).toBe(1);
    expect(fraction(1, 0)).toBe(0);
  });
  it('gives each tag a stable hue', () => {
    expect(tagHue('prod')).toBe(tagHue('prod'));
    expect(tagHue('prod')).toBeGreaterThanOrEqual(0);
    expect(tagHue('prod')).toBeLessThan(360);
  });
});
