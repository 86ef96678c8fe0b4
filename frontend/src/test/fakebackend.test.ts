// The fake stands where Wails puts the Go side, so lib/backend.ts runs for
// real against it: these check that doorway (normalising, error mapping,
// events) and that the fake fails loudly where it fakes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import * as real from '../lib/backend';
import { backend } from './fakebackend';
import { cluster, guest } from './fixtures';

afterEach(() => {
  for (const fn of Object.values(backend)) if (typeof fn === 'function' && 'mockReset' in fn) fn.mockReset();
});

describe('lib/backend against the fake Go side', () => {
  it('fills what Go sends as null', async () => {
    const noTags = { ...guest({ vmid: 7 }), tags: null as unknown as string[] };
    backend.Inventory.mockResolvedValueOnce({
      clusters: [{ ...cluster(), endpoints: null as never, permissions: undefined as never }],
      nodes: [],
      guests: [noTags],
      alerts: [],
      updatedAt: 5,
    });
    const inv = await real.inventory();
    expect(inv.guests[0].tags).toEqual([]);
    expect(inv.clusters[0].endpoints).toEqual([]);
    expect(inv.clusters[0].permissions).toBeNull();
    expect(backend.Inventory).toHaveBeenCalledTimes(1);
  });

  it('passes arguments through in Go order and defaults the options', async () => {
    backend.GuestAction.mockResolvedValueOnce({
      upid: 'U', cluster: 'c1', node: 'pve1', guestId: 'qemu/101', vmid: 101, guestName: 'web-01', action: 'start', status: 'running', startedAt: 1,
    });
    await real.guestAction('c1', 'qemu/101', 'start');
    expect(backend.GuestAction).toHaveBeenCalledWith('c1', 'qemu/101', 'start', {});
  });

  it('hands Go errors to the caller as ErrorInfo, whatever shape they came in', async () => {
    backend.Alerts.mockRejectedValueOnce({ code: 'unavailable', message: 'store closed' });
    await expect(real.alerts(10)).rejects.toEqual({ code: 'unavailable', message: 'store closed' });
    backend.Alerts.mockRejectedValueOnce(JSON.stringify({ code: 'notFound', message: 'gone' }));
    await expect(real.alerts(10)).rejects.toEqual({ code: 'notFound', message: 'gone' });
    backend.Alerts.mockRejectedValueOnce('plain text');
    await expect(real.alerts(10)).rejects.toEqual({ code: 'internal', message: 'plain text' });
  });

  it('delivers events to listeners until they unsubscribe', () => {
    const seen: number[] = [];
    const off = real.onInventory((inv) => seen.push(inv.updatedAt));
    expect(backend.listenerCount(real.INVENTORY_EVENT)).toBe(1);
    backend.emitInventory({ clusters: [], nodes: [], guests: [], alerts: [], updatedAt: 1 });
    backend.emit(real.INVENTORY_EVENT, null); // Go may emit null: normalised to empty
    off();
    backend.emitInventory({ clusters: [], nodes: [], guests: [], alerts: [], updatedAt: 2 });
    expect(seen).toEqual([1, 0]);
    expect(backend.listenerCount(real.INVENTORY_EVENT)).toBe(0);
  });

  it('drops malformed alert and console events', () => {
    const alerts: string[] = [];
    const off = real.onAlert((a) => alerts.push(a.id));
    backend.emit(real.ALERT_EVENT, null);
    backend.emit(real.ALERT_EVENT, { state: 'firing' });
    off();
    expect(alerts).toEqual([]);
  });

  it('fails loudly on a runtime call it does not fake', () => {
    const runtime = (globalThis as unknown as { window: { runtime: Record<string, unknown> } }).window.runtime;
    expect(() => runtime.EventsEmit).toThrow(/not faked/);
  });
});
