// Start-up failures are shown, not swallowed: the dev-tagged binary starts
// with its config folder on a read-only file system, then on a full one (a
// real tmpfs of 512 KiB, mounted in a mount namespace of its own by
// `unshare -rm`, so no root is needed), and its window must say what failed
// and what to do; the log says it too. Chromium reads the same window
// through the dev server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  repo, outDir, startXvfb, startApp, stopAll, waitFor, shot, output, freePort, httpReady, launchChromium, openPage,
} from './harness.mjs';

after(stopAll);

const prepare = {
  // A folder the app may not write: the whole file system is read-only.
  readOnly: 'mount -t tmpfs -o size=1m tmpfs "$XDG_CONFIG_HOME" && mkdir "$XDG_CONFIG_HOME/Cecyber-dev" && mount -o remount,ro "$XDG_CONFIG_HOME"',
  // A folder on a disk with no space left.
  full: 'mount -t tmpfs -o size=512k tmpfs "$XDG_CONFIG_HOME" && mkdir "$XDG_CONFIG_HOME/Cecyber-dev" && { dd if=/dev/zero of="$XDG_CONFIG_HOME/filler" bs=4k 2>/dev/null || true; }',
};

function canUnshare() {
  try {
    execFileSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt']);
    return true;
  } catch {
    return false;
  }
}

for (const [kind, code, words] of [
  ['readOnly', 'startupReadOnly', 'Cecyber cannot write to its folder'],
  ['full', 'startupFull', 'is full'],
]) {
  test(`a ${kind} config folder opens a window that says so`, { skip: !canUnshare() && 'unshare -rm cannot mount a tmpfs here' }, async (t) => {
    const display = await startXvfb();
    const port = await freePort();
    const config = mkdtempSync(path.join(tmpdir(), 'cecyber-config-'));
    const state = mkdtempSync(path.join(tmpdir(), 'cecyber-state-'));
    const bin = path.join(repo, 'build/bin/cecyber-dev');
    if (!existsSync(bin)) throw new Error(`${bin} is missing: make build/bin/cecyber-dev`);
    const app = startApp('/usr/bin/unshare', ['-rm', 'sh', '-c', `${prepare[kind]} && exec "$@"`, 'sh', bin], {
      DISPLAY: display,
      XDG_CONFIG_HOME: config,
      XDG_STATE_HOME: state,
      devserver: `127.0.0.1:${port}`,
      assetdir: path.join(repo, 'frontend', 'dist'),
      LANG: 'en_US.UTF-8',
    });
    let browser;
    try {
      await httpReady(`http://127.0.0.1:${port}/`);
      browser = await launchChromium();
      const page = await openPage(browser, `http://127.0.0.1:${port}/`);
      const panel = page.locator('[data-testid="startup-failure"]');
      await panel.waitFor({ timeout: 20000 });
      assert.equal(await panel.getAttribute('data-code'), code);
      const text = await panel.innerText();
      t.diagnostic(text.replace(/\s+/g, ' '));
      assert.ok(text.includes(words), `the window says ${JSON.stringify(text)}`);
      assert.ok(text.includes(path.join(config, 'Cecyber-dev')), 'the window names the folder');
      // The real window is up too, and the log has the reason.
      await waitFor('the Cecyber window', () => {
        try {
          return execFileSync('xdotool', ['search', '--name', '^Cecyber$'], { env: { ...process.env, DISPLAY: display } })
            .toString().trim();
        } catch {
          return '';
        }
      }, 20000, 250);
      await page.screenshot({ path: path.join(outDir, `startup-${kind}.png`) });
      shot(display, path.join(outDir, `startup-${kind}-window.png`));
      // The log file says it too, and no bound call's result (a console
      // URL's token) is logged.
      const logs = path.join(state, 'cecyber', 'logs', 'dev');
      const log = readdirSync(logs).map((f) => readFileSync(path.join(logs, f), 'utf8')).join('');
      assert.match(log, new RegExp(`start-up failed.*code=${code}`));
      assert.doesNotMatch(output(app), /json call result/);
      assert.equal(app.child.exitCode, null, 'the app exited instead of showing why');
    } catch (e) {
      t.diagnostic(output(app));
      throw e;
    } finally {
      await browser?.close();
    }
  });
}
