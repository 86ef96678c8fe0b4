// Every screen at 1280×720 and 1920×1080, in English and Portuguese, light
// and dark, through the real Go bindings on the demo cluster: the PNGs go to
// build/out/screenshots/ for a person to look at; `make screenshots` runs
// this file with CECYBER_SCREENSHOTS=build/screenshots to refresh the
// committed set the README lists (a test run leaves the tree clean). At 1280×720, in both languages, the inventory has no horizontal
// scrollbar, names and tags are not cut, and the guest page's action bar
// is one row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repo, startDevApp, launchChromium, stopAll, output } from './harness.mjs';

const shotsDir = path.resolve(repo, process.env.CECYBER_SCREENSHOTS || path.join('build', 'out', 'screenshots'));
mkdirSync(shotsDir, { recursive: true });

let app;
let url;
let browser;

before(async () => {
  ({ app, url } = await startDevApp(['--demo']));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stopAll();
});

async function open({ width, height, lang, theme }) {
  const context = await browser.newContext({ viewport: { width, height }, locale: lang, colorScheme: theme });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  await page.locator('[data-testid="language"]').selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: 5000 }).catch(() => {});
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count')) > 0,
    null, { timeout: 20000 },
  );
  await page.locator('[data-testid="guest-row"]').first().waitFor();
  return { context, page };
}

/** save writes a screenshot as an 8-bit palette PNG (a third of the bytes) and returns its size. */
async function save(page, name) {
  const file = path.join(shotsDir, `${name}.png`);
  await page.screenshot({ path: file });
  execFileSync('convert', [file, '-strip', '-colors', '256', `PNG8:${file}`]);
  return statSync(file).size;
}

async function openGuest(page, vmid = '101') {
  await page.locator(`[data-testid="guest-row"][data-vmid="${vmid}"] .guest-name`).click();
  await page.locator('[data-testid="guest-page"]').waitFor();
  await page.waitForSelector('[data-testid="guest-page"] [data-testid="history-panel"][aria-busy="false"] .uplot', { timeout: 30000 });
  await page.locator('[data-testid="guest-config"]').waitFor({ timeout: 20000 });
}

async function back(page) {
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="inventory"]').waitFor();
}

/** What a person at a 1280×720 window would trip over, measured in the page. */
async function layoutAt(page) {
  return page.evaluate(() => {
    const table = document.querySelector('[data-testid="inventory"]')?.closest('.table') ?? document.querySelector('.table');
    const cut = (sel) =>
      [...document.querySelectorAll(sel)]
        .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
        .map((el) => el.textContent.trim());
    return {
      doc: { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth },
      table: table ? { scroll: table.scrollWidth, client: table.clientWidth } : null,
      cutNames: cut('[data-testid="guest-row"] .guest-name'),
      cutTags: cut('[data-testid="tag-chip"]'),
      // A cell whose content is wider than the cell is clipped (tags, figures).
      cutCells: [...document.querySelectorAll('[data-testid="guest-row"] .cell')]
        .filter((el) => {
          if (el.classList.contains('name')) return false;
          if (el.scrollWidth > el.clientWidth + 1) return true;
          // Right-aligned figures overflow to the left, which scrollWidth does not count.
          const box = el.getBoundingClientRect();
          return [...el.querySelectorAll('*')].some((c) => {
            const r = c.getBoundingClientRect();
            return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1);
          });
        })
        .map((el) => `${el.className.replace(/\bcell\b|svelte-\w+/g, '').trim()}: ${el.textContent.trim()}`),
      // A filter menu too narrow for the option it shows.
      cutSelects: [...document.querySelectorAll('.toolbar select')]
        .filter((el) => {
          const probe = document.createElement('span');
          probe.style.cssText = `position:absolute;visibility:hidden;white-space:nowrap;font:${getComputedStyle(el).font}`;
          probe.textContent = el.selectedOptions[0]?.textContent ?? '';
          document.body.append(probe);
          const need = probe.getBoundingClientRect().width;
          probe.remove();
          return need > el.clientWidth - 28; // the arrow and the padding
        })
        .map((el) => el.selectedOptions[0]?.textContent),
      rowWidth: Math.max(...[...document.querySelectorAll('[data-testid="inventory"] [role="row"]')].map((r) => r.scrollWidth)),
      cutHeaders: cut('[role="columnheader"] .sort > span:first-child'),
      cutStatus: cut('[data-testid="guest-row"] .status > *'),
      // The template mark is whole or the row is wrong: never a sliver
      // clipped by the name cell.
      templateBadges: document.querySelectorAll('[data-testid="template-badge"]').length,
      cutTemplateBadges: [...document.querySelectorAll('[data-testid="template-badge"]')]
        .filter((el) => {
          const b = el.getBoundingClientRect();
          const c = el.closest('.cell').getBoundingClientRect();
          return el.scrollWidth > el.clientWidth + 1 || b.right > c.right + 1;
        })
        .map((el) => el.closest('[data-testid="guest-row"]')?.dataset.vmid),
    };
  });
}

for (const lang of ['en', 'pt-BR']) {
  test(`1280×720 ${lang}: no horizontal scrollbar, nothing cut, one row of actions`, async (t) => {
    const { context, page } = await open({ width: 1280, height: 720, lang, theme: 'light' });
    try {
      const l = await layoutAt(page);
      t.diagnostic(JSON.stringify(l));
      assert.ok(l.table, 'the inventory table is on screen');
      assert.ok(l.table.scroll <= l.table.client, `inventory scrolls sideways: ${l.table.scroll} > ${l.table.client}`);
      assert.ok(l.doc.scroll <= l.doc.client, `the page scrolls sideways: ${l.doc.scroll} > ${l.doc.client}`);
      assert.ok(l.rowWidth <= l.table.client, `rows are ${l.rowWidth} px wide in a ${l.table.client} px table`);
      assert.deepEqual(l.cutCells, [], 'cells clipped');
      assert.deepEqual(l.cutSelects, [], 'filter menus cut');
      assert.deepEqual(l.cutNames, [], 'guest names cut');
      assert.deepEqual(l.cutHeaders, [], 'column headers cut');
      assert.deepEqual(l.cutStatus, [], 'statuses cut');
      assert.deepEqual(l.cutTags, [], 'tags cut');
      assert.ok(l.templateBadges > 0, 'the demo template is on screen, so its mark was measured');
      assert.deepEqual(l.cutTemplateBadges, [], 'template marks cut');

      await openGuest(page);
      const bar = await page.locator('[data-testid="guest-actions"]').evaluate((el) => {
        const buttons = [...el.querySelectorAll('button')];
        const tops = new Set(buttons.map((b) => Math.round(b.getBoundingClientRect().top)));
        return {
          rows: tops.size,
          height: el.getBoundingClientRect().height,
          button: buttons[0].getBoundingClientRect().height,
          cut: buttons.filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => b.textContent.trim()),
          scroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        };
      });
      t.diagnostic(JSON.stringify(bar));
      assert.equal(bar.rows, 1, 'the action bar wraps');
      assert.ok(bar.height < bar.button * 1.5, `the action bar is ${bar.height} px tall for ${bar.button} px buttons`);
      assert.deepEqual(bar.cut, [], 'action labels cut');
      assert.ok(bar.scroll <= 0, 'the guest page scrolls sideways');
    } catch (e) {
      await page.screenshot({ path: path.join(repo, 'build', 'out', `layout-1280-${lang}.png`) }).catch(() => {});
      t.diagnostic(output(app));
      throw e;
    } finally {
      await context.close();
    }
  });
}

test('a node filter set from the tree shows as a chip and clears from it', async (t) => {
  const { context, page } = await open({ width: 1280, height: 720, lang: 'en', theme: 'light' });
  try {
    const total = Number(await page.locator('[data-testid="guest-count"]').getAttribute('data-count'));
    assert.equal(await page.locator('[data-testid="filter-chip"]').count(), 0);
    await page.locator('[data-testid="tree-node"][data-node="pve2"]').click();
    const chip = page.locator('[data-testid="filter-chip"][data-kind="node"]');
    await chip.waitFor({ timeout: 5000 });
    assert.match(await chip.innerText(), /pve2/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="guest-row"]').length > 0);
    const nodes = await page.locator('[data-testid="guest-row"] .node-name').allInnerTexts();
    assert.ok(nodes.every((n) => n === 'pve2'), `only pve2's guests: ${nodes}`);
    await page.screenshot({ path: path.join(repo, 'build', 'out', 'filter-chip.png') });
    await page.locator('[data-testid="filter-chip-clear"]').click();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="filter-chip"]').length === 0 &&
        !document.querySelector('[data-testid="guest-shown"]') &&
        Number(document.querySelector('[data-testid="guest-count"]')?.getAttribute('data-count')) === n,
      total, { timeout: 5000 },
    );
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  } finally {
    await context.close();
  }
});

test('a guest\'s configuration reads as Hardware and Options, the raw list a toggle away', async (t) => {
  const { context, page } = await open({ width: 1280, height: 720, lang: 'en', theme: 'light' });
  try {
    await openGuest(page, '101');
    const config = page.locator('[data-testid="guest-config"][data-view="grouped"]');
    await config.waitFor();
    const hardware = await page.locator('[data-testid="config-group"][data-group="hardware"]').innerText();
    const options = await page.locator('[data-testid="config-group"][data-group="options"]').innerText();
    t.diagnostic(`${hardware}\n${options}`);
    assert.match(hardware, /Processors/);
    assert.match(hardware, /Memory\s+2\sGiB/);
    assert.match(hardware, /Hard disk \(scsi0\)\s+vm-101-disk-0 on local-lvm · \d+\sGiB/);
    assert.match(hardware, /Network device \(net0\)\s+bridge vmbr0 · .*MAC [0-9A-F:]{17}/);
    assert.match(options, /Boot order\s+scsi0, ide2, net0/);
    assert.match(options, /QEMU Guest Agent\s+Enabled/);
    assert.doesNotMatch(hardware + options, /smbios1|vmgenid/);
    await page.locator('[data-testid="config-group"][data-group="hardware"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(repo, 'build', 'out', 'guest-config.png') });
    await page.locator('[data-testid="config-raw-toggle"]').click();
    const raw = await page.locator('[data-testid="guest-config"][data-view="raw"]').innerText();
    assert.match(raw, /scsi0\s+local-lvm:vm-101-disk-0/);
    assert.match(raw, /smbios1/);
  } catch (e) {
    t.diagnostic(output(app));
    throw e;
  } finally {
    await context.close();
  }
});

const SIZES = [
  { width: 1280, height: 720, screens: ['inventory', 'guest', 'node', 'alerts', 'settings', 'wizard'] },
  { width: 1920, height: 1080, screens: ['inventory', 'guest', 'node'] },
];

for (const { width, height, screens } of SIZES) {
  for (const lang of ['en', 'pt-BR']) {
    for (const theme of ['light', 'dark']) {
      test(`screenshots ${width}x${height} ${lang} ${theme}`, async (t) => {
        const { context, page } = await open({ width, height, lang, theme });
        const tag = `${width}x${height}-${lang}-${theme}`;
        try {
          for (const screen of screens) {
            switch (screen) {
              case 'inventory':
                await save(page, `inventory-${tag}`);
                break;
              case 'guest':
                await openGuest(page);
                await save(page, `guest-${tag}`);
                await back(page);
                break;
              case 'node':
                await page.locator('[data-testid="node-open"]').first().click();
                await page.waitForSelector('[data-testid="node-page"] [data-testid="history-panel"][aria-busy="false"] .uplot', { timeout: 30000 });
                await save(page, `node-${tag}`);
                await back(page);
                break;
              case 'alerts':
                await page.locator('[data-testid="alerts-bell"]').click();
                await page.locator('[data-testid="alerts-tab"]').first().waitFor();
                await save(page, `alerts-${tag}`);
                await back(page);
                break;
              case 'settings':
                await page.locator('[data-testid="app-menu"]').click();
                await page.locator('[data-testid="menu-settings"]').click();
                await page.locator('[data-testid="settings-page"]').waitFor();
                await save(page, `settings-${tag}`);
                await back(page);
                break;
              case 'wizard':
                await page.locator('[data-testid="add-cluster"]').first().click();
                await page.locator('[data-testid="wizard"]').waitFor();
                await save(page, `wizard-${tag}`);
                await page.keyboard.press('Escape');
                break;
            }
          }
        } catch (e) {
          await page.screenshot({ path: path.join(shotsDir, `..`, 'out', `failed-${tag}.png`) }).catch(() => {});
          t.diagnostic(output(app));
          throw e;
        } finally {
          await context.close();
        }
      });
    }
  }
}
