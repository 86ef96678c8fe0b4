import { describe, expect, it } from 'vitest';
import { allState, clickRow, EMPTY_SELECTION, prune, toggleAll } from './selection';

const rows = ['a', 'b', 'c', 'd', 'e'];
const keys = (s: { keys: ReadonlySet<string> }) => [...s.keys].sort();

describe('selection', () => {
  it('toggles a row and remembers it as the anchor', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 'b', false);
    expect(keys(s)).toEqual(['b']);
    expect(s.anchor).toBe('b');
    s = clickRow(s, rows, 'b', false);
    expect(keys(s)).toEqual([]);
  });

  it('selects a range with shift, both directions', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 'b', false);
    s = clickRow(s, rows, 'd', true);
    expect(keys(s)).toEqual(['b', 'c', 'd']);
    let t = clickRow(EMPTY_SELECTION, rows, 'd', false);
    t = clickRow(t, rows, 'a', true);
    expect(keys(t)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('clears a range with shift when the clicked row was selected', () => {
    let s = toggleAll(EMPTY_SELECTION, rows);
    s = clickRow(s, rows, 'b', false); // deselect b, anchor b
    s = clickRow(s, rows, 'd', true); // d is selected → clear b..d
    expect(keys(s)).toEqual(['a', 'e']);
  });

  it('falls back to a plain toggle when the anchor is not visible', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 'b', false);
    s = clickRow(s, ['c', 'd', 'e'], 'e', true);
    expect(keys(s)).toEqual(['b', 'e']);
  });

  it('selects all visible rows, then none', () => {
    let s = toggleAll(EMPTY_SELECTION, ['a', 'b']);
    expect(allState(s, ['a', 'b'])).toBe('all');
    expect(allState(s, rows)).toBe('some');
    s = toggleAll(s, ['a', 'b']);
    expect(allState(s, ['a', 'b'])).toBe('none');
    expect(allState(s, [])).toBe('none');
  });

  it('drops rows that are gone, keeping identity when nothing changes', () => {
    const s = toggleAll(EMPTY_SELECTION, ['a', 'b']);
    expect(prune(s, new Set(['a', 'b', 'c']))).toBe(s);
    expect(keys(prune(s, new Set(['a'])))).toEqual(['a']);
  });
});
