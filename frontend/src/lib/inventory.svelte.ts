// The window's copy of the backend inventory and the guest table's view of it.
// Components read fields and call methods here; the logic lives in guests.ts.

import * as backend from './backend';
import {
  buildRows,
  DEFAULT_SORT,
  defaultCollator,
  filterRows,
  nextSort,
  sortNodes,
  sortRows,
  summarize,
  type SortKey,
  type SortSpec,
  type StatusFilter,
} from './guests';
import { locale } from './i18n/index.svelte';
import { EMPTY_INVENTORY, toErrorInfo, type ErrorInfo, type Inventory } from './types';

export class InventoryStore {
  /** The latest inventory; replaced whole, never mutated. */
  inventory = $state.raw<Inventory>(EMPTY_INVENTORY);
  /** The first Inventory() call has answered (or failed). */
  loaded = $state(false);
  loadError = $state.raw<ErrorInfo | null>(null);
  refreshing = $state(false);
  refreshError = $state.raw<ErrorInfo | null>(null);
  demoStarting = $state(false);
  demoError = $state.raw<ErrorInfo | null>(null);

  query = $state('');
  statusFilter = $state<StatusFilter>('all');
  sort = $state.raw<SortSpec>(DEFAULT_SORT);

  readonly clusters = $derived(this.inventory.clusters);
  readonly hasClusters = $derived(this.inventory.clusters.length > 0);
  readonly failedClusters = $derived(this.inventory.clusters.filter((c) => c.status === 'error'));
  readonly collator = $derived(defaultCollator(locale()));
  readonly nodes = $derived(sortNodes(this.inventory.nodes, this.collator));
  readonly rows = $derived(buildRows(this.inventory));
  readonly summary = $derived(summarize(this.rows));
  // Sorted before filtering: typing in the search only filters a sorted list.
  readonly sortedRows = $derived(sortRows(this.rows, this.sort, this.collator));
  readonly visibleRows = $derived(filterRows(this.sortedRows, this.query, this.statusFilter));
  readonly filtering = $derived(this.query.trim() !== '' || this.statusFilter !== 'all');

  // Bumped by every applied inventory. A call's answer is dropped when an
  // event arrived while it was in flight: the event is at least as new.
  #version = 0;
  #unsubscribe: (() => void) | null = null;

  apply(inv: Inventory): void {
    this.inventory = inv;
    this.#version++;
  }

  /** Subscribes to "inventory" events and loads the current inventory once. */
  async start(): Promise<void> {
    if (this.#unsubscribe) return;
    this.#unsubscribe = backend.onInventory((inv) => this.apply(inv));
    const version = this.#version;
    try {
      const inv = await backend.inventory();
      if (this.#version === version) this.apply(inv);
      this.loadError = null;
    } catch (reason) {
      this.loadError = toErrorInfo(reason);
    } finally {
      this.loaded = true;
    }
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    this.refreshError = null;
    const version = this.#version;
    try {
      const inv = await backend.refresh();
      if (this.#version === version) this.apply(inv);
    } catch (reason) {
      this.refreshError = toErrorInfo(reason);
    } finally {
      this.refreshing = false;
    }
  }

  async openDemo(): Promise<void> {
    if (this.demoStarting) return;
    this.demoStarting = true;
    this.demoError = null;
    try {
      await backend.openDemo();
      // The backend also emits an event; asking keeps the window right if
      // that event raced ahead of our subscription.
      const version = this.#version;
      const inv = await backend.inventory();
      if (this.#version === version) this.apply(inv);
    } catch (reason) {
      this.demoError = toErrorInfo(reason);
    } finally {
      this.demoStarting = false;
    }
  }

  sortBy(key: SortKey): void {
    this.sort = nextSort(this.sort, key);
  }

  clearFilters(): void {
    this.query = '';
    this.statusFilter = 'all';
  }
}

export const store = new InventoryStore();
