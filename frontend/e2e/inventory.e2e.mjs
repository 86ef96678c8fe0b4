// End to end through the real Go bindings: the dev-tagged binary runs the
// demo cluster (pvesim over HTTPS, token auth, pinned fingerprint) and serves
// the built UI to headless Chromium, which must show that cluster's inventory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { outDir, startDevApp, launchChromium, stopAll, output } from './harness.mjs';

// The demo cluster is pvesim with its defaults: 3 nodes, 24 guests, seed 1.
const demoGuests = 24;
const knownGuest = { vmid: '101', name: 'web-01', status: 'running' };

let app;
let url;
let browser;

before(async () => {
  ({ app, url } = await startDevApp(['--demo']));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopAll();
});

async function openPage(opts = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...opts });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  return page;
}

test('the window lists the demo cluster through real Go bindings', async (t) => {
  const page = await openPage();
  try {
    const count = page.locator('[data-testid="guest-count"]');
    await count.waitFor({ timeout: 20000 });
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count') === String(n),
      demoGuests, { timeout: 20000 },
    );
    assert.equal(await count.getAttribute('data-count'), String(demoGuests));

    const row = page.locator(`[data-testid="guest-row"][data-vmid="${knownGuest.vmid}"]`);
    await row.waitFor({ timeout: 5000 });
    assert.match(await row.innerText(), new RegExp(knownGuest.name));
    assert.equal(await row.getAttribute('data-status'), knownGuest.status);

    const status = page.locator('[data-testid="cluster-status"]').first();
    assert.equal(await status.getAttribute('data-status'), 'ok');

    // The bindings are the real ones: the backend says it runs the demo.
    const env = await page.evaluate(() => window.go.app.App.Environment());
    assert.equal(env.demo, true);
    await page.screenshot({ path: path.join(outDir, 'inventory-en.png') });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  } finally {
    await page.close();
  }
});

test('the window switches to Brazilian Portuguese and follows a dark OS theme', async () => {
  const page = await openPage({ colorScheme: 'dark' });
  try {
    await page.locator('[data-testid="guest-row"]').first().waitFor({ timeout: 20000 });
    await page.selectOption('[data-testid="language"]', 'pt-BR');
    await page.waitForFunction(() => document.documentElement.lang === 'pt-BR', null, { timeout: 5000 });
    const summary = await page.locator('[data-testid="guest-count"]').innerText();
    assert.match(summary, /em execução/, `summary in Portuguese expected, got ${summary}`);
    // The choice is kept: a reload stays in Portuguese.
    await page.reload();
    await page.locator('[data-testid="guest-row"]').first().waitFor({ timeout: 20000 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-BR');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 200, `dark theme background expected, got ${bg}`);
    await page.screenshot({ path: path.join(outDir, 'inventory-pt-BR-dark.png') });
  } finally {
    await page.close();
  }
});

test('a guest\'s live panel moves between polls', async () => {
  const page = await openPage();
  try {
    const row = page.locator('[data-testid="guest-row"][data-vmid="101"]');
    await row.waitFor({ timeout: 20000 });
    await row.dblclick();
    const panel = page.locator('[data-testid="live-panel"][data-vmid="101"]');
    await panel.waitFor({ timeout: 5000 });
    const value = (id) => panel.locator(`[data-testid="${id}"]`).getAttribute('data-value');
    // Rates need two polls; Refresh polls at once instead of waiting 10 s.
    await page.evaluate(() => window.go.app.App.Refresh());
    await new Promise((r) => setTimeout(r, 1100));
    await page.evaluate(() => window.go.app.App.Refresh());
    await page.waitForFunction(
      () => document.querySelector('[data-testid="live-netin"]')?.getAttribute('data-value') !== '',
      null, { timeout: 5000 },
    );
    const first = { cpu: await value('live-cpu'), netin: await value('live-netin'), uptime: await value('live-uptime') };
    await new Promise((r) => setTimeout(r, 1100));
    await page.evaluate(() => window.go.app.App.Refresh());
    await page.waitForFunction(
      (up) => document.querySelector('[data-testid="live-uptime"]')?.getAttribute('data-value') !== up,
      first.uptime, { timeout: 5000 },
    );
    const second = { cpu: await value('live-cpu'), netin: await value('live-netin') };
    assert.ok(Number(first.netin) >= 0 && first.netin !== '', `a network rate is shown (${first.netin})`);
    assert.ok(first.cpu !== second.cpu || first.netin !== second.netin, 'the live numbers move between polls');

    // The 24 h chart is drawn at once, from the day Proxmox's rrddata filled in.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="history-chart"][data-metric="cpu"]')?.getAttribute('data-points')) > 200,
      null, { timeout: 15000 },
    );
    await page.locator('[data-testid="history-panel"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(outDir, 'guest-live.png') });
  } finally {
    await page.close();
  }
});
