// A first start with no cluster configured: the window explains itself and
// offers the demo cluster, which one click opens through the real bindings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { outDir, startDevApp, launchChromium, stopAll } from './harness.mjs';

let browser;
after(async () => {
  await browser?.close();
  await stopAll();
});

test('with no cluster the window offers the demo, and one click opens it', async () => {
  const { url } = await startDevApp([], { LANG: 'pt_BR.UTF-8' });
  browser = await launchChromium('pt-BR');
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  const tryDemo = page.locator('[data-testid="try-demo"]');
  await tryDemo.waitFor({ timeout: 20000 });
  // The OS locale the backend reports (pt_BR) picks the language.
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-BR');
  assert.equal(await page.locator('[data-testid="guest-row"]').count(), 0);
  await page.screenshot({ path: path.join(outDir, 'empty-pt-BR.png') });

  await tryDemo.click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count') === '24',
    null, { timeout: 20000 },
  );
  assert.equal(await page.locator('[data-testid="cluster-status"]').first().getAttribute('data-status'), 'ok');
});
