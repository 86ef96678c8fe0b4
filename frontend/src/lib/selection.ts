// Row selection for bulk actions: click toggles, shift-click selects the
// range from the last clicked row, "select all" covers the visible rows.
// Immutable: every function returns a new Selection.

export interface Selection {
  keys: ReadonlySet<string>;
  /** The last row clicked without shift: where a shift range starts. */
  anchor: string | null;
}

export const EMPTY_SELECTION: Selection = Object.freeze({ keys: new Set<string>(), anchor: null });

/**
 * A click on the checkbox of `key`. With shift and a visible anchor, every
 * row between them takes the clicked row's new state.
 */
export function clickRow(sel: Selection, visible: readonly string[], key: string, shift: boolean): Selection {
  const keys = new Set(sel.keys);
  const select = !keys.has(key);
  if (shift && sel.anchor !== null && sel.anchor !== key) {
    const from = visible.indexOf(sel.anchor);
    const to = visible.indexOf(key);
    if (from >= 0 && to >= 0) {
      const [a, b] = from < to ? [from, to] : [to, from];
      for (let i = a; i <= b; i++) {
        if (select) keys.add(visible[i]);
        else keys.delete(visible[i]);
      }
      return { keys, anchor: sel.anchor };
    }
  }
  if (select) keys.add(key);
  else keys.delete(key);
  return { keys, anchor: key };
}

export type AllState = 'none' | 'some' | 'all';

export function allState(sel: Selection, visible: readonly string[]): AllState {
  if (visible.length === 0) return 'none';
  let n = 0;
  for (const k of visible) if (sel.keys.has(k)) n++;
  return n === 0 ? 'none' : n === visible.length ? 'all' : 'some';
}

/** The header checkbox: selects every visible row, or clears them when all are. */
export function toggleAll(sel: Selection, visible: readonly string[]): Selection {
  const keys = new Set(sel.keys);
  if (allState(sel, visible) === 'all') for (const k of visible) keys.delete(k);
  else for (const k of visible) keys.add(k);
  return { keys, anchor: sel.anchor };
}

/** Drops keys whose rows are gone (a guest was deleted, a cluster removed). */
export function prune(sel: Selection, existing: ReadonlySet<string>): Selection {
  let changed = false;
  for (const k of sel.keys) if (!existing.has(k)) changed = true;
  if (!changed) return sel;
  return { keys: new Set([...sel.keys].filter((k) => existing.has(k))), anchor: sel.anchor };
}
