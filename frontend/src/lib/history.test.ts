import { beforeEach, describe, expect, it } from 'vitest';
import type { Series } from './types';

import { HistoryView, POLL_THROTTLE_MS } from './history.svelte';
import { backend } from '../test/fakebackend';

const NOW = 1_700_000_000_000;
const series = (times: number[] = [1, 2]): Series => ({ times, columns: { cpu: times.map(() => 0.5) }, step: 60, tier: 'raw' });

let now = NOW;
const make = () => new HistoryView(() => now);

beforeEach(() => {
  now = NOW;
  backend.History.mockReset();
  backend.History.mockResolvedValue(series());
});

describe('HistoryView', () => {
  it('reads the last 24 h of every metric, avg and max, in one call', async () => {
    const view = make();
    await view.setTarget({ cluster: 'c1', targetId: 'qemu/101' });
    expect(backend.History).toHaveBeenCalledTimes(1);
    const [cluster, target, metrics, from, to, points] = backend.History.mock.calls[0];
    expect([cluster, target]).toEqual(['c1', 'qemu/101']);
    expect(metrics).toContain('cpu');
    expect(metrics).toContain('cpu_max');
    expect(metrics).toContain('netout_max');
    expect(to).toBe(NOW / 1000 + 1);
    expect(to - from).toBe(86400);
    expect(points).toBe(600);
    expect(view.series?.times).toEqual([1, 2]);
    expect(view.window).toEqual({ from, to });
  });

  it('switches avg/max without asking again', async () => {
    const view = make();
    await view.setTarget({ cluster: 'c1', targetId: 'qemu/101' });
    view.setAgg('max');
    expect(view.agg).toBe('max');
    expect(backend.History).toHaveBeenCalledTimes(1);
  });

  it('zooms into a window and resets to the range', async () => {
    const view = make();
    await view.setTarget({ cluster: 'c1', targetId: 'qemu/101' });
    await view.zoomTo(NOW / 1000 - 600, NOW / 1000 - 3000);
    expect(view.zoom).toEqual({ from: NOW / 1000 - 3000, to: NOW / 1000 - 600 });
    expect(backend.History.mock.calls[1].slice(3, 5)).toEqual([NOW / 1000 - 3000, NOW / 1000 - 600]);
    await view.resetZoom();
    expect(view.zoom).toBeNull();
    expect(backend.History.mock.calls[2][4] - backend.History.mock.calls[2][3]).toBe(86400);
  });

  it('follows polls for short ranges only, throttled, and not while zoomed', async () => {
    const view = make();
    await view.setTarget({ cluster: 'c1', targetId: 'qemu/101' });
    await view.poll();
    expect(backend.History).toHaveBeenCalledTimes(1);
    now += POLL_THROTTLE_MS;
    await view.poll();
    expect(backend.History).toHaveBeenCalledTimes(2);

    await view.setRange('7d');
    now += POLL_THROTTLE_MS;
    await view.poll();
    expect(backend.History).toHaveBeenCalledTimes(3);

    await view.setRange('1h');
    await view.zoomTo(NOW / 1000, NOW / 1000 + 600);
    now += POLL_THROTTLE_MS;
    await view.poll();
    expect(backend.History).toHaveBeenCalledTimes(5);
  });

  it('re-reads the hour on every poll, so a step shows within one poll', async () => {
    const view = make();
    await view.setTarget({ cluster: 'c1', targetId: 'qemu/101' });
    await view.setRange('1h');
    expect(backend.History).toHaveBeenCalledTimes(2);
    now += 2_000;
    await view.poll();
    now += 2_000;
    await view.poll();
    expect(backend.History).toHaveBeenCalledTimes(4);
    const [, , , from, to] = backend.History.mock.calls[3];
    expect(to).toBe((NOW + 4_000) / 1000 + 1);
    expect(to - from).toBe(3600);
  });

  it('asks for more points when the charts get much wider', async () => {
    const view = make();
    await view.setTarget({ cluster: 'c1', targetId: 'qemu/101' });
    await view.setWidth(640);
    expect(backend.History).toHaveBeenCalledTimes(1);
    await view.setWidth(1400);
    expect(backend.History.mock.calls[1][5]).toBe(1000);
  });

  it('keeps only the newest answer and reports errors', async () => {
    const view = make();
    let resolveSlow!: (s: Series) => void;
    backend.History.mockReturnValueOnce(new Promise((r) => (resolveSlow = r)));
    backend.History.mockResolvedValueOnce(series([7]));
    const first = view.setTarget({ cluster: 'c1', targetId: 'qemu/101' });
    await view.setRange('1h');
    resolveSlow(series([1, 2, 3]));
    await first;
    expect(view.series?.times).toEqual([7]);

    backend.History.mockRejectedValueOnce({ code: 'database', message: 'locked' });
    await view.setRange('7d');
    expect(view.error?.code).toBe('database');
    expect(view.loading).toBe(false);
  });

  it('clears the old data when the target changes', async () => {
    const view = make();
    await view.setTarget({ cluster: 'c1', targetId: 'qemu/101' });
    backend.History.mockReturnValueOnce(new Promise(() => {}));
    void view.setTarget({ cluster: 'c1', targetId: 'qemu/102' });
    expect(view.series).toBeNull();
  });
});
