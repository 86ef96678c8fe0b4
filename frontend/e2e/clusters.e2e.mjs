// Adding real clusters end to end: two simulated Proxmox clusters (pvesim
// binaries over HTTPS), the dev-tagged app with a real Secret Service for the
// keychain and a fresh config directory, and headless Chromium driving the
// wizard, a power action, and a restricted token's disabled actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  outDir, startDevApp, startSim, simControl, addClusterWithWizard, trustInWizard, launchChromium, stopAll, output, waitFor,
} from './harness.mjs';

let app;
let url;
let browser;
let page;
let configDir;
const sims = {};

async function startNamedSim(name, args, options) {
  sims[name] = await startSim(args, options);
  return sims[name];
}

before(async () => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session: run this test through app/secrets/testdata/with-keyring.sh (make test-e2e does)');
  }
  // -control: the lab's nodes get new certificates in the moved-cluster test.
  await startNamedSim('lab', ['-seed', '1', '-control'], { stdin: 'pipe' });
  await startNamedSim('audit', ['-seed', '1', '-cluster', 'audit', '-token', 'auditor@pve!readonly']);
  configDir = mkdtempSync(path.join(tmpdir(), 'cecyber-e2e-'));
  ({ app, url } = await startDevApp([], { XDG_CONFIG_HOME: configDir }));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  await stopAll();
});

const addCluster = (name, sim) => addClusterWithWizard(page, name, sim);

test('the wizard adds a cluster after the fingerprint is confirmed', async (t) => {
  try {
    await addCluster('Lab', sims.lab);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count') === '24',
      null, { timeout: 20000 },
    );
    await page.screenshot({ path: path.join(outDir, 'clusters-added.png') });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('starting a stopped VM shows it running once the task ends', async (t) => {
  try {
    const row = page.locator('[data-testid="guest-row"][data-vmid="102"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'stopped');
    await row.locator('[data-testid="row-actions"]').click();
    await page.locator('[data-testid="action-start"]:visible').click();
    await page.locator('[data-testid="toast"]').first().waitFor({ timeout: 10000 });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="guest-row"][data-vmid="102"]')?.getAttribute('data-status') === 'running',
      null, { timeout: 30000 },
    );
    await page.waitForSelector('[data-testid="toast"][data-status="ok"]', { timeout: 10000 });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('a read-only token sees its actions disabled with the reason', async (t) => {
  try {
    await addCluster('Audit', sims.audit);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count') === '48',
      null, { timeout: 20000 },
    );
    const auditCluster = await page.locator('[data-testid="cluster-status"]').evaluateAll(
      (els) => els.map((e) => e.getAttribute('data-cluster')),
    );
    assert.equal(auditCluster.length, 2, 'two clusters side by side');
    // With two clusters each node carries its cluster's name; the node's own
    // name stays whole (the cluster's gives way).
    const cut = await page.locator('[data-testid="node-open"]').evaluateAll((els) =>
      els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
    assert.deepEqual(cut, [], 'node names cut in the overview');
    // Narrow the table to the audit cluster's stopped VM 102 and open its actions.
    await page.fill('[data-testid="search"]', 'k8s-worker-01');
    const rows = page.locator('[data-testid="guest-row"][data-vmid="102"]');
    await waitFor('two rows for VM 102', async () => (await rows.count()) === 2);
    let checked = 0;
    for (const row of await rows.all()) {
      await row.locator('[data-testid="row-actions"]').click();
      const start = page.locator('[data-testid="action-start"]:visible');
      await start.waitFor();
      const reason = await start.getAttribute('data-reason');
      if ((await row.getAttribute('data-status')) === 'stopped' && reason) {
        assert.ok(await start.isDisabled(), 'start must be disabled for the read-only token');
        assert.match(await page.locator('body').innerText(), /VM\.PowerMgmt/);
        await page.screenshot({ path: path.join(outDir, 'actions-disabled.png') });
        checked++;
      }
      await page.keyboard.press('Escape');
    }
    assert.equal(checked, 1, 'exactly the read-only cluster has a disabled start for VM 102');
    await page.screenshot({ path: path.join(outDir, 'clusters-restricted.png') });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

/** The times the History bound method (what the charts draw) has a CPU value at. */
function historyTimes(id, to) {
  return page.evaluate(
    async ({ id, to }) => {
      const s = await window.go.app.App.History(id, 'qemu/101', ['cpu'], to - 3600, to, 360);
      return s.times.filter((_, i) => s.columns.cpu[i] !== null);
    },
    { id, to },
  );
}

const clusterNamed = (name) =>
  page.evaluate(async (name) => (await window.go.app.App.Inventory()).clusters.find((c) => c.name === name), name);

test('a cluster reinstalled at another address is followed there and keeps its history', async (t) => {
  try {
    const lab = await clusterNamed('Lab');
    assert.ok(lab, 'the Lab cluster was added by the first test');
    const at = Math.floor(Date.now() / 1000);
    const before = await historyTimes(lab.id, at);
    assert.ok(before.length > 0, 'Lab has history before the move');

    // The nodes are reinstalled: new certificates. The window shows the change.
    for (const n of ['pve1', 'pve2', 'pve3']) await simControl(sims.lab, `cert ${n}`);
    const banner = page.locator(`[data-testid="cert-change"][data-cluster="${lab.id}"]`);
    await banner.waitFor({ timeout: 30000 });
    await page.screenshot({ path: path.join(outDir, 'moved-cert-change.png') });

    // ... and the cluster answers at another address now, with a new token secret.
    const moved = await startNamedSim('moved', ['-seed', '1']);
    assert.notEqual(moved.url, sims.lab.url);
    await banner.locator('[data-testid="cert-change-move"]').click();
    await page.locator('[data-testid="move-dialog"]').waitFor();
    await page.fill('[data-testid="move-address"]', moved.url);
    await page.fill('[data-testid="move-secret"]', moved.secret);
    await page.locator('[data-testid="move-next"]').click();
    const fp = page.locator('[data-testid="move-fingerprint"]');
    await fp.waitFor({ timeout: 20000 });
    // The user compares what the window shows with what the server presents, as when adding.
    assert.equal((await fp.innerText()).replace(/\s+/g, ''), moved.fingerprint.replace(/\s+/g, ''));
    const save = page.locator('[data-testid="move-save"]');
    assert.equal(await save.isDisabled(), true, 'moving must wait for the explicit confirmation');
    await page.screenshot({ path: path.join(outDir, 'moved-fingerprint.png') });
    await page.locator('[data-testid="move-confirm"]').check();
    await save.click();
    await page.locator('[data-testid="move-dialog"]').waitFor({ state: 'detached', timeout: 20000 });
    await banner.waitFor({ state: 'detached', timeout: 20000 });

    const after = await waitFor('Lab connected at its new address', async () => {
      const c = await clusterNamed('Lab');
      return c?.status === 'ok' && c.endpoint === moved.url ? c : null;
    });
    assert.equal(after.id, lab.id, 'the cluster keeps its ID');
    const kept = new Set(await historyTimes(lab.id, at));
    const lost = before.filter((ts) => !kept.has(ts));
    assert.deepEqual(lost, [], `the history from before the move is still there (${before.length} points)`);
    await page.screenshot({ path: path.join(outDir, 'moved-connected.png') });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('a cluster removed with its history kept takes it back when added again', async (t) => {
  try {
    const lab = await clusterNamed('Lab');
    const at = Math.floor(Date.now() / 1000);
    const before = await historyTimes(lab.id, at);
    assert.ok(before.length > 0, 'Lab has history before it is removed');

    await page.locator(`[data-testid="cluster-menu"][data-cluster="${lab.id}"]`).click();
    await page.locator('[data-testid="remove-cluster"]').click();
    assert.equal(await page.locator('[data-testid="keep-history"]').isChecked(), true, 'history is kept by default');
    await page.locator('[data-testid="remove-confirm"]').click();
    await waitFor('Lab removed', async () => !(await clusterNamed('Lab')));

    // Added again, the way a user does: the wizard recognises it after the fingerprint.
    const sim = sims.moved;
    await trustInWizard(page, 'Lab', sim);
    const offer = page.locator(`[data-testid="wizard-history-option"][data-id="${lab.id}"]`);
    await offer.waitFor({ timeout: 20000 });
    assert.equal(await offer.locator('input').isChecked(), true, 'taking the history back is offered first');
    await page.screenshot({ path: path.join(outDir, 'wizard-kept-history.png') });
    await page.locator('[data-testid="wizard-attach"]').click();
    await page.locator('[data-testid="wizard-reattached"]').waitFor({ timeout: 20000 });
    await page.locator('[data-testid="wizard-done"]').click();

    const again = await waitFor('Lab connected again', async () => {
      const c = await clusterNamed('Lab');
      return c?.status === 'ok' ? c : null;
    });
    assert.equal(again.id, lab.id, 'the cluster took its old ID back');
    const kept = new Set(await historyTimes(lab.id, at));
    const lost = before.filter((ts) => !kept.has(ts));
    assert.deepEqual(lost, [], `the history from before the removal is back (${before.length} points)`);
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('no token secret reaches the database file', () => {
  // The dev build keeps its own folder (see app/desktop/dev.go).
  const dir = path.join(configDir, 'Cecyber-dev');
  const files = readdirSync(dir);
  assert.ok(files.some((f) => f.startsWith('cecyber.db')), `database expected in ${dir}: ${files}`);
  for (const f of files) {
    const bytes = readFileSync(path.join(dir, f));
    for (const sim of Object.values(sims)) {
      assert.equal(bytes.includes(Buffer.from(sim.secret)), false, `${f} contains a token secret`);
    }
  }
});
