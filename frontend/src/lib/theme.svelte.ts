// Light, dark, or whatever the OS prefers. The resolved theme goes to
// <html data-theme="light|dark">, which the CSS custom properties key on.

import { readPref, THEME_KEY, writePref } from './prefs';

export const THEME_PREFS = ['system', 'light', 'dark'] as const;
export type ThemePref = (typeof THEME_PREFS)[number];
export type Theme = 'light' | 'dark';

export function isThemePref(value: unknown): value is ThemePref {
  return typeof value === 'string' && (THEME_PREFS as readonly string[]).includes(value);
}

export function resolveTheme(pref: ThemePref, systemDark: boolean): Theme {
  if (pref === 'system') return systemDark ? 'dark' : 'light';
  return pref;
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

let pref = $state<ThemePref>('system');
let systemDark = $state(false);

export function themePref(): ThemePref {
  return pref;
}

export function currentTheme(): Theme {
  return resolveTheme(pref, systemDark);
}

function paint(): void {
  if (typeof document === 'undefined') return;
  const root = document.documentElement;
  root.dataset.theme = currentTheme();
  root.dataset.themePref = pref;
}

/** Reads the saved choice, paints, and follows OS changes; returns the cleanup. */
export function initTheme(): () => void {
  const saved = readPref(THEME_KEY);
  pref = isThemePref(saved) ? saved : 'system';
  const media = typeof matchMedia === 'function' ? matchMedia(DARK_QUERY) : null;
  systemDark = media?.matches ?? false;
  paint();
  if (!media) return () => {};
  const onChange = (e: MediaQueryListEvent) => {
    systemDark = e.matches;
    paint();
  };
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

export function setThemePref(next: ThemePref): void {
  pref = next;
  writePref(THEME_KEY, next === 'system' ? null : next);
  paint();
}
