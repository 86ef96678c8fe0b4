// The window's list of tasks started here: Tasks() once at start, then every
// "task" event, merged by UPID. Logs are read on demand.

import * as backend from './backend';
import { busyGuests, failedKeys, mergeTask, mergeTasks, runningCount, shuttingDownGuests, taskKey, unseenFailures } from './tasks';
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
  #panelOpen = $state(false);
  /** Failed and refused tasks the panel has shown (open or closed since). */
  #seenFailed = $state.raw<ReadonlySet<string>>(new Set());

  readonly running = $derived(runningCount(this.tasks));
  /** Failures the user has not seen in the panel: the toggle's badge says so. */
  readonly unseenFailed = $derived(this.#panelOpen ? 0 : unseenFailures(this.tasks, this.#seenFailed));
  readonly busy = $derived(busyGuests(this.tasks));
  readonly shuttingDown = $derived(shuttingDownGuests(this.tasks));
  readonly byKey = $derived(new Map(this.tasks.map((t) => [taskKey(t), t])));

  get panelOpen(): boolean {
    return this.#panelOpen;
  }

  /** Opening or closing the panel counts every failure in it as seen. */
  set panelOpen(open: boolean) {
    this.#panelOpen = open;
    this.#seenFailed = failedKeys(this.tasks);
  }

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
      // A reloaded window has shown these failures before.
      this.#seenFailed = new Set([...this.#seenFailed, ...failedKeys(list)]);
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
    this.#panelOpen = false;
    this.#seenFailed = new Set();
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
