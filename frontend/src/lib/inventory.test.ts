import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cluster, guest, inventory } from '../test/fixtures';
import type { Inventory } from './types';
import { backend } from '../test/fakebackend';

const { InventoryStore } = await import('./inventory.svelte');

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

beforeEach(() => {
  vi.clearAllMocks();
});

describe('InventoryStore', () => {
  it('loads the inventory on start and subscribes to events', async () => {
    backend.Inventory.mockResolvedValue(inventory());
    const store = new InventoryStore();
    expect(store.loaded).toBe(false);
    await store.start();
    expect(store.loaded).toBe(true);
    expect(store.hasClusters).toBe(true);
    expect(store.summary).toEqual({ total: 5, running: 2 });
    expect(store.visibleRows.map((r) => r.vmid)).toEqual([100, 101, 105, 110, 9000]);
    expect((backend.listenerCount('inventory') > 0)).toBe(true);
    store.stop();
    expect((backend.listenerCount('inventory') > 0)).toBe(false);
  });

  it('never counts a selected guest the search or a filter hides as selected', async () => {
    backend.Inventory.mockResolvedValue(inventory());
    const store = new InventoryStore();
    await store.start();
    const [a, b] = store.visibleRows;
    store.selection = { keys: new Set([a.key, b.key]), anchor: null };
    expect(store.selectedRows.map((r) => r.key)).toEqual([a.key, b.key]);
    expect(store.hiddenSelected).toBe(0);
    store.query = String(b.vmid);
    expect(store.selectedRows.map((r) => r.key)).toEqual([b.key]);
    expect(store.hiddenSelected).toBe(1);
    store.query = '';
    expect(store.hiddenSelected).toBe(0);
    store.stop();
  });

  it('holds the order of rows sorted by a live figure while the pointer is over the table', async () => {
    const inv = inventory({
      guests: [guest({ vmid: 1, id: 'qemu/1', cpu: 0.9 }), guest({ vmid: 2, id: 'qemu/2', cpu: 0.5 }), guest({ vmid: 3, id: 'qemu/3', cpu: 0.1 })],
    });
    backend.Inventory.mockResolvedValue(inv);
    const store = new InventoryStore();
    await store.start();
    store.sortBy('cpu');
    if (store.sort.dir !== 'desc') store.sortBy('cpu');
    expect(store.visibleRows.map((r) => r.vmid)).toEqual([1, 2, 3]);
    store.holdRows();
    const swapped = { ...inv, guests: inv.guests.map((g) => ({ ...g, cpu: 1 - g.cpu })) };
    store.apply(swapped);
    expect(store.orderHeld).toBe(true);
    expect(store.visibleRows.map((r) => r.vmid)).toEqual([1, 2, 3]);
    expect(store.visibleRows[0].cpu).toBeCloseTo(0.1);
    store.releaseRows();
    expect(store.orderHeld).toBe(false);
    expect(store.visibleRows.map((r) => r.vmid)).toEqual([3, 2, 1]);
    // Sorted by name nothing moves by itself: nothing is held.
    store.sortBy('name');
    store.holdRows();
    expect(store.orderHeld).toBe(false);
    store.stop();
  });

  it('applies every inventory event', async () => {
    backend.Inventory.mockResolvedValue(inventory());
    const store = new InventoryStore();
    await store.start();
    backend.emitInventory(inventory({ guests: [guest({ vmid: 200 })] }));
    expect(store.summary.total).toBe(1);
    expect(store.rows[0].vmid).toBe(200);
    store.stop();
  });

  it('keeps an event that arrived while the first load was in flight', async () => {
    const load = deferred<Inventory>();
    backend.Inventory.mockReturnValue(load.promise);
    const store = new InventoryStore();
    const started = store.start();
    backend.emitInventory(inventory({ guests: [guest({ vmid: 300 })] }));
    load.resolve(inventory()); // older than the event
    await started;
    expect(store.rows.map((r) => r.vmid)).toEqual([300]);
    store.stop();
  });

  it('starts empty and reports a failed load', async () => {
    backend.Inventory.mockRejectedValue({ code: 'internal', message: 'boom' });
    const store = new InventoryStore();
    await store.start();
    expect(store.loaded).toBe(true);
    expect(store.hasClusters).toBe(false);
    expect(store.loadError).toEqual({ code: 'internal', message: 'boom' });
    store.stop();
  });

  it('refreshes, and records a failure without dropping data', async () => {
    backend.Inventory.mockResolvedValue(inventory());
    const store = new InventoryStore();
    await store.start();

    backend.Refresh.mockResolvedValue(inventory({ updatedAt: 42 }));
    const pending = store.refresh();
    expect(store.refreshing).toBe(true);
    await pending;
    expect(store.refreshing).toBe(false);
    expect(store.inventory.updatedAt).toBe(42);

    backend.Refresh.mockRejectedValue({ code: 'timeout', message: 'poll timed out' });
    await store.refresh();
    expect(store.refreshError?.code).toBe('timeout');
    expect(store.summary.total).toBe(5);
    store.stop();
  });

  it('opens the demo and shows it', async () => {
    backend.Inventory.mockResolvedValueOnce(inventory({ clusters: [], nodes: [], guests: [] }));
    const store = new InventoryStore();
    await store.start();
    expect(store.hasClusters).toBe(false);

    backend.OpenDemo.mockResolvedValue(cluster());
    backend.Inventory.mockResolvedValueOnce(inventory());
    const pending = store.openDemo();
    expect(store.demoStarting).toBe(true);
    await pending;
    expect(store.demoStarting).toBe(false);
    expect(store.hasClusters).toBe(true);
    expect(backend.OpenDemo).toHaveBeenCalledTimes(1);
    store.stop();
  });

  it('reports a demo that fails to start', async () => {
    backend.Inventory.mockResolvedValue(inventory({ clusters: [], nodes: [], guests: [] }));
    const store = new InventoryStore();
    await store.start();
    backend.OpenDemo.mockRejectedValue('{"code":"unavailable","message":"port in use"}');
    await store.openDemo();
    expect(store.demoError).toEqual({ code: 'unavailable', message: 'port in use' });
    store.stop();
  });

  it('sorts, searches and filters the view', async () => {
    backend.Inventory.mockResolvedValue(inventory());
    const store = new InventoryStore();
    await store.start();

    store.sortBy('name');
    expect(store.visibleRows.map((r) => r.name)).toEqual([
      'backup-target',
      'db-01',
      'debian-13-template',
      'dns',
      'web-01',
    ]);
    store.sortBy('name');
    expect(store.visibleRows[0].name).toBe('web-01');

    store.query = 'd';
    store.statusFilter = 'stopped';
    expect(store.filtering).toBe(true);
    expect(store.visibleRows.map((r) => r.vmid)).toEqual([105, 9000]);
    // The summary counts every guest, not only the shown ones.
    expect(store.summary.total).toBe(5);

    store.clearFilters();
    expect(store.filtering).toBe(false);
    expect(store.visibleRows).toHaveLength(5);
    store.stop();
  });

  it('lists clusters whose last poll failed', async () => {
    backend.Inventory.mockResolvedValue(
      inventory({
        clusters: [
          cluster(),
          cluster({ id: 'c2', name: 'Prod', status: 'error', error: { code: 'unreachable', message: 'x' } }),
        ],
        guests: [guest({ cluster: 'c2', vmid: 100 })],
      }),
    );
    const store = new InventoryStore();
    await store.start();
    expect(store.failedClusters.map((c) => c.id)).toEqual(['c2']);
    expect(store.rows[0].stale).toBe(true);
    store.stop();
  });
});
