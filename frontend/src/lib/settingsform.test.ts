import { describe, expect, it } from 'vitest';
import { formChanged, formFromSettings, validateSettingsForm, type SettingsForm } from './settingsform';
import type { Settings } from './types';

export const SETTINGS: Settings = {
  language: '',
  theme: 'system',
  pollSeconds: 10,
  minimisedPollSeconds: 60,
  rawHours: 24,
  m5Days: 7,
  m15Days: 90,
  h1Days: 730,
  maxHistoryMB: 2048,
  consoleScaling: 'fit',
  pasteLayout: 'us',
};

describe('settings form', () => {
  const form = (over: Partial<SettingsForm> = {}): SettingsForm => ({ ...formFromSettings(SETTINGS), ...over });

  it('round-trips settings', () => {
    expect(validateSettingsForm(form())).toEqual({ settings: SETTINGS, errors: null });
    expect(validateSettingsForm(form({ pollSeconds: ' 30 ', language: 'pt-BR' })).settings).toMatchObject({
      pollSeconds: 30,
      language: 'pt-BR',
    });
  });

  it('checks every bound', () => {
    const bad = validateSettingsForm(
      form({
        pollSeconds: '4',
        minimisedPollSeconds: '301',
        rawHours: '0',
        m5Days: '91',
        m15Days: '6',
        h1Days: '3651',
        maxHistoryMB: '-1',
      }),
    );
    expect(bad.errors).toEqual({
      pollSeconds: 'range',
      minimisedPollSeconds: 'range',
      rawHours: 'range',
      m5Days: 'range',
      m15Days: 'range',
      h1Days: 'range',
      maxHistoryMB: 'whole',
    });
    expect(validateSettingsForm(form({ pollSeconds: '5', minimisedPollSeconds: '300', maxHistoryMB: '0' })).errors).toBeNull();
    expect(validateSettingsForm(form({ pollSeconds: '7.5' })).errors).toEqual({ pollSeconds: 'whole' });
    expect(validateSettingsForm(form({ pollSeconds: '' })).errors).toEqual({ pollSeconds: 'whole' });
    expect(validateSettingsForm(form({ theme: 'pink', language: 'fr', consoleScaling: 'x', pasteLayout: 'dvorak' })).errors).toEqual({
      theme: 'choice',
      language: 'choice',
      consoleScaling: 'choice',
      pasteLayout: 'choice',
    });
  });

  it('knows when something changed', () => {
    expect(formChanged(form(), SETTINGS)).toBe(false);
    expect(formChanged(form({ pollSeconds: '10 ' }), SETTINGS)).toBe(false);
    expect(formChanged(form({ theme: 'dark' }), SETTINGS)).toBe(true);
  });
});
