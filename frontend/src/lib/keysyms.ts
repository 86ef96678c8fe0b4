// X11 keysyms and physical key codes the console sends. noVNC 1.7 exports
// only its RFB class (its keysym table is not importable), so the few we
// need are here. A key is a keysym (for servers that map keysyms) plus the
// KeyboardEvent.code of the physical key (QEMU's extended key events carry
// the scancode, which the guest then reads with its own layout).

export interface Key {
  keysym: number;
  code: string;
}

export const XK = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Escape: 0xff1b,
  Print: 0xff61,
  Delete: 0xffff,
  Shift_L: 0xffe1,
  Control_L: 0xffe3,
  Alt_L: 0xffe9,
  Super_L: 0xffeb,
  /** AltGr. */
  ISO_Level3_Shift: 0xfe03,
  F1: 0xffbe,
  dead_grave: 0xfe50,
  dead_acute: 0xfe51,
  dead_circumflex: 0xfe52,
  dead_tilde: 0xfe53,
  dead_diaeresis: 0xfe57,
  space: 0x20,
  c: 0x63,
} as const;

/** F1…F12: keysyms are consecutive from XK_F1. */
export function functionKey(n: number): Key {
  if (!Number.isInteger(n) || n < 1 || n > 12) throw new RangeError(`no key F${n}`);
  return { keysym: XK.F1 + n - 1, code: `F${n}` };
}

export const KEYS = {
  ctrl: { keysym: XK.Control_L, code: 'ControlLeft' },
  alt: { keysym: XK.Alt_L, code: 'AltLeft' },
  shift: { keysym: XK.Shift_L, code: 'ShiftLeft' },
  altGr: { keysym: XK.ISO_Level3_Shift, code: 'AltRight' },
  super: { keysym: XK.Super_L, code: 'MetaLeft' },
  delete: { keysym: XK.Delete, code: 'Delete' },
  backspace: { keysym: XK.BackSpace, code: 'Backspace' },
  tab: { keysym: XK.Tab, code: 'Tab' },
  enter: { keysym: XK.Return, code: 'Enter' },
  escape: { keysym: XK.Escape, code: 'Escape' },
  print: { keysym: XK.Print, code: 'PrintScreen' },
  space: { keysym: XK.space, code: 'Space' },
  c: { keysym: XK.c, code: 'KeyC' },
} as const satisfies Record<string, Key>;

/** One entry of the "Send keys" menu: keys pressed in order, released in reverse. */
export interface Combo {
  id: string;
  keys: readonly Key[];
}

export const COMBOS: readonly Combo[] = [
  ...Array.from({ length: 12 }, (_, i) => ({
    id: `ctrl-alt-f${i + 1}`,
    keys: [KEYS.ctrl, KEYS.alt, functionKey(i + 1)],
  })),
  { id: 'alt-tab', keys: [KEYS.alt, KEYS.tab] },
  { id: 'esc', keys: [KEYS.escape] },
  { id: 'tab', keys: [KEYS.tab] },
  { id: 'print', keys: [KEYS.print] },
  { id: 'super', keys: [KEYS.super] },
  { id: 'ctrl-c', keys: [KEYS.ctrl, KEYS.c] },
  { id: 'ctrl-alt-backspace', keys: [KEYS.ctrl, KEYS.alt, KEYS.backspace] },
];

/** One key press or release, as rfb.sendKey(keysym, code, down) takes it. */
export interface KeyEvent {
  keysym: number;
  code: string;
  down: boolean;
}

/** Presses in order, releases in reverse: Ctrl↓ Alt↓ F1↓ F1↑ Alt↑ Ctrl↑. */
export function comboEvents(keys: readonly Key[]): KeyEvent[] {
  return [
    ...keys.map((k) => ({ ...k, down: true })),
    ...[...keys].reverse().map((k) => ({ ...k, down: false })),
  ];
}
