// Pasting text into a console as typed keys. The guest reads physical keys
// (scancodes) with its own keyboard layout, so each character maps to the
// key that produces it on the chosen layout, with Shift, AltGr or a dead key
// first when the layout needs one. Characters a layout cannot type are
// reported to the user, never silently dropped.

import { KEYS, XK, type Key, type KeyEvent } from './keysyms';

export const LAYOUTS = ['us', 'abnt2'] as const;
export type Layout = (typeof LAYOUTS)[number];

export function isLayout(value: unknown): value is Layout {
  return (LAYOUTS as readonly unknown[]).includes(value);
}

/** One key with the modifiers held around it. */
export interface Stroke {
  key: Key;
  shift?: boolean;
  altGr?: boolean;
}

type Table = ReadonlyMap<string, readonly Stroke[]>;

/** Latin-1 characters have the keysym of their code point. */
function keyOf(code: string, ch: string): Key {
  return { code, keysym: ch.codePointAt(0)! };
}

function build(fill: (put: (ch: string, ...strokes: Stroke[]) => void) => void): Table {
  const map = new Map<string, Stroke[]>();
  fill((ch, ...strokes) => map.set(ch, strokes));
  return map;
}

/** What both layouts share: letters, digits, space, Enter, Tab, and a few symbols. */
function common(put: (ch: string, ...strokes: Stroke[]) => void): void {
  for (const c of 'abcdefghijklmnopqrstuvwxyz') {
    const code = `Key${c.toUpperCase()}`;
    put(c, { key: keyOf(code, c) });
    put(c.toUpperCase(), { key: keyOf(code, c.toUpperCase()), shift: true });
  }
  for (const d of '0123456789') put(d, { key: keyOf(`Digit${d}`, d) });
  put(' ', { key: KEYS.space });
  put('\n', { key: KEYS.enter });
  put('\t', { key: KEYS.tab });
  const plain: [string, string][] = [
    ['-', 'Minus'],
    ['=', 'Equal'],
    [',', 'Comma'],
    ['.', 'Period'],
  ];
  for (const [ch, code] of plain) put(ch, { key: keyOf(code, ch) });
  const shifted: [string, string][] = [
    ['!', 'Digit1'],
    ['@', 'Digit2'],
    ['#', 'Digit3'],
    ['$', 'Digit4'],
    ['%', 'Digit5'],
    ['&', 'Digit7'],
    ['*', 'Digit8'],
    ['(', 'Digit9'],
    [')', 'Digit0'],
    ['_', 'Minus'],
    ['+', 'Equal'],
    ['<', 'Comma'],
    ['>', 'Period'],
  ];
  for (const [ch, code] of shifted) put(ch, { key: keyOf(code, ch), shift: true });
}

const US: Table = build((put) => {
  common(put);
  const plain: [string, string][] = [
    ['`', 'Backquote'],
    ['[', 'BracketLeft'],
    [']', 'BracketRight'],
    ['\\', 'Backslash'],
    [';', 'Semicolon'],
    ["'", 'Quote'],
    ['/', 'Slash'],
  ];
  for (const [ch, code] of plain) put(ch, { key: keyOf(code, ch) });
  const shifted: [string, string][] = [
    ['~', 'Backquote'],
    ['^', 'Digit6'],
    ['{', 'BracketLeft'],
    ['}', 'BracketRight'],
    ['|', 'Backslash'],
    [':', 'Semicolon'],
    ['"', 'Quote'],
    ['?', 'Slash'],
  ];
  for (const [ch, code] of shifted) put(ch, { key: keyOf(code, ch), shift: true });
});

/** ABNT2's dead keys: the stroke that arms each accent. */
const DEAD = {
  acute: { key: { keysym: XK.dead_acute, code: 'BracketLeft' } },
  grave: { key: { keysym: XK.dead_grave, code: 'BracketLeft' }, shift: true },
  tilde: { key: { keysym: XK.dead_tilde, code: 'Quote' } },
  circumflex: { key: { keysym: XK.dead_circumflex, code: 'Quote' }, shift: true },
  diaeresis: { key: { keysym: XK.dead_diaeresis, code: 'Digit6' }, shift: true },
} as const satisfies Record<string, Stroke>;

/** Accented letters, as Unicode composes them (NFD: base letter + combining mark). */
const ACCENTS: [keyof typeof DEAD, string, string][] = [
  ['acute', '\u0301', 'aeiouyAEIOUY'],
  ['grave', '\u0300', 'aeiouAEIOU'],
  ['circumflex', '\u0302', 'aeiouAEIOU'],
  ['tilde', '\u0303', 'aonAON'],
  ['diaeresis', '\u0308', 'aeiouyAEIOU'],
];

const ABNT2: Table = build((put) => {
  common(put);
  const plain: [string, string][] = [
    ["'", 'Backquote'],
    ['[', 'BracketRight'],
    [']', 'Backslash'],
    ['ç', 'Semicolon'],
    ['\\', 'IntlBackslash'],
    [';', 'Slash'],
  ];
  for (const [ch, code] of plain) put(ch, { key: keyOf(code, ch) });
  const shifted: [string, string][] = [
    ['"', 'Backquote'],
    ['{', 'BracketRight'],
    ['}', 'Backslash'],
    ['Ç', 'Semicolon'],
    ['|', 'IntlBackslash'],
    [':', 'Slash'],
  ];
  for (const [ch, code] of shifted) put(ch, { key: keyOf(code, ch), shift: true });
  // Keyboards without the extra key next to right Shift type / and ? with
  // AltGr+Q and AltGr+W, and every ABNT2 layout (Windows, X11) knows those.
  const altGr: [string, string][] = [
    ['/', 'KeyQ'],
    ['?', 'KeyW'],
    ['¹', 'Digit1'],
    ['²', 'Digit2'],
    ['³', 'Digit3'],
    ['£', 'Digit4'],
    ['¢', 'Digit5'],
    ['¬', 'Digit6'],
    ['§', 'Equal'],
    ['ª', 'BracketRight'],
    ['º', 'Backslash'],
  ];
  for (const [ch, code] of altGr) put(ch, { key: keyOf(code, ch), altGr: true });
  // A dead key followed by Space types the accent itself.
  const space = { key: KEYS.space };
  put('´', DEAD.acute, space);
  put('`', DEAD.grave, space);
  put('~', DEAD.tilde, space);
  put('^', DEAD.circumflex, space);
  put('¨', DEAD.diaeresis, space);
  for (const [dead, mark, letters] of ACCENTS) {
    for (const base of letters) {
      const composed = (base + mark).normalize('NFC');
      const letter = US.get(base)!;
      put(composed, DEAD[dead], ...letter);
    }
  }
});

const TABLES: Record<Layout, Table> = { us: US, abnt2: ABNT2 };

/** The strokes that type ch on layout, or null when the layout cannot. */
export function strokesFor(ch: string, layout: Layout): readonly Stroke[] | null {
  return TABLES[layout].get(ch) ?? null;
}

export interface PastePlan {
  strokes: Stroke[];
  /** Characters the layout cannot type, each once, in order of appearance. */
  unsupported: string[];
  /** Characters that will be typed. */
  typed: number;
  /** Characters in the text (after joining \r\n into one line break). */
  length: number;
}

/** Splits text into characters (code points), composed, with \r\n and \r as \n. */
export function characters(text: string): string[] {
  return [...text.normalize('NFC').replace(/\r\n?/g, '\n')];
}

export function planPaste(text: string, layout: Layout): PastePlan {
  const strokes: Stroke[] = [];
  const unsupported: string[] = [];
  let typed = 0;
  const chars = characters(text);
  for (const ch of chars) {
    const s = strokesFor(ch, layout);
    if (s) {
      strokes.push(...s);
      typed++;
    } else if (!unsupported.includes(ch)) {
      unsupported.push(ch);
    }
  }
  return { strokes, unsupported, typed, length: chars.length };
}

/** How a character is shown in the "cannot type" report: invisible ones as U+XXXX. */
export function showChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const invisible = cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || /\s/u.test(ch);
  return invisible ? `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` : ch;
}

/** Key presses and releases: Shift↓ AltGr↓ key↓ key↑ AltGr↑ Shift↑. */
export function strokeEvents(strokes: readonly Stroke[]): KeyEvent[] {
  const out: KeyEvent[] = [];
  for (const s of strokes) {
    if (s.shift) out.push({ ...KEYS.shift, down: true });
    if (s.altGr) out.push({ ...KEYS.altGr, down: true });
    out.push({ ...s.key, down: true }, { ...s.key, down: false });
    if (s.altGr) out.push({ ...KEYS.altGr, down: false });
    if (s.shift) out.push({ ...KEYS.shift, down: false });
  }
  return out;
}

/** Pastes longer than this ask first, showing the length. */
export const CONFIRM_LENGTH = 200;
/** Milliseconds between two key events: slow enough for a busy guest. */
export const KEY_DELAY = 15;

export function needsConfirm(plan: PastePlan): boolean {
  return plan.length > CONFIRM_LENGTH || plan.unsupported.length > 0;
}

export interface TypeOptions {
  delay?: number;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (sent: number, total: number) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends events one by one, delay ms apart. Resolves true when all were
 * sent, false when cancelled; a cancel releases every key still held, so
 * no Shift stays stuck in the guest.
 */
export async function typeKeys(
  events: readonly KeyEvent[],
  send: (e: KeyEvent) => void,
  { delay = KEY_DELAY, signal, sleep = defaultSleep, onProgress }: TypeOptions = {},
): Promise<boolean> {
  const held = new Map<string, KeyEvent>();
  for (let i = 0; i < events.length; i++) {
    if (signal?.aborted) {
      for (const k of [...held.values()].reverse()) send({ ...k, down: false });
      return false;
    }
    const e = events[i];
    send(e);
    if (e.down) held.set(e.code, e);
    else held.delete(e.code);
    onProgress?.(i + 1, events.length);
    if (i < events.length - 1) await sleep(delay);
  }
  return true;
}
