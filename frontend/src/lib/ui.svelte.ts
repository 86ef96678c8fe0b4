// Which page and dialog the window shows. Plain state: the inventory (no
// page), or one page over it. Opening a page from another remembers where
// the user came from, so Back (Esc) returns there: alerts → guest → alerts.

export interface GuestRef {
  cluster: string;
  /** Guest.id, e.g. "qemu/101". */
  guestId: string;
}

export interface NodeRef {
  cluster: string;
  /** Node.name. */
  node: string;
}

export const ALERTS_TABS = ['active', 'history', 'rules'] as const;
export type AlertsTab = (typeof ALERTS_TABS)[number];

export type Page =
  | { kind: 'guest'; guest: GuestRef }
  | { kind: 'node'; node: NodeRef }
  | { kind: 'alerts'; tab: AlertsTab }
  | { kind: 'settings' };

export type ClusterDialog =
  | { kind: 'edit'; cluster: string }
  | { kind: 'remove'; cluster: string }
  | { kind: 'endpoints'; cluster: string }
  | { kind: 'retrust'; cluster: string }
  | { kind: 'move'; cluster: string };

/** How many pages Back remembers. */
const MAX_BACK = 10;

function samePage(a: Page | null, b: Page | null): boolean {
  if (!a || !b || a.kind !== b.kind) return a === b;
  switch (a.kind) {
    case 'guest':
      return b.kind === 'guest' && a.guest.cluster === b.guest.cluster && a.guest.guestId === b.guest.guestId;
    case 'node':
      return b.kind === 'node' && a.node.cluster === b.node.cluster && a.node.node === b.node.node;
    default:
      return true;
  }
}

export class UiState {
  page = $state.raw<Page | null>(null);
  wizardOpen = $state(false);
  clusterDialog = $state.raw<ClusterDialog | null>(null);
  aboutOpen = $state(false);
  /** The pages under the current one, the nearest last. */
  #back = $state.raw<Page[]>([]);

  /** The guest page's guest, or null when another page (or none) shows. */
  get guestPage(): GuestRef | null {
    return this.page?.kind === 'guest' ? this.page.guest : null;
  }
  set guestPage(ref: GuestRef | null) {
    this.#back = [];
    this.page = ref ? { kind: 'guest', guest: ref } : null;
  }

  get nodePage(): NodeRef | null {
    return this.page?.kind === 'node' ? this.page.node : null;
  }

  /** Where back() goes: the page below, or null for the inventory. */
  get backTo(): Page | null {
    return this.#back.at(-1) ?? null;
  }

  /**
   * Shows page; the one it covers comes back with back(). A page of the
   * same kind replaces the current one (guest to guest from the tree), so
   * Back never walks through every guest clicked on the way.
   */
  open(page: Page): void {
    const current = this.page;
    if (samePage(current, page)) {
      this.page = page; // e.g. another tab of the alerts page
      return;
    }
    let back = this.#back.filter((p) => !samePage(p, page));
    if (current && current.kind !== page.kind) {
      back = [...back.filter((p) => !samePage(p, current)), current].slice(-MAX_BACK);
    }
    this.#back = back;
    this.page = page;
  }

  /** Closes the current page: back to the one it covered, or the inventory. */
  back(): void {
    const back = this.#back;
    this.page = back.at(-1) ?? null;
    this.#back = back.slice(0, -1);
  }

  /** Back to the inventory, forgetting every page. */
  closeAll(): void {
    this.#back = [];
    this.page = null;
  }

  openGuest(cluster: string, guestId: string): void {
    this.open({ kind: 'guest', guest: { cluster, guestId } });
  }

  closeGuest(): void {
    this.back();
  }

  openNode(cluster: string, node: string): void {
    this.open({ kind: 'node', node: { cluster, node } });
  }

  openAlerts(tab: AlertsTab = 'active'): void {
    this.open({ kind: 'alerts', tab });
  }

  openSettings(): void {
    this.open({ kind: 'settings' });
  }
}

export const ui = new UiState();
