// The reactive translation layer. `t` and the formatters read the current
// locale from a $state, so any template or $derived that calls them updates
// when the user switches language.

import { LOCALE_KEY, readPref, writePref } from '../prefs';
import * as format from './format';
import {
  DEFAULT_LOCALE,
  detectLocale,
  isLocale,
  translate,
  translatePlural,
  type Locale,
  type MessageKey,
  type Params,
  type PluralKey,
} from './locales';

export { isLocale, LOCALES, type Locale, type MessageKey, type PluralKey } from './locales';

let current = $state<Locale>(DEFAULT_LOCALE);

export function locale(): Locale {
  return current;
}

/** The locale the user picked explicitly, if any. */
export function storedLocale(): Locale | null {
  const saved = readPref(LOCALE_KEY);
  return isLocale(saved) ? saved : null;
}

function apply(next: Locale): void {
  current = next;
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

/**
 * Chooses the starting locale: the user's saved choice, else the OS locale
 * from Environment(), else the webview's languages.
 */
export function initLocale(envLocale?: string | null): Locale {
  const languages = typeof navigator === 'undefined' ? [] : (navigator.languages ?? []);
  apply(storedLocale() ?? detectLocale(envLocale, languages));
  return current;
}

/**
 * Follows the OS language again (Settings' "Follow system"): forgets the
 * cached choice and detects from envLocale, then the webview's languages.
 */
export function followSystemLocale(envLocale?: string | null): Locale {
  writePref(LOCALE_KEY, null);
  const languages = typeof navigator === 'undefined' ? [] : (navigator.languages ?? []);
  apply(detectLocale(envLocale, languages));
  return current;
}

/** Switches language and remembers the choice. */
export function setLocale(next: Locale): void {
  apply(next);
  writePref(LOCALE_KEY, next);
}

export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

/** Plural-aware t: tp('summary.guests', 24) → "24 guests"; {count} is filled in. */
export function tp(base: PluralKey, count: number, params?: Params): string {
  return translatePlural(current, base, count, {
    ...params,
    count: params?.count ?? format.formatNumber(current, count),
  });
}

/** Formatters bound to the current locale. */
export const fmt = {
  number: (value: number, maxFractionDigits?: number) =>
    format.formatNumber(current, value, maxFractionDigits),
  percent: (fraction: number, fractionDigits?: number) =>
    format.formatPercent(current, fraction, fractionDigits),
  bytes: (bytes: number) => format.formatBytes(current, bytes),
  /** Bytes per second; "—" when null (unknown). */
  rate: (bytesPerSecond: number | null | undefined) => format.formatRate(current, bytesPerSecond),
  duration: (seconds: number) => format.formatDuration(current, seconds),
  relative: (then: number, now: number) => format.formatRelative(current, then, now),
  dateTime: (ms: number) => format.formatDateTime(current, ms),
};
