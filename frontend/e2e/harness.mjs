// Shared plumbing for the end-to-end tests: a private X server, the real
// Cecyber binary, and Debian's Chromium driven by playwright-core. Every
// process started here is killed by stopAll(); PID 1 does not reap them.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const outDir = path.join(repo, 'build', 'out');
mkdirSync(outDir, { recursive: true });

const children = [];

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** waitFor polls fn until it returns a truthy value or the deadline passes. */
export async function waitFor(what, fn, timeoutMs = 20000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

function track(child, name) {
  const log = [];
  child.stdout?.on('data', (d) => log.push(String(d)));
  child.stderr?.on('data', (d) => log.push(String(d)));
  const entry = { child, name, log };
  children.push(entry);
  return entry;
}

/**
 * startXvfb starts a private X server and returns its display (":N"). Xvfb
 * picks a free display number itself and writes it to a pipe once it accepts
 * connections (-displayfd), so there are no fixed numbers, no lock files to
 * guess from and no race with other X servers starting at the same time.
 */
export async function startXvfb(size = '1280x800x24') {
  const x = track(
    spawn('Xvfb', ['-displayfd', '3', '-screen', '0', size, '-nolisten', 'tcp'], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    }),
    'Xvfb',
  );
  const display = await new Promise((resolve, reject) => {
    let got = '';
    const fail = (why) => reject(new Error(`Xvfb ${why}\n${output(x)}`));
    const timer = setTimeout(() => fail('did not report a display within 10 s'), 10000);
    x.child.stdio[3].on('data', (d) => {
      got += String(d);
      const m = got.match(/^(\d+)\n/);
      if (m) {
        clearTimeout(timer);
        resolve(`:${m[1]}`);
      }
    });
    x.child.once('error', (e) => {
      clearTimeout(timer);
      fail(`did not start: ${e.message}`);
    });
    x.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`exited (${signal ?? code}) before it reported a display`);
    });
  });
  x.child.stdio[3].destroy();
  return display;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * startApp runs a binary of the repo; its output is kept for failure reports.
 * Unless env names one, it gets a fresh config directory, so tests never see
 * or touch the user's own clusters.
 */
export function startApp(binary, args, env, { stdin = 'ignore' } = {}) {
  const bin = path.isAbsolute(binary) ? binary : path.join(repo, binary);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it first (make ${binary})`);
  const fullEnv = {
    ...process.env,
    // Every Proxmox connection of the app refuses anything but loopback,
    // and logs the refusal (see assertNoRefusedDials).
    CECYBER_LOOPBACK_ONLY: '1',
    XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), 'cecyber-config-')),
    XDG_STATE_HOME: mkdtempSync(path.join(tmpdir(), 'cecyber-state-')), // logs
    ...env,
  };
  return track(spawn(bin, args, { cwd: repo, env: fullEnv, stdio: [stdin, 'pipe', 'pipe'] }), binary);
}

export function output(entry) {
  return entry.log.join('').slice(-4000);
}

export async function httpReady(url) {
  return waitFor(url, async () => (await fetch(url)).ok, 20000, 100);
}

/** launchChromium starts Debian's Chromium headless; no browser download. */
export async function launchChromium(lang = 'en-US') {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--lang=${lang}`,
    ],
  });
}

/** shot captures the whole X screen as PNG with ImageMagick. */
export function shot(display, file) {
  execFileSync('import', ['-window', 'root', file], { env: { ...process.env, DISPLAY: display } });
  return file;
}

/** imageStats tells how much is drawn: distinct colours and the share of the commonest one. */
export function imageStats(file) {
  const colours = Number(execFileSync('convert', [file, '-format', '%k', 'info:']).toString().trim());
  const hist = execFileSync('convert', [file, '-format', '%c', 'histogram:info:-']).toString();
  let total = 0;
  let top = 0;
  for (const line of hist.split('\n')) {
    const m = line.match(/^\s*(\d+):/);
    if (!m) continue;
    const n = Number(m[1]);
    total += n;
    top = Math.max(top, n);
  }
  return { colours, topShare: total ? top / total : 1 };
}

/** The line a loopback-only app logs when it refuses to dial another host. */
export const REFUSED_DIAL = 'refused non-loopback dial';

/**
 * refusedDials lists the log lines, of every process started here, that
 * say a dial off this machine was refused: the tests must never even try.
 */
export function refusedDials() {
  const out = [];
  for (const { name, log } of children) {
    for (const line of log.join('').split('\n')) {
      if (line.includes(REFUSED_DIAL)) out.push(`${name}: ${line}`);
    }
  }
  return out;
}

/**
 * stopAll ends every process started here, then fails the run if any of
 * them logged a refused non-loopback dial.
 */
export async function stopAll() {
  for (const { child } of [...children].reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const done = new Promise((r) => child.once('exit', r));
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await done;
      clearTimeout(t);
    }
  }
  const refused = refusedDials();
  children.length = 0;
  if (refused.length > 0) {
    throw new Error(`a process tried to connect off this machine:\n${refused.join('\n')}`);
  }
}

/**
 * startDevApp runs the dev-tagged binary under its own X server and waits
 * until it serves the UI with live Go bindings at the returned url.
 */
export async function startDevApp(args, env = {}) {
  const display = await startXvfb();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const app = startApp('build/bin/cecyber-dev', args, {
    DISPLAY: display,
    devserver: `127.0.0.1:${port}`,
    assetdir: path.join(repo, 'frontend', 'dist'),
    LANG: 'en_US.UTF-8',
    ...env,
  });
  try {
    await httpReady(url);
  } catch (e) {
    throw new Error(`${e.message}\n${output(app)}`);
  }
  return { app, url, display };
}

/**
 * startSim runs a standalone simulated cluster (build/bin/pvesim) and returns
 * its banner ({ url, tokenid, secret, fingerprint, version }) and the process
 * entry, whose stdin takes -control commands when args ask for them.
 * options.pve chooses the Proxmox VE release it plays ('9.1', the default,
 * or '8.4').
 */
export async function startSim(args, options = {}) {
  const { pve, ...startOptions } = options;
  const release = pve ? ['-pve', pve] : [];
  const sim = startApp('build/bin/pvesim', ['-listen', '127.0.0.1:0', ...release, ...args], {}, startOptions);
  const banner = await waitFor('pvesim', () => {
    const first = sim.log.join('').split('\n').find((l) => l.startsWith('{'));
    return first ? JSON.parse(first) : null;
  }, 20000, 50);
  return { ...banner, process: sim };
}

/** simControl sends a -control command to a simulator started with it and waits for its "ok". */
export async function simControl(sim, cmd) {
  const before = sim.process.log.join('').split('\nok').length;
  sim.process.child.stdin.write(`${cmd}\n`);
  await waitFor(`pvesim: ${cmd}`, () => sim.process.log.join('').split('\nok').length > before, 5000, 20);
}

/** openPage opens the dev app's window in Chromium at 1280×800, reporting page errors. */
export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  return page;
}

/**
 * addClusterWithWizard adds a cluster the way a user does: the wizard, the
 * fingerprint compared with the simulator's, the explicit confirmation.
 */
export async function addClusterWithWizard(page, name, sim) {
  await trustInWizard(page, name, sim);
  await page.locator('[data-testid="wizard-done"]').waitFor({ timeout: 20000 });
  await page.locator('[data-testid="wizard-done"]').click();
}

/**
 * Opens the wizard, fills it in for sim, checks the fingerprint it shows and
 * trusts it: the wizard then shows what it found (the test goes on from there).
 */
export async function trustInWizard(page, name, sim) {
  await page.locator('[data-testid="add-cluster"]').first().click();
  await page.locator('[data-testid="wizard"]').waitFor();
  await page.fill('[data-testid="wizard-name"]', name);
  await page.fill('[data-testid="wizard-address"]', sim.url);
  await page.fill('[data-testid="wizard-token-id"]', sim.tokenid);
  await page.fill('[data-testid="wizard-secret"]', sim.secret);
  await page.locator('[data-testid="wizard-next"]').click();
  const fp = page.locator('[data-testid="wizard-fingerprint"]');
  await fp.waitFor({ timeout: 20000 });
  // The user compares what the window shows with what the server is known to present.
  assert.equal((await fp.innerText()).replace(/\s+/g, ''), sim.fingerprint.replace(/\s+/g, ''));
  await page.screenshot({ path: path.join(outDir, `wizard-fingerprint-${name}.png`) });
  const trust = page.locator('[data-testid="wizard-trust"]');
  assert.equal(await trust.isDisabled(), true, 'trust must wait for the explicit confirmation');
  await page.locator('[data-testid="wizard-confirm"]').check();
  await trust.click();
}
