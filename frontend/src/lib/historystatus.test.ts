// @vitest-environment happy-dom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { backend } from '../test/fakebackend';
import { HISTORY_STATUS_EVENT } from './backend';
import { historyStore } from './historystatus.svelte';
import HistoryBanner from '../components/HistoryBanner.svelte';
import { setLocale } from './i18n/index.svelte';
import type { HistoryStatus } from './types';

const full: HistoryStatus = {
  saving: false,
  reason: 'full',
  freeBytes: 12288,
  dir: '/home/u/.config/Cecyber',
  unsaved: 3,
  dropped: 0,
  since: 1,
};

afterEach(() => setLocale('en'));

describe('history status', () => {
  it('follows the backend: stopped on a full disk, saving again when space returns', async () => {
    const stop = historyStore.start();
    await Promise.resolve();
    await Promise.resolve();
    expect(historyStore.status?.saving).toBe(true);
    backend.emit(HISTORY_STATUS_EVENT, full);
    expect(historyStore.status).toEqual(full);
    backend.emit(HISTORY_STATUS_EVENT, { ...full, saving: true, reason: '', unsaved: 0 });
    expect(historyStore.status?.saving).toBe(true);
    stop();
    expect(backend.listenerCount(HISTORY_STATUS_EVENT)).toBe(0);
  });

  it('shows the free space, what stopped and that live data goes on', () => {
    const c = mount(HistoryBanner, { target: document.body, props: { status: full } });
    flushSync();
    const text = document.querySelector('[data-testid="history-banner"]')?.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(text).toContain('The metric history is not being saved');
    expect(text).toContain('The disk that holds it is full: 12 KiB free in /home/u/.config/Cecyber.');
    expect(text).toContain('Live data and alerts keep working.');
    expect(text).toContain('3 polls wait in memory to be saved.');
    unmount(c);
  });
});
