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
  outDir, startDevApp, startSim, addClusterWithWizard, launchChromium, stopAll, output, waitFor,
} from './harness.mjs';

let app;
let url;
let browser;
let page;
let configDir;
const sims = {};

async function startNamedSim(name, args) {
  sims[name] = await startSim(args);
  return sims[name];
}

before(async () => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session: run this test through app/secrets/testdata/with-keyring.sh (make test-e2e does)');
  }
  await startNamedSim('lab', ['-seed', '1']);
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
