import { describe, expect, it } from 'vitest';
import { COMBOS, comboEvents, functionKey, KEYS, XK } from './keysyms';

describe('keysyms', () => {
  it('has the X11 values', () => {
    expect(XK.Control_L).toBe(0xffe3);
    expect(XK.Alt_L).toBe(0xffe9);
    expect(XK.Delete).toBe(0xffff);
    expect(XK.F1).toBe(0xffbe);
    expect(XK.Escape).toBe(0xff1b);
    expect(XK.Print).toBe(0xff61);
    expect(XK.Super_L).toBe(0xffeb);
    expect(XK.BackSpace).toBe(0xff08);
    expect(XK.ISO_Level3_Shift).toBe(0xfe03);
  });
  it('numbers F1…F12 consecutively', () => {
    expect(functionKey(1)).toEqual({ keysym: 0xffbe, code: 'F1' });
    expect(functionKey(12)).toEqual({ keysym: 0xffc9, code: 'F12' });
    expect(() => functionKey(13)).toThrow();
    expect(() => functionKey(0)).toThrow();
  });
  it('offers the send-keys menu', () => {
    expect(COMBOS.map((c) => c.id)).toEqual([
      ...Array.from({ length: 12 }, (_, i) => `ctrl-alt-f${i + 1}`),
      'alt-tab', 'esc', 'tab', 'print', 'super', 'ctrl-c', 'ctrl-alt-backspace',
    ]);
    expect(COMBOS.find((c) => c.id === 'ctrl-alt-f7')!.keys).toEqual([KEYS.ctrl, KEYS.alt, functionKey(7)]);
  });
  it('presses in order and releases in reverse', () => {
    const events = comboEvents([KEYS.ctrl, KEYS.alt, KEYS.backspace]);
    expect(events.map((e) => [e.keysym, e.down])).toEqual([
      [0xffe3, true], [0xffe9, true], [0xff08, true],
      [0xff08, false], [0xffe9, false], [0xffe3, false],
    ]);
  });
});
