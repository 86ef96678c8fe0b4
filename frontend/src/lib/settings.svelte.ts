// Settings are kept by the Go side (GetSettings/SaveSettings). This store
// holds the last answer and applies it: language, theme and console
// defaults. localStorage stays only as an early cache (main.ts paints from
// it before GetSettings answers, so the window never flashes the wrong theme
// or language). It also tells Go when the window hides, so polls slow down.

import * as backend from './backend';
import { consolePrefs } from './consoles.svelte';
import { isScaleMode } from './console';
import { followSystemLocale, isLocale, setLocale } from './i18n/index.svelte';
import { isLayout } from './paste';
import { isThemePref, setThemePref } from './theme.svelte';
import { toErrorInfo, type ErrorInfo, type Settings, type SettingsView } from './types';

export class SettingsStore {
  view = $state.raw<SettingsView | null>(null);
  loadError = $state.raw<ErrorInfo | null>(null);
  #envLocale: string | null = null;

  get settings(): Settings | null {
    return this.view?.settings ?? null;
  }

  async load(): Promise<void> {
    try {
      const view = await backend.getSettings();
      this.view = view;
      this.loadError = null;
      this.#apply(view.settings, null);
    } catch (reason) {
      // Keep the cached choices; the settings page shows the error.
      this.loadError = toErrorInfo(reason);
    }
  }

  /** The OS locale from Environment(): what "follow the system" means. */
  setEnvLocale(envLocale: string | null | undefined): void {
    this.#envLocale = envLocale ?? null;
    if (this.view && !isLocale(this.view.settings.language)) followSystemLocale(this.#envLocale);
  }

  /** Saves and applies; rejects with the ErrorInfo (params.field names the field). */
  async save(next: Settings): Promise<SettingsView> {
    const before = this.view?.settings ?? null;
    const view = await backend.saveSettings(next);
    this.view = view;
    this.#apply(view.settings, before);
    return view;
  }

  /** The top bar's quick switches: change one thing, keep the rest as saved. */
  async patch(change: Partial<Settings>): Promise<void> {
    const current = this.view?.settings;
    if (!current) return; // GetSettings failed: the local choice still holds for this session.
    try {
      await this.save({ ...current, ...change });
    } catch (reason) {
      this.loadError = toErrorInfo(reason);
    }
  }

  /**
   * Applies what changed since before (everything when before is null). A
   * console scale chosen in a console's toolbar stays for the session
   * unless the default itself changes here.
   */
  #apply(s: Settings, before: Settings | null): void {
    if (!before || before.language !== s.language) {
      if (isLocale(s.language)) setLocale(s.language);
      else followSystemLocale(this.#envLocale);
    }
    if (!before || before.theme !== s.theme) setThemePref(isThemePref(s.theme) ? s.theme : 'system');
    if ((!before || before.consoleScaling !== s.consoleScaling) && isScaleMode(s.consoleScaling)) {
      consolePrefs.scale = s.consoleScaling;
    }
    if ((!before || before.pasteLayout !== s.pasteLayout) && isLayout(s.pasteLayout)) {
      consolePrefs.layout = s.pasteLayout;
    }
  }

  /** Reports document.hidden now and on every change; returns the undo. */
  watchVisibility(): () => void {
    if (typeof document === 'undefined') return () => {};
    const report = () => {
      backend.setWindowHidden(document.hidden).catch(() => {
        // An older backend without it: polls just keep their pace.
      });
    };
    report();
    document.addEventListener('visibilitychange', report);
    return () => document.removeEventListener('visibilitychange', report);
  }

  /** Forgets everything (tests). */
  reset(): void {
    this.view = null;
    this.loadError = null;
    this.#envLocale = null;
  }
}

export const settingsStore = new SettingsStore();
