import { describe, expect, it } from 'vitest';
import { ancestors, canAct, hasNoPermissions, hasPrivilege, roleCommands } from './permissions';

describe('permissions', () => {
  it('lists a path and its ancestors, nearest first', () => {
    expect(ancestors('/vms/101')).toEqual(['/vms/101', '/vms', '/']);
    expect(ancestors('/')).toEqual(['/']);
  });

  it('allows everything while permissions are unknown', () => {
    expect(canAct(null, 101, 'VM.PowerMgmt')).toBe(true);
    expect(canAct(undefined, 101, 'VM.PowerMgmt')).toBe(true);
  });

  it('denies everything with an empty map', () => {
    expect(canAct({}, 101, 'VM.PowerMgmt')).toBe(false);
    expect(hasNoPermissions({})).toBe(true);
    expect(hasNoPermissions({ '/': {} })).toBe(true);
    expect(hasNoPermissions({ '/': { 'Sys.Audit': true } })).toBe(false);
    expect(hasNoPermissions(null)).toBe(false);
  });

  it.each([
    [{ '/': { 'VM.PowerMgmt': true } }, 101, true],
    [{ '/vms': { 'VM.PowerMgmt': true } }, 101, true],
    [{ '/vms/101': { 'VM.PowerMgmt': true } }, 101, true],
    [{ '/vms/101': { 'VM.PowerMgmt': true } }, 102, false],
    // The nearest listed path decides: a specific ACL overrides the root one.
    [{ '/': { 'VM.PowerMgmt': true }, '/vms/101': { 'VM.Audit': true } }, 101, false],
    [{ '/': { 'VM.PowerMgmt': true }, '/vms/101': { 'VM.Audit': true } }, 102, true],
    // Not propagated from an ancestor.
    [{ '/vms': { 'VM.PowerMgmt': false } }, 101, false],
    [{ '/storage': { 'VM.PowerMgmt': true } }, 101, false],
  ])('%j on vm %i → %s', (perms, vmid, ok) => {
    expect(canAct(perms, vmid, 'VM.PowerMgmt')).toBe(ok);
  });

  it('counts a privilege listed at the path itself even without propagation', () => {
    expect(hasPrivilege({ '/vms': { 'VM.Audit': false } }, '/vms', 'VM.Audit')).toBe(true);
  });

  it('writes the least-privilege role commands for the token', () => {
    const cmds = roleCommands('ops@pve!cecyber');
    expect(cmds).toBe(
      'pveum role add CecyberOperator --privs "VM.Audit,VM.PowerMgmt,VM.Console,Sys.Audit,Datastore.Audit"\n' +
        "pveum acl modify / --tokens 'ops@pve!cecyber' --roles CecyberOperator",
    );
    expect(roleCommands('')).toContain("'user@realm!tokenid'");
  });
});
