import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Task } from './types';
import { busyGuests, mergeTask, mergeTasks, runningCount, shuttingDownGuests, taskKey, unseenFailures } from './tasks';
import { backend } from '../test/fakebackend';

const { TasksStore } = await import('./tasks.svelte');

function task(over: Partial<Task> = {}): Task {
  return {
    upid: 'UPID:pve1:1',
    cluster: 'c1',
    node: 'pve1',
    guestId: 'qemu/101',
    vmid: 101,
    guestName: 'web-01',
    action: 'start',
    status: 'running',
    startedAt: 1000,
    ...over,
  };
}

describe('task merging', () => {
  it('merges by UPID and keeps the newest first', () => {
    let list = mergeTask([], task());
    list = mergeTask(list, task({ upid: 'UPID:2', startedAt: 2000 }));
    list = mergeTask(list, task({ status: 'ok', exitStatus: 'OK', endedAt: 1500 }));
    expect(list.map((t) => [t.upid, t.status])).toEqual([
      ['UPID:2', 'running'],
      ['UPID:pve1:1', 'ok'],
    ]);
  });

  it('never turns an ended task back to running', () => {
    let list = mergeTask([], task({ status: 'error', exitStatus: 'boom' }));
    list = mergeTask(list, task({ status: 'running' }));
    expect(list[0].status).toBe('error');
    expect(list[0].exitStatus).toBe('boom');
  });

  it('keys refused tasks without UPID locally', () => {
    const refused = task({ upid: '', error: { code: 'forbidden', message: 'x' } });
    expect(taskKey(refused)).toBe('local:c1/qemu/101/start/1000');
    expect(runningCount([refused])).toBe(0);
  });

  it('counts running tasks and busy guests', () => {
    const list = mergeTasks([], [
      task(),
      task({ upid: 'U2', guestId: 'lxc/200', vmid: 200 }),
      task({ upid: 'U3', status: 'ok' }),
    ]);
    expect(runningCount(list)).toBe(2);
    expect([...busyGuests(list)].sort()).toEqual(['c1/lxc/200', 'c1/qemu/101']);
  });

  it('knows the guests whose shutdown still runs, which Stop may overrule', () => {
    const list = mergeTasks([], [
      task({ action: 'shutdown' }),
      task({ upid: 'U2', guestId: 'lxc/200', vmid: 200, action: 'start' }),
      task({ upid: 'U3', guestId: 'qemu/102', vmid: 102, action: 'shutdown', status: 'error' }),
    ]);
    expect([...shuttingDownGuests(list)]).toEqual(['c1/qemu/101']);
  });
});

describe('unseen failures', () => {
  it('counts failed and refused tasks not yet seen, never running or finished ones', () => {
    const refused = task({ upid: '', action: 'start', startedAt: 5, error: { code: 'forbidden', message: 'Permission check failed' } });
    const list = [
      task({ upid: 'U1' }),
      task({ upid: 'U2', status: 'ok', exitStatus: 'OK' }),
      task({ upid: 'U3', status: 'warnings', exitStatus: 'WARNINGS: 1' }),
      task({ upid: 'U4', status: 'error', exitStatus: 'boom' }),
      refused,
    ];
    expect(unseenFailures(list, new Set())).toBe(2);
    expect(unseenFailures(list, new Set(['U4']))).toBe(1);
    expect(unseenFailures(list, new Set(['U4', taskKey(refused)]))).toBe(0);
  });
});

describe('TasksStore', () => {
  beforeEach(() => vi.clearAllMocks());

  it('loads the list, then follows events', async () => {
    backend.Tasks.mockResolvedValueOnce([task({ upid: 'OLD', status: 'ok', startedAt: 10 })]);
    const s = new TasksStore();
    await s.start();
    expect(s.tasks.map((t) => t.upid)).toEqual(['OLD']);
    backend.emitTask(task());
    expect(s.running).toBe(1);
    expect(s.busy.has('c1/qemu/101')).toBe(true);
    const seen: string[] = [];
    s.listen((t, prev) => seen.push(`${prev?.status}->${t.status}`));
    backend.emitTask(task({ status: 'warnings', exitStatus: 'WARNINGS: 2' }));
    expect(seen).toEqual(['running->warnings']);
    expect(s.running).toBe(0);
    expect(s.tasks[0].exitStatus).toBe('WARNINGS: 2');
    s.stop();
  });

  it('counts failures until the panel shows them; a reload has seen the old ones', async () => {
    backend.Tasks.mockResolvedValueOnce([task({ upid: 'OLD', status: 'error', exitStatus: 'boom', startedAt: 10 })]);
    const s = new TasksStore();
    await s.start();
    expect(s.unseenFailed).toBe(0);
    backend.emitTask(task({ upid: 'U1', status: 'error', exitStatus: 'no space left' }));
    backend.emitTask(task({ upid: 'U2', status: 'ok', exitStatus: 'OK' }));
    expect(s.unseenFailed).toBe(1);
    s.panelOpen = true;
    expect(s.unseenFailed).toBe(0);
    // A failure while the panel is open is seen there.
    backend.emitTask(task({ upid: 'U3', status: 'error', exitStatus: 'boom' }));
    s.panelOpen = false;
    expect(s.unseenFailed).toBe(0);
    backend.emitTask(task({ upid: 'U4', status: 'error', exitStatus: 'boom' }));
    expect(s.unseenFailed).toBe(1);
    s.stop();
  });

  it('loads a log on demand', async () => {
    const s = new TasksStore();
    await s.loadLog(task());
    expect(backend.TaskLog).toHaveBeenCalledWith('c1', 'pve1', 'UPID:pve1:1');
    expect(s.logs.get('UPID:pve1:1')).toEqual({ loading: false, lines: [{ n: 1, t: 'starting VM 101' }], error: null });
  });
});
