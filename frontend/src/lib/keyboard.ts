// Global shortcuts: "/" focuses the search, "r" refreshes. They never fire
// while the user types in a field or holds a modifier.

export type Shortcut = 'search' | 'refresh';

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
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return null;
  if (isEditable(event.target)) return null;
  if (event.key === '/') return 'search';
  if (event.key === 'r' || event.key === 'R') return 'refresh';
  return null;
}
