// The hour chart is live: a simulated guest's CPU steps to 97 % and the 1 h
// view of its guest page shows the step by the next poll or so, with its
// last point at the last poll (not 5 to 8 minutes back on a 5-minute tier),
// though the cluster was added a minute ago and the earlier part of the
// hour comes from Proxmox's rrddata.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  outDir, startDevApp, startSim, addClusterWithWizard, launchChromium, openPage, stopAll, output, simControl, waitFor,
} from './harness.mjs';

// The default: one poll per raw 10 s bucket, so a bucket's average is one poll's sample.
const POLL_SECONDS = 10;

let app;
let url;
let browser;
let sim;

before(async () => {
  sim = await startSim(['-seed', '1', '-control'], { stdin: 'pipe' });
  ({ app, url } = await startDevApp([], { XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), 'cecyber-e2e-')) }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopAll();
});

test('the 1 h chart shows a CPU step within one poll, its last point at the last poll', async (t) => {
  const page = await openPage(browser, url);
  try {
    await addClusterWithWizard(page, 'Lab', sim);
    await page.locator('[data-testid="guest-row"][data-vmid="101"]').waitFor({ timeout: 20000 });

    await page.locator('[data-testid="guest-row"][data-vmid="101"] .guest-name').click();
    await page.locator('[data-testid="history-range"][data-range="1h"]').click();
    const cpu = page.locator('[data-testid="history-chart"][data-metric="cpu"]');
    await page.waitForSelector('[data-testid="history-chart"][data-metric="cpu"][data-last-time]', { timeout: 30000 });
    // Two polls of our own first, at a calm load.
    await simControl(sim, 'cpu 101 0.10');
    await page.waitForTimeout(2 * POLL_SECONDS * 1000);

    const stepped = Date.now();
    await simControl(sim, 'cpu 101 0.97');
    const seen = await waitFor('the step on the 1 h chart', async () => {
      const v = Number(await cpu.getAttribute('data-last-value'));
      return v >= 90 ? Date.now() : 0;
    }, 6 * POLL_SECONDS * 1000, 250);
    const after = seen - stepped;
    const lastTime = Number(await cpu.getAttribute('data-last-time'));
    const lag = Date.now() / 1000 - lastTime;
    const points = Number(await cpu.getAttribute('data-points'));
    t.diagnostic(`step_visible_after_ms=${after} (polls every ${POLL_SECONDS} s); last_point_age_s=${lag.toFixed(1)}; points=${points}`);
    await page.screenshot({ path: path.join(outDir, 'history-hour-live.png') });
    // The poll after the step (up to one interval away) and the re-read.
    assert.ok(after <= POLL_SECONDS * 1000 + 3000, `the step took ${after} ms to show`);
    // The newest point's bucket starts at most a bucket and a poll back.
    assert.ok(lag <= 2 * POLL_SECONDS, `the newest point is ${lag.toFixed(0)} s old`);
    // Raw 10 s buckets since the first poll, not 12 five-minute points.
    assert.ok(points > 12, `${points} points in the hour`);
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'history-failed.png') }).catch(() => {});
    t.diagnostic(output(app));
    throw e;
  } finally {
    await page.close();
  }
});
