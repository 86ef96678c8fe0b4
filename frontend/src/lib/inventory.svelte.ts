// The window's copy of the backend inventory and the guest table's view of it.
// Components read fields and call methods here; the logic lives in guests.ts.

import * as backend from './backend';
import { applyFilters, allTags, isFiltered, nodeKey, splitNodeKey, type Filters, type TypeFilter } from './filters';
import {
  buildRows,
  DEFAULT_SORT,
  defaultCollator,
  nextSort,
  holdOrder,
  isLiveSort,
  sortNodes,
  sortRows,
  summarize,
  type SortKey,
  type SortSpec,
  type StatusFilter,
} from './guests';
import { locale } from './i18n/index.svelte';
import { EMPTY_SELECTION, prune, type Selection } from './selection';
import { buildTree, flattenTree } from './tree';
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
  typeFilter = $state<TypeFilter>('all');
  /** ClusterState.id or '' for all. */
  clusterFilter = $state('');
  /** nodeKey(cluster, node) or '' for all. */
  nodeFilter = $state('');
  /** A tag or '' for all. */
  tagFilter = $state('');
  sort = $state.raw<SortSpec>(DEFAULT_SORT);
  selection = $state.raw<Selection>(EMPTY_SELECTION);
  /** Tree rows the user opened or closed, by tree key. */
  treeOverrides = $state.raw<ReadonlyMap<string, boolean>>(new Map());

  readonly clusters = $derived(this.inventory.clusters);
  readonly hasClusters = $derived(this.inventory.clusters.length > 0);
  readonly failedClusters = $derived(this.inventory.clusters.filter((c) => c.status === 'error'));
  readonly collator = $derived(defaultCollator(locale()));
  readonly nodes = $derived(sortNodes(this.inventory.nodes, this.collator));
  readonly rows = $derived(buildRows(this.inventory));
  readonly summary = $derived(summarize(this.rows));
  // Sorted before filtering: typing in the search only filters a sorted list.
  readonly liveSortedRows = $derived(sortRows(this.rows, this.sort, this.collator));
  /**
   * The order rows keep while the pointer is over the table (holdRows):
   * sorted by a live figure, they would otherwise move under the mouse at
   * every poll. null when not held.
   */
  heldOrder = $state.raw<ReadonlyMap<string, number> | null>(null);
  readonly orderHeld = $derived(this.heldOrder !== null && isLiveSort(this.sort));
  readonly sortedRows = $derived(
    this.orderHeld && this.heldOrder ? holdOrder(this.liveSortedRows, this.heldOrder) : this.liveSortedRows,
  );
  readonly filters = $derived<Filters>({
    status: this.statusFilter,
    type: this.typeFilter,
    cluster: this.clusterFilter || null,
    node: this.nodeFilter || null,
    tag: this.tagFilter || null,
  });
  readonly visibleRows = $derived(applyFilters(this.sortedRows, this.query, this.filters));
  readonly filtering = $derived(this.query.trim() !== '' || isFiltered(this.filters));
  readonly tags = $derived(allTags(this.rows, this.collator));
  readonly clusterById = $derived(new Map(this.inventory.clusters.map((c) => [c.id, c])));
  /** "cluster\0node" → node status. */
  readonly nodeStatus = $derived(
    new Map(this.inventory.nodes.map((n) => [nodeKey(n.cluster, n.name), n.status])),
  );
  readonly rowByKey = $derived(new Map(this.rows.map((r) => [r.key, r])));
  /**
   * The selected guests the table shows: the only ones a bulk action may
   * touch. A ticked guest the search or a filter hides is left out (and
   * counted in hiddenSelected), never acted on unseen.
   */
  readonly selectedRows = $derived(
    this.selection.keys.size === 0 ? [] : this.visibleRows.filter((r) => this.selection.keys.has(r.key)),
  );
  /** Selected guests the search or a filter hides now. */
  readonly hiddenSelected = $derived(this.selection.keys.size - this.selectedRows.length);
  readonly tree = $derived(
    buildTree(this.inventory.clusters, this.nodes, sortRows(this.rows, DEFAULT_SORT, this.collator)),
  );
  readonly treeItems = $derived(flattenTree(this.tree, this.treeOverrides));

  // Bumped by every applied inventory. A call's answer is dropped when an
  // event arrived while it was in flight: the event is at least as new.
  #version = 0;
  #unsubscribe: (() => void) | null = null;

  apply(inv: Inventory): void {
    this.inventory = inv;
    this.#version++;
    if (this.selection.keys.size > 0) {
      this.selection = prune(this.selection, new Set(inv.guests.map((g) => `${g.cluster}/${g.id}`)));
    }
    // A removed cluster or node must not keep filtering to nothing.
    if (this.clusterFilter && !inv.clusters.some((c) => c.id === this.clusterFilter)) {
      this.clusterFilter = '';
      this.nodeFilter = '';
    }
  }

  /** Asks for the inventory now (after adding, editing or removing a cluster). */
  async reload(): Promise<void> {
    const version = this.#version;
    try {
      const inv = await backend.inventory();
      if (this.#version === version) this.apply(inv);
    } catch (reason) {
      this.refreshError = toErrorInfo(reason);
    }
  }

  /** Opens or closes a tree row. */
  toggleTree(key: string, expanded: boolean): void {
    const next = new Map(this.treeOverrides);
    next.set(key, !expanded);
    this.treeOverrides = next;
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
    const holding = this.heldOrder !== null;
    this.heldOrder = null;
    this.sort = nextSort(this.sort, key);
    if (holding) this.holdRows();
  }

  /** The pointer entered the table: rows stay where they are. */
  holdRows(): void {
    this.heldOrder = new Map(this.liveSortedRows.map((r, i) => [r.key, i]));
  }

  /** The pointer left the table: rows take their sorted places again. */
  releaseRows(): void {
    this.heldOrder = null;
  }

  clearFilters(): void {
    this.query = '';
    this.statusFilter = 'all';
    this.typeFilter = 'all';
    this.clusterFilter = '';
    this.nodeFilter = '';
    this.tagFilter = '';
  }

  /** Shows one cluster's guests ('' = every cluster); drops a node of another one. */
  filterCluster(id: string): void {
    this.clusterFilter = id;
    if (!id || (this.nodeFilter && splitNodeKey(this.nodeFilter).cluster !== id)) this.nodeFilter = '';
  }

  /** Shows one node's guests ('' = every node). */
  filterNode(key: string): void {
    this.nodeFilter = key;
    if (key) this.clusterFilter = splitNodeKey(key).cluster;
  }
}

export const store = new InventoryStore();
