// @vitest-environment happy-dom
// The tab store and the session that runs the state machine, with the
// backend stubbed and a fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backend } from '../test/fakebackend';

const { ConsoleTabs, ConsolePrefs, tabKey } = await import('./consoles.svelte');
const { ConsoleSession } = await import('./consolesession.svelte');
const { CONSOLE_SCALE_KEY, CONSOLE_LAYOUT_KEY } = await import('./prefs');
const { setLocale } = await import('./i18n/index.svelte');

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function fakeDeps() {
  const timers: { fn: () => void; ms: number; id: number }[] = [];
  let id = 0;
  return {
    timers,
    deps: {
      now: () => 1_000_000,
      random: () => 0.5,
      setTimer: (fn: () => void, ms: number) => {
        timers.push({ fn, ms, id: ++id });
        return id;
      },
      clearTimer: (x: unknown) => {
        const i = timers.findIndex((t) => t.id === x);
        if (i >= 0) timers.splice(i, 1);
      },
    },
  };
}

function fakeDriver() {
  const urls: string[] = [];
  const drops: string[] = [];
  return {
    urls,
    drops,
    connect: vi.fn((url: string) => {
      urls.push(url);
      return () => drops.push(url);
    }),
  };
}

beforeEach(() => {
  backend.resetConsoleIds();
  vi.clearAllMocks();
});

describe('ConsoleTabs', () => {
  const target = (vmid: number, name = `vm-${vmid}`) => ({ cluster: 'c1', id: `qemu/${vmid}`, vmid, name });

  it('opens tabs, focuses them, and reopening focuses the existing one', () => {
    const tabs = new ConsoleTabs();
    expect(tabs.active).toBeNull();
    const a = tabs.open(target(101));
    const b = tabs.open(target(102));
    expect(tabs.tabs.map((t) => t.key)).toEqual(['c1/qemu/101', 'c1/qemu/102']);
    expect(tabs.active).toBe(b.key);
    const again = tabs.open(target(101));
    expect(again).toBe(a);
    expect(again.session).toBe(a.session);
    expect(tabs.tabs).toHaveLength(2);
    expect(tabs.active).toBe(a.key);
    expect(tabs.order()).toEqual([null, a.key, b.key]);
  });

  it('focuses the inventory or a known tab only', () => {
    const tabs = new ConsoleTabs();
    const a = tabs.open(target(101));
    tabs.focus(null);
    expect(tabs.active).toBeNull();
    tabs.focus('nope');
    expect(tabs.active).toBeNull();
    tabs.focus(a.key);
    expect(tabs.activeTab).toBe(a);
  });

  it('closing stops the session and focuses the neighbour', () => {
    const tabs = new ConsoleTabs();
    const a = tabs.open(target(101));
    const b = tabs.open(target(102));
    const c = tabs.open(target(103));
    const stop = vi.spyOn(b.session, 'stop');
    tabs.focus(b.key);
    tabs.close(b.key);
    expect(stop).toHaveBeenCalled();
    expect(b.session.stopped).toBe(true);
    expect(tabs.active).toBe(c.key);
    tabs.close(c.key);
    expect(tabs.active).toBe(a.key);
    // Closing a tab in the background keeps the focus where it is.
    const d = tabs.open(target(104));
    tabs.close(a.key);
    expect(tabs.active).toBe(d.key);
    expect(tabs.closeActive()).toBe(true);
    expect(tabs.active).toBeNull();
    expect(tabs.closeActive()).toBe(false);
    expect(tabs.tabs).toEqual([]);
  });

  it('keys tabs by cluster and guest', () => {
    expect(tabKey('c2', 'lxc/105')).toBe('c2/lxc/105');
  });
});

describe('ConsolePrefs', () => {
  afterEach(() => {
    localStorage.clear();
    setLocale('en');
    localStorage.clear();
  });
  it('remembers scale and layout, with defaults fit and the language’s keyboard', () => {
    localStorage.clear();
    const prefs = new ConsolePrefs();
    expect(prefs.scale).toBe('fit');
    expect(prefs.layout).toBe('us');
    setLocale('pt-BR');
    expect(prefs.layout).toBe('abnt2');
    prefs.scale = 'remote';
    prefs.layout = 'us';
    expect(localStorage.getItem(CONSOLE_SCALE_KEY)).toBe('remote');
    expect(localStorage.getItem(CONSOLE_LAYOUT_KEY)).toBe('us');
    const again = new ConsolePrefs();
    expect(again.scale).toBe('remote');
    expect(again.layout).toBe('us');
    localStorage.setItem(CONSOLE_SCALE_KEY, 'bogus');
    expect(new ConsolePrefs().scale).toBe('fit');
  });
});

describe('ConsoleSession', () => {
  it('fetches a ticket and hands the URL to the driver', async () => {
    const { deps } = fakeDeps();
    const s = new ConsoleSession('c1', 'qemu/101', true, deps);
    const driver = fakeDriver();
    s.start(driver);
    expect(s.state.status).toBe('connecting');
    await flush();
    expect(backend.OpenConsole).toHaveBeenCalledWith('c1', 'qemu/101');
    expect(driver.urls).toEqual(['ws://127.0.0.1:1/console/t1']);
    s.dispatch({ type: 'connected' });
    expect(s.state.status).toBe('connected');
    s.stop();
    expect(driver.drops).toEqual(['ws://127.0.0.1:1/console/t1']);
    expect(backend.CloseConsole).toHaveBeenCalledWith('s1');
    expect(backend.listenerCount('console-ended')).toBe(0);
  });

  it('reconnects with a new ticket after the backoff', async () => {
    const { deps, timers } = fakeDeps();
    const s = new ConsoleSession('c1', 'qemu/101', true, deps);
    const driver = fakeDriver();
    s.start(driver);
    await flush();
    s.dispatch({ type: 'connected' });
    s.dispatch({ type: 'disconnected', clean: false });
    expect(s.state.status).toBe('reconnecting');
    expect(driver.drops).toHaveLength(1);
    expect(timers.map((t) => t.ms)).toEqual([1000]);
    timers.shift()!.fn();
    await flush();
    expect(backend.OpenConsole).toHaveBeenCalledTimes(2);
    expect(backend.CloseConsole).toHaveBeenCalledWith('s1');
    expect(driver.urls).toEqual(['ws://127.0.0.1:1/console/t1', 'ws://127.0.0.1:1/console/t2']);
    s.stop();
  });

  it('gets a fresh ticket at once after an auth failure, only once', async () => {
    const { deps, timers } = fakeDeps();
    const s = new ConsoleSession('c1', 'qemu/101', true, deps);
    const driver = fakeDriver();
    s.start(driver);
    await flush();
    // The disconnect first, then the reason from Go.
    s.dispatch({ type: 'disconnected', clean: false });
    expect(timers).toHaveLength(1);
    backend.emitConsoleEnded({ id: 's1', error: { code: 'auth', message: 'auth', detail: 'authentication failure' } });
    expect(timers).toHaveLength(0);
    await flush();
    expect(backend.OpenConsole).toHaveBeenCalledTimes(2);
    // An event for an older session changes nothing.
    backend.emitConsoleEnded({ id: 's1', error: { code: 'auth', message: 'auth' } });
    expect(s.state.status).toBe('reconnecting');
    backend.emitConsoleEnded({ id: 's2', error: { code: 'auth', message: 'auth', detail: 'authentication failure' } });
    expect(s.state.status).toBe('failed');
    expect(s.state.error?.detail).toBe('authentication failure');
    await flush();
    expect(backend.OpenConsole).toHaveBeenCalledTimes(2);
    s.stop();
  });

  it('fails with Proxmox’s words when the ticket is refused', async () => {
    backend.OpenConsole.mockRejectedValueOnce({
      code: 'forbidden',
      message: 'forbidden',
      detail: 'Permission check failed (/vms/101, VM.Console)',
    });
    const s = new ConsoleSession('c1', 'qemu/101', true, fakeDeps().deps);
    s.start(fakeDriver());
    await flush();
    expect(s.state.status).toBe('failed');
    expect(s.state.error?.detail).toBe('Permission check failed (/vms/101, VM.Console)');
    s.stop();
  });

  it('stops reconnecting when the guest stops, and connects when it runs again', async () => {
    const { deps, timers } = fakeDeps();
    const s = new ConsoleSession('c1', 'qemu/101', true, deps);
    const driver = fakeDriver();
    s.start(driver);
    await flush();
    s.dispatch({ type: 'disconnected', clean: false });
    s.setGuestRunning(false);
    expect(s.state.status).toBe('closed');
    expect(timers).toHaveLength(0);
    s.setGuestRunning(true);
    expect(s.state.status).toBe('connecting');
    await flush();
    expect(driver.urls).toHaveLength(2);
    s.stop();
  });

  it('throws away a ticket that arrives after the tab closed', async () => {
    const s = new ConsoleSession('c1', 'qemu/101', true, fakeDeps().deps);
    const driver = fakeDriver();
    s.start(driver);
    s.stop();
    await flush();
    expect(driver.connect).not.toHaveBeenCalled();
    expect(backend.CloseConsole).toHaveBeenCalledWith('s1');
  });
});
