// The guest page's data: GuestDetails read when the page opens and again
// when one of our tasks on that guest ends. The live status comes from the
// inventory (it updates every poll); config and task history from here.

import * as backend from './backend';
import { taskGuestKey } from './tasks';
import { tasksStore } from './tasks.svelte';
import { toErrorInfo, type ErrorInfo, type GuestDetails } from './types';
import type { GuestRef } from './ui.svelte';

export class GuestPage {
  details = $state.raw<GuestDetails | null>(null);
  loading = $state(false);
  error = $state.raw<ErrorInfo | null>(null);
  #ref: GuestRef | null = null;
  #seq = 0;

  async load(ref: GuestRef): Promise<void> {
    const same = this.#ref?.cluster === ref.cluster && this.#ref?.guestId === ref.guestId;
    this.#ref = ref;
    if (!same) this.details = null;
    const seq = ++this.#seq;
    this.loading = true;
    this.error = null;
    try {
      const details = await backend.guestDetails(ref.cluster, ref.guestId);
      if (seq === this.#seq) this.details = details;
    } catch (reason) {
      if (seq === this.#seq) this.error = toErrorInfo(reason);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Re-reads when a task on this guest ends; returns the unsubscribe. */
  follow(): () => void {
    return tasksStore.listen((task, previous) => {
      const ref = this.#ref;
      if (!ref || task.status === 'running' || previous?.status === task.status) return;
      if (taskGuestKey(task) === `${ref.cluster}/${ref.guestId}`) void this.load(ref);
    });
  }
}
