// Failover on loopback: a three-node simulated cluster (build/bin/pvesim,
// every node on its own 127.0.0.x address with its own certificate) added
// through the wizard; its first node's listener is taken away, and the next
// poll reaches another node, pinned, with nothing dialled off this machine
// (stopAll fails the run if the app logged a refused non-loopback dial); the
// node's guests show their last reported status with its age.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  outDir, startDevApp, startSim, addClusterWithWizard, launchChromium, stopAll, output, simControl, openPage,
} from './harness.mjs';

let app;
let browser;
let page;
let sim;

const control = (cmd) => simControl(sim, cmd);

const isLoopback = (u) => /^https:\/\/(127\.\d+\.\d+\.\d+|\[::1\]):\d+$/.test(u);

before(async () => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session: run this test through app/secrets/testdata/with-keyring.sh (make test-e2e does)');
  }
  sim = await startSim(['-seed', '1', '-nodes', '3', '-control'], { stdin: 'pipe' });
  let url;
  ({ app, url } = await startDevApp([], { XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), 'cecyber-e2e-')) }));
  browser = await launchChromium();
  page = await openPage(browser, url);
});

after(async () => {
  await browser?.close();
  await stopAll();
});

test('the simulator names only loopback addresses, one per node', () => {
  assert.equal(sim.nodes.length, 3);
  const hosts = new Set(sim.nodes.map((n) => new URL(n.url).hostname));
  for (const n of sim.nodes) assert.ok(isLoopback(n.url), `${n.name} at ${n.url}`);
  if (process.platform === 'linux') assert.equal(hosts.size, 3, `nodes on ${[...hosts]}`);
});

test('taking the first node away fails over to another node within one poll', async (t) => {
  try {
    await addClusterWithWizard(page, 'Lab', sim);
    const inv = () => page.evaluate(() => window.go.app.App.Inventory());
    const before = (await inv()).clusters[0];
    assert.equal(before.endpoints.length, 3, JSON.stringify(before.endpoints));
    for (const e of before.endpoints) assert.ok(isLoopback(e.url), e.url);
    assert.equal(before.endpoints.find((e) => e.active)?.node, 'pve1');

    await control('node pve1 offline');
    // One poll, asked for now rather than waited for.
    const after = (await page.evaluate(() => window.go.app.App.Refresh())).clusters[0];
    assert.equal(after.status, 'ok', JSON.stringify(after.error));
    const active = after.endpoints.find((e) => e.active);
    assert.ok(active && active.node !== 'pve1', `active endpoint ${JSON.stringify(after.endpoints)}`);
    assert.ok(isLoopback(active.url), active.url);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count') === '24',
      null, { timeout: 20000 },
    );
    // The guests of the node that went away keep their last reported
    // status, with its age, not a blank.
    const badge = page.locator('[data-testid="guest-row"][data-vmid="101"] [data-testid="status-badge"]');
    await page.waitForFunction(
      () => / · /.test(document.querySelector('[data-testid="guest-row"][data-vmid="101"] [data-testid="status-badge"]')?.textContent ?? ''),
      null, { timeout: 10000 },
    );
    assert.equal(await badge.getAttribute('data-status'), 'running');
    assert.match((await badge.innerText()).trim(), /^Running · (now|\d+ ?(s|sec\.?|m|min\.?) ago)$/);
    assert.match(await page.locator('[data-testid="guest-row"][data-vmid="101"]').innerText(), /web-01/);
    await page.screenshot({ path: path.join(outDir, 'failover-loopback.png') });

    await control('node pve1 online');
    const back = (await page.evaluate(() => window.go.app.App.Refresh())).clusters[0];
    assert.equal(back.status, 'ok', JSON.stringify(back.error));
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});
