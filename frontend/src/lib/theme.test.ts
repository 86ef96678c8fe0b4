// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { THEME_KEY } from './prefs';
import { currentTheme, initTheme, resolveTheme, setThemePref, themePref } from './theme.svelte';

beforeEach(() => localStorage.clear());

describe('theme', () => {
  it('resolves system to the OS preference', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
    expect(resolveTheme('light', true)).toBe('light');
  });

  it('paints data-theme on <html> and remembers overrides', () => {
    const stop = initTheme();
    expect(themePref()).toBe('system');
    setThemePref('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(currentTheme()).toBe('dark');
    setThemePref('system');
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
    stop();
  });

  it('starts from the stored choice', () => {
    localStorage.setItem(THEME_KEY, 'light');
    initTheme()();
    expect(themePref()).toBe('light');
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});
