// @vitest-environment happy-dom
// The first screen loads without noVNC and uPlot, and a page that cannot
// load says so instead of leaving a blank.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { flushSync, mount, unmount } from 'svelte';
import { describe, expect, it } from 'vitest';
import Lazy from '../components/Lazy.svelte';
import { setLocale } from './i18n/index.svelte';
import type { Loader } from './pages';

const src = path.resolve(__dirname, '..');

// staticImports walks the modules main.ts imports statically (import … from,
// not import()) and returns every package name it reaches.
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*import\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      const found = [base, `${base}.ts`, `${base}.svelte.ts`].find((f) => existsSync(f) && !f.endsWith('.css'));
      if (found && /\.(ts|svelte)$/.test(found)) walk(found);
    }
  };
  walk(entry);
  return packages;
}

describe('first screen', () => {
  it('reaches neither noVNC nor uPlot through static imports', () => {
    const packages = staticImports(path.join(src, 'main.ts'));
    expect(packages.has('svelte')).toBe(true); // the walk does reach packages
    expect([...packages].filter((p) => p.startsWith('@novnc/') || p === 'uplot')).toEqual([]);
  });

  it('would notice a static import of the console', () => {
    // The same walk from the console component does find noVNC.
    const packages = staticImports(path.join(src, 'components', 'ConsoleView.svelte'));
    expect([...packages].some((p) => p.startsWith('@novnc/'))).toBe(true);
  });
});

describe('Lazy', () => {
  it('says so when a page cannot load', async () => {
    setLocale('en');
    const load: Loader<never> = () => Promise.reject(new Error('chunk missing'));
    const app = mount(Lazy, { target: document.body, props: { load, props: {} } });
    flushSync();
    await Promise.resolve();
    await Promise.resolve();
    flushSync();
    expect(document.body.querySelector('[role="alert"]')?.textContent).toBe(
      'This part of the window did not load (chunk missing). Restart Cecyber; if it happens again, reinstall it.',
    );
    unmount(app);
  });
});
