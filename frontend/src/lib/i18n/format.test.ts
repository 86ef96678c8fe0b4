import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatPercent,
  formatRate,
  formatRelative,
  knownRate,
  UNKNOWN,
} from './format';

const NBSP = '\u00a0';
const GiB = 1024 ** 3;

describe('formatNumber', () => {
  it('groups and separates decimals per locale', () => {
    expect(formatNumber('en', 12345.67, 1)).toBe('12,345.7');
    expect(formatNumber('pt-BR', 12345.67, 1)).toBe('12.345,7');
  });
});

describe('formatPercent', () => {
  it('shows a fraction with one decimal', () => {
    expect(formatPercent('en', 0.1234)).toBe('12.3%');
    expect(formatPercent('pt-BR', 0.1234)).toBe('12,3%');
    expect(formatPercent('en', 0)).toBe('0.0%');
    expect(formatPercent('en', 1)).toBe('100.0%');
  });
  it('survives NaN', () => {
    expect(formatPercent('en', Number.NaN)).toBe('0.0%');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B', '0 B'],
    [512, '512 B', '512 B'],
    [1536, '1.5 KiB', '1,5 KiB'],
    [1.5 * GiB, '1.5 GiB', '1,5 GiB'],
    [4 * GiB, '4 GiB', '4 GiB'],
    [123.4 * GiB, '123 GiB', '123 GiB'],
    [2 * 1024 * GiB, '2 TiB', '2 TiB'],
    [1024 * 1024 - 1, '1 MiB', '1 MiB'],
  ])('%d bytes → %s (en), %s (pt-BR)', (bytes, wantEn, wantPt) => {
    expect(formatBytes('en', bytes)).toBe(wantEn.replace(' ', NBSP));
    expect(formatBytes('pt-BR', bytes)).toBe(wantPt.replace(' ', NBSP));
  });
  it('treats bad input as zero', () => {
    expect(formatBytes('en', -1)).toBe(`0${NBSP}B`);
    expect(formatBytes('en', Number.NaN)).toBe(`0${NBSP}B`);
  });
});

describe('formatRate', () => {
  const MiB = 1024 ** 2;
  it.each([
    [0, '0 B/s', '0 B/s'],
    [512, '512 B/s', '512 B/s'],
    [1536, '1.5 KiB/s', '1,5 KiB/s'],
    [1.5 * MiB, '1.5 MiB/s', '1,5 MiB/s'],
    [12.34 * MiB, '12.3 MiB/s', '12,3 MiB/s'],
    [250 * MiB, '250 MiB/s', '250 MiB/s'],
    [1.25 * GiB, '1.3 GiB/s', '1,3 GiB/s'],
    [1024 * 1024 - 1, '1 MiB/s', '1 MiB/s'],
    [0.4, '0 B/s', '0 B/s'],
  ])('%d B/s → %s (en), %s (pt-BR)', (rate, wantEn, wantPt) => {
    expect(formatRate('en', rate)).toBe(wantEn.replace(' ', NBSP));
    expect(formatRate('pt-BR', rate)).toBe(wantPt.replace(' ', NBSP));
  });
  it('groups big numbers per locale', () => {
    // 1000 KiB/s stays in KiB (below 1024): the group separator differs.
    expect(formatRate('en', 1000 * 1024)).toBe(`1,000${NBSP}KiB/s`);
    expect(formatRate('pt-BR', 1000 * 1024)).toBe(`1.000${NBSP}KiB/s`);
  });
  it.each([null, undefined, Number.NaN, Number.POSITIVE_INFINITY, -1])('shows %s as unknown', (value) => {
    expect(formatRate('en', value)).toBe(UNKNOWN);
    expect(formatRate('pt-BR', value)).toBe('—');
  });
  it('tells a known rate from an unknown one', () => {
    expect(knownRate(0)).toBe(0);
    expect(knownRate(42.5)).toBe(42.5);
    expect(knownRate(null)).toBeNull();
    expect(knownRate(undefined)).toBeNull();
    expect(knownRate(-3)).toBeNull();
    expect(knownRate(Number.NaN)).toBeNull();
  });
});

describe('formatDuration', () => {
  const d = 86400;
  const h = 3600;
  it.each([
    [0, '0s', '0 s'],
    [45, '45s', '45 s'],
    [5 * 60 + 30, '5m', '5 min'],
    [2 * h + 5 * 60, '2h 5m', '2 h 5 min'],
    [2 * h, '2h', '2 h'],
    [3 * d + 4 * h + 59, '3d 4h', '3 d 4 h'],
    [3 * d + 30 * 60, '3d', '3 d'],
    [1234 * d, '1,234d', '1.234 d'],
  ])('%d s → %s (en), %s (pt-BR)', (seconds, wantEn, wantPt) => {
    expect(formatDuration('en', seconds)).toBe(wantEn);
    expect(formatDuration('pt-BR', seconds)).toBe(wantPt);
  });
});

describe('formatRelative', () => {
  const now = 1_700_000_000_000;
  it('counts seconds, minutes, hours and days back', () => {
    expect(formatRelative('en', now - 3000, now)).toMatch(/^3\s?s.* ago$/);
    expect(formatRelative('pt-BR', now - 3000, now)).toMatch(/^há 3\s?s/);
    expect(formatRelative('en', now - 5 * 60_000, now)).toMatch(/^5\s?m.* ago$/);
    expect(formatRelative('pt-BR', now - 5 * 60_000, now)).toMatch(/^há 5 min/);
    expect(formatRelative('en', now - 2 * 3_600_000, now)).toMatch(/^2\s?h.* ago$/);
    expect(formatRelative('en', now - 3 * 86_400_000, now)).toMatch(/^3\s?d.* ago$/);
  });
  it('says now for the present and for clock skew', () => {
    expect(formatRelative('en', now, now)).toBe('now');
    expect(formatRelative('pt-BR', now + 5000, now)).toBe('agora');
  });
});

describe('formatDateTime', () => {
  it('writes day, month and year in the locale order', () => {
    const ms = Date.UTC(2026, 2, 14, 15, 4, 5);
    const en = formatDateTime('en', ms);
    const pt = formatDateTime('pt-BR', ms);
    expect(en).toMatch(/Mar 1[45], 2026/);
    expect(pt).toMatch(/1[45] de mar\.? de 2026/);
  });
});
