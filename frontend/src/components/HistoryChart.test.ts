// @vitest-environment happy-dom
// The history section against a stubbed backend and a fake uPlot (happy-dom
// has no 2D canvas): hooks, ranges, avg/max, drag-to-zoom and its reset, CSV
// export, theme and locale rebuilds, and teardown.
import { flushSync, mount, unmount } from 'svelte';
import type uPlot from 'uplot';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Series } from '../lib/types';
import { backend } from '../test/fakebackend';

vi.mock('uplot', async () => (await import('../test/uplot')).uplotModule);

const { FakePlot } = await import('../test/uplot');
const { default: HistoryPanel } = await import('./HistoryPanel.svelte');
const { setLocale } = await import('../lib/i18n/index.svelte');
const { setThemePref } = await import('../lib/theme.svelte');
const { POLL_THROTTLE_MS } = await import('../lib/history.svelte');
const { reactiveProps } = await import('../test/props.svelte');

const T0 = 1_700_000_000;
const SERIES: Series = {
  times: [T0, T0 + 60, T0 + 120],
  columns: {
    cpu: [0.25, null, 0.5],
    cpu_max: [0.5, null, 1],
    mem: [1024, 2048, 4096],
    maxmem: [8192, 8192, 8192],
    netin: [10, null, null],
    netout: [null, null, null],
  },
  step: 60,
  tier: 'raw',
};

let component: ReturnType<typeof mount> | null = null;

async function settle() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  flushSync();
}

async function render(polledAt = 1) {
  component = mount(HistoryPanel, {
    target: document.body,
    props: { cluster: 'c1', targetId: 'qemu/101', name: 'web-01', polledAt },
  });
  await settle();
}

const all = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const chartEl = (metric: string) => document.querySelector<HTMLElement>(`[data-testid="history-chart"][data-metric="${metric}"]`)!;
const plotFor = (metric: string) => {
  const el = chartEl(metric);
  return FakePlot.instances.filter((p) => !p.destroyed && el.contains(p.target!)).at(-1)!;
};

beforeEach(() => {
  FakePlot.reset();
  setLocale('en');
  setThemePref('light');
  backend.History.mockReset();
  backend.History.mockResolvedValue(SERIES);
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
  vi.restoreAllMocks();
});

describe('HistoryPanel', () => {
  it('draws four charts with the points they hold', async () => {
    await render();
    expect(all('history-chart').map((c) => c.dataset.metric)).toEqual(['cpu', 'mem', 'disk', 'net']);
    expect(chartEl('cpu').dataset.points).toBe('2');
    expect(chartEl('mem').dataset.points).toBe('6');
    expect(chartEl('disk').dataset.points).toBe('0');
    expect(chartEl('net').dataset.points).toBe('1');
    expect(plotFor('cpu').data).toEqual([[T0, T0 + 60, T0 + 120], [25, null, 50]]);
    expect(chartEl('disk').textContent).toContain('No data recorded');
    expect(plotFor('cpu').opts.series[1].spanGaps).toBe(false);
    expect(plotFor('mem').opts.series[2].dash).toEqual([6, 4]);
  });

  it('offers the five ranges, 24 h pressed, and re-reads on a click', async () => {
    await render();
    const buttons = all('history-range');
    expect(buttons.map((b) => b.dataset.range)).toEqual(['1h', '24h', '7d', '30d', '1y']);
    expect(buttons.filter((b) => b.getAttribute('aria-pressed') === 'true').map((b) => b.dataset.range)).toEqual(['24h']);
    buttons[2].click();
    await settle();
    const [, , , from, to] = backend.History.mock.calls.at(-1)!;
    expect(to - from).toBe(7 * 86400);
    expect(buttons[2].getAttribute('aria-pressed')).toBe('true');
  });

  it('switches to the max columns', async () => {
    await render();
    const max = all('history-agg').find((b) => b.dataset.agg === 'max')!;
    max.click();
    await settle();
    expect(max.getAttribute('aria-pressed')).toBe('true');
    expect(plotFor('cpu').data[1]).toEqual([50, null, 100]);
    expect(backend.History).toHaveBeenCalledTimes(1);
  });

  it('zooms on a drag, asks for the window, and resets', async () => {
    await render();
    const reset = all('history-reset-zoom')[0] as HTMLButtonElement;
    expect(reset.disabled).toBe(true);
    plotFor('cpu').drag(T0 + 200, T0);
    await settle();
    expect(plotFor('cpu').scales.x).toEqual({ min: T0, max: T0 + 200 });
    expect(backend.History.mock.calls.at(-1)!.slice(3, 5)).toEqual([T0, T0 + 200]);
    expect(reset.disabled).toBe(false);
    reset.click();
    await settle();
    expect(reset.disabled).toBe(true);
    const [, , , from, to] = backend.History.mock.calls.at(-1)!;
    expect(to - from).toBe(86400);
  });

  it('exports a chart as CSV under a descriptive name', async () => {
    await render();
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blobs.push(b as Blob);
      return 'blob:x';
    });
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    all('history-export').find((b) => b.dataset.metric === 'cpu')!.click();
    expect(names).toEqual(['cecyber-web-01-cpu-24h.csv']);
    const text = await blobs[0].text();
    expect(text.split('\r\n').slice(0, 3)).toEqual([
      'time,cpu',
      '2023-11-14T22:13:20.000Z,0.25',
      '2023-11-14T22:14:20.000Z,',
    ]);
  });

  it('formats the legend in the current locale and rebuilds on language or theme change', async () => {
    await render();
    const u = {} as uPlot;
    expect(plotFor('cpu').opts.series[1].value).toBeTypeOf('function');
    const legend = (p: InstanceType<typeof FakePlot>, v: number) =>
      (p.opts.series[1].value as (u: uPlot, v: number) => string)(u, v);
    expect(legend(plotFor('cpu'), 12.34)).toBe('12.3%');
    const before = plotFor('cpu');
    setLocale('pt-BR');
    flushSync();
    expect(before.destroyed).toBe(true);
    expect(legend(plotFor('cpu'), 12.34)).toBe('12,3%');
    expect(plotFor('cpu').opts.series[1].label).toBe('CPU');
    expect(plotFor('mem').opts.series[1].label).toBe('Em uso');
    const pt = plotFor('cpu');
    setThemePref('dark');
    flushSync();
    expect(pt.destroyed).toBe(true);
    expect(plotFor('cpu').destroyed).toBe(false);
  });

  it('re-reads the 24 h range when a poll arrives, throttled, but not 7 d', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const props = reactiveProps({ cluster: 'c1', targetId: 'qemu/101', name: 'web-01', polledAt: 1 });
      component = mount(HistoryPanel, { target: document.body, props });
      await settle();
      expect(backend.History).toHaveBeenCalledTimes(1);
      props.polledAt = 2;
      await settle();
      expect(backend.History).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(POLL_THROTTLE_MS);
      props.polledAt = 3;
      await settle();
      expect(backend.History).toHaveBeenCalledTimes(2);
      all('history-range').find((b) => b.dataset.range === '7d')!.click();
      await settle();
      vi.advanceTimersByTime(POLL_THROTTLE_MS);
      props.polledAt = 4;
      await settle();
      expect(backend.History).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('destroys its plots on teardown', async () => {
    await render();
    unmount(component!);
    component = null;
    expect(FakePlot.instances.every((p) => p.destroyed)).toBe(true);
  });
});
