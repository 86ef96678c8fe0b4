// @vitest-environment happy-dom
// The guest page's live panel against a stubbed backend: the values and
// hooks it shows for a fixture guest, how they follow inventory events, the
// unknown (null) rates, and the power buttons it carries.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GiB, cluster, guest, inventory, node } from '../test/fixtures';
import type { Guest, Inventory } from '../lib/types';
import { backend } from '../test/fakebackend';

vi.mock('uplot', async () => (await import('../test/uplot')).uplotModule);

const { default: GuestPage } = await import('./GuestPage.svelte');
const { default: NodeStrip } = await import('./NodeStrip.svelte');
const { store } = await import('../lib/inventory.svelte');
const { tasksStore } = await import('../lib/tasks.svelte');
const { toasts } = await import('../lib/toasts.svelte');
const { setLocale } = await import('../lib/i18n/index.svelte');

const NBSP = '\u00a0';
const MiB = 1024 ** 2;
const POLLED = Date.now() - 4000;

const web = (over: Partial<Guest> = {}) =>
  guest({
    vmid: 101,
    name: 'web-01',
    cpu: 0.25,
    maxcpu: 4,
    mem: 2 * GiB,
    maxmem: 8 * GiB,
    memhost: 3 * GiB,
    uptime: 3 * 86400 + 4 * 3600,
    diskread: 1.5 * MiB,
    diskwrite: 2048,
    netin: 10 * 1024,
    netout: 512,
    ...over,
  });

const inv = (g: Guest, over: Partial<Inventory> = {}) =>
  inventory({ clusters: [cluster({ lastPollAt: POLLED })], guests: [g], updatedAt: POLLED, ...over });

let component: ReturnType<typeof mount> | null = null;

async function settle() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
}

async function render(g: Guest) {
  backend.Inventory.mockResolvedValue(inv(g));
  backend.GuestDetails.mockResolvedValue({ guest: g, config: { cores: '4' }, tasks: [] });
  await store.start();
  component = mount(GuestPage, { target: document.body, props: { guest: { cluster: 'c1', guestId: g.id } } });
  await settle();
}

const q = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const value = (id: string) => q(id)?.dataset.value;
const text = (id: string) => q(id)?.textContent?.trim();

beforeEach(() => {
  localStorage.clear();
  setLocale('en');
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
  store.stop();
  store.apply(inventory({ clusters: [], nodes: [], guests: [] }));
  tasksStore.reset();
  toasts.clear();
  vi.clearAllMocks();
  document.body.innerHTML = '';
});

describe('guest page status of an offline node\'s guest', () => {
  it('shows the last reported status with its age, then Unknown under the name Proxmox gives', async () => {
    await render(web({ nodeOffline: true, reportedAt: Date.now() - 3 * 60_000 - 5_000 }));
    // The header and the live panel's status card.
    const badges = [...document.querySelectorAll('[data-testid="status-badge"]')] as HTMLElement[];
    expect(badges.length).toBe(2);
    for (const badge of badges) {
      expect(badge.dataset.status).toBe('running');
      expect(badge.textContent?.trim()).toMatch(/^Running · 3 ?m(in\.?)? ago$/);
      expect(badge.title).toBe('Its node is offline: the last status it reported');
    }
    unmount(component!);
    component = null;
    store.stop();
    await render(web({ nodeOffline: true, status: 'unknown', name: '', reportedAt: Date.now() - 6 * 60_000 }));
    const aged = document.querySelector('[data-testid="status-badge"]') as HTMLElement;
    expect(aged.textContent?.trim()).toBe('Unknown');
    expect(document.body.textContent).toContain('VM 101');
  });
});

describe('guest page live panel', () => {
  it('shows every live value with its raw number', async () => {
    await render(web());
    const panel = q('live-panel')!;
    expect(panel.dataset.vmid).toBe('101');

    expect(value('live-cpu')).toBe('0.25');
    expect(text('live-cpu')).toBe('25.0%');
    expect(panel.textContent).toContain('of 4 vCPUs');
    expect(value('live-mem')).toBe(String(2 * GiB));
    expect(text('live-mem')).toBe(`2${NBSP}GiB / 8${NBSP}GiB`);
    expect(value('live-memhost')).toBe(String(3 * GiB));
    expect(text('live-memhost')).toBe(`Host view: 3${NBSP}GiB`);
    expect(q('live-memhost')?.title).toMatch(/ballooning or KSM/);
    expect(document.querySelector('[role="tooltip"]')?.textContent).toMatch(/ballooning or KSM/);
    expect(value('live-diskread')).toBe(String(1.5 * MiB));
    expect(text('live-diskread')).toBe(`1.5${NBSP}MiB/s`);
    expect(text('live-diskwrite')).toBe(`2${NBSP}KiB/s`);
    expect(text('live-netin')).toBe(`10${NBSP}KiB/s`);
    expect(value('live-netout')).toBe('512');
    expect(text('live-netout')).toBe(`512${NBSP}B/s`);
    expect(value('live-status')).toBe('running');
    expect(text('live-status')).toBe('Running');
    expect(value('live-uptime')).toBe(String(3 * 86400 + 4 * 3600));
    expect(text('live-uptime')).toBe('3d 4h');
    expect(text('live-updated')).toMatch(/^Updated \d+\s?s.* ago$/);
    expect(q('live-updated')?.dataset.updatedAt).toBe(String(POLLED));
  });

  it('moves with every inventory event', async () => {
    await render(web());
    backend.emitInventory(inv(web({ cpu: 0.5, mem: 4 * GiB, netin: 3 * MiB, diskwrite: 0, uptime: 3 * 86400 + 5 * 3600 })));
    flushSync();
    expect(value('live-cpu')).toBe('0.5');
    expect(text('live-cpu')).toBe('50.0%');
    expect(value('live-mem')).toBe(String(4 * GiB));
    expect(value('live-netin')).toBe(String(3 * MiB));
    expect(text('live-netin')).toBe(`3${NBSP}MiB/s`);
    expect(value('live-diskwrite')).toBe('0');
    expect(text('live-uptime')).toBe('3d 5h');
  });

  it('shows unknown rates as — with the reason, and hides a missing host view', async () => {
    await render(web({ diskread: null, diskwrite: null, netin: null, netout: undefined, memhost: 0 }));
    for (const id of ['live-diskread', 'live-diskwrite', 'live-netin', 'live-netout']) {
      const el = q(id)!;
      expect(el.dataset.value).toBe('');
      expect(el.textContent).toBe('—');
      expect(el.title).toBe('Measured from the next poll');
      expect(el.dataset.missing).toBe('pending');
    }
    // The explanation is there for screen readers too.
    expect(q('live-panel')?.textContent).toContain('Measured from the next poll');
    expect(value('live-memhost')).toBe('');
    expect(text('live-memhost')).toBe('');
    expect(document.querySelector('[role="tooltip"]')).toBeNull();
    // The next poll brings the rates.
    backend.emitInventory(inv(web({ diskread: 0, netin: 2048 })));
    flushSync();
    expect(value('live-diskread')).toBe('0');
    expect(text('live-netin')).toBe(`2${NBSP}KiB/s`);
  });

  it('formats in Brazilian Portuguese', async () => {
    setLocale('pt-BR');
    await render(web());
    expect(text('live-cpu')).toBe('25,0%');
    expect(text('live-diskread')).toBe(`1,5${NBSP}MiB/s`);
    expect(text('live-memhost')).toBe(`Visão do host: 3${NBSP}GiB`);
    expect(text('live-status')).toBe('Em execução');
    expect(text('live-uptime')).toBe('3 d 4 h');
    expect(q('live-panel')?.textContent).toContain('Ao vivo');
  });

  it('shows a stopped guest without usage and starts it from the panel', async () => {
    await render(web({ status: 'stopped', cpu: 0, mem: 0, uptime: 0, diskread: null, netin: null, memhost: 0 }));
    expect(value('live-status')).toBe('stopped');
    expect(text('live-status')).toBe('Stopped');
    expect(text('live-cpu')).toBe('—');
    expect(q('live-cpu')?.title).toBe('Not running');
    expect(value('live-cpu')).toBe('0');
    expect(q('live-netin')?.title).toBe('Not running');

    const panel = q('live-panel')!;
    const start = panel.querySelector('[data-testid="action-start"]') as HTMLButtonElement;
    const shutdown = panel.querySelector('[data-testid="action-shutdown"]') as HTMLButtonElement;
    const stop = panel.querySelector('[data-testid="action-stop"]') as HTMLButtonElement;
    const consoleButton = panel.querySelector('[data-testid="guest-console"]') as HTMLButtonElement;
    expect(start.disabled).toBe(false);
    expect(shutdown.disabled).toBe(true);
    expect(stop.disabled).toBe(true);
    expect(consoleButton.disabled).toBe(true);
    expect(consoleButton.dataset.reason).toBe('Only while the guest runs');
    // One set of buttons on the page, not a copy.
    expect(document.querySelectorAll('[data-testid="action-start"]')).toHaveLength(1);

    backend.GuestAction.mockResolvedValue({
      upid: 'UPID:pve1:1', cluster: 'c1', node: 'pve1', guestId: 'qemu/101', vmid: 101,
      guestName: 'web-01', action: 'start', status: 'running', startedAt: Date.now(),
    });
    start.click();
    await settle();
    expect(backend.GuestAction).toHaveBeenCalledWith('c1', 'qemu/101', 'start', {});
  });
});

describe('node strip rates', () => {
  it('shows network in and out per node, — when unknown', () => {
    store.apply(
      inventory({
        nodes: [
          node({ name: 'pve1', netin: 1.5 * MiB, netout: 2048 }),
          node({ name: 'pve2', netin: null, netout: null }),
        ],
      }),
    );
    setLocale('pt-BR');
    component = mount(NodeStrip, { target: document.body });
    flushSync();
    const [one, two] = [...document.querySelectorAll('[data-testid="node-card"]')] as HTMLElement[];
    const rate = (card: HTMLElement, id: string) => card.querySelector(`[data-testid="${id}"]`) as HTMLElement;
    expect(rate(one, 'node-netin').textContent).toBe(`1,5${NBSP}MiB/s`);
    expect(rate(one, 'node-netin').dataset.value).toBe(String(1.5 * MiB));
    expect(rate(one, 'node-netout').textContent).toBe(`2${NBSP}KiB/s`);
    expect(rate(two, 'node-netin').textContent).toBe('—');
    expect(rate(two, 'node-netin').dataset.value).toBe('');
    expect(one.textContent).toContain('Rede');
  });
});
