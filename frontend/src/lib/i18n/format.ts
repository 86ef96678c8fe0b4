// Locale-aware formatting with Intl. Pure functions of (locale, value) so they
// are testable in both locales; index.svelte.ts binds them to the current one.

import { translate, type Locale } from './locales';

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(options);
  let nf = cache.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, options);
    cache.set(key, nf);
  }
  return nf;
}

export function formatNumber(locale: Locale, value: number, maxFractionDigits = 0): string {
  return numberFormat(locale, { maximumFractionDigits: maxFractionDigits }).format(value);
}

/** A 0..1 fraction as a percentage with one decimal: 0.1234 → "12.3%" / "12,3%". */
export function formatPercent(locale: Locale, fraction: number, fractionDigits = 1): string {
  const safe = Number.isFinite(fraction) ? fraction : 0;
  return numberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(safe);
}

export const IEC_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/**
 * Bytes in IEC units, as Proxmox shows them: 1610612736 → "1.5 GiB" in
 * English, "1,5 GiB" in pt-BR. One decimal below 100 of a unit, none above.
 */
export function formatBytes(locale: Locale, bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) bytes = 0;
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < IEC_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.96 KiB would print "1,024 KiB": promote it to "1 MiB" instead.
  if (unit > 0 && Math.round(value) >= 1024 && unit < IEC_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${formatNumber(locale, value, digits)}\u00a0${IEC_UNITS[unit]}`;
}

/** What a value that is not known (yet) shows. */
export const UNKNOWN = '\u2014';

/** A rate Proxmox counters gave us, or null when unknown (first poll, counter reset). */
export function knownRate(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * Bytes per second in IEC units, like formatBytes: 1572864 → "1.5 MiB/s" in
 * English, "1,5 MiB/s" in pt-BR. Unknown (null, undefined, NaN, negative)
 * → "—".
 */
export function formatRate(locale: Locale, bytesPerSecond: number | null | undefined): string {
  const rate = knownRate(bytesPerSecond);
  return rate === null ? UNKNOWN : `${formatBytes(locale, rate)}/s`;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A compact duration with its two largest units: "3d 4h", "2h 5m" in
 * English, "3 d 4 h", "2 h 5 min" in pt-BR. Seconds only under a minute.
 */
export function formatDuration(locale: Locale, seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const unit = (key: 'duration.d' | 'duration.h' | 'duration.min' | 'duration.s', n: number) =>
    translate(locale, key, { n: formatNumber(locale, n) });
  if (s < MINUTE) return unit('duration.s', s);
  const parts: string[] = [];
  const d = Math.floor(s / DAY);
  const h = Math.floor((s % DAY) / HOUR);
  const m = Math.floor((s % HOUR) / MINUTE);
  if (d > 0) {
    parts.push(unit('duration.d', d));
    if (h > 0) parts.push(unit('duration.h', h));
  } else if (h > 0) {
    parts.push(unit('duration.h', h));
    if (m > 0) parts.push(unit('duration.min', m));
  } else {
    parts.push(unit('duration.min', m));
  }
  return parts.join(' ');
}

const relativeCache = new Map<Locale, Intl.RelativeTimeFormat>();

/**
 * How long ago `then` was, relative to `now` (both unix ms): "3s ago",
 * "há 5 min." — the wording is the platform's CLDR data.
 */
export function formatRelative(locale: Locale, then: number, now: number): string {
  let rtf = relativeCache.get(locale);
  if (!rtf) {
    rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'narrow' });
    relativeCache.set(locale, rtf);
  }
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < MINUTE) return rtf.format(-seconds, 'second');
  if (seconds < HOUR) return rtf.format(-Math.floor(seconds / MINUTE), 'minute');
  if (seconds < DAY) return rtf.format(-Math.floor(seconds / HOUR), 'hour');
  return rtf.format(-Math.floor(seconds / DAY), 'day');
}

const dateTimeCache = new Map<Locale, Intl.DateTimeFormat>();

/** A timestamp (unix ms) as date and time with seconds. */
export function formatDateTime(locale: Locale, ms: number): string {
  let dtf = dateTimeCache.get(locale);
  if (!dtf) {
    dtf = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
    dateTimeCache.set(locale, dtf);
  }
  return dtf.format(new Date(ms));
}
