// Tasks started here: merging "task" events and call results by UPID,
// newest first, and what is still running. Pure; tasks.svelte.ts holds state.

import type { Task } from './types';

/** A task that Proxmox refused at once has no UPID: give it a stable local key. */
export function taskKey(task: Task): string {
  return task.upid || `local:${task.cluster}/${task.guestId}/${task.action}/${task.startedAt}`;
}

/** The row key (GuestRow.key) of a task's guest. */
export function taskGuestKey(task: Pick<Task, 'cluster' | 'guestId'>): string {
  return `${task.cluster}/${task.guestId}`;
}

export function isRunning(task: Task): boolean {
  return task.status === 'running' && !task.error;
}

/** Newest first; ties by key so the order is total. */
export function compareTasks(a: Task, b: Task): number {
  return b.startedAt - a.startedAt || (taskKey(a) < taskKey(b) ? -1 : taskKey(a) > taskKey(b) ? 1 : 0);
}

/**
 * The newer of two reports of the same task. An ended task never goes back
 * to running: a call's answer may arrive after the event that ended it.
 */
export function newer(old: Task, next: Task): Task {
  if (old.status !== 'running' && next.status === 'running') return { ...next, ...old };
  return { ...old, ...next };
}

/** list with task merged in by key, still newest first. */
export function mergeTask(list: readonly Task[], task: Task): Task[] {
  const key = taskKey(task);
  const i = list.findIndex((t) => taskKey(t) === key);
  const out = list.slice();
  if (i >= 0) out[i] = newer(list[i], task);
  else out.push(task);
  return out.sort(compareTasks);
}

export function mergeTasks(list: readonly Task[], tasks: readonly Task[]): Task[] {
  let out = list.slice();
  for (const t of tasks) out = mergeTask(out, t);
  return out;
}

export function runningCount(list: readonly Task[]): number {
  let n = 0;
  for (const t of list) if (isRunning(t)) n++;
  return n;
}

/** Keys of the tasks that failed or were refused. */
export function failedKeys(list: readonly Task[]): Set<string> {
  const out = new Set<string>();
  for (const t of list) if (effectiveStatus(t) === 'error') out.add(taskKey(t));
  return out;
}

/** How many tasks failed or were refused that are not in seen. */
export function unseenFailures(list: readonly Task[], seen: ReadonlySet<string>): number {
  let n = 0;
  for (const t of list) if (effectiveStatus(t) === 'error' && !seen.has(taskKey(t))) n++;
  return n;
}

/** Guests with a shutdown running: Stop may overrule it. */
export function shuttingDownGuests(list: readonly Task[]): Set<string> {
  const out = new Set<string>();
  for (const t of list) if (isRunning(t) && t.action === 'shutdown') out.add(taskGuestKey(t));
  return out;
}

/** Row keys of guests with a running task. */
export function busyGuests(list: readonly Task[]): Set<string> {
  const busy = new Set<string>();
  for (const t of list) if (isRunning(t)) busy.add(taskGuestKey(t));
  return busy;
}

/** "WARNINGS: 2" → true. */
export function effectiveStatus(task: Task): 'running' | 'ok' | 'warnings' | 'error' {
  if (task.error) return 'error';
  switch (task.status) {
    case 'running':
    case 'ok':
    case 'warnings':
    case 'error':
      return task.status;
    default:
      return 'error';
  }
}
