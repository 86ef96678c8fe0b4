// Global shortcuts: "/" focuses the search, "r" refreshes, Ctrl+W closes the
// console tab. They never fire while the user types in a field or holds a
// modifier, and never take a key from a console screen: there every key
// belongs to the guest.

export type Shortcut = 'search' | 'refresh' | 'closeTab';

/** Marks the element that holds a console's screen (noVNC's canvas). */
export const CONSOLE_SCREEN_ATTR = 'data-console-screen';

/** Whether target is a console screen or inside one. */
export function inConsole(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  return (target as Element).closest(`[${CONSOLE_SCREEN_ATTR}]`) !== null;
}

const TEXT_INPUT_TYPES = new Set([
  'text', 'search', 'email', 'number', 'password', 'tel', 'url', 'date',
  'datetime-local', 'month', 'time', 'week',
]);

export function isEditable(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') return TEXT_INPUT_TYPES.has(((el as HTMLInputElement).type || 'text').toLowerCase());
  return el.isContentEditable === true;
}

export function shortcutFor(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'defaultPrevented'>): Shortcut | null {
  if (event.defaultPrevented || inConsole(event.target)) return null;
  if (event.ctrlKey && !event.metaKey && !event.altKey && (event.key === 'w' || event.key === 'W')) return 'closeTab';
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isEditable(event.target)) return null;
  if (event.key === '/') return 'search';
  if (event.key === 'r' || event.key === 'R') return 'refresh';
  return null;
}
