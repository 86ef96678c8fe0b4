// Whether the metric history is being saved: the backend says so when it
// stops (a full disk), after every poll while it is stopped, and when it
// saves again. The banner shows while it is stopped.

import { historyStatus, onHistoryStatus } from './backend';
import type { HistoryStatus } from './types';

class HistoryStatusStore {
  status = $state.raw<HistoryStatus | null>(null);

  /** Listens to the backend and reads the current status; returns the stop. */
  start(): () => void {
    let heard = false;
    const off = onHistoryStatus((s) => {
      heard = true;
      this.status = s;
    });
    historyStatus()
      .then((s) => {
        if (!heard) this.status = s;
      })
      .catch(() => {
        // No history in this build or mode: nothing to show.
      });
    return off;
  }
}

export const historyStore = new HistoryStatusStore();
