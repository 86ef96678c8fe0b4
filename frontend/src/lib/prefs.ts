// User preferences kept in the webview's localStorage. Reads and writes never
// throw: a missing or locked storage only means the choice is not remembered.

export const LOCALE_KEY = 'cecyber.locale';
export const THEME_KEY = 'cecyber.theme';
export const CONSOLE_SCALE_KEY = 'cecyber.console.scale';
export const CONSOLE_LAYOUT_KEY = 'cecyber.console.layout';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function readPref(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function writePref(key: string, value: string | null): void {
  try {
    const s = storage();
    if (!s) return;
    if (value === null) s.removeItem(key);
    else s.setItem(key, value);
  } catch {
    // storage full or disabled: keep the choice for this session only
  }
}

export const OVERVIEW_COLLAPSED_KEY = 'cecyber.overview.collapsed';

/** The no-permission panel folded to one line (remembered across sessions). */
export const NO_PERMS_COLLAPSED_KEY = 'cecyber.noPerms.collapsed';
