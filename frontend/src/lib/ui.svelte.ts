// Which page and dialog the window shows. Plain state, no logic.

export interface GuestRef {
  cluster: string;
  /** Guest.id, e.g. "qemu/101". */
  guestId: string;
}

export type ClusterDialog =
  | { kind: 'edit'; cluster: string }
  | { kind: 'remove'; cluster: string }
  | { kind: 'endpoints'; cluster: string }
  | { kind: 'retrust'; cluster: string };

export class UiState {
  guestPage = $state.raw<GuestRef | null>(null);
  wizardOpen = $state(false);
  clusterDialog = $state.raw<ClusterDialog | null>(null);

  openGuest(cluster: string, guestId: string): void {
    this.guestPage = { cluster, guestId };
  }

  closeGuest(): void {
    this.guestPage = null;
  }
}

export const ui = new UiState();
