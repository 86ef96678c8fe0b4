// One pass over a Proxmox VE 8.4 cluster (pvesim -pve 8.4): the wizard
// connects to it, the inventory and a guest's live panel and history show
// what PVE 8.4 sends (no host-view memory, 30-minute history rows), and a
// VM's console opens although vncproxy answers no password (the ticket is
// the VNC password, as qemu-server 8.3 does it). The 9.1 passes of the same
// flows are clusters, inventory and console.e2e.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  outDir, startDevApp, startSim, addClusterWithWizard, launchChromium, stopAll, output,
} from './harness.mjs';

let app;
let url;
let browser;
let page;
let sim;

before(async () => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session: run this test through app/secrets/testdata/with-keyring.sh (make test-e2e does)');
  }
  sim = await startSim(['-seed', '1'], { pve: '8.4' });
  assert.equal(sim.version, '8.4.1');
  const configDir = mkdtempSync(path.join(tmpdir(), 'cecyber-e2e-pve84-'));
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

test('the wizard connects to a Proxmox VE 8.4 cluster and lists its guests', async (t) => {
  try {
    await addClusterWithWizard(page, 'Lab84', sim);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count') === '24',
      null, { timeout: 20000 },
    );
    const status = page.locator('[data-testid="cluster-status"]').first();
    assert.equal(await status.getAttribute('data-status'), 'ok');
    assert.match(await status.getAttribute('title'), /Proxmox VE 8\.4\.1/);
    const row = page.locator('[data-testid="guest-row"][data-vmid="101"]');
    assert.match(await row.innerText(), /web-01/);
    assert.equal(await row.getAttribute('data-status'), 'running');
    await page.screenshot({ path: path.join(outDir, 'pve84-inventory.png') });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('a guest\'s live panel and history work without PVE 9\'s figures', async (t) => {
  try {
    await page.locator('[data-testid="guest-row"][data-vmid="101"]').dblclick();
    const panel = page.locator('[data-testid="live-panel"][data-vmid="101"]');
    await panel.waitFor({ timeout: 5000 });
    // No memhost on 8.4: the host view is absent, not "0 B".
    assert.equal(await panel.locator('[data-testid="live-memhost"]').getAttribute('data-value'), '');
    assert.equal(await panel.locator('[data-testid="live-memhost"]').innerText(), '');
    assert.notEqual(await panel.locator('[data-testid="live-mem"]').getAttribute('data-value'), '');
    // The day's chart is drawn at once from PVE 8's 30-minute rows
    // (70 of them: the whole day), not left empty.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="history-chart"][data-metric="cpu"]')?.getAttribute('data-points')) > 40,
      null, { timeout: 15000 },
    );
    await page.screenshot({ path: path.join(outDir, 'pve84-guest.png') });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('a VM\'s console opens with the ticket as its VNC password', async (t) => {
  try {
    const sockets = [];
    page.on('websocket', (ws) => {
      if (ws.url().includes('/console/')) sockets.push(ws);
    });
    // From the guest page the previous test opened.
    await page.locator('[data-testid="guest-console"]:visible').click();
    await page.waitForSelector('[data-testid="console-view"][data-state="connected"]', { timeout: 15000 });
    let colours = 0;
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && colours <= 2) {
      colours = await page.evaluate(() => {
        const c = document.querySelector('[data-testid="console-view"]:not([inert]) canvas');
        if (!c || !c.width || !c.height) return 0;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
        return seen.size;
      });
      if (colours <= 2) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(colours > 2, `the console canvas shows the guest screen (${colours} colours)`);
    assert.equal(sockets.length, 1);
    await page.screenshot({ path: path.join(outDir, 'pve84-console.png') });
    await page.locator('[data-testid="console-tab"] [data-testid="console-tab-close"]').first().click();
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});
