import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backend } from '../test/fakebackend';

const { SparklineStore, SPARK_DEBOUNCE_MS, SPARK_TTL_MS } = await import('./sparklines.svelte');

let now = 1_700_000_000_000;

beforeEach(() => {
  vi.useFakeTimers();
  now = 1_700_000_000_000;
  backend.Sparklines.mockReset();
  backend.Sparklines.mockImplementation(async (_c, ids) => ({
    times: [1, 2],
    values: Object.fromEntries(ids.map((id) => [id, [0.1, null]])),
  }));
});
afterEach(() => vi.useRealTimers());

describe('SparklineStore', () => {
  it('debounces scrolling and makes one call per cluster for the rows shown', async () => {
    const store = new SparklineStore(() => now);
    store.show([{ cluster: 'a', id: 'qemu/101' }]);
    store.show([
      { cluster: 'a', id: 'qemu/101' },
      { cluster: 'a', id: 'qemu/102' },
      { cluster: 'b', id: 'lxc/200' },
    ]);
    await vi.advanceTimersByTimeAsync(SPARK_DEBOUNCE_MS);
    expect(backend.Sparklines).toHaveBeenCalledTimes(2);
    const [cluster, ids, metric, from, to, points] = backend.Sparklines.mock.calls[0];
    expect([cluster, ids, metric, points]).toEqual(['a', ['qemu/101', 'qemu/102'], 'cpu', 48]);
    expect(to - from).toBe(86400);
    expect(store.values.get('a/qemu/102')).toEqual([0.1, null]);
    expect(store.values.get('b/lxc/200')).toEqual([0.1, null]);
  });

  it('serves cached lines and refreshes them after a minute', async () => {
    const store = new SparklineStore(() => now);
    const stop = store.start();
    store.show([{ cluster: 'a', id: 'qemu/101' }]);
    await vi.advanceTimersByTimeAsync(SPARK_DEBOUNCE_MS);
    store.show([{ cluster: 'a', id: 'qemu/101' }]);
    await vi.advanceTimersByTimeAsync(SPARK_DEBOUNCE_MS);
    expect(backend.Sparklines).toHaveBeenCalledTimes(1);
    now += SPARK_TTL_MS;
    await vi.advanceTimersByTimeAsync(SPARK_TTL_MS);
    expect(backend.Sparklines).toHaveBeenCalledTimes(2);
    stop();
  });

  it('keeps the table going when the call fails', async () => {
    backend.Sparklines.mockRejectedValueOnce(new Error('boom'));
    const store = new SparklineStore(() => now);
    store.show([{ cluster: 'a', id: 'qemu/101' }]);
    await vi.advanceTimersByTimeAsync(SPARK_DEBOUNCE_MS);
    expect(store.values.size).toBe(0);
    await store.fetchStale();
    expect(store.values.get('a/qemu/101')).toEqual([0.1, null]);
  });
});
