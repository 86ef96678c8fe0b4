import { describe, expect, it } from 'vitest';
import { actionsFor, consoleUnavailable, isShutdownTimeout, needsConfirm, unavailable, type Action, type ActionContext } from './actions';
import { guest } from '../test/fixtures';

const ok: ActionContext = { nodeOnline: true, clusterUp: true, busy: false, permissions: null };

describe('action availability', () => {
  const running = guest({ status: 'running' });
  const stopped = guest({ status: 'stopped' });
  const paused = guest({ status: 'paused' });
  const ct = guest({ type: 'lxc', status: 'running', vmid: 200 });

  it.each<[string, ReturnType<typeof guest>, Action, ActionContext, string | null]>([
    ['start a stopped VM', stopped, 'start', ok, null],
    ['start a running VM', running, 'start', ok, 'state'],
    ['shut down a running VM', running, 'shutdown', ok, null],
    ['shut down a stopped VM', stopped, 'shutdown', ok, 'state'],
    ['stop a running VM', running, 'stop', ok, null],
    ['reboot a running VM', running, 'reboot', ok, null],
    ['reset a running VM', running, 'reset', ok, null],
    ['reset a container', ct, 'reset', ok, 'vmOnly'],
    ['suspend a running container', ct, 'suspend', ok, null],
    ['suspend a stopped VM', stopped, 'suspend', ok, 'state'],
    ['resume a paused VM', paused, 'resume', ok, null],
    // /cluster/resources gives the QMP status: a running VM is not paused.
    ['resume a running VM', running, 'resume', ok, 'state'],
    ['resume a VM stopped on an I/O error', guest({ status: 'io-error' }), 'resume', ok, null],
    ['stop a panicked VM', guest({ status: 'guest-panicked' }), 'stop', ok, null],
    ['reset a panicked VM', guest({ status: 'guest-panicked' }), 'reset', ok, null],
    ['shut down a panicked VM', guest({ status: 'guest-panicked' }), 'shutdown', ok, 'state'],
    ['stop a VM being migrated in', guest({ status: 'inmigrate' }), 'stop', ok, null],
    ['pause a paused VM', paused, 'suspend', ok, 'state'],
    ['resume a suspended VM', guest({ status: 'suspended' }), 'resume', ok, null],
    ['resume a stopped VM', stopped, 'resume', ok, 'state'],
    ['start a template', guest({ template: true, status: 'stopped' }), 'start', ok, 'template'],
    ['start a locked VM', guest({ status: 'stopped', lock: 'backup' }), 'start', ok, 'locked'],
    ['start a hibernated VM', guest({ status: 'stopped', lock: 'suspended' }), 'start', ok, null],
    ['stop on an offline node', running, 'stop', { ...ok, nodeOnline: false }, 'nodeOffline'],
    ['stop while busy', running, 'stop', { ...ok, busy: true }, 'busy'],
    // Proxmox lets Stop overrule a running shutdown (overrule-shutdown=1).
    ['stop while shutting down', running, 'stop', { ...ok, busy: true, shuttingDown: true }, null],
    ['reboot while shutting down', running, 'reboot', { ...ok, busy: true, shuttingDown: true }, 'busy'],
    ['stop on a failed cluster', running, 'stop', { ...ok, clusterUp: false }, 'clusterDown'],
    ['stop without VM.PowerMgmt', running, 'stop', { ...ok, permissions: { '/': { 'VM.Audit': true } } }, 'permission'],
    ['stop with VM.PowerMgmt on /vms', running, 'stop', { ...ok, permissions: { '/vms': { 'VM.PowerMgmt': true } } }, null],
    ['start with an empty permission map', stopped, 'start', { ...ok, permissions: {} }, 'permission'],
  ])('%s', (_, g, action, ctx, code) => {
    expect(unavailable(g, action, ctx)?.code ?? null).toBe(code);
  });

  it('names the lock, the node and the missing privilege', () => {
    expect(unavailable(guest({ lock: 'migrate' }), 'stop', ok)).toEqual({ code: 'locked', lock: 'migrate' });
    expect(unavailable(guest({ node: 'pve3' }), 'stop', { ...ok, nodeOnline: false })).toEqual({
      code: 'nodeOffline',
      node: 'pve3',
    });
    expect(unavailable(guest({ vmid: 101 }), 'stop', { ...ok, permissions: {} })).toEqual({
      code: 'permission',
      privilege: 'VM.PowerMgmt',
      path: '/vms/101',
    });
  });

  it('offers reset only to VMs', () => {
    expect(actionsFor('qemu')).toContain('reset');
    expect(actionsFor('lxc')).not.toContain('reset');
  });

  it('asks for confirmation for stop, reset, shutdown and many guests', () => {
    expect(needsConfirm('start', 1)).toBe(false);
    expect(needsConfirm('stop', 1)).toBe(true);
    expect(needsConfirm('reset', 1)).toBe(true);
    expect(needsConfirm('shutdown', 1)).toBe(true);
    expect(needsConfirm('start', 2)).toBe(true);
  });

  it('recognizes a shutdown that timed out', () => {
    expect(isShutdownTimeout('shutdown', 'error', 'VM quit/powerdown failed - got timeout')).toBe(true);
    expect(isShutdownTimeout('shutdown', 'error', 'container did not stop')).toBe(true);
    expect(isShutdownTimeout('shutdown', 'error', 'permission denied')).toBe(false);
    expect(isShutdownTimeout('stop', 'error', 'got timeout')).toBe(false);
    expect(isShutdownTimeout('shutdown', 'ok', 'OK')).toBe(false);
  });
});

describe('consoleUnavailable', () => {
  const ok = { nodeOnline: true, clusterUp: true, permissions: null };
  const g = { template: false, status: 'running', vmid: 101, node: 'pve1' };
  it('opens on a running or paused guest, even locked or busy', () => {
    expect(consoleUnavailable(g, ok)).toBeNull();
    expect(consoleUnavailable({ ...g, status: 'paused' }, ok)).toBeNull();
  });
  it('says why not', () => {
    expect(consoleUnavailable({ ...g, status: 'stopped' }, ok)).toEqual({ code: 'state', status: 'stopped' });
    expect(consoleUnavailable({ ...g, template: true }, ok)).toEqual({ code: 'template' });
    expect(consoleUnavailable(g, { ...ok, nodeOnline: false })).toEqual({ code: 'nodeOffline', node: 'pve1' });
    expect(consoleUnavailable(g, { ...ok, clusterUp: false })).toEqual({ code: 'clusterDown' });
    expect(consoleUnavailable(g, { ...ok, permissions: { '/vms': { 'VM.PowerMgmt': true } } })).toEqual({
      code: 'permission',
      privilege: 'VM.Console',
      path: '/vms/101',
    });
    expect(consoleUnavailable(g, { ...ok, permissions: { '/vms/101': { 'VM.Console': false } } })).toBeNull();
  });
});
