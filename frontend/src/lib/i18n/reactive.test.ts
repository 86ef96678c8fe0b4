// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCALE_KEY } from '../prefs';
import { fmt, initLocale, locale, setLocale, storedLocale, t, tp } from './index.svelte';

beforeEach(() => localStorage.clear());
afterEach(() => setLocale('en'));

describe('current locale', () => {
  it('detects from the OS locale when the user chose nothing', () => {
    expect(initLocale('pt-BR')).toBe('pt-BR');
    expect(document.documentElement.lang).toBe('pt-BR');
    expect(t('status.running')).toBe('Em execução');
  });

  it('lets the stored choice win over detection', () => {
    localStorage.setItem(LOCALE_KEY, 'en');
    expect(initLocale('pt-BR')).toBe('en');
  });

  it('ignores a stored value it does not know', () => {
    localStorage.setItem(LOCALE_KEY, 'klingon');
    expect(storedLocale()).toBeNull();
    expect(initLocale('en-US')).toBe('en');
  });

  it('remembers an explicit switch and formats in it', () => {
    setLocale('pt-BR');
    expect(localStorage.getItem(LOCALE_KEY)).toBe('pt-BR');
    expect(locale()).toBe('pt-BR');
    expect(fmt.bytes(1.5 * 1024 ** 3)).toBe('1,5\u00a0GiB');
    expect(fmt.percent(0.5)).toBe('50,0%');
    expect(tp('summary.guests', 24)).toBe('24 VMs e contêineres');
    expect(tp('summary.guests', 1234)).toBe('1.234 VMs e contêineres');
    setLocale('en');
    expect(tp('summary.guests', 1234)).toBe('1,234 guests');
  });
});
