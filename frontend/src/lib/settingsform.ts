// The settings page's form: limits, validation and the Settings it saves.
// The limits mirror app/settings.go; Go checks them again and its field
// errors land on the same fields.

import { isLocale } from './i18n/locales';
import { isLayout } from './paste';
import { isScaleMode } from './console';
import { isThemePref } from './theme.svelte';
import type { Settings } from './types';

export type NumberField =
  | 'pollSeconds'
  | 'minimisedPollSeconds'
  | 'rawHours'
  | 'm5Days'
  | 'm15Days'
  | 'h1Days'
  | 'maxHistoryMB';

export type SettingsField = keyof Settings;

/** Inclusive bounds of every number; maxHistoryMB has no upper bound. */
export const LIMITS: Record<NumberField, { min: number; max: number }> = {
  pollSeconds: { min: 5, max: 60 },
  minimisedPollSeconds: { min: 10, max: 300 },
  rawHours: { min: 1, max: 168 },
  m5Days: { min: 1, max: 90 },
  m15Days: { min: 7, max: 365 },
  h1Days: { min: 30, max: 3650 },
  maxHistoryMB: { min: 0, max: Number.MAX_SAFE_INTEGER },
};

export const NUMBER_FIELDS = Object.keys(LIMITS) as NumberField[];

/** The form keeps numbers as typed, so a half-typed value is never lost. */
export type SettingsForm = Omit<Settings, NumberField> & Record<NumberField, string>;

export type SettingsError = 'range' | 'whole' | 'choice';
export type SettingsErrors = Partial<Record<SettingsField, SettingsError>>;

export function formFromSettings(s: Settings): SettingsForm {
  const form = { ...s } as unknown as SettingsForm;
  for (const f of NUMBER_FIELDS) form[f] = String(s[f]);
  return form;
}

export function isSettingsField(value: unknown): value is SettingsField {
  return (
    typeof value === 'string' &&
    ['language', 'theme', 'consoleScaling', 'pasteLayout', ...NUMBER_FIELDS].includes(value)
  );
}

/** Checks the form and builds Settings, or says per field what is wrong. */
export function validateSettingsForm(
  form: SettingsForm,
): { settings: Settings; errors: null } | { settings: null; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  if (form.language !== '' && !isLocale(form.language)) errors.language = 'choice';
  if (!isThemePref(form.theme)) errors.theme = 'choice';
  if (!isScaleMode(form.consoleScaling)) errors.consoleScaling = 'choice';
  if (!isLayout(form.pasteLayout)) errors.pasteLayout = 'choice';
  const numbers = {} as Record<NumberField, number>;
  for (const f of NUMBER_FIELDS) {
    const text = form[f].trim();
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n)) errors[f] = 'whole';
    else if (n < LIMITS[f].min || n > LIMITS[f].max) errors[f] = 'range';
    numbers[f] = n;
  }
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  return {
    errors: null,
    settings: {
      language: form.language,
      theme: form.theme,
      consoleScaling: form.consoleScaling,
      pasteLayout: form.pasteLayout,
      ...numbers,
    },
  };
}

/** Whether saving form would change anything. */
export function formChanged(form: SettingsForm, saved: Settings): boolean {
  const a = formFromSettings(saved);
  return (Object.keys(a) as (keyof SettingsForm)[]).some((k) => String(form[k]).trim() !== String(a[k]));
}
