import { describe, expect, it } from 'vitest';
import type { ClusterState } from './types';
import { conclusion } from './wizardresult';

const cluster = (over: Partial<ClusterState> = {}): ClusterState =>
  ({
    id: 'c-1',
    name: 'Lab',
    endpoint: 'https://127.0.0.1:8006',
    demo: false,
    version: '9.1.2',
    status: 'ok',
    lastPollAt: 0,
    clusterName: '',
    tokenId: 'empty@pve!nothing',
    endpoints: [],
    permissions: null,
    ...over,
  }) as ClusterState;

const ALL = { '/': { 'Sys.Audit': true, 'VM.Audit': true, 'VM.PowerMgmt': true } };

describe('the wizard conclusion', () => {
  it('never calls a token without permissions "a single node": it says what it cannot see and why', () => {
    const c = conclusion(cluster(), cluster({ permissions: {} }), 0);
    expect(c.summary.key).toBe('wizard.done.noPerms');
    expect(c.summary.params).toEqual({ token: 'empty@pve!nothing' });
    expect(c.nodes).toBeNull();
    expect(c.blind).toBe(true);
    expect(c.notes).toContain('wizard.done.fix');
  });

  it('says the token sees no nodes when it lacks Sys.Audit on /nodes', () => {
    const c = conclusion(cluster(), cluster({ permissions: { '/vms/101': { 'VM.Audit': true } } }), 1);
    expect(c.summary.key).toBe('wizard.done.noNodes');
    expect(c.nodes).toBeNull();
  });

  it('waits for the permissions before saying "single node"', () => {
    expect(conclusion(cluster(), cluster(), 1).summary.key).toBe('wizard.done.checking');
    expect(conclusion(cluster(), cluster({ permissions: ALL }), 1).summary.key).toBe('wizard.done.single');
  });

  it('names the Proxmox cluster and counts its nodes', () => {
    const c = conclusion(cluster({ clusterName: 'prod' }), cluster({ clusterName: 'prod', permissions: ALL }), 3);
    expect(c.summary).toEqual({ key: 'wizard.done.cluster', params: { cluster: 'prod' } });
    expect(c.nodes).toBe(3);
    expect(c.notes).toEqual(['wizard.done.body']);
    expect(c.blind).toBe(false);
  });

  it('says when the token sees nodes but no guests', () => {
    const c = conclusion(cluster(), cluster({ permissions: { '/': { 'Sys.Audit': true } } }), 2);
    expect(c.summary.key).toBe('wizard.done.single');
    expect(c.notes).toEqual(['wizard.done.noGuests', 'wizard.done.fix']);
  });
});
