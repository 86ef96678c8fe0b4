import { describe, expect, it, vi } from 'vitest';
import { KEYS, XK, type KeyEvent } from './keysyms';
import { characters, needsConfirm, planPaste, showChar, strokeEvents, strokesFor, typeKeys, type Layout, type Stroke } from './paste';

/** A stroke as "Shift+KeyA" / "AltGr+KeyQ" for readable expectations. */
function show(strokes: readonly Stroke[] | null): string {
  if (!strokes) return 'none';
  return strokes.map((s) => [s.shift && 'Shift', s.altGr && 'AltGr', s.key.code].filter(Boolean).join('+')).join(' ');
}
const on = (layout: Layout) => (ch: string) => show(strokesFor(ch, layout));

describe('US layout', () => {
  const us = on('us');
  it.each([
    ['a', 'KeyA'],
    ['Z', 'Shift+KeyZ'],
    ['0', 'Digit0'],
    ['!', 'Shift+Digit1'],
    ['@', 'Shift+Digit2'],
    ['^', 'Shift+Digit6'],
    ['/', 'Slash'],
    ['?', 'Shift+Slash'],
    ["'", 'Quote'],
    ['"', 'Shift+Quote'],
    ['`', 'Backquote'],
    ['~', 'Shift+Backquote'],
    ['[', 'BracketLeft'],
    ['}', 'Shift+BracketRight'],
    ['\\', 'Backslash'],
    ['|', 'Shift+Backslash'],
    [';', 'Semicolon'],
    [':', 'Shift+Semicolon'],
    ['<', 'Shift+Comma'],
    [' ', 'Space'],
    ['\n', 'Enter'],
    ['\t', 'Tab'],
  ])('%j → %s', (ch, want) => expect(us(ch)).toBe(want));

  it('types every printable ASCII character', () => {
    for (let c = 0x20; c < 0x7f; c++) expect(strokesFor(String.fromCharCode(c), 'us'), String.fromCharCode(c)).not.toBeNull();
  });
  it('cannot type accents or ç', () => {
    for (const ch of ['é', 'ç', 'ã', '´', '¨', '€', '😀']) expect(us(ch)).toBe('none');
  });
  it('sends the keysym of the character typed', () => {
    expect(strokesFor('A', 'us')![0].key).toEqual({ code: 'KeyA', keysym: 0x41 });
    expect(strokesFor('a', 'us')![0].key).toEqual({ code: 'KeyA', keysym: 0x61 });
    expect(strokesFor('\n', 'us')![0].key.keysym).toBe(XK.Return);
  });
});

describe('ABNT2 layout', () => {
  const br = on('abnt2');
  it.each([
    ['a', 'KeyA'],
    ['ç', 'Semicolon'],
    ['Ç', 'Shift+Semicolon'],
    ['/', 'AltGr+KeyQ'],
    ['?', 'AltGr+KeyW'],
    [';', 'Slash'],
    [':', 'Shift+Slash'],
    ["'", 'Backquote'],
    ['"', 'Shift+Backquote'],
    ['[', 'BracketRight'],
    ['{', 'Shift+BracketRight'],
    [']', 'Backslash'],
    ['}', 'Shift+Backslash'],
    ['\\', 'IntlBackslash'],
    ['|', 'Shift+IntlBackslash'],
    ['@', 'Shift+Digit2'],
    ['ª', 'AltGr+BracketRight'],
    ['º', 'AltGr+Backslash'],
    ['§', 'AltGr+Equal'],
  ])('%j → %s', (ch, want) => expect(br(ch)).toBe(want));

  it.each([
    ['á', 'BracketLeft KeyA'],
    ['É', 'BracketLeft Shift+KeyE'],
    ['à', 'Shift+BracketLeft KeyA'],
    ['ã', 'Quote KeyA'],
    ['Õ', 'Quote Shift+KeyO'],
    ['ñ', 'Quote KeyN'],
    ['â', 'Shift+Quote KeyA'],
    ['ê', 'Shift+Quote KeyE'],
    ['ü', 'Shift+Digit6 KeyU'],
    ['´', 'BracketLeft Space'],
    ['`', 'Shift+BracketLeft Space'],
    ['~', 'Quote Space'],
    ['^', 'Shift+Quote Space'],
    ['¨', 'Shift+Digit6 Space'],
  ])('dead keys: %j → %s', (ch, want) => expect(br(ch)).toBe(want));

  it('arms accents with dead keysyms', () => {
    expect(strokesFor('á', 'abnt2')![0].key.keysym).toBe(XK.dead_acute);
    expect(strokesFor('ã', 'abnt2')![0].key.keysym).toBe(XK.dead_tilde);
    expect(strokesFor('ê', 'abnt2')![0].key.keysym).toBe(XK.dead_circumflex);
    expect(strokesFor('à', 'abnt2')![0].key.keysym).toBe(XK.dead_grave);
    expect(strokesFor('ö', 'abnt2')![0].key.keysym).toBe(XK.dead_diaeresis);
  });
  it('types every printable ASCII character too', () => {
    for (let c = 0x20; c < 0x7f; c++) expect(strokesFor(String.fromCharCode(c), 'abnt2'), String.fromCharCode(c)).not.toBeNull();
  });
  it('cannot type what the layout lacks', () => {
    for (const ch of ['€', 'ß', 'ø', '😀', '\u0007']) expect(br(ch)).toBe('none');
  });
});

describe('planPaste', () => {
  it('composes decomposed accents and joins CRLF', () => {
    expect(characters('e\u0301\r\nx\ry')).toEqual(['é', '\n', 'x', '\n', 'y']);
  });
  it('plans Portuguese text on ABNT2 without loss', () => {
    const plan = planPaste('Ação: não é fácil!', 'abnt2');
    expect(plan.unsupported).toEqual([]);
    expect(plan.typed).toBe(plan.length);
    expect(plan.length).toBe(18);
  });
  it('reports what US cannot type, each character once, in order', () => {
    const plan = planPaste('café com ação, é', 'us');
    expect(plan.unsupported).toEqual(['é', 'ç', 'ã']);
    expect(plan.typed).toBe(plan.length - 4);
  });
  it('asks first for long pastes and for unsupported characters', () => {
    expect(needsConfirm(planPaste('x'.repeat(200), 'us'))).toBe(false);
    expect(needsConfirm(planPaste('x'.repeat(201), 'us'))).toBe(true);
    expect(needsConfirm(planPaste('é', 'us'))).toBe(true);
    expect(needsConfirm(planPaste('é', 'abnt2'))).toBe(false);
  });
  it('shows invisible characters as code points', () => {
    expect(showChar('é')).toBe('é');
    expect(showChar('\u0007')).toBe('U+0007');
    expect(showChar('\u00a0')).toBe('U+00A0');
  });
});

describe('strokeEvents', () => {
  it('wraps the key in its modifiers and releases in reverse', () => {
    const events = strokeEvents(strokesFor('?', 'abnt2')!);
    expect(events.map((e) => `${e.code}${e.down ? '↓' : '↑'}`)).toEqual(['AltRight↓', 'KeyW↓', 'KeyW↑', 'AltRight↑']);
    expect(events[0].keysym).toBe(XK.ISO_Level3_Shift);
    const shifted = strokeEvents(strokesFor('A', 'us')!);
    expect(shifted.map((e) => `${e.code}${e.down ? '↓' : '↑'}`)).toEqual(['ShiftLeft↓', 'KeyA↓', 'KeyA↑', 'ShiftLeft↑']);
  });
});

describe('typeKeys', () => {
  const instant = () => Promise.resolve();
  it('sends every event with a pause between them', async () => {
    const sent: KeyEvent[] = [];
    const sleep = vi.fn(instant);
    const events = strokeEvents(planPaste('Hi', 'us').strokes);
    expect(await typeKeys(events, (e) => sent.push(e), { sleep, delay: 15 })).toBe(true);
    expect(sent).toEqual(events);
    expect(sleep).toHaveBeenCalledTimes(events.length - 1);
    expect(sleep).toHaveBeenCalledWith(15);
  });
  it('stops when cancelled and releases held modifiers', async () => {
    const sent: KeyEvent[] = [];
    const abort = new AbortController();
    const events = strokeEvents(planPaste('AB', 'us').strokes);
    const done = await typeKeys(
      events,
      (e) => {
        sent.push(e);
        if (e.code === 'KeyA' && e.down) abort.abort();
      },
      { sleep: instant, signal: abort.signal },
    );
    expect(done).toBe(false);
    expect(sent.map((e) => `${e.code}${e.down ? '↓' : '↑'}`)).toEqual(['ShiftLeft↓', 'KeyA↓', 'KeyA↑', 'ShiftLeft↑']);
    expect(sent.at(-1)).toEqual({ ...KEYS.shift, down: false });
  });
});
