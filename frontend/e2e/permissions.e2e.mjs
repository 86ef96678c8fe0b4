// A token without any permission on a 3-node simulated cluster: the wizard's
// conclusion says what Cecyber cannot see and why (never "a single node"),
// and the no-permission panel above the inventory folds to one line, which
// is remembered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { outDir, startDevApp, startSim, launchChromium, openPage, stopAll, output } from './harness.mjs';

let app;
let url;
let browser;
let sim;

before(async () => {
  sim = await startSim(['-nodes', '3', '-token', 'empty@pve!nothing']);
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
    await page.locator('[data-testid="add-cluster"]').first().click();
    await page.fill('[data-testid="wizard-name"]', 'Blind');
    await page.fill('[data-testid="wizard-address"]', sim.url);
    await page.fill('[data-testid="wizard-token-id"]', sim.tokenid);
    await page.fill('[data-testid="wizard-secret"]', sim.secret);
    await page.locator('[data-testid="wizard-next"]').click();
    await page.locator('[data-testid="wizard-confirm"]').check({ timeout: 20000 });
    await page.locator('[data-testid="wizard-trust"]').click();
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
