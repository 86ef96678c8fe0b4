// The window's tabs: the inventory first and fixed, then one closable tab
// per console. Opening the console of a guest that already has a tab
// focuses that tab. Closing a tab disconnects its session; switching tabs
// does not (ConsoleView hides, it does not unmount).

import { DEFAULT_SCALE, isScaleMode, type ScaleMode } from './console';
import { ConsoleSession } from './consolesession.svelte';
import { locale } from './i18n/index.svelte';
import { isLayout, type Layout } from './paste';
import { CONSOLE_LAYOUT_KEY, CONSOLE_SCALE_KEY, readPref, writePref } from './prefs';

/** The console choices remembered for the whole app. */
export class ConsolePrefs {
  #scale = $state<ScaleMode | null>(null);
  #layout = $state<Layout | null>(null);

  get scale(): ScaleMode {
    if (this.#scale) return this.#scale;
    const saved = readPref(CONSOLE_SCALE_KEY);
    return isScaleMode(saved) ? saved : DEFAULT_SCALE;
  }
  set scale(mode: ScaleMode) {
    this.#scale = mode;
    writePref(CONSOLE_SCALE_KEY, mode);
  }

  /** Default: ABNT2 for Portuguese, else US. */
  get layout(): Layout {
    if (this.#layout) return this.#layout;
    const saved = readPref(CONSOLE_LAYOUT_KEY);
    if (isLayout(saved)) return saved;
    return locale() === 'pt-BR' ? 'abnt2' : 'us';
  }
  set layout(layout: Layout) {
    this.#layout = layout;
    writePref(CONSOLE_LAYOUT_KEY, layout);
  }

  /** Forgets the in-memory choice (tests). */
  reset(): void {
    this.#scale = null;
    this.#layout = null;
  }
}

export const consolePrefs = new ConsolePrefs();

export interface ConsoleTarget {
  cluster: string;
  /** Guest.id, e.g. "qemu/101". */
  id: string;
  vmid: number;
  name: string;
  /** The inventory shows it running; a console opens only then. */
  running?: boolean;
}

export interface ConsoleTab {
  /** cluster/guestId, as GuestRow.key. */
  key: string;
  cluster: string;
  guestId: string;
  vmid: number;
  name: string;
  session: ConsoleSession;
}

export type SessionFactory = (cluster: string, guestId: string, running: boolean) => ConsoleSession;

export function tabKey(cluster: string, guestId: string): string {
  return `${cluster}/${guestId}`;
}

/** The DOM id of a tab (null = the inventory's). */
export function tabId(key: string | null): string {
  return key === null ? 'tab-inventory' : `tab-console-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** The DOM id of the panel a tab controls. */
export function panelId(key: string | null): string {
  return `panel-${tabId(key).slice(4)}`;
}

export class ConsoleTabs {
  tabs = $state.raw<ConsoleTab[]>([]);
  /** The focused console tab's key; null = the inventory. */
  active = $state<string | null>(null);
  #make: SessionFactory;

  constructor(make: SessionFactory = (cluster, guestId, running) => new ConsoleSession(cluster, guestId, running)) {
    this.#make = make;
  }

  get activeTab(): ConsoleTab | undefined {
    return this.tabs.find((tab) => tab.key === this.active);
  }

  /** Opens (or focuses) the console of target and makes it the active tab. */
  open(target: ConsoleTarget): ConsoleTab {
    const key = tabKey(target.cluster, target.id);
    let tab = this.tabs.find((x) => x.key === key);
    if (!tab) {
      tab = {
        key,
        cluster: target.cluster,
        guestId: target.id,
        vmid: target.vmid,
        name: target.name,
        session: this.#make(target.cluster, target.id, target.running ?? true),
      };
      this.tabs = [...this.tabs, tab];
    }
    this.active = key;
    return tab;
  }

  /** null focuses the inventory; an unknown key changes nothing. */
  focus(key: string | null): void {
    if (key === null || this.tabs.some((tab) => tab.key === key)) this.active = key;
  }

  /** Closes a console tab and disconnects it; focus moves to its neighbour. */
  close(key: string): void {
    const i = this.tabs.findIndex((tab) => tab.key === key);
    if (i < 0) return;
    const [tab] = this.tabs.slice(i, i + 1);
    const rest = this.tabs.filter((x) => x.key !== key);
    this.tabs = rest;
    if (this.active === key) this.active = (rest[i] ?? rest[i - 1])?.key ?? null;
    tab.session.stop();
  }

  /** Ctrl+W: closes the active console tab; false when the inventory is active. */
  closeActive(): boolean {
    if (this.active === null) return false;
    this.close(this.active);
    return true;
  }

  /** Every key of the tab strip in order, the inventory (null) first. */
  order(): (string | null)[] {
    return [null, ...this.tabs.map((tab) => tab.key)];
  }

  /** Closes every tab (tests, and removing all clusters). */
  reset(): void {
    for (const tab of this.tabs) tab.session.stop();
    this.tabs = [];
    this.active = null;
  }
}

export const consoles = new ConsoleTabs();
