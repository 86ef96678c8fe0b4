// @vitest-environment happy-dom
// The whole window against a stubbed backend: the hooks the end-to-end test
// relies on, the empty state, the error banner, the language switch.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cluster, guest, inventory, manyGuests } from './test/fixtures';
import type { Inventory } from './lib/types';
import { backend } from './test/fakebackend';

vi.mock('uplot', async () => (await import('./test/uplot')).uplotModule);
// happy-dom has no WebSocket or canvas: noVNC itself runs in the e2e test.
vi.mock('@novnc/novnc', () => ({
  default: class extends EventTarget {
    constructor(readonly target: Element, readonly url: string) {
      super();
    }
    disconnect = vi.fn();
    blur() {}
    focus() {}
  },
}));

const { default: App } = await import('./App.svelte');
const { store } = await import('./lib/inventory.svelte');
const { tasksStore } = await import('./lib/tasks.svelte');
const { toasts } = await import('./lib/toasts.svelte');
const { ui } = await import('./lib/ui.svelte');
const { operations } = await import('./lib/operations.svelte');
const { setLocale } = await import('./lib/i18n/index.svelte');
const { consoles } = await import('./lib/consoles.svelte');

let app: ReturnType<typeof mount> | null = null;

async function render(inv: Inventory) {
  backend.Inventory.mockResolvedValue(inv);
  app = mount(App, { target: document.body });
  // Let start() and environment() settle, then flush the DOM.
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await vi.waitFor(() => expect(store.loaded).toBe(true));
  flushSync();
}

const q = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const qa = (id: string) => [...document.querySelectorAll(`[data-testid="${id}"]`)] as HTMLElement[];

beforeEach(() => {
  localStorage.clear();
  setLocale('en');
  localStorage.clear();
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  store.stop();
  store.apply(inventory({ clusters: [], nodes: [], guests: [] }));
  store.loaded = false;
  store.clearFilters();
  store.sort = { key: 'vmid', dir: 'asc' };
  store.selection = { keys: new Set(), anchor: null };
  store.treeOverrides = new Map();
  tasksStore.reset();
  toasts.clear();
  ui.guestPage = null;
  ui.wizardOpen = false;
  ui.clusterDialog = null;
  operations.confirm = null;
  consoles.reset();
  vi.clearAllMocks();
  document.body.innerHTML = '';
});

describe('App', () => {
  it('offers the demo when there is no cluster', async () => {
    await render(inventory({ clusters: [], nodes: [], guests: [], updatedAt: 0 }));
    const button = q('try-demo');
    expect(button?.textContent).toContain('Try the demo cluster');
    expect(q('inventory')).toBeNull();
    expect(q('add-cluster')?.textContent).toContain('Add your cluster');

    backend.OpenDemo.mockResolvedValue(cluster());
    backend.Inventory.mockResolvedValue(inventory());
    button!.click();
    await vi.waitFor(() => expect(store.hasClusters).toBe(true));
    flushSync();
    expect(backend.OpenDemo).toHaveBeenCalledTimes(1);
    expect(q('inventory')).not.toBeNull();
  });

  it('shows guests with the hooks the e2e test uses', async () => {
    await render(inventory());
    expect(q('inventory')).not.toBeNull();
    const rows = qa('guest-row');
    expect(rows.map((r) => r.dataset.vmid)).toEqual(['100', '101', '105', '110', '9000']);
    expect(rows[0].dataset.status).toBe('running');
    expect(q('guest-count')?.dataset.count).toBe('5');
    expect(q('guest-count')?.textContent).toBe('5 guests · 2 running');
    expect(q('cluster-status')?.dataset.status).toBe('ok');
    expect(q('cluster-status')?.textContent).toContain('Proxmox VE 9.1.2');
    expect(q('language')).toBeInstanceOf(HTMLSelectElement);
    expect(q('theme')).toBeInstanceOf(HTMLSelectElement);
    expect(qa('node-card')).toHaveLength(2);
    // Status is text too, not colour alone.
    expect(rows[3].textContent).toContain('Suspended');
    expect(rows[3].textContent).toContain('backup');
    expect(rows[4].textContent).toContain('template');
  });

  it('draws CPU sparklines for the running rows on screen, one call per cluster', async () => {
    backend.Sparklines.mockImplementation(async (_c, ids) => ({
      times: [1, 2, 3],
      values: Object.fromEntries(ids.map((id) => [id, [0.1, null, 0.3]])),
    }));
    await render(inventory({ guests: manyGuests(10_000) }));
    await vi.waitFor(() => expect(backend.Sparklines).toHaveBeenCalled(), { timeout: 2000 });
    flushSync();
    expect(backend.Sparklines).toHaveBeenCalledTimes(1);
    const [clusterId, ids, metric, from, to, points] = backend.Sparklines.mock.calls[0];
    expect([clusterId, metric, points, to - from]).toEqual(['c1', 'cpu', 48, 86400]);
    // Only the rendered (visible + overscan) running rows, not all 10,000.
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(100);
    const lines = qa('sparkline');
    expect(lines.length).toBe(ids.length);
    expect(lines[0].dataset.points).toBe('2');
    expect(lines[0].dataset.vmid).toBe('100');
    backend.Sparklines.mockImplementation(async () => ({ times: [], values: {} }));
  });

  it('sorts from the header, keyboard included, and sets aria-sort', async () => {
    await render(inventory());
    const header = document.querySelector('[data-sort="name"]') as HTMLButtonElement;
    expect(header.tagName).toBe('BUTTON'); // Enter and Space work natively
    header.click();
    flushSync();
    expect(header.closest('[role="columnheader"]')?.getAttribute('aria-sort')).toBe('ascending');
    expect(qa('guest-row')[0].dataset.vmid).toBe('110'); // backup-target
    header.click();
    flushSync();
    expect(header.closest('[role="columnheader"]')?.getAttribute('aria-sort')).toBe('descending');
  });

  it('focuses the search with / and refreshes with r', async () => {
    await render(inventory());
    backend.Refresh.mockResolvedValue(inventory());
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }));
    expect(document.activeElement).toBe(q('search'));
    (document.activeElement as HTMLElement).blur();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'r', bubbles: true }));
    expect(backend.Refresh).toHaveBeenCalledTimes(1);
  });

  it('opens a console tab from the row menu, keeps it while switching, closes it with Ctrl+W', async () => {
    await render(inventory());
    const kebab = document.querySelector<HTMLElement>('[data-testid="row-actions"][data-vmid="101"]')!;
    kebab.click();
    flushSync();
    const item = q('action-console') as HTMLButtonElement;
    expect(item.disabled).toBe(false);
    item.click();
    flushSync();
    await vi.waitFor(() => expect(backend.OpenConsole).toHaveBeenCalledWith('c1', 'qemu/101'));
    flushSync();
    const tab = q('console-tab')!;
    expect(tab.dataset.vmid).toBe('101');
    expect(tab.dataset.state).toBe('connecting');
    expect(tab.querySelector('[role="tab"]')?.getAttribute('aria-selected')).toBe('true');
    expect(q('console-view')?.dataset.state).toBe('connecting');

    // A stopped guest's console is disabled with the reason.
    document.querySelector<HTMLElement>('[data-testid="inventory-tab"]')!.click();
    flushSync();
    document.querySelector<HTMLElement>('[data-testid="row-actions"][data-vmid="105"]')!.click();
    flushSync();
    expect((q('action-console') as HTMLButtonElement).disabled).toBe(true);
    expect(q('action-console')?.dataset.reason).toBe('Only while the guest runs');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();

    // Switching keeps the session; Ctrl+W closes the active console tab.
    expect(q('console-view')).not.toBeNull();
    q('console-tab')!.querySelector<HTMLElement>('[role="tab"]')!.click();
    flushSync();
    expect(consoles.active).toBe('c1/qemu/101');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'w', ctrlKey: true }));
    flushSync();
    expect(q('console-tab')).toBeNull();
    expect(q('console-view')).toBeNull();
    expect(consoles.active).toBeNull();
  });

  it('renders only a window of 10,000 rows', async () => {
    await render(inventory({ guests: manyGuests(10_000) }));
    const rows = qa('guest-row');
    expect(q('guest-count')?.dataset.count).toBe('10000');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(100);
    expect(rows[0].dataset.vmid).toBe('100');
    expect(q('inventory')?.getAttribute('aria-rowcount')).toBe('10001');
  });

  it('explains a cluster error, quotes Proxmox, and keeps the stale rows', async () => {
    await render(
      inventory({
        clusters: [
          cluster({
            status: 'error',
            error: {
              code: 'forbidden',
              message: 'forbidden',
              detail: 'Permission check failed (/vms, VM.Audit)',
            },
          }),
        ],
        guests: [guest({ vmid: 101 })],
      }),
    );
    const banner = q('cluster-error');
    expect(banner?.dataset.code).toBe('forbidden');
    expect(banner?.textContent).toContain('The API token lacks a permission');
    expect(q('cluster-error-detail')?.textContent).toBe('Permission check failed (/vms, VM.Audit)');
    expect(q('cluster-status')?.dataset.status).toBe('error');
    expect(qa('guest-row')[0].classList.contains('stale')).toBe(true);

    // Switching language translates ours and leaves Proxmox's words alone.
    const select = q('language') as HTMLSelectElement;
    select.value = 'pt-BR';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect(q('cluster-error')?.textContent).toContain('O token de API não tem uma permissão');
    expect(q('cluster-error-detail')?.textContent).toBe('Permission check failed (/vms, VM.Audit)');
    expect(q('guest-count')?.textContent).toBe('1 VM ou contêiner · 1 em execução');
    expect(document.documentElement.lang).toBe('pt-BR');
  });
});
