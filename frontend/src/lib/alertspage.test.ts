import { afterEach, describe, expect, it } from 'vitest';
import { alert } from '../test/alerts';
import { cluster, guest, inventory } from '../test/fixtures';
import { alertGuestRow, openAlertTarget, scopeNames, tabAfterKey } from './alertspage';
import { store } from './inventory.svelte';
import { ALERTS_TABS, ui } from './ui.svelte';

afterEach(() => {
  ui.closeAll();
  store.apply(inventory({ clusters: [], nodes: [], guests: [] }));
});

describe('alerts page helpers', () => {
  it('moves between tabs with the arrow keys, wrapping', () => {
    expect(tabAfterKey(ALERTS_TABS, 'active', 'ArrowRight')).toBe('history');
    expect(tabAfterKey(ALERTS_TABS, 'rules', 'ArrowRight')).toBe('active');
    expect(tabAfterKey(ALERTS_TABS, 'active', 'ArrowLeft')).toBe('rules');
    expect(tabAfterKey(ALERTS_TABS, 'history', 'Enter')).toBeNull();
  });

  it('finds the guest row of a guest alert only', () => {
    store.apply(inventory({ guests: [guest({ vmid: 101, name: 'web-01' })] }));
    expect(alertGuestRow(alert({ target: 'qemu/101' }))?.name).toBe('web-01');
    expect(alertGuestRow(alert({ target: 'qemu/999' }))).toBeUndefined();
    expect(alertGuestRow(alert({ target: 'node/pve1' }))).toBeUndefined();
  });

  it('opens the node page for a node alert and the guest page for a guest alert', () => {
    openAlertTarget(alert({ cluster: 'c1', target: 'node/pve2' }));
    expect(ui.page).toEqual({ kind: 'node', node: { cluster: 'c1', node: 'pve2' } });
    openAlertTarget(alert({ cluster: 'c1', target: 'lxc/105' }));
    expect(ui.page).toEqual({ kind: 'guest', guest: { cluster: 'c1', guestId: 'lxc/105' } });
  });

  it('names scopes from the inventory, or by ID once they are gone', () => {
    store.apply(inventory({ clusters: [cluster({ id: 'c1', name: 'Lab' })], guests: [guest({ vmid: 101, name: 'web-01' })] }));
    expect(scopeNames.cluster('c1')).toBe('Lab');
    expect(scopeNames.cluster('gone')).toBe('gone');
    expect(scopeNames.guest('c1', 'qemu/101')).toBe('web-01');
    expect(scopeNames.guest('c1', 'qemu/5')).toBe('qemu/5');
  });
});
