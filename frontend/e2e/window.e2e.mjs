// The real Wails window (production build, WebKitGTK) under Xvfb on the demo
// cluster: it must open and draw the inventory, not a blank surface. The
// screenshot lands in build/out/window.png; look at it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  outDir, startXvfb, startApp, stopAll, waitFor, shot, imageStats, output, sleep,
} from './harness.mjs';

after(stopAll);

test('the real window opens and draws the demo inventory', async (t) => {
  const display = await startXvfb();
  // LANG=C.UTF-8, as on servers and in CI: WebKitGTK once left the window
  // blank there (navigator.languages = ["C"]).
  const app = startApp('build/bin/cecyber', ['--demo'], { DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: '' });
  try {
    await waitFor('the Cecyber window', () => {
      try {
        return execFileSync('xdotool', ['search', '--name', '^Cecyber$'], { env: { ...process.env, DISPLAY: display } })
          .toString().trim();
      } catch {
        return '';
      }
    }, 30000, 250);
    const file = path.join(outDir, 'window.png');
    // Drawn means many colours (text, status colours, bars) and no single
    // colour covering nearly everything, as a blank or empty window would.
    const stats = await waitFor('a drawn window', async () => {
      shot(display, file);
      const s = imageStats(file);
      return s.colours > 150 && s.topShare < 0.9 ? s : null;
    }, 30000, 500);
    await sleep(1500); // let the first poll's rows settle for the picture
    shot(display, file);
    t.diagnostic(`window.png: ${stats.colours} colours, commonest ${(stats.topShare * 100).toFixed(1)}%`);
    assert.ok(app.child.exitCode === null, 'the app exited early');
    // The webview draws without the GPU, so the main process needs no
    // OpenGL: desktop.SkipGLProbes keeps GTK and WebKit from loading the
    // Mesa driver and LLVM into it only to probe them (about 25 MB).
    const gl = [...new Set(readFileSync(`/proc/${app.child.pid}/maps`, 'utf8').split('\n')
      .map((l) => l.split(/\s+/)[5] ?? '')
      .filter((f) => /_dri\.so|libgallium|libLLVM|libGLX_mesa|libEGL_mesa/.test(f)))];
    assert.deepEqual(gl, [], 'the main process loaded an OpenGL driver');
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});

// Minimised, the app polls at the slower interval (60 s by default); shown
// again, at the normal one. A real window manager (openbox) iconifies the
// real window, and WebKitGTK tells the page it is hidden.
test('a minimised window polls slower until it is shown again', async (t) => {
  const display = await startXvfb();
  const env = { ...process.env, DISPLAY: display };
  startApp('/usr/bin/openbox', [], { DISPLAY: display });
  const app = startApp('build/bin/cecyber', ['--demo'], { DISPLAY: display, LANG: 'en_US.UTF-8' });
  const xdotool = (...args) => execFileSync('xdotool', args, { env }).toString().trim();
  try {
    const win = await waitFor('the managed Cecyber window', () => {
      try {
        return xdotool('search', '--onlyvisible', '--name', '^Cecyber$').split('\n')[0];
      } catch {
        return '';
      }
    }, 30000, 250);
    await sleep(2000); // the page is up and has reported itself visible
    xdotool('windowminimize', '--sync', win);
    await waitFor('the slow interval', () => /window visibility changed" hidden=true pollEvery=1m0s/.test(output(app)), 15000);
    try {
      xdotool('windowactivate', '--sync', win);
    } catch {
      // xdotool may complain about _NET_ACTIVE_WINDOW and still raise it
    }
    await waitFor('the normal interval', () => /window visibility changed" hidden=false pollEvery=10s/.test(output(app)), 15000);
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  }
});
