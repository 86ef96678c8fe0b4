// Every guest state Proxmox reports, end to end: a simulated cluster whose
// VMs are put in QMP states through its -control input (qmp VMID STATUS, as
// QEMU stops a VM on a disk error or a guest kernel panics) and one paused
// through the app, listed in the inventory with their own labels, in the
// error filter when they are errors, and offered Resume only when held.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  outDir, startDevApp, startSim, addClusterWithWizard, launchChromium, stopAll, output, simControl, openPage, waitFor,
} from './harness.mjs';

let app;
let browser;
let page;
let sim;

const control = (cmd) => simControl(sim, cmd);

// VMID → QMP status set through the simulator (running VMs of seed 1).
const qmp = { 107: 'io-error', 109: 'guest-panicked', 110: 'internal-error', 112: 'inmigrate', 115: 'prelaunch' };
const labels = {
  101: 'Paused', 107: 'I/O error', 109: 'Guest panicked', 110: 'Internal error', 112: 'Migrating in', 115: 'Starting',
  118: 'Running',
};

before(async () => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session: run this test through app/secrets/testdata/with-keyring.sh (make test-e2e does)');
  }
  sim = await startSim(['-seed', '1', '-control'], { stdin: 'pipe' });
  let url;
  ({ app, url } = await startDevApp([], { XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), 'cecyber-e2e-')) }));
  browser = await launchChromium();
  page = await openPage(browser, url);
});

after(async () => {
  await browser?.close();
  await stopAll();
});

const row = (vmid) => page.locator(`[data-testid="guest-row"][data-vmid="${vmid}"]`);

test('each QMP status has its own label in the inventory', async (t) => {
  try {
    await addClusterWithWizard(page, 'Lab', sim);
    await row(101).waitFor({ timeout: 20000 });
    for (const [vmid, status] of Object.entries(qmp)) await control(`qmp ${vmid} ${status}`);
    const cluster = (await page.evaluate(() => window.go.app.App.Inventory())).clusters[0].id;
    await page.evaluate((id) => window.go.app.App.GuestAction(id, 'qemu/101', 'suspend', {}), cluster);
    // The pause is a task (qmpause); poll until the inventory says paused.
    await waitFor('VM 101 paused', async () => {
      const inv = await page.evaluate(() => window.go.app.App.Refresh());
      return inv.guests.find((g) => g.vmid === 101)?.status === 'paused';
    }, 20000, 500);
    for (const [vmid, status] of Object.entries({ ...qmp, 101: 'paused', 118: 'running' })) {
      await page.waitForFunction(
        ([v, s]) => document.querySelector(`[data-testid="guest-row"][data-vmid="${v}"]`)?.getAttribute('data-status') === s,
        [vmid, status], { timeout: 10000 },
      );
      const badge = row(vmid).locator('[data-testid="status-badge"]');
      assert.equal(await badge.getAttribute('data-status'), status);
      assert.equal((await badge.innerText()).trim(), labels[vmid], `VM ${vmid} (${status})`);
    }
    await page.screenshot({ path: path.join(outDir, 'guest-states.png') });
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

test('Resume is offered for the paused VM only', async () => {
  for (const vmid of [101, 109, 110, 112, 118]) {
    await row(vmid).locator('[data-testid="row-actions"]').click();
    const resume = page.locator('[data-testid="action-menu"] [data-testid="action-resume"]');
    await resume.waitFor({ timeout: 5000 });
    assert.equal(await resume.isDisabled(), vmid !== 101, `Resume for VM ${vmid} (${labels[vmid]})`);
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="action-menu"]').waitFor({ state: 'detached', timeout: 5000 });
  }
});

test('the error filter lists the VMs QEMU stopped on an error or that panicked', async () => {
  await page.selectOption('[data-testid="status-filter"]', 'error');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="guest-row"]').length === 3, null, { timeout: 5000 });
  const shown = await page.locator('[data-testid="guest-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-vmid')));
  assert.deepEqual(shown.sort(), ['107', '109', '110']);
  await page.selectOption('[data-testid="status-filter"]', 'all');
});
