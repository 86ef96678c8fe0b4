// @vitest-environment happy-dom
// ConsoleView with noVNC replaced by a fake (happy-dom has no canvas or
// WebSocket): the state it shows, the keys it sends, and its teardown.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inventory } from '../test/fixtures';
import { backend } from '../test/fakebackend';

const novnc = vi.hoisted(() => {
  class FakeRFB extends EventTarget {
    static instances: FakeRFB[] = [];
    scaleViewport = false;
    resizeSession = false;
    clipViewport = false;
    focusOnClick = false;
    background = '';
    _supportsSetDesktopSize = true;
    disconnect = vi.fn();
    sendKey = vi.fn();
    sendCtrlAltDel = vi.fn();
    sendCredentials = vi.fn();
    focus = vi.fn();
    blur = vi.fn();
    removed: string[] = [];
    constructor(
      readonly target: Element,
      readonly url: string,
      readonly options?: unknown,
    ) {
      super();
      const canvas = document.createElement('canvas');
      target.append(canvas);
      FakeRFB.instances.push(this);
    }
    removeEventListener(type: string, fn: EventListenerOrEventListenerObject | null) {
      this.removed.push(type);
      super.removeEventListener(type, fn);
    }
    emit(type: string, detail: unknown = {}) {
      this.dispatchEvent(new CustomEvent(type, { detail }));
    }
  }
  return { FakeRFB };
});
vi.mock('@novnc/novnc', () => ({ default: novnc.FakeRFB }));

const { default: ConsoleView } = await import('./ConsoleView.svelte');
const { ConsoleTabs, consolePrefs } = await import('../lib/consoles.svelte');
const { store } = await import('../lib/inventory.svelte');
const { setLocale } = await import('../lib/i18n/index.svelte');
const { CONSOLE_SCALE_KEY } = await import('../lib/prefs');

const q = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
const flush = async () => {
  for (let i = 0; i < 6; i++) await Promise.resolve();
  flushSync();
};

let view: ReturnType<typeof mount> | null = null;

async function render(id = 'qemu/101') {
  const tabs = new ConsoleTabs();
  const tab = tabs.open({ cluster: 'c1', id, vmid: Number(id.split('/')[1]), name: 'web-01' });
  view = mount(ConsoleView, { target: document.body, props: { tab, active: true } });
  await flush();
  return { tabs, tab, rfb: novnc.FakeRFB.instances.at(-1)! };
}

beforeEach(() => {
  localStorage.clear();
  setLocale('en');
  localStorage.clear();
  consolePrefs.reset();
  store.apply(inventory());
  novnc.FakeRFB.instances = [];
  backend.resetConsoleIds();
});

afterEach(() => {
  if (view) unmount(view);
  view = null;
  vi.clearAllMocks();
  document.body.innerHTML = '';
});

describe('ConsoleView', () => {
  it('connects noVNC to the URL of a fresh ticket and shows the state', async () => {
    const { rfb } = await render();
    expect(backend.OpenConsole).toHaveBeenCalledWith('c1', 'qemu/101');
    expect(rfb.url).toBe('ws://127.0.0.1:1/console/t1');
    expect(rfb.target.hasAttribute('data-console-screen')).toBe(true);
    expect(rfb.focusOnClick).toBe(true);
    expect(rfb.scaleViewport).toBe(true);
    expect(q('console-view')?.dataset.state).toBe('connecting');
    expect(q('console-status')?.textContent).toContain('Connecting');
    expect(q('console-view')?.querySelector('canvas')).not.toBeNull();
    expect((q('console-cad') as HTMLButtonElement).disabled).toBe(true);

    rfb.emit('connect');
    flushSync();
    expect(q('console-view')?.dataset.state).toBe('connected');
    expect(q('console-status')?.textContent).toContain('Connected');
    expect((q('console-cad') as HTMLButtonElement).disabled).toBe(false);
  });

  it('offers no Ctrl+Alt+Del on a container, whose console is a terminal', async () => {
    await render('lxc/105');
    flushSync();
    expect(q('console-view')).not.toBeNull();
    expect(q('console-cad')).toBeNull();
  });

  it('sends Ctrl+Alt+Del and the send-keys combos', async () => {
    const { rfb } = await render();
    rfb.emit('connect');
    flushSync();
    q('console-cad')!.click();
    expect(rfb.sendCtrlAltDel).toHaveBeenCalledTimes(1);
    q('console-sendkeys')!.click();
    flushSync();
    q('console-key-ctrl-alt-f2')!.click();
    flushSync();
    expect(rfb.sendKey.mock.calls).toEqual([
      [0xffe3, 'ControlLeft', true],
      [0xffe9, 'AltLeft', true],
      [0xffbf, 'F2', true],
      [0xffbf, 'F2', false],
      [0xffe9, 'AltLeft', false],
      [0xffe3, 'ControlLeft', false],
    ]);
  });

  it('fails on a security failure with the server’s reason, and reconnects on request', async () => {
    const { rfb } = await render();
    rfb.emit('securityfailure', { status: 1, reason: 'Authentication failed' });
    flushSync();
    expect(q('console-view')?.dataset.state).toBe('failed');
    expect(q('console-status')?.textContent).toContain('The VNC server refused the connection.');
    expect(q('console-reason')?.textContent).toBe('Authentication failed');
    expect(rfb.disconnect).toHaveBeenCalled();
    q('console-reconnect')!.click();
    await flush();
    expect(backend.OpenConsole).toHaveBeenCalledTimes(2);
    expect(novnc.FakeRFB.instances).toHaveLength(2);
    expect(novnc.FakeRFB.instances[1].url).toBe('ws://127.0.0.1:1/console/t2');
    expect(q('console-view')?.dataset.state).toBe('connecting');
  });

  it('never sends credentials: a password request is a failure', async () => {
    const { rfb } = await render();
    rfb.emit('credentialsrequired', { types: ['password'] });
    flushSync();
    expect(q('console-view')?.dataset.state).toBe('failed');
    expect(rfb.sendCredentials).not.toHaveBeenCalled();
    expect(document.querySelector('input[type="password"]')).toBeNull();
  });

  it('shows the countdown while reconnecting', async () => {
    const { rfb } = await render();
    rfb.emit('connect');
    rfb.emit('disconnect', { clean: false });
    flushSync();
    expect(q('console-view')?.dataset.state).toBe('reconnecting');
    expect(q('console-status')?.textContent).toMatch(/Reconnecting \(attempt 1 of 10\) in \d s/);
    expect(q('console-reconnect')).not.toBeNull();
  });

  it('says the guest is stopped and offers Start', async () => {
    const { rfb } = await render();
    rfb.emit('connect');
    store.apply(inventory({ guests: inventory().guests.map((g) => (g.vmid === 101 ? { ...g, status: 'stopped' } : g)) }));
    flushSync();
    rfb.emit('disconnect', { clean: true });
    flushSync();
    expect(q('console-view')?.dataset.state).toBe('closed');
    expect(q('console-status')?.textContent).toBe('The guest is stopped.');
    expect(q('console-start')).not.toBeNull();
  });

  it('switches scaling and remembers it', async () => {
    const { rfb } = await render();
    rfb.emit('connect');
    flushSync();
    const native = q('console-scale')!.querySelector<HTMLInputElement>('input[value="native"]')!;
    native.click();
    flushSync();
    expect(rfb.scaleViewport).toBe(false);
    expect(rfb.resizeSession).toBe(false);
    expect(localStorage.getItem(CONSOLE_SCALE_KEY)).toBe('native');
    q('console-scale')!.querySelector<HTMLInputElement>('input[value="remote"]')!.click();
    flushSync();
    expect(rfb.resizeSession).toBe(true);
    expect(q('console-view')?.dataset.scale).toBe('remote');
  });

  it('disconnects and removes its listeners on teardown', async () => {
    const { rfb } = await render();
    rfb.emit('connect');
    unmount(view!);
    view = null;
    expect(rfb.disconnect).toHaveBeenCalledTimes(1);
    expect(rfb.removed).toEqual(
      expect.arrayContaining(['connect', 'disconnect', 'credentialsrequired', 'securityfailure', 'desktopname', 'clipboard', 'capabilities']),
    );
    expect(backend.CloseConsole).toHaveBeenCalledWith('s1');
  });
});
