// @vitest-environment happy-dom
// The monitoring window against a stubbed backend: the alert banner and
// badge (unattended alerts, snooze expiry), highlighted rows, the alert
// toast, the alerts page and rule editor, the overview band, the node page,
// settings and about.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alert, rule } from './test/alerts';
import { cluster, GiB, guest, inventory, node } from './test/fixtures';
import type { Alert, ErrorInfo, Inventory, Settings, SettingsView } from './lib/types';
import { backend } from './test/fakebackend';

const SETTINGS: Settings = {
  language: '',
  theme: 'system',
  pollSeconds: 10,
  minimisedPollSeconds: 60,
  rawHours: 24,
  m5Days: 7,
  m15Days: 90,
  h1Days: 730,
  maxHistoryMB: 2048,
  consoleScaling: 'fit',
  pasteLayout: 'us',
};

vi.mock('uplot', async () => (await import('./test/uplot')).uplotModule);
vi.mock('@novnc/novnc', () => ({
  default: class extends EventTarget {
    disconnect = vi.fn();
    blur() {}
    focus() {}
  },
}));

const { default: App } = await import('./App.svelte');
const { pagesLoaded } = await import('./lib/pages');
const { store } = await import('./lib/inventory.svelte');
const { tasksStore } = await import('./lib/tasks.svelte');
const { toasts } = await import('./lib/toasts.svelte');
const { ui } = await import('./lib/ui.svelte');
const { operations } = await import('./lib/operations.svelte');
const { alertsStore } = await import('./lib/alerts.svelte');
const { settingsStore } = await import('./lib/settings.svelte');
const { setLocale, locale } = await import('./lib/i18n/index.svelte');
const { consoles, consolePrefs } = await import('./lib/consoles.svelte');
const { themePref } = await import('./lib/theme.svelte');

const MiB = 1024 ** 2;
let app: ReturnType<typeof mount> | null = null;

function view(settings: Settings = SETTINGS): SettingsView {
  return { settings, historyBytes: 1.5 * GiB, historyPath: '/home/u/.local/share/cecyber/metrics.db', defaults: SETTINGS };
}

// settle lets promises run and flushes the DOM, twice over any page the
// step opened (pages load on first use, lib/pages.ts).
async function settle() {
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 10; i++) await Promise.resolve();
    flushSync();
    await pagesLoaded();
  }
  for (let i = 0; i < 10; i++) await Promise.resolve();
  flushSync();
}

async function render(inv: Inventory) {
  backend.Inventory.mockResolvedValue(inv);
  app = mount(App, { target: document.body });
  await settle();
  await vi.waitFor(() => expect(store.loaded).toBe(true));
  flushSync();
}

const q = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const qa = (id: string) => [...document.querySelectorAll(`[data-testid="${id}"]`)] as HTMLElement[];
const row = (vmid: number) => document.querySelector(`[data-testid="guest-row"][data-vmid="${vmid}"]`) as HTMLElement;
const key = (k: string) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));

function type(el: HTMLElement | null, value: string) {
  const input = el as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function choose(el: HTMLElement | null, value: string) {
  const select = el as HTMLSelectElement;
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

const now = Date.now();
const firing = (over: Partial<Alert> = {}) => alert({ pendingAt: now - 5 * 60_000, firingAt: now - 60_000, ...over });

beforeEach(() => {
  localStorage.clear();
  setLocale('en');
  backend.GetSettings.mockResolvedValue(view());
  backend.SaveSettings.mockImplementation(async (s: Settings) => view(s));
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  store.stop();
  store.apply(inventory({ clusters: [], nodes: [], guests: [] }));
  store.loaded = false;
  store.clearFilters();
  store.selection = { keys: new Set(), anchor: null };
  tasksStore.reset();
  toasts.clear();
  ui.guestPage = null;
  ui.aboutOpen = false;
  operations.confirm = null;
  consoles.reset();
  consolePrefs.reset();
  alertsStore.reset();
  settingsStore.reset();
  vi.clearAllMocks();
  document.body.innerHTML = '';
});

describe('alert banner and badge', () => {
  it('count only firing alerts nobody acknowledged or snoozed, and show the newest', async () => {
    await render(
      inventory({
        alerts: [
          firing({ id: 'old', firingAt: now - 10 * 60_000, target: 'qemu/100', targetName: 'db-01' }),
          firing({ id: 'new' }),
          firing({ id: 'acked', target: 'lxc/105', ackedAt: now }),
          firing({ id: 'snoozed', target: 'lxc/105', snoozedUntil: now + 3_600_000 }),
          alert({ id: 'pending', state: 'pending', firingAt: 0, target: 'qemu/110', targetName: 'backup-target' }),
        ],
      }),
    );
    expect(q('alert-banner')?.dataset.count).toBe('2');
    expect(q('alert-banner-count')?.textContent).toBe('2 alerts');
    expect(q('alert-banner')?.textContent).toContain('CPU above 90% on web-01 for 5m');
    expect(q('alerts-badge')?.textContent).toBe('2');
    expect(q('alerts-bell')?.getAttribute('aria-label')).toBe('2 alerts need attention');
    // Rows: firing red, pending amber, the rest plain.
    expect(row(101).dataset.alert).toBe('firing');
    expect(row(100).dataset.alert).toBe('firing');
    expect(row(105).dataset.alert).toBe('firing'); // acknowledged still fires
    expect(row(110).dataset.alert).toBe('pending');
    expect(row(9000).dataset.alert).toBeUndefined();
    const treeGuest = document.querySelector('[data-testid="tree-guest"][data-vmid="110"]')?.closest('li');
    expect(treeGuest?.dataset.alert).toBe('pending');
  });

  it('highlights a node with an alert in the overview and the tree', async () => {
    await render(
      inventory({
        nodes: [node(), node({ name: 'pve2', status: 'offline' })],
        alerts: [firing({ id: 'n', metric: 'node-offline', builtin: 'node-offline', target: 'node/pve2', targetName: 'pve2' })],
      }),
    );
    const card = document.querySelector('[data-testid="node-card"][data-node="pve2"]') as HTMLElement;
    expect(card.dataset.alert).toBe('firing');
    expect(document.querySelector('[data-testid="tree-node"][data-node="pve2"]')?.closest('li')?.dataset.alert).toBe('firing');
    expect(q('alert-banner')?.textContent).toContain('Node pve2 offline for 5m');
    q('alert-banner-open')!.click();
    await settle();
    expect(q('node-page')?.dataset.node).toBe('pve2');
  });

  it('goes away at once when acknowledged, and says so to Go', async () => {
    await render(inventory({ alerts: [firing()] }));
    q('alert-banner-ack')!.click();
    await settle();
    expect(backend.AckAlert).toHaveBeenCalledWith('a1');
    expect(q('alert-banner')).toBeNull();
    expect(q('alerts-badge')).toBeNull();
    expect(row(101).dataset.alert).toBe('firing');
  });

  it('comes back when a snooze ends', async () => {
    await render(inventory({ alerts: [firing({ snoozedUntil: Date.now() + 400 })] }));
    expect(q('alert-banner')).toBeNull();
    await vi.waitFor(
      () => {
        flushSync();
        expect(q('alert-banner')?.dataset.count).toBe('1');
      },
      { timeout: 2500, interval: 100 },
    );
  });

  it('offers the guest, its console and its power actions with their rules', async () => {
    await render(inventory({ alerts: [firing({ target: 'lxc/105', targetName: 'dns' })] }));
    // dns is stopped: no console, only start.
    expect((q('alert-banner-console') as HTMLButtonElement).disabled).toBe(true);
    q('alert-banner-power')!.click();
    flushSync();
    const menu = q('alert-banner-menu')!;
    expect((menu.querySelector('[data-testid="action-start"]') as HTMLButtonElement).disabled).toBe(false);
    expect((menu.querySelector('[data-testid="action-stop"]') as HTMLButtonElement).disabled).toBe(true);
    key('Escape');
    flushSync();
    q('alert-banner-open')!.click();
    await settle();
    expect(ui.guestPage).toEqual({ cluster: 'c1', guestId: 'lxc/105' });
  });

  it('toasts an alert that starts firing, with a way to the alerts page', async () => {
    await render(inventory());
    backend.emitAlert(firing({ id: 'x', metric: 'mem', builtin: 'mem', trigger: 85, value: 91 }));
    flushSync();
    const toast = q('alert-toast')!;
    expect(toast.textContent).toContain('Memory above 85% on web-01');
    expect(toast.textContent).toContain('High memory');
    (toast.querySelector('[data-testid="alert-toast-view"]') as HTMLElement).click();
    await settle();
    expect(q('alerts-page')?.dataset.tab).toBe('active');
    expect(q('alert-toast')).toBeNull();
    key('Escape');
    flushSync();
    expect(q('alerts-page')).toBeNull();
    expect(q('inventory')).not.toBeNull();
  });
});

describe('alerts page', () => {
  it('acts on active alerts, lists history and switches rules on and off', async () => {
    const history = [
      alert({ id: 'h1', state: 'resolved', pendingAt: now - 600_000, firingAt: now - 480_000, resolvedAt: now - 60_000 }),
    ];
    const rules = [
      rule({ id: 'builtin-cpu', builtin: 'cpu', name: '' }),
      rule({ id: 'r2', name: 'Busy disks', metric: 'diskwrite', trigger: 100 * MiB, clear: 80 * MiB, scope: 'tag', tag: 'prod' }),
    ];
    backend.Alerts.mockResolvedValue({ active: [], history, rules });
    await render(inventory({ alerts: [firing(), alert({ id: 'p', state: 'pending', firingAt: 0, target: 'qemu/100', targetName: 'db-01' })] }));
    q('alerts-bell')!.click();
    await settle();

    const rows = qa('alert-row');
    expect(rows.map((r) => r.dataset.state)).toEqual(['firing', 'pending']);
    expect(rows[0].textContent).toContain('93.4% / 90%');
    expect((rows[1].querySelector('[data-testid="alert-ack"]') as HTMLButtonElement).disabled).toBe(true);
    (rows[0].querySelector('[data-testid="alert-snooze"]') as HTMLElement).click();
    flushSync();
    expect(qa('snooze-menu')[0].textContent).toContain('Snooze for 1h');
    q('snooze-60')!.click();
    await settle();
    expect(backend.SnoozeAlert).toHaveBeenCalledWith('a1', 60);
    expect(qa('alert-row')[0].dataset.state).toBe('snoozed');
    expect(q('alert-banner')).toBeNull();

    document.querySelector<HTMLElement>('[data-testid="alerts-tab"][data-tab="history"]')!.click();
    await settle();
    const h = q('alert-history-row')!;
    expect(h.textContent).toContain('web-01');
    expect(h.textContent).toContain('High CPU');
    expect(h.textContent).toContain('9m');

    document.querySelector<HTMLElement>('[data-testid="alerts-tab"][data-tab="rules"]')!.click();
    await settle();
    const ruleRows = qa('rule-row');
    expect(ruleRows[0].textContent).toContain('High CPU');
    expect(ruleRows[0].querySelector('[data-testid="rule-delete"]')).toBeNull();
    expect(ruleRows[1].textContent).toContain('Busy disks');
    expect(ruleRows[1].textContent).toContain('Tag prod');
    expect(ruleRows[1].textContent).toContain('above 100\u00a0MiB/s, clears below 80\u00a0MiB/s for 5m');
    (ruleRows[0].querySelector('[data-testid="rule-enabled"]') as HTMLInputElement).click();
    await settle();
    expect(backend.SaveAlertRule).toHaveBeenCalledWith({ ...rules[0], enabled: false });
  });

  it('creates a rule in MiB/s, and shows Go’s field errors where they belong', async () => {
    backend.Alerts.mockResolvedValue({ active: [], history: [], rules: [] });
    await render(inventory());
    ui.openAlerts('rules');
    await settle();
    q('rule-new')!.click();
    flushSync();
    const editor = q('rule-editor')!;
    expect(document.activeElement).toBe(q('rule-name'));

    // The form's own checks first.
    type(q('rule-trigger'), '70');
    type(q('rule-clear'), '75');
    q('rule-save')!.click();
    await settle();
    const errorOf = (field: string) => editor.querySelector(`[data-testid="rule-error"][data-field="${field}"]`)?.textContent;
    expect(errorOf('name')).toBe('Fill this in.');
    expect(errorOf('clear')).toBe('Must not be above the trigger.');
    expect(backend.SaveAlertRule).not.toHaveBeenCalled();

    type(q('rule-name'), 'Backup traffic');
    choose(q('rule-metric'), 'netout');
    flushSync();
    expect(q('rule-unit')?.textContent).toBe('MiB/s');
    type(q('rule-trigger'), '12,5');
    type(q('rule-clear'), '10');
    choose(q('rule-scope'), 'node');
    flushSync();
    choose(q('rule-cluster'), 'c1');
    flushSync();
    choose(q('rule-node'), 'pve2');
    backend.SaveAlertRule.mockRejectedValueOnce({ code: 'invalid', message: 'clear must be <= trigger', params: { field: 'clear' } } satisfies ErrorInfo);
    q('rule-save')!.click();
    await settle();
    expect(backend.SaveAlertRule).toHaveBeenCalledWith(
      expect.objectContaining({
        id: '',
        name: 'Backup traffic',
        metric: 'netout',
        scope: 'node',
        cluster: 'c1',
        node: 'pve2',
        trigger: 12.5 * MiB,
        clear: 10 * MiB,
        forSeconds: 300,
      }),
    );
    expect(errorOf('clear')).toBe('Cecyber did not accept this value.');
    expect(errorOf('name')).toBe('');

    q('rule-save')!.click();
    await settle();
    expect(q('rule-editor')).toBeNull();
    expect(qa('rule-row').map((r) => r.dataset.ruleId)).toEqual(['r-new']);
  });
});

describe('overview and node page', () => {
  it('counts guests by type and status, ranks consumers, and filters from a count', async () => {
    await render(inventory());
    const count = (type: string, status: string) =>
      document.querySelector(`[data-testid="overview-count"][data-type="${type}"][data-status="${status}"]`) as HTMLElement;
    expect(count('qemu', 'running').dataset.count).toBe('2');
    expect(count('qemu', 'stopped').dataset.count).toBe('1');
    expect(count('qemu', 'paused').dataset.count).toBe('1');
    expect(count('lxc', 'stopped').dataset.count).toBe('1');
    expect(q('overview-nodes')?.dataset.online).toBe('2');
    expect([...q('overview-top-cpu')!.querySelectorAll('li')].map((li) => li.dataset.vmid)).toEqual(['100', '101']);
    expect(q('overview-top-mem')?.textContent).toContain('db-01');
    count('qemu', 'running').click();
    flushSync();
    expect(qa('guest-row').map((r) => r.dataset.vmid)).toEqual(['100', '101']);

    // Collapsing is remembered.
    q('overview-toggle')!.click();
    flushSync();
    expect(q('overview')?.dataset.collapsed).toBe('true');
    expect(qa('node-card')).toHaveLength(0);
    expect(localStorage.getItem('cecyber.overview.collapsed')).toBe('1');
  });

  it('opens a node page with its live numbers, node history and its guests', async () => {
    await render(inventory({ nodes: [node({ netin: 2 * MiB, netout: 1024 }), node({ name: 'pve2' })] }));
    (document.querySelector('[data-testid="node-card"][data-node="pve1"] [data-testid="node-open"]') as HTMLElement).click();
    await settle();
    const page = q('node-page')!;
    expect(page.dataset.node).toBe('pve1');
    expect(q('live-panel')?.dataset.node).toBe('pve1');
    expect(q('live-cpu')?.textContent).toBe('25.0%');
    expect(q('live-netin')?.textContent).toBe('2\u00a0MiB/s');
    expect(q('live-guests')?.dataset.value).toBe('4');
    expect(q('live-panel')?.textContent).toContain('of 16 CPUs');
    expect(qa('history-chart')).toHaveLength(3);
    await vi.waitFor(() => expect(backend.History).toHaveBeenCalled());
    const [c, target, metrics] = backend.History.mock.calls.at(-1)!;
    expect([c, target]).toEqual(['c1', 'node/pve1']);
    expect(metrics).not.toContain('diskread');
    expect(qa('guest-row').map((r) => r.dataset.vmid).sort()).toEqual(['101', '105', '110', '9000']);

    // A guest from the node page, then Escape back to the node, then the inventory.
    (row(101).querySelector('.guest-name') as HTMLElement).click();
    backend.GuestDetails.mockResolvedValue({ guest: guest({ vmid: 101 }), config: {}, tasks: [] });
    await settle();
    expect(q('guest-back')?.textContent).toContain('Back to pve1');
    key('Escape');
    flushSync();
    expect(q('node-page')).not.toBeNull();
    key('Escape');
    flushSync();
    expect(q('node-page')).toBeNull();
    expect(q('inventory')).not.toBeNull();
  });

  it('opens a node page from the tree', async () => {
    await render(inventory());
    (document.querySelector('[data-testid="tree-node-open"][data-node="pve2"]') as HTMLElement).click();
    await settle();
    expect(q('node-page')?.dataset.node).toBe('pve2');
  });
});

describe('settings', () => {
  it('are applied on start: language, theme, console defaults', async () => {
    backend.GetSettings.mockResolvedValue(view({ ...SETTINGS, language: 'pt-BR', theme: 'dark', consoleScaling: 'remote', pasteLayout: 'abnt2' }));
    await render(inventory());
    await vi.waitFor(() => expect(locale()).toBe('pt-BR'));
    expect(themePref()).toBe('dark');
    expect(consolePrefs.scale).toBe('remote');
    expect(consolePrefs.layout).toBe('abnt2');
    expect(backend.SetWindowHidden).toHaveBeenCalledWith(false);
  });

  it('follow the system language when the setting is empty', async () => {
    localStorage.setItem('cecyber.locale', 'pt-BR');
    backend.Environment.mockResolvedValueOnce({ locale: 'en_US.UTF-8', version: '0.1.0', demo: false, notices: [] });
    await render(inventory());
    await settle();
    expect(locale()).toBe('en');
    expect(localStorage.getItem('cecyber.locale')).toBeNull();
  });

  it('edits, checks and saves from the gear menu', async () => {
    await render(inventory());
    q('app-menu')!.click();
    flushSync();
    q('menu-settings')!.click();
    await settle();
    const page = q('settings-page')!;
    expect(q('settings-history-size')?.textContent).toBe('1.5\u00a0GiB');
    expect(q('settings-history-path')?.textContent).toBe('/home/u/.local/share/cecyber/metrics.db');
    expect((q('settings-save') as HTMLButtonElement).disabled).toBe(true);
    const errorOf = (field: string) => page.querySelector(`[data-testid="settings-error"][data-field="${field}"]`)?.textContent;

    type(q('settings-pollSeconds'), '3');
    flushSync();
    q('settings-save')!.click();
    await settle();
    expect(errorOf('pollSeconds')).toBe('From 5 to 60.');
    expect(backend.SaveSettings).not.toHaveBeenCalled();

    type(q('settings-pollSeconds'), '30');
    choose(q('settings-language'), 'pt-BR');
    backend.SaveSettings.mockRejectedValueOnce({ code: 'invalid', message: 'too small', params: { field: 'm15Days' } });
    q('settings-save')!.click();
    await settle();
    expect(errorOf('m15Days')).toBe('Cecyber did not accept this value.');
    expect(errorOf('pollSeconds')).toBe('');

    q('settings-save')!.click();
    await settle();
    expect(backend.SaveSettings).toHaveBeenLastCalledWith({ ...SETTINGS, pollSeconds: 30, language: 'pt-BR' });
    expect(locale()).toBe('pt-BR');
    expect(q('settings-saved')?.textContent).toContain('Salvo');

    // The rules are one click away; Escape comes back here.
    q('settings-rules')!.click();
    await settle();
    expect(q('alerts-page')?.dataset.tab).toBe('rules');
    key('Escape');
    flushSync();
    expect(q('settings-page')).not.toBeNull();
  });

  it('saves the top bar’s language switch', async () => {
    await render(inventory());
    await settle();
    choose(q('language'), 'pt-BR');
    await settle();
    expect(backend.SaveSettings).toHaveBeenCalledWith({ ...SETTINGS, language: 'pt-BR' });
  });

  it('tells Go when the window hides', async () => {
    await render(inventory());
    backend.SetWindowHidden.mockClear();
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(backend.SetWindowHidden).toHaveBeenCalledWith(true);
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
  });
});

describe('about', () => {
  it('shows the build and opens the log folder', async () => {
    await render(inventory());
    q('app-menu')!.click();
    flushSync();
    q('menu-about')!.click();
    await settle();
    const dialog = q('about-dialog')!;
    expect(q('about-version')?.textContent).toBe('Version 1.2.3');
    expect(dialog.textContent).toContain('v2.9.2');
    expect(dialog.textContent).toContain('linux/amd64');
    expect(q('about-log-dir')?.textContent).toBe('/home/u/.local/state/cecyber');
    q('about-open-logs')!.click();
    await settle();
    expect(backend.OpenLogFolder).toHaveBeenCalledTimes(1);
    key('Escape');
    flushSync();
    expect(q('about-dialog')).toBeNull();
  });
});

// Keep fixtures' cluster in use for multi-cluster tweaks later.
void cluster;
