// A console end to end: the dev-tagged app on its demo cluster, real noVNC in
// headless Chromium through the real Go bindings and the loopback proxy, to
// the simulator's RFB server behind vncwebsocket. Opens a running VM's
// console, checks the canvas shows its screen, types at its login prompt and
// sees the echo, then closes the tab and sees the session end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { outDir, startDevApp, launchChromium, stopAll, output } from './harness.mjs';

let app;
let url;
let browser;
let page;
const sockets = [];
const pictures = mkdtempSync(path.join(tmpdir(), 'cecyber-pictures-'));

before(async () => {
  ({ app, url } = await startDevApp(['--demo'], { XDG_PICTURES_DIR: pictures }));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('websocket', (ws) => {
    if (ws.url().includes('/console/')) sockets.push(ws);
  });
  await page.goto(url);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count') === '24',
    null, { timeout: 20000 },
  );
});

after(async () => {
  await browser?.close();
  await stopAll();
});

// The canvas is read inside the page: shipping its pixels to Node would
// cost more time than the console itself takes to draw.

/** canvasStats counts distinct colours on the console canvas. */
function canvasStats() {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid="console-view"]:not([inert]) canvas');
    if (!c || !c.width || !c.height) return null;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return { w: c.width, h: c.height, colours: seen.size };
  });
}

/** keepCanvas remembers the canvas below its top rows (the clock) as a baseline. */
function keepCanvas(skipTop) {
  return page.evaluate((skip) => {
    const c = document.querySelector('[data-testid="console-view"]:not([inert]) canvas');
    window.__baseline = c.getContext('2d').getImageData(0, skip, c.width, c.height - skip).data;
  }, skipTop);
}

/** changedSinceKept counts pixels below the top rows that differ from the baseline. */
function changedSinceKept(skipTop) {
  return page.evaluate((skip) => {
    const c = document.querySelector('[data-testid="console-view"]:not([inert]) canvas');
    const d = c.getContext('2d').getImageData(0, skip, c.width, c.height - skip).data;
    const b = window.__baseline;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] !== b[i] || d[i + 1] !== b[i + 1] || d[i + 2] !== b[i + 2]) n++;
    return n;
  }, skipTop);
}

test('a running VM opens in a console tab and shows its screen', async (t) => {
  try {
    const row = page.locator('[data-testid="guest-row"][data-vmid="101"]');
    await row.locator('[data-testid="row-actions"]').click();
    const started = Date.now();
    await page.locator('[data-testid="action-console"]:visible').click();
    const view = page.locator('[data-testid="console-view"]:visible');
    await page.waitForSelector('[data-testid="console-view"][data-state="connected"]', { timeout: 15000 });
    // First frame: the canvas holds the guest's screen, not an empty surface.
    let stats;
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline) {
      stats = await canvasStats();
      if (stats && stats.colours > 2) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const firstFrameMs = Date.now() - started;
    t.diagnostic(`click_to_first_frame_ms=${firstFrameMs}`);
    assert.ok(stats && stats.colours > 2, `the console canvas shows the guest screen (${JSON.stringify(stats)})`);
    assert.equal(await view.getAttribute('data-state'), 'connected');
    // The page never sees a credential: the socket goes to our loopback proxy.
    assert.equal(sockets.length, 1);
    assert.match(sockets[0].url(), /^ws:\/\/127\.0\.0\.1:\d+\/console\/[A-Za-z0-9_-]+$/);
    await page.screenshot({ path: path.join(outDir, 'console.png') });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('typing at the console echoes at the guest login prompt', async () => {
  const canvas = page.locator('[data-testid="console-view"]:visible canvas');
  await canvas.click({ position: { x: 5, y: 5 } });
  await new Promise((r) => setTimeout(r, 400));
  const skip = 24; // the title bar with the clock
  await keepCanvas(skip);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(await changedSinceKept(skip), 0, 'nothing below the clock changes while idle');
  await page.keyboard.type('cecyber', { delay: 30 });
  let typed = 0;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && typed < 50) {
    await new Promise((r) => setTimeout(r, 100));
    typed = await changedSinceKept(skip);
  }
  assert.ok(typed >= 50, `typed characters appear on the guest screen (${typed} pixels changed)`);
  await page.screenshot({ path: path.join(outDir, 'console-typed.png') });
});

test('a screenshot of the console is saved as PNG', async () => {
  await page.locator('[data-testid="console-screenshot"]:visible').click();
  await page.waitForFunction(
    (dir) => document.body.innerText.includes(dir),
    path.join(pictures, 'Cecyber'), { timeout: 5000 },
  );
  const files = readdirSync(path.join(pictures, 'Cecyber'));
  assert.equal(files.length, 1);
  assert.match(files[0], /^cecyber-web-01-\d{8}-\d{6}\.png$/);
  const png = readFileSync(path.join(pictures, 'Cecyber', files[0]));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.ok(png.length > 2000, `a real screen, not an empty image (${png.length} bytes)`);
});

test('the console survives a guest reboot', async (t) => {
  try {
    const view = '[data-testid="console-view"]:not([inert])';
    await page.evaluate(() => window.go.app.App.GuestAction('demo', 'qemu/101', 'reboot', {}));
    // The guest going down ends the session; the window reconnects with a
    // fresh ticket once the guest is back.
    await page.waitForSelector(`${view}:not([data-state="connected"])`, { timeout: 15000 });
    await page.waitForSelector(`${view}[data-state="connected"]`, { timeout: 30000 });
    assert.ok(sockets.length >= 2, `a new console connection after the reboot (${sockets.length})`);
    const stats = await canvasStats();
    assert.ok(stats && stats.colours > 2, 'the screen is back after the reboot');
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('closing the console tab ends the session', async () => {
  const ws = sockets[sockets.length - 1];
  const closed = ws.isClosed() ? Promise.resolve() : new Promise((r) => ws.once('close', r));
  await page.locator('[data-testid="console-tab"] [data-testid="console-tab-close"]').first().click();
  await closed;
  assert.equal(await page.locator('[data-testid="console-tab"]').count(), 0);
});
