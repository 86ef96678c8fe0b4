// Toasts: one per action started here, following its task, plain error
// toasts, and one per alert that starts firing. Success hides itself;
// warnings and errors stay until dismissed.

import type { Alert, ErrorInfo } from './types';

export const AUTO_HIDE_MS = 6000;

export type Toast =
  | { id: number; kind: 'task'; taskKey: string }
  | {
      id: number;
      kind: 'error';
      /** The action that failed to start, and on which guest. */
      action: string;
      guestName: string;
      error: ErrorInfo;
    }
  | {
      id: number;
      /** An alert that just started firing. */
      kind: 'alert';
      alert: Alert;
    };

type NewToast = Toast extends infer T ? (T extends Toast ? Omit<T, 'id'> : never) : never;

export class ToastStore {
  toasts = $state.raw<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(toast: NewToast): number {
    const id = this.#next++;
    this.toasts = [...this.toasts, { ...toast, id } as Toast];
    return id;
  }

  /** The toast following a task, if any. */
  forTask(taskKey: string): Toast | undefined {
    return this.toasts.find((t) => t.kind === 'task' && t.taskKey === taskKey);
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer) clearTimeout(timer);
    this.#timers.delete(id);
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  autoHide(id: number, ms = AUTO_HIDE_MS): void {
    if (this.#timers.has(id)) return;
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), ms),
    );
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.toasts = [];
  }
}

export const toasts = new ToastStore();
