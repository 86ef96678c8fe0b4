// @vitest-environment happy-dom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import '../test/fakebackend';
import StartupFailure from './StartupFailure.svelte';
import { setLocale } from '../lib/i18n/index.svelte';

afterEach(() => setLocale('en'));

function render(code: string, params: Record<string, string>): string {
  const c = mount(StartupFailure, { target: document.body, props: { error: { code, message: 'English', params } } });
  flushSync();
  const text = document.querySelector('[data-testid="startup-failure"]')?.textContent?.replace(/\s+/g, ' ') ?? '';
  unmount(c);
  return text;
}

describe('StartupFailure', () => {
  it('says what failed and what to do about a read-only folder', () => {
    const text = render('startupReadOnly', {
      dir: '/home/u/.config/Cecyber',
      log: '/home/u/.local/state/cecyber/logs',
      detail: 'open /home/u/.config/Cecyber/cecyber.db: read-only file system',
    });
    expect(text).toContain('Cecyber could not start');
    expect(text).toContain('Cecyber cannot write to its folder /home/u/.config/Cecyber');
    expect(text).toContain('read-only file system');
    expect(text).toContain('The log is in /home/u/.local/state/cecyber/logs.');
  });

  it('gives the free space of a full disk, in pt-BR too', () => {
    const params = { dir: '/c', log: '', detail: 'database or disk is full (13)', free: '4096' };
    expect(render('startupFull', params)).toContain('The disk that holds /c is full (4 KiB free).');
    setLocale('pt-BR');
    expect(render('startupFull', params)).toContain('O disco que guarda /c está cheio');
  });
});
