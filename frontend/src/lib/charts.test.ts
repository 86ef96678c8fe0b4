import { describe, expect, it } from 'vitest';
import {
  CHARTS,
  ceilingLabel,
  columnName,
  countPoints,
  csvFileName,
  fileSlug,
  followsPolls,
  formatAxisValue,
  formatExactBytes,
  formatLegendTime,
  formatLegendValue,
  historyMetrics,
  isRangeKey,
  maxPointsFor,
  rangeWindow,
  RANGES,
  timeAxisSpace,
  timeTickFormatter,
  toAligned,
  toCSV,
  valueRange,
  valueTickLabels,
  valueTicks,
  zoomWindow,
  type ChartSpec,
} from './charts';
import type { Series } from './types';

const NBSP = '\u00a0';
const chart = (id: string): ChartSpec => CHARTS.find((c) => c.id === id)!;

const series = (over: Partial<Series> = {}): Series => ({
  times: [1_700_000_000, 1_700_000_060, 1_700_000_120, 1_700_000_180],
  columns: {
    cpu: [0.25, null, 0.5, 0.125],
    cpu_max: [0.5, null, 0.75, 0.25],
    mem: [1024, 2048, null, 4096],
    maxmem: [8192, 8192, 8192, 8192],
  },
  step: 60,
  tier: 'raw',
  ...over,
});

describe('ranges', () => {
  it('knows the five ranges, 24 h first by default', () => {
    expect(RANGES).toEqual(['1h', '24h', '7d', '30d', '1y']);
    expect(isRangeKey('7d')).toBe(true);
    expect(isRangeKey('2d')).toBe(false);
  });

  it('ends the window now, in unix seconds', () => {
    const now = 1_700_000_000_999;
    // The end is exclusive: the current second (a poll that just landed) is in.
    expect(rangeWindow('1h', now)).toEqual({ from: 1_700_000_001 - 3600, to: 1_700_000_001 });
    expect(rangeWindow('24h', now)).toEqual({ from: 1_700_000_001 - 86400, to: 1_700_000_001 });
    expect(rangeWindow('1y', now).to - rangeWindow('1y', now).from).toBe(365 * 86400);
  });

  it('follows polls only up to 24 h', () => {
    expect(RANGES.filter(followsPolls)).toEqual(['1h', '24h']);
  });

  it('turns a drag into an ordered window and ignores slivers', () => {
    expect(zoomWindow(2000.7, 1000.2)).toEqual({ from: 1000, to: 2001 });
    expect(zoomWindow(1000, 1030)).toBeNull();
    expect(zoomWindow(Number.NaN, 5000)).toBeNull();
  });

  it('asks for about one point per pixel, capped at 1000', () => {
    expect(maxPointsFor(640.4)).toBe(640);
    expect(maxPointsFor(4000)).toBe(1000);
    expect(maxPointsFor(10)).toBe(60);
    expect(maxPointsFor(0)).toBe(600);
  });
});

describe('toAligned', () => {
  it('puts times first and keeps nulls as gaps, cpu in percent', () => {
    expect(toAligned(series(), chart('cpu'), 'avg')).toEqual([
      [1_700_000_000, 1_700_000_060, 1_700_000_120, 1_700_000_180],
      [25, null, 50, 12.5],
    ]);
  });

  it('reads the _max columns for max', () => {
    expect(toAligned(series(), chart('cpu'), 'max')[1]).toEqual([50, null, 75, 25]);
    expect(columnName('netin', 'max')).toBe('netin_max');
    expect(columnName('netin', 'avg')).toBe('netin');
  });

  it('fills a missing column with nulls of the right length', () => {
    const data = toAligned(series(), chart('disk'), 'avg');
    expect(data).toHaveLength(3);
    expect(data[1]).toEqual([null, null, null, null]);
    expect(data[2]).toEqual([null, null, null, null]);
  });

  it('never interpolates and drops non-finite values to null', () => {
    const s = series({ columns: { mem: [1, Number.NaN, null, 4], maxmem: [8, 8, 8] } });
    const data = toAligned(s, chart('mem'), 'avg');
    expect(data[1]).toEqual([1, null, null, 4]);
    expect(data[2]).toEqual([8, 8, 8, null]);
  });

  it('is empty before any data', () => {
    expect(toAligned(null, chart('net'), 'avg')).toEqual([[], [], []]);
  });

  it('counts only drawn (non-null) points', () => {
    expect(countPoints(toAligned(series(), chart('mem'), 'avg'))).toBe(7);
    expect(countPoints([[]])).toBe(0);
  });

  it('asks History for every base metric once', () => {
    expect(historyMetrics()).toEqual(['cpu', 'mem', 'maxmem', 'diskread', 'diskwrite', 'netin', 'netout']);
  });
});

describe('CSV', () => {
  it('writes ISO 8601 UTC times, raw values and empty gaps', () => {
    expect(toCSV(series(), chart('mem'), 'avg')).toBe(
      [
        'time,mem,maxmem',
        '2023-11-14T22:13:20.000Z,1024,8192',
        '2023-11-14T22:14:20.000Z,2048,8192',
        '2023-11-14T22:15:20.000Z,,8192',
        '2023-11-14T22:16:20.000Z,4096,8192',
        '',
      ].join('\r\n'),
    );
  });

  it('uses the _max columns for max and keeps cpu as a fraction', () => {
    const csv = toCSV(series(), chart('cpu'), 'max').split('\r\n');
    expect(csv[0]).toBe('time,cpu_max');
    expect(csv[1]).toBe('2023-11-14T22:13:20.000Z,0.5');
  });

  it('has just a header without data', () => {
    expect(toCSV(null, chart('net'), 'avg')).toBe('time,netin,netout\r\n');
  });

  it('names files cecyber-<guest>-<metric>-<range>.csv with safe characters', () => {
    expect(csvFileName('web-01', 'cpu', '24h')).toBe('cecyber-web-01-cpu-24h.csv');
    expect(csvFileName('São Paulo/db 1', 'net', 'zoom')).toBe('cecyber-Sao-Paulo-db-1-net-zoom.csv');
    expect(fileSlug('///')).toBe('target');
  });
});

describe('formatters', () => {
  it('formats axis ticks per kind and locale', () => {
    expect(formatAxisValue('en', 'percent', 25)).toBe('25%');
    expect(formatAxisValue('en', 'bytes', 1.5 * 1024 ** 3)).toBe(`1.5${NBSP}GiB`);
    expect(formatAxisValue('pt-BR', 'bytes', 1.5 * 1024 ** 3)).toBe(`1,5${NBSP}GiB`);
    expect(formatAxisValue('en', 'rate', 2048)).toBe(`2${NBSP}KiB/s`);
    expect(formatAxisValue('pt-BR', 'rate', 1.5 * 1024 ** 2)).toBe(`1,5${NBSP}MiB/s`);
  });

  it('formats legend values with a dash for gaps', () => {
    expect(formatLegendValue('en', 'percent', 12.34)).toBe('12.3%');
    expect(formatLegendValue('pt-BR', 'percent', 12.34)).toBe('12,3%');
    expect(formatLegendValue('en', 'rate', null)).toBe('\u2014');
    expect(formatLegendValue('pt-BR', 'bytes', undefined)).toBe('\u2014');
  });

  // Noon UTC on 15 Nov: the same calendar day in nearly every time zone.
  const noon = Date.UTC(2023, 10, 15, 12) / 1000;

  it('labels time ticks by span: clock, day, month', () => {
    const clock = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }).format(noon * 1000);
    expect(timeTickFormatter('en', 86400)(noon)).toBe(clock);
    expect(timeTickFormatter('en', 7 * 86400)(noon)).toMatch(/Nov/);
    expect(timeTickFormatter('pt-BR', 7 * 86400)(noon)).toMatch(/nov/);
    expect(timeTickFormatter('pt-BR', 7 * 86400)(noon)).toMatch(/15/);
    expect(timeTickFormatter('en', 365 * 86400)(noon)).toMatch(/2023/);
  });

  it('shows the hovered time with date and time in the locale', () => {
    expect(formatLegendTime('en', noon)).toBe(
      new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(noon * 1000),
    );
    expect(formatLegendTime('pt-BR', noon)).toMatch(/nov/);
    expect(formatLegendTime('en', null)).toBe('\u2014');
  });
});

describe('value axis ticks', () => {
  const GiB = 2 ** 30;
  const MiB = 2 ** 20;
  const isBinaryMultiple = (v: number, step: number) => v % step === 0 && Number.isInteger(Math.log2(step));

  it('falls on binary multiples for bytes: a 2 GiB guest reads 512 MiB, 1 GiB, 1.5 GiB, 2 GiB', () => {
    const [, hi] = valueRange('bytes', 2 * GiB);
    const ticks = valueTicks('bytes', hi);
    expect(ticks).toEqual([0, 512 * MiB, GiB, 1.5 * GiB, 2 * GiB]);
    expect(valueTickLabels('en', 'bytes', ticks)).toEqual(['0 B', '512 MiB', '1 GiB', '1.5 GiB', '2 GiB'].map((l) => l.replace(' ', NBSP)));
    expect(valueTickLabels('pt-BR', 'bytes', ticks)[3]).toBe(`1,5${NBSP}GiB`);
  });

  it('gives a 512 GiB node 128 GiB steps, never 559 GiB', () => {
    const ticks = valueTicks('bytes', valueRange('bytes', 512 * GiB)[1]);
    expect(ticks.at(-1)).toBe(512 * GiB);
    expect(valueTickLabels('en', 'bytes', ticks)).not.toContain(`559${NBSP}GiB`);
    for (const v of ticks.slice(1)) expect(isBinaryMultiple(v, ticks[1])).toBe(true);
  });

  it('never repeats a label, idle charts included', () => {
    for (const kind of ['bytes', 'rate', 'percent'] as const) {
      for (const max of [0, 0.2, 1, 3, 7, 100, 1000, 1023, 1500, 9e5, 3.3 * MiB, 1.9 * GiB, 5.5e12]) {
        const ticks = valueTicks(kind, valueRange(kind, max)[1]);
        const labels = valueTickLabels('en', kind, ticks).filter((l) => l !== '');
        expect(new Set(labels).size, `${kind} ${max}: ${labels.join(', ')}`).toBe(labels.length);
        expect(ticks.length, `${kind} ${max}`).toBeGreaterThanOrEqual(2);
        expect(ticks.length).toBeLessThanOrEqual(6);
        if (kind !== 'percent' && ticks.length > 1) {
          for (const v of ticks) expect(isBinaryMultiple(v, ticks[1]), `${kind} ${max}: ${v}`).toBe(true);
        }
      }
    }
    expect(valueTickLabels('en', 'rate', valueTicks('rate', valueRange('rate', 0)[1]))).toEqual([`0${NBSP}B/s`, `1${NBSP}B/s`]);
  });

  it('prints a binary step exactly: 1.25 GiB, not 1.3 GiB', () => {
    expect(formatExactBytes('en', 1.25 * GiB)).toBe(`1.25${NBSP}GiB`);
    expect(formatExactBytes('en', 768 * MiB)).toBe(`768${NBSP}MiB`);
  });

  it('percent ticks are whole, round numbers', () => {
    expect(valueTicks('percent', valueRange('percent', 100)[1])).toEqual([0, 25, 50, 75, 100]);
    expect(valueTickLabels('en', 'percent', valueTicks('percent', valueRange('percent', 0.3)[1]))).toEqual(['0%', '1%']);
  });

  it('names the ceiling line with its value', () => {
    expect(ceilingLabel('en', 'bytes', 'Total', [2 * GiB, 2 * GiB, null])).toBe(`Total 2${NBSP}GiB`);
    expect(ceilingLabel('en', 'bytes', 'Total', [null])).toBeNull();
  });
});

describe('time axis', () => {
  it('leaves room for the widest label: 24 h labels never overlap', () => {
    for (const locale of ['en', 'pt-BR'] as const) {
      for (const span of [3600, 86400, 7 * 86400, 365 * 86400]) {
        const f = timeTickFormatter(locale, span);
        const widest = Math.max(...[0, 11, 12, 23].map((h) => f(Date.UTC(2026, 8, 28, h, 59) / 1000).length));
        expect(timeAxisSpace(locale, span)).toBeGreaterThanOrEqual(widest * 7 + 16);
      }
    }
    // "12:00 PM" in English needs more room than uPlot's default 50 px.
    expect(timeAxisSpace('en', 86400)).toBeGreaterThan(50);
  });
});
