// A token without any permission on a 3-node simulated cluster: the wizard's
// conclusion says what Cecyber cannot see and why (never "a single node"),
// and the no-permission panel above the inventory folds to one line, which
// is remembered. An action Proxmox refuses (a read-only token's start, 403)
// is in the Tasks panel as a failed task with Proxmox's message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  outDir, startDevApp, startSim, launchChromium, openPage, stopAll, output, addClusterWithWizard, trustInWizard,
} from './harness.mjs';

let app;
let url;
let browser;
let sim;
let readOnly;

before(async () => {
  sim = await startSim(['-nodes', '3', '-token', 'empty@pve!nothing']);
  readOnly = await startSim(['-nodes', '3', '-token', 'auditor@pve!readonly']);
  ({ app, url } = await startDevApp([]));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopAll();
});

test('a token without permissions: the wizard says what it cannot see, the panel folds', async (t) => {
  const page = await openPage(browser, url);
  try {
    await trustInWizard(page, 'Blind', sim);
    const result = page.locator('[data-testid="wizard-result"][data-blind="true"]');
    await result.waitFor({ timeout: 20000 });
    const text = await result.innerText();
    t.diagnostic(text);
    assert.doesNotMatch(text, /not part of a Proxmox cluster|^A single node/im);
    assert.match(text, /sees nothing/);
    assert.match(text, /Sys\.Audit on \/nodes/);
    assert.match(text, /VM\.Audit on \/vms/);
    await page.screenshot({ path: path.join(outDir, 'wizard-no-permissions.png') });
    await page.locator('[data-testid="wizard-done"]').click();

    const panel = page.locator('[data-testid="no-permissions"]');
    await panel.waitFor({ timeout: 20000 });
    const open = (await panel.boundingBox()).height;
    await page.locator('[data-testid="no-permissions-toggle"]').click();
    await page.waitForSelector('[data-testid="no-permissions"][data-collapsed="true"]');
    const folded = (await panel.boundingBox()).height;
    t.diagnostic(`no-permission panel: ${open} px open, ${folded} px folded`);
    assert.ok(open > 120, `the open panel shows the commands (${open} px)`);
    assert.ok(folded <= 48, `the folded panel is one line (${folded} px)`);
    assert.equal(await page.locator('[data-testid="role-commands"]').count(), 0);

    // Remembered: a new window of the same app opens it folded.
    await page.reload();
    await page.locator('[data-testid="no-permissions"][data-collapsed="true"]').waitFor({ timeout: 20000 });
    await page.locator('[data-testid="no-permissions-toggle"]').click();
    await page.locator('[data-testid="role-commands"]').waitFor();
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'permissions-failed.png') }).catch(() => {});
    t.diagnostic(output(app));
    throw e;
  } finally {
    await page.close();
  }
});

test('a start Proxmox refuses is a failed task with Proxmox\'s message in the Tasks panel', async (t) => {
  const page = await openPage(browser, url);
  try {
    await addClusterWithWizard(page, 'ReadOnly', readOnly);
    await page.locator('[data-testid="guest-row"][data-status="stopped"]').first().waitFor({ timeout: 20000 });
    const cluster = await page.locator('[data-testid="guest-row"][data-status="stopped"]').first().getAttribute('data-cluster');
    const vmid = await page.locator('[data-testid="guest-row"][data-status="stopped"]').first().getAttribute('data-vmid');
    const guests = await page.evaluate(() => window.go.app.App.Inventory());
    const guest = guests.guests.find((g) => g.cluster === cluster && String(g.vmid) === vmid);
    // The window holds the start back (no VM.PowerMgmt); a stale view would
    // send it, as the binding does here: Proxmox answers 403.
    const refused = await page.evaluate(
      ([c, id]) => window.go.app.App.GuestAction(c, id, 'start', {}).then(() => null, (e) => e),
      [cluster, guest.id],
    );
    assert.ok(refused, 'Proxmox refuses the start');
    // Nothing runs, but the toggle does not say 0: the refusal is counted,
    // in red, until the panel has shown it.
    const toggle = page.locator('[data-testid="tasks-toggle"]');
    await page.locator('[data-testid="tasks-toggle"][data-failed="1"]').waitFor({ timeout: 10000 });
    assert.equal(await toggle.locator('[data-testid="tasks-badge"]').innerText(), '1');
    assert.match(await toggle.locator('[data-testid="tasks-badge"]').getAttribute('class'), /\bfailed\b/);
    await page.locator('.topbar, header').first().screenshot({ path: path.join(outDir, 'tasks-badge-failed.png') });
    await toggle.click();
    const row = page.locator('[data-testid="tasks-panel"] [data-testid="task-row"][data-status="error"]');
    await row.first().waitFor({ timeout: 10000 });
    const text = await row.first().innerText();
    t.diagnostic(text);
    assert.match(text, new RegExp(guest.name));
    assert.match(text, /Permission check failed/);
    await page.screenshot({ path: path.join(outDir, 'tasks-refused.png') });
    await toggle.click();
    assert.equal(await toggle.getAttribute('data-failed'), '0', 'seen in the panel, no longer counted');
    // Still there after a reload: the list lives in Go; and still seen.
    await page.reload();
    await page.locator('[data-testid="tasks-toggle"]').click();
    await row.first().waitFor({ timeout: 10000 });
    assert.equal(await toggle.getAttribute('data-failed'), '0');
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'tasks-refused-failed.png') }).catch(() => {});
    t.diagnostic(output(app));
    throw e;
  } finally {
    await page.close();
  }
});
