// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { CONSOLE_SCREEN_ATTR, inConsole, isEditable, shortcutFor } from './keyboard';

function key(k: string, target: EventTarget | null = document.body, mods: Partial<KeyboardEvent> = {}) {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, defaultPrevented: false, target, ...mods };
}

describe('shortcuts', () => {
  it('maps / to search and r to refresh', () => {
    expect(shortcutFor(key('/'))).toBe('search');
    expect(shortcutFor(key('r'))).toBe('refresh');
    expect(shortcutFor(key('R'))).toBe('refresh');
    expect(shortcutFor(key('x'))).toBeNull();
  });
  it('stays quiet while typing', () => {
    const input = document.createElement('input');
    expect(shortcutFor(key('r', input))).toBeNull();
    expect(shortcutFor(key('/', document.createElement('textarea')))).toBeNull();
    expect(shortcutFor(key('r', document.createElement('select')))).toBeNull();
  });
  it('works on buttons and checkboxes', () => {
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    expect(shortcutFor(key('r', checkbox))).toBe('refresh');
    expect(shortcutFor(key('/', document.createElement('button')))).toBe('search');
  });
  it('ignores modified keys (Ctrl+R reloads, not ours)', () => {
    expect(shortcutFor(key('r', document.body, { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(key('r', document.body, { metaKey: true }))).toBeNull();
    expect(shortcutFor(key('/', document.body, { altKey: true }))).toBeNull();
    expect(shortcutFor(key('r', document.body, { defaultPrevented: true }))).toBeNull();
  });
  it('knows editable elements', () => {
    const div = document.createElement('div');
    div.contentEditable = 'true';
    document.body.append(div);
    expect(isEditable(div)).toBe(true);
    expect(isEditable(null)).toBe(false);
    expect(isEditable(window)).toBe(false);
  });
});

describe('console guard', () => {
  function screen() {
    const view = document.createElement('section');
    const scr = document.createElement('div');
    scr.setAttribute(CONSOLE_SCREEN_ATTR, '');
    const canvas = document.createElement('canvas');
    canvas.tabIndex = -1;
    scr.append(canvas);
    view.append(scr);
    document.body.append(view);
    return { view, scr, canvas };
  }
  it('never takes a key from a console screen', () => {
    const { scr, canvas } = screen();
    expect(inConsole(canvas)).toBe(true);
    expect(inConsole(scr)).toBe(true);
    expect(shortcutFor(key('/', canvas))).toBeNull();
    expect(shortcutFor(key('r', canvas))).toBeNull();
    expect(shortcutFor(key('w', canvas, { ctrlKey: true }))).toBeNull();
  });
  it('closes the console tab with Ctrl+W elsewhere, also from the toolbar', () => {
    const { view } = screen();
    expect(inConsole(view)).toBe(false);
    expect(shortcutFor(key('w', view, { ctrlKey: true }))).toBe('closeTab');
    expect(shortcutFor(key('W', document.body, { ctrlKey: true }))).toBe('closeTab');
    expect(shortcutFor(key('w', document.body, { ctrlKey: true, altKey: true }))).toBeNull();
    expect(shortcutFor(key('w', document.body))).toBeNull();
    expect(inConsole(null)).toBe(false);
    expect(inConsole(window)).toBe(false);
  });
});
