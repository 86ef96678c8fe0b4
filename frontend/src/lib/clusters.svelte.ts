// Editing, removing and re-trusting a cluster: the calls and their busy and
// error states, for the cluster dialogs.

import * as backend from './backend';
import { store } from './inventory.svelte';
import { toErrorInfo, type ErrorInfo } from './types';

export class ClusterOps {
  busy = $state(false);
  error = $state.raw<ErrorInfo | null>(null);

  async #run(fn: () => Promise<unknown>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      await fn();
      void store.reload();
      return true;
    } catch (reason) {
      this.error = toErrorInfo(reason);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Renames; a non-empty secret replaces the token secret. */
  update(id: string, name: string, secret: string): Promise<boolean> {
    return this.#run(() => backend.updateCluster(id, name.trim(), secret.trim()));
  }

  remove(id: string, keepHistory: boolean): Promise<boolean> {
    return this.#run(() => backend.removeCluster(id, keepHistory));
  }

  /** Pins what the endpoint presents now: the fingerprint the user saw. */
  retrust(id: string, url: string, fingerprint: string): Promise<boolean> {
    return this.#run(() => backend.retrustEndpoint(id, url, fingerprint));
  }
}
