// The window's list of tasks started here: Tasks() once at start, then every
// "task" event, merged by UPID. Logs are read on demand.

import * as backend from './backend';
import { busyGuests, mergeTask, mergeTasks, runningCount, shuttingDownGuests, taskKey } from './tasks';
import { toErrorInfo, type ErrorInfo, type Task, type TaskLogLine } from './types';

/** How many tasks the list keeps (running ones are never dropped). */
export const KEEP_TASKS = 200;

export interface TaskLog {
  loading: boolean;
  lines: TaskLogLine[];
  error: ErrorInfo | null;
}

type Listener = (task: Task, previous: Task | undefined) => void;

export class TasksStore {
  tasks = $state.raw<Task[]>([]);
  loadError = $state.raw<ErrorInfo | null>(null);
  logs = $state.raw<ReadonlyMap<string, TaskLog>>(new Map());
  panelOpen = $state(false);

  readonly running = $derived(runningCount(this.tasks));
  readonly busy = $derived(busyGuests(this.tasks));
  readonly shuttingDown = $derived(shuttingDownGuests(this.tasks));
  readonly byKey = $derived(new Map(this.tasks.map((t) => [taskKey(t), t])));

  #unsubscribe: (() => void) | null = null;
  #listeners = new Set<Listener>();

  /** Called after every merged task with the one it replaced, if any. */
  listen(fn: Listener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  apply(task: Task): Task {
    const previous = this.byKey.get(taskKey(task));
    this.tasks = trim(mergeTask(this.tasks, task));
    const merged = this.byKey.get(taskKey(task)) ?? task;
    for (const fn of this.#listeners) fn(merged, previous);
    return merged;
  }

  async start(): Promise<void> {
    if (this.#unsubscribe) return;
    this.#unsubscribe = backend.onTask((task) => this.apply(task));
    try {
      const list = await backend.tasks();
      this.tasks = trim(mergeTasks(this.tasks, list));
      this.loadError = null;
    } catch (reason) {
      this.loadError = toErrorInfo(reason);
    }
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  reset(): void {
    this.stop();
    this.tasks = [];
    this.logs = new Map();
    this.loadError = null;
    this.panelOpen = false;
  }

  /** Reads a task's log; again when asked again (a running task grows). */
  async loadLog(task: Task): Promise<void> {
    const key = taskKey(task);
    if (!task.upid) return;
    const old = this.logs.get(key);
    this.#setLog(key, { loading: true, lines: old?.lines ?? [], error: null });
    try {
      const lines = await backend.taskLog(task.cluster, task.node, task.upid);
      this.#setLog(key, { loading: false, lines, error: null });
    } catch (reason) {
      this.#setLog(key, { loading: false, lines: old?.lines ?? [], error: toErrorInfo(reason) });
    }
  }

  #setLog(key: string, log: TaskLog): void {
    const next = new Map(this.logs);
    next.set(key, log);
    this.logs = next;
  }
}

function trim(list: Task[]): Task[] {
  if (list.length <= KEEP_TASKS) return list;
  const kept: Task[] = [];
  for (const t of list) if (kept.length < KEEP_TASKS || t.status === 'running') kept.push(t);
  return kept;
}

export const tasksStore = new TasksStore();
