import { describe, expect, it } from 'vitest';
import { virtualWindow } from './virtual';

describe('virtualWindow', () => {
  it('renders the first rows at the top', () => {
    expect(virtualWindow(0, 400, 40, 10_000, 5)).toEqual({ start: 0, end: 15, offset: 0, total: 400_000 });
  });
  it('follows the scroll position with overscan on both sides', () => {
    const w = virtualWindow(4000, 400, 40, 10_000, 5);
    expect(w).toEqual({ start: 95, end: 115, offset: 3800, total: 400_000 });
  });
  it('covers a partially visible row', () => {
    const w = virtualWindow(20, 400, 40, 100, 0);
    expect(w.start).toBe(0);
    expect(w.end).toBe(11);
  });
  it('clamps at the end of the list', () => {
    const w = virtualWindow(400_000, 400, 40, 10_000, 5);
    expect(w.end).toBe(10_000);
    expect(w.start).toBe(10_000 - 10 - 5);
  });
  it('clamps when the list shrank under a scrolled viewport', () => {
    const w = virtualWindow(40_000, 400, 40, 3, 5);
    expect(w).toEqual({ start: 0, end: 3, offset: 0, total: 120 });
  });
  it('renders everything when it all fits', () => {
    expect(virtualWindow(0, 800, 40, 5)).toEqual({ start: 0, end: 5, offset: 0, total: 200 });
  });
  it('is empty for no rows', () => {
    expect(virtualWindow(100, 400, 40, 0)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });
  it('keeps the window size bounded however long the list is', () => {
    for (const top of [0, 1234, 99_999, 399_600]) {
      const w = virtualWindow(top, 600, 40, 10_000, 8);
      expect(w.end - w.start).toBeLessThanOrEqual(600 / 40 + 1 + 16);
    }
  });
});
