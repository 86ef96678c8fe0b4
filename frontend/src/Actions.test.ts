// @vitest-environment happy-dom
// The connect-real-clusters window against a stubbed backend: the wizard,
// the tree, certificate changes, permissions, power actions, bulk actions,
// toasts, the task list and the guest page.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cluster, guest, inventory, node } from './test/fixtures';
import type { Inventory, Probe, Task } from './lib/types';
import { backend } from './test/fakebackend';

vi.mock('uplot', async () => (await import('./test/uplot')).uplotModule);

const { default: App } = await import('./App.svelte');
const { pagesLoaded } = await import('./lib/pages');
const { store } = await import('./lib/inventory.svelte');
const { tasksStore } = await import('./lib/tasks.svelte');
const { toasts } = await import('./lib/toasts.svelte');
const { ui } = await import('./lib/ui.svelte');
const { operations } = await import('./lib/operations.svelte');
const { setLocale } = await import('./lib/i18n/index.svelte');

let app: ReturnType<typeof mount> | null = null;

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

function type(id: string, value: string) {
  const input = q(id) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function task(over: Partial<Task> = {}): Task {
  return {
    upid: 'UPID:pve1:0001',
    cluster: 'c1',
    node: 'pve1',
    guestId: 'lxc/105',
    vmid: 105,
    guestName: 'dns',
    action: 'start',
    status: 'running',
    startedAt: 1_700_000_000_000,
    ...over,
  };
}

const FP = Array.from({ length: 32 }, (_, i) => ((i * 37) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':');
const SECRET = '1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
const probe: Probe = {
  endpoint: 'https://pve9.lan:8006',
  host: 'pve9.lan:8006',
  version: '9.1.2',
  certificate: {
    fingerprint: FP,
    subject: 'CN=pve9.lan',
    issuer: 'CN=Proxmox Virtual Environment',
    notBefore: Date.now() - 86400_000,
    notAfter: Date.now() + 86400_000 * 365,
    dnsNames: ['pve9.lan'],
    ipAddresses: [],
    selfSigned: false,
  },
};

beforeEach(() => {
  localStorage.clear();
  setLocale('en');
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  store.stop();
  store.apply(inventory({ clusters: [], nodes: [], guests: [] }));
  store.loaded = false;
  store.clearFilters();
  store.selection = { keys: new Set(), anchor: null };
  store.treeOverrides = new Map();
  tasksStore.reset();
  toasts.clear();
  ui.guestPage = null;
  ui.wizardOpen = false;
  ui.clusterDialog = null;
  operations.confirm = null;
  vi.clearAllMocks();
  document.body.innerHTML = '';
});

describe('add-cluster wizard', () => {
  async function openWizard() {
    q('add-cluster')!.click();
    flushSync();
    expect(q('wizard')).not.toBeNull();
  }

  function fill() {
    type('wizard-name', 'Lab');
    type('wizard-address', 'pve9.lan');
    type('wizard-token-id', 'root@pam!cecyber');
    type('wizard-secret', SECRET);
    flushSync();
  }

  it('checks fields here first and explains the token ID shape', async () => {
    await render(inventory({ clusters: [], nodes: [], guests: [] }));
    await openWizard();
    type('wizard-address', 'http://pve9.lan:8006');
    type('wizard-token-id', 'cecyber');
    flushSync();
    q('wizard-next')!.click();
    await settle();
    expect(backend.ProbeCluster).not.toHaveBeenCalled();
    expect(q('field-error-name')?.textContent).toBe('Give the cluster a name.');
    expect(q('field-error-address')?.textContent).toContain('Proxmox only speaks HTTPS on port 8006');
    expect(q('field-error-tokenId')?.textContent).toContain('write it as user@realm!cecyber');
    expect(q('field-error-secret')?.textContent).toBe('Enter the token secret.');
    expect((q('wizard-secret') as HTMLInputElement).type).toBe('password');
  });

  it('shows the backend field error next to its field and network errors in the dialog', async () => {
    await render(inventory({ clusters: [], nodes: [], guests: [] }));
    await openWizard();
    fill();
    backend.ProbeCluster.mockRejectedValueOnce({ code: 'invalid', message: 'x', params: { field: 'tokenId', reason: 'noRealm' } });
    q('wizard-next')!.click();
    await settle();
    expect(q('field-error-tokenId')?.textContent).toContain('The realm is missing');
    backend.ProbeCluster.mockRejectedValueOnce({ code: 'unreachable', message: 'dial', params: { host: 'pve9.lan:8006' } });
    q('wizard-next')!.click();
    await settle();
    expect(q('wizard-error')?.dataset.code).toBe('unreachable');
    expect(q('wizard-error')?.textContent).toContain('Cannot reach pve9.lan:8006');
  });

  it('probes, shows the certificate, waits for the confirmation, trusts and connects', async () => {
    await render(inventory({ clusters: [], nodes: [], guests: [] }));
    await openWizard();
    fill();
    backend.ProbeCluster.mockResolvedValueOnce(probe);
    q('wizard-next')!.click();
    await settle();
    expect(backend.ProbeCluster).toHaveBeenCalledWith({ name: 'Lab', address: 'pve9.lan', tokenId: 'root@pam!cecyber', secret: SECRET });
    const fp = q('wizard-fingerprint')!;
    expect(fp.textContent).toBe(FP);
    expect(fp.querySelectorAll('.group')).toHaveLength(8);
    expect(q('wizard')?.textContent).toContain('pvenode cert info');
    expect(q('wizard')?.textContent).toContain('9.1.2');
    const trust = q('wizard-trust') as HTMLButtonElement;
    expect(trust.disabled).toBe(true);
    (q('wizard-confirm') as HTMLInputElement).click();
    flushSync();
    expect(trust.disabled).toBe(false);

    const added = cluster({ id: 'c9', name: 'Lab', demo: false, clusterName: 'lab', endpoints: [] });
    const sent: unknown[] = [];
    backend.AddCluster.mockImplementationOnce(async (input, fp) => {
      sent.push({ ...(input as object) }, fp);
      return added;
    });
    backend.Inventory.mockResolvedValue(inventory({ clusters: [added], nodes: [node({ cluster: 'c9' }), node({ cluster: 'c9', name: 'pve2' })] }));
    trust.click();
    await settle();
    expect(sent).toEqual([{ name: 'Lab', address: 'pve9.lan', tokenId: 'root@pam!cecyber', secret: SECRET }, FP]);
    // The secret is gone from the form and from the object that carried it.
    expect((backend.AddCluster.mock.calls[0][0] as { secret: string }).secret).toBe('');
    await vi.waitFor(() => expect(q('wizard-result')).not.toBeNull());
    await settle();
    expect(q('wizard-result')?.textContent).toContain('Connected to Lab');
    expect(q('wizard-result')?.textContent).toContain('Proxmox cluster lab');
    expect(q('wizard-result')?.textContent).toContain('2 nodes');
    q('wizard-done')!.click();
    flushSync();
    expect(q('wizard')).toBeNull();
  });

  it('offers the history kept for this cluster and adds it with the choice', async () => {
    await render(inventory({ clusters: [], nodes: [], guests: [] }));
    await openWizard();
    fill();
    backend.ProbeCluster.mockResolvedValueOnce(probe);
    q('wizard-next')!.click();
    await settle();
    (q('wizard-confirm') as HTMLInputElement).click();
    flushSync();
    const kept = { id: 'c-0123456789ab', name: 'Old lab', clusterName: 'lab', nodes: ['pve1', 'pve2'], removedAt: 1_700_000_000_000, targets: 12 };
    backend.FindKeptHistory.mockResolvedValueOnce([kept]);
    q('wizard-trust')!.click();
    await settle();
    expect(backend.FindKeptHistory).toHaveBeenCalledWith({ name: 'Lab', address: 'pve9.lan', tokenId: 'root@pam!cecyber', secret: SECRET }, FP);
    expect(backend.AddCluster).not.toHaveBeenCalled();
    expect(q('wizard-history')?.textContent).toContain('Take back the history of Old lab');
    expect(q('wizard-history')?.textContent).toContain('pve1, pve2');
    expect(q('wizard-history')?.textContent).toContain('12 nodes and guests');
    const options = qa('wizard-history-option');
    expect(options.map((o) => o.dataset.id)).toEqual([kept.id, '']);
    expect((options[0].querySelector('input') as HTMLInputElement).checked).toBe(true);
    // The secret is no longer in the form while the user chooses.
    expect((q('wizard-secret') as HTMLInputElement | null)?.value ?? '').toBe('');

    const added = cluster({ id: kept.id, name: 'Lab', demo: false, clusterName: 'lab', endpoints: [] });
    const sent: unknown[] = [];
    backend.AddCluster.mockImplementationOnce(async (input) => {
      sent.push({ ...(input as object) });
      return added;
    });
    backend.Inventory.mockResolvedValue(inventory({ clusters: [added] }));
    q('wizard-attach')!.click();
    await settle();
    expect(sent).toEqual([{ name: 'Lab', address: 'pve9.lan', tokenId: 'root@pam!cecyber', secret: SECRET, history: kept.id }]);
    expect((backend.AddCluster.mock.calls[0][0] as { secret: string }).secret).toBe('');
    await vi.waitFor(() => expect(q('wizard-result')).not.toBeNull());
    expect(q('wizard-reattached')?.textContent).toBe('The history of Old lab is back.');
  });

  it('starts an empty history when the user declines the kept one', async () => {
    await render(inventory({ clusters: [], nodes: [], guests: [] }));
    await openWizard();
    fill();
    backend.ProbeCluster.mockResolvedValueOnce(probe);
    q('wizard-next')!.click();
    await settle();
    (q('wizard-confirm') as HTMLInputElement).click();
    flushSync();
    backend.FindKeptHistory.mockResolvedValueOnce([
      { id: 'c-0123456789ab', name: 'Old lab', clusterName: 'lab', nodes: ['pve1'], removedAt: 1, targets: 1 },
    ]);
    q('wizard-trust')!.click();
    await settle();
    const fresh = qa('wizard-history-option').find((o) => o.dataset.id === '')!;
    (fresh.querySelector('input') as HTMLInputElement).click();
    flushSync();
    backend.AddCluster.mockResolvedValueOnce(cluster({ id: 'c9', name: 'Lab', demo: false }));
    q('wizard-attach')!.click();
    await settle();
    expect(backend.AddCluster.mock.calls[0][0]).not.toHaveProperty('history');
    await vi.waitFor(() => expect(q('wizard-result')).not.toBeNull());
    expect(q('wizard-reattached')).toBeNull();
  });

  it('explains a missing keychain and clears the secret', async () => {
    await render(inventory({ clusters: [], nodes: [], guests: [] }));
    await openWizard();
    fill();
    backend.ProbeCluster.mockResolvedValueOnce(probe);
    q('wizard-next')!.click();
    await settle();
    (q('wizard-confirm') as HTMLInputElement).click();
    flushSync();
    backend.AddCluster.mockRejectedValueOnce({ code: 'keychain', message: 'x', params: { reason: 'unavailable' } });
    q('wizard-trust')!.click();
    await settle();
    expect(q('wizard-error')?.dataset.code).toBe('keychain');
    expect(q('wizard-error')?.textContent).toContain('GNOME Keyring (package gnome-keyring)');
    expect((q('wizard-secret') as HTMLInputElement).value).toBe('');
  });
});

describe('tree, filters and cluster management', () => {
  const two = () =>
    inventory({
      clusters: [cluster(), cluster({ id: 'c2', name: 'Lab', demo: false })],
      nodes: [node(), node({ name: 'pve2' }), node({ cluster: 'c2', name: 'lab1' })],
      guests: [
        ...inventory().guests,
        guest({ cluster: 'c2', vmid: 300, name: 'lab-vm', node: 'lab1', tags: ['lab'] }),
      ],
    });

  it('shows clusters → nodes → guests and filters the table by cluster or node', async () => {
    await render(two());
    expect(qa('tree-cluster').map((e) => e.dataset.cluster)).toEqual(['c1', 'c2']);
    expect(qa('tree-node')).toHaveLength(3);
    expect(qa('tree-guest')).toHaveLength(6);
    (document.querySelector('[data-testid="tree-cluster"][data-cluster="c2"]') as HTMLElement).click();
    flushSync();
    expect(qa('guest-row').map((r) => r.dataset.vmid)).toEqual(['300']);
    (document.querySelector('[data-testid="tree-node"][data-node="pve2"]') as HTMLElement).click();
    flushSync();
    expect(qa('guest-row').map((r) => r.dataset.vmid)).toEqual(['100']);
    (document.querySelector('[data-testid="tree-guest"][data-vmid="300"]') as HTMLElement).click();
    await settle();
    expect(q('guest-page')?.dataset.vmid).toBe('300');
  });

  it('filters by type and by a clicked tag chip', async () => {
    await render(two());
    expect([...(q('type-filter') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['all', 'qemu', 'lxc']);
    store.typeFilter = 'lxc'; // happy-dom's <select> binding is unreliable; the option exists
    flushSync();
    expect(qa('guest-row').map((r) => r.dataset.vmid)).toEqual(['105']);
    store.clearFilters();
    flushSync();
    (row(101).querySelector('[data-testid="tag-chip"][data-tag="web"]') as HTMLElement).click();
    flushSync();
    expect(qa('guest-row').map((r) => r.dataset.vmid)).toEqual(['101']);
  });

  it('edits and removes a cluster from its menu', async () => {
    await render(two());
    (document.querySelector('[data-testid="cluster-menu"][data-cluster="c2"]') as HTMLElement).click();
    flushSync();
    q('edit-cluster')!.click();
    flushSync();
    expect((q('edit-name') as HTMLInputElement).value).toBe('Lab');
    type('edit-name', 'Lab 2');
    type('edit-secret', SECRET);
    backend.UpdateCluster.mockResolvedValueOnce(cluster({ id: 'c2', name: 'Lab 2' }));
    backend.Inventory.mockResolvedValue(two());
    q('edit-save')!.click();
    await settle();
    expect(backend.UpdateCluster).toHaveBeenCalledWith('c2', 'Lab 2', SECRET);
    expect(q('edit-dialog')).toBeNull();

    (document.querySelector('[data-testid="cluster-menu"][data-cluster="c2"]') as HTMLElement).click();
    flushSync();
    q('remove-cluster')!.click();
    flushSync();
    const keep = q('keep-history') as HTMLInputElement;
    expect(keep.checked).toBe(true);
    keep.click();
    flushSync();
    q('remove-confirm')!.click();
    await settle();
    expect(backend.RemoveCluster).toHaveBeenCalledWith('c2', false);
  });
});

describe('certificate change', () => {
  it('shows a red banner and re-trusts only after an explicit confirmation', async () => {
    const changed = cluster({
      status: 'error',
      error: { code: 'fingerprint', message: 'x' },
      certChange: {
        url: 'https://pve1.example.com:8006',
        node: 'pve1',
        expected: 'AA:BB:CC:DD',
        actual: { ...probe.certificate, fingerprint: 'EE:FF:00:11' },
      },
    });
    await render(inventory({ clusters: [changed] }));
    const banner = q('cert-change')!;
    expect(banner.dataset.cluster).toBe('c1');
    expect(banner.textContent).toContain('The certificate of pve1 (pve1.example.com) changed');
    expect(q('cert-expected')?.textContent).toBe('AA:BB:CC:DD');
    expect(q('cert-actual')?.textContent).toBe('EE:FF:00:11');
    expect(banner.textContent).toContain('someone may be intercepting');
    // Actions are off while the cluster is stopped on that endpoint.
    row(105).querySelector<HTMLElement>('[data-testid="row-actions"]')!.click();
    flushSync();
    expect((q('action-start') as HTMLButtonElement).disabled).toBe(true);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    flushSync();

    q('retrust')!.click();
    flushSync();
    const ok = q('retrust-confirm') as HTMLButtonElement;
    expect(ok.disabled).toBe(true);
    (q('retrust-check') as HTMLInputElement).click();
    flushSync();
    backend.RetrustEndpoint.mockResolvedValueOnce(cluster());
    backend.Inventory.mockResolvedValue(inventory());
    ok.click();
    await settle();
    expect(backend.RetrustEndpoint).toHaveBeenCalledWith('c1', 'https://pve1.example.com:8006', 'EE:FF:00:11');
  });
});

describe('a cluster that moved', () => {
  const moved: Probe = { ...probe, endpoint: 'https://10.0.0.9:8006', host: '10.0.0.9:8006' };
  const lab = (over = {}) =>
    cluster({
      id: 'c2',
      name: 'Lab',
      demo: false,
      endpoint: 'https://pve1.example.com:8006',
      status: 'error',
      error: { code: 'unreachable', message: 'dial' },
      ...over,
    });

  async function moveTo(address: string) {
    expect(q('move-dialog')).not.toBeNull();
    expect((q('move-address') as HTMLInputElement).value).toBe('pve1.example.com:8006');
    type('move-address', address);
    backend.ProbeClusterAddress.mockResolvedValueOnce(moved);
    q('move-next')!.click();
    await settle();
    expect(backend.ProbeClusterAddress).toHaveBeenCalledWith('c2', address);
    expect(q('move-fingerprint')?.textContent).toBe(FP);
    const save = q('move-save') as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    (q('move-confirm') as HTMLInputElement).click();
    flushSync();
    expect(save.disabled).toBe(false);
    backend.UpdateClusterEndpoint.mockResolvedValueOnce(lab({ status: 'ok', error: undefined, endpoint: moved.endpoint }));
    backend.Inventory.mockResolvedValue(inventory({ clusters: [lab({ status: 'ok', error: undefined, endpoint: moved.endpoint })] }));
    save.click();
    await settle();
  }

  it('leads from the error banner of an unreachable cluster to a new address, confirmed like the wizard', async () => {
    await render(inventory({ clusters: [lab()] }));
    q('cluster-error-move')!.click();
    flushSync();
    await moveTo('10.0.0.9');
    expect(backend.UpdateClusterEndpoint).toHaveBeenCalledWith('c2', moved.endpoint, FP, '');
    expect(q('move-dialog')).toBeNull();
  });

  it('leads from a certificate change to the move, with a new secret when given', async () => {
    const changed = lab({
      error: { code: 'fingerprint', message: 'x' },
      certChange: { url: 'https://pve1.example.com:8006', node: 'pve1', expected: 'AA:BB', actual: { ...probe.certificate } },
    });
    await render(inventory({ clusters: [changed] }));
    q('cert-change-move')!.click();
    flushSync();
    type('move-secret', SECRET);
    await moveTo('10.0.0.9:8006');
    expect(backend.UpdateClusterEndpoint).toHaveBeenCalledWith('c2', moved.endpoint, FP, SECRET);
  });

  it('says when the address answers as another cluster', async () => {
    await render(inventory({ clusters: [lab()] }));
    (document.querySelector('[data-testid="cluster-menu"][data-cluster="c2"]') as HTMLElement).click();
    flushSync();
    q('move-cluster')!.click();
    flushSync();
    type('move-address', '10.0.0.9');
    backend.ProbeClusterAddress.mockResolvedValueOnce(moved);
    q('move-next')!.click();
    await settle();
    (q('move-confirm') as HTMLInputElement).click();
    flushSync();
    backend.UpdateClusterEndpoint.mockRejectedValueOnce({
      code: 'invalid',
      message: 'x',
      params: { field: 'address', reason: 'otherCluster', found: 'prod' },
    });
    q('move-save')!.click();
    await settle();
    expect(q('move-error-address')?.textContent).toBe('This server belongs to another cluster (prod). Add it as a new cluster instead.');
    expect(q('move-dialog')).not.toBeNull();
  });

  it('offers no move for the demo', async () => {
    await render(inventory({ clusters: [cluster({ status: 'error', error: { code: 'unreachable', message: 'x' } })] }));
    expect(q('cluster-error')).not.toBeNull();
    expect(q('cluster-error-move')).toBeNull();
    (document.querySelector('[data-testid="cluster-menu"][data-cluster="c1"]') as HTMLElement).click();
    flushSync();
    expect(q('edit-cluster')).not.toBeNull();
    expect(q('move-cluster')).toBeNull();
  });
});

describe('permissions', () => {
  it('disables actions the token cannot do, with the privilege and path', async () => {
    await render(inventory({ clusters: [cluster({ permissions: { '/': { 'VM.Audit': true } } })] }));
    row(105).querySelector<HTMLElement>('[data-testid="row-actions"]')!.click();
    flushSync();
    const start = q('action-start') as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    expect(start.dataset.reason).toBe('needs VM.PowerMgmt on /vms/105');
    expect(q('action-menu')?.textContent).toContain('needs VM.PowerMgmt on /vms/105');
    expect(q('no-permissions')).toBeNull();
  });

  it('explains an empty permission map with the role commands for this token', async () => {
    await render(inventory({ clusters: [cluster({ permissions: {}, tokenId: 'ops@pve!cecyber' })] }));
    const panel = q('no-permissions')!;
    expect(panel.textContent).toContain('privilege-separated');
    expect(q('role-commands')?.textContent).toContain("pveum acl modify / --tokens 'ops@pve!cecyber' --roles CecyberOperator");
    expect(panel.textContent).toContain('VM.Monitor, if you used it, no longer exists in 9');
  });
});

describe('power actions', () => {
  it('starts a stopped guest from its row menu and follows the task in a toast', async () => {
    await render(inventory());
    row(105).querySelector<HTMLElement>('[data-testid="row-actions"]')!.click();
    flushSync();
    const stop = q('action-stop') as HTMLButtonElement;
    expect(stop.disabled).toBe(true);
    expect(stop.dataset.reason).toBe('Only when running');
    expect(q('action-reset')).toBeNull(); // containers have no reset
    backend.GuestAction.mockResolvedValueOnce(task());
    (q('action-start') as HTMLButtonElement).click();
    await settle();
    expect(backend.GuestAction).toHaveBeenCalledWith('c1', 'lxc/105', 'start', {});
    expect(q('toast')?.dataset.status).toBe('running');
    expect(q('toast')?.textContent).toContain('Starting dns…');
    expect(q('tasks-toggle')?.dataset.running).toBe('1');
    // Busy while our task runs.
    row(105).querySelector<HTMLElement>('[data-testid="row-actions"]')!.click();
    flushSync();
    expect(q('action-start')?.dataset.reason).toBe('A task is already running on this guest');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));

    backend.emitTask(task({ status: 'ok', exitStatus: 'OK', endedAt: 1_700_000_001_000 }));
    flushSync();
    expect(q('toast')?.dataset.status).toBe('ok');
    expect(q('toast')?.textContent).toContain('dns started');
  });

  it('shows warnings and Proxmox errors verbatim, and offers a forced stop after a shutdown timeout', async () => {
    await render(inventory());
    tasksStore.apply(task({ upid: 'W', action: 'start', status: 'running' }));
    toasts.push({ kind: 'task', taskKey: 'W' });
    backend.emitTask(task({ upid: 'W', status: 'warnings', exitStatus: 'WARNINGS: 2' }));
    flushSync();
    const warn = document.querySelector('[data-testid="toast"][data-status="warnings"]')!;
    expect(warn.textContent).toContain('WARNINGS: 2');

    // Shutdown asks for a timeout first.
    row(101).querySelector<HTMLElement>('[data-testid="row-actions"]')!.click();
    flushSync();
    (q('action-shutdown') as HTMLButtonElement).click();
    flushSync();
    expect(q('confirm-dialog')?.textContent).toContain('web-01');
    expect((q('shutdown-timeout') as HTMLInputElement).value).toBe('60');
    backend.GuestAction.mockResolvedValueOnce(task({ upid: 'S', guestId: 'qemu/101', vmid: 101, guestName: 'web-01', action: 'shutdown' }));
    q('confirm-ok')!.click();
    await settle();
    expect(backend.GuestAction).toHaveBeenCalledWith('c1', 'qemu/101', 'shutdown', { timeout: 60 });
    backend.emitTask(
      task({ upid: 'S', guestId: 'qemu/101', vmid: 101, guestName: 'web-01', action: 'shutdown', status: 'error', exitStatus: 'VM quit/powerdown failed - got timeout' }),
    );
    flushSync();
    const failed = document.querySelector('[data-testid="toast"][data-status="error"]')!;
    expect(failed.textContent).toContain('Could not shut down web-01');
    expect(failed.textContent).toContain('VM quit/powerdown failed - got timeout');
    (failed.querySelector('[data-testid="force-stop"]') as HTMLElement).click();
    flushSync();
    expect(q('confirm-dialog')?.textContent).toContain('Stop web-01?');
    backend.GuestAction.mockResolvedValueOnce(task({ upid: 'F', guestId: 'qemu/101', action: 'stop' }));
    q('confirm-ok')!.click();
    await settle();
    expect(backend.GuestAction).toHaveBeenLastCalledWith('c1', 'qemu/101', 'stop', {});
  });

  it('says when a guest vanished', async () => {
    await render(inventory());
    backend.GuestAction.mockRejectedValueOnce({ code: 'notfound', message: 'gone' });
    row(105).querySelector<HTMLElement>('[data-testid="row-actions"]')!.click();
    flushSync();
    (q('action-start') as HTMLButtonElement).click();
    await settle();
    expect(q('toast')?.dataset.status).toBe('error');
    expect(q('toast')?.textContent).toContain('dns no longer exists on the cluster');
  });

  it('selects rows with shift and runs a confirmed bulk action', async () => {
    await render(inventory());
    const boxes = qa('select-row');
    boxes[0].click(); // 100
    flushSync();
    boxes[2].dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true })); // through 105
    flushSync();
    expect(q('bulk-bar')?.dataset.count).toBe('3');
    expect(q('bulk-bar')?.textContent).toContain('3 selected');
    backend.BulkAction.mockResolvedValueOnce([
      task({ upid: 'B1', guestId: 'qemu/100', vmid: 100, guestName: 'db-01', action: 'stop' }),
      task({ upid: '', guestId: 'qemu/101', vmid: 101, guestName: 'web-01', action: 'stop', status: 'error', error: { code: 'forbidden', message: 'x', detail: 'Permission check failed' } }),
    ]);
    (document.querySelector('[data-testid="bulk-bar"] [data-testid="action-stop"]') as HTMLElement).click();
    flushSync();
    const dialog = q('confirm-dialog')!;
    expect(dialog.textContent).toContain('Stop 2 guests?');
    expect(dialog.textContent).toContain('db-01');
    expect(dialog.textContent).toContain('1 selected guest cannot do this now');
    q('confirm-ok')!.click();
    await settle();
    expect(backend.BulkAction).toHaveBeenCalledWith(
      [
        { cluster: 'c1', guestId: 'qemu/100' },
        { cluster: 'c1', guestId: 'qemu/101' },
      ],
      'stop',
      {},
    );
    expect(qa('toast').map((t) => t.dataset.status).sort()).toEqual(['error', 'running']);
    expect(q('bulk-bar')).toBeNull();
  });

  it('lists tasks with their log on demand', async () => {
    backend.Tasks.mockResolvedValueOnce([task({ status: 'ok', exitStatus: 'OK' })]);
    await render(inventory());
    q('tasks-toggle')!.click();
    flushSync();
    expect(q('task-row')?.dataset.status).toBe('ok');
    (q('task-log-toggle') as HTMLElement).click();
    await settle();
    expect(backend.TaskLog).toHaveBeenCalledWith('c1', 'pve1', 'UPID:pve1:0001');
    expect(q('task-log')?.textContent).toContain('starting VM 101');
  });
});

describe('menus', () => {
  it('moves with the arrow keys, skips disabled items and gives focus back on Escape', async () => {
    await render(inventory());
    const kebab = row(105).querySelector<HTMLElement>('[data-testid="row-actions"]')!;
    kebab.focus();
    kebab.click();
    flushSync();
    const menu = q('action-menu')!;
    expect(kebab.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(q('action-start')); // the only enabled item for a stopped CT
    menu.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(q('action-start'));
    menu.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(q('action-menu')).toBeNull();
    expect(document.activeElement).toBe(kebab);
  });

  it('keeps the edit dialog\'s typed name across polls', async () => {
    await render(inventory());
    ui.clusterDialog = { kind: 'edit', cluster: 'c1' };
    flushSync();
    type('edit-name', 'Renamed');
    store.apply(inventory());
    flushSync();
    expect((q('edit-name') as HTMLInputElement).value).toBe('Renamed');
  });
});

describe('guest page', () => {
  it('opens on Enter, shows details and actions, and Escape returns', async () => {
    backend.GuestDetails.mockResolvedValue({
      guest: guest({ vmid: 110, name: 'backup-target', status: 'suspended', lock: 'backup' }),
      config: { cores: '4', memory: '4096' },
      tasks: [],
    });
    await render(inventory());
    const r = row(110);
    r.focus();
    r.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await settle();
    const page = q('guest-page')!;
    expect(page.dataset.vmid).toBe('110');
    expect(backend.GuestDetails).toHaveBeenCalledWith('c1', 'qemu/110');
    expect(q('guest-config')?.textContent).toContain('Memory');
    expect(page.textContent).toContain('Locked by an operation: backup');
    const resume = q('action-resume') as HTMLButtonElement;
    expect(resume.disabled).toBe(true);
    expect(resume.dataset.reason).toBe('Locked: backup');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    flushSync();
    expect(q('guest-page')).toBeNull();
    expect(q('inventory')).not.toBeNull();
  });
});
