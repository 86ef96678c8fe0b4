import { describe, expect, it } from 'vitest';
import { cluster } from '../test/fixtures';
import type { KeptHistory, Probe } from './types';
import {
  certValidity,
  checkAddress,
  checkName,
  checkSecret,
  checkTokenId,
  fieldErrorOf,
  fingerprintGroups,
  INITIAL_WIZARD,
  reattached,
  sameFingerprint,
  validateInput,
  wizardReducer,
  type WizardEvent,
  type WizardState,
} from './wizard';

const SECRET = '1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
const FP = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
const probe: Probe = {
  endpoint: 'https://pve1.lan:8006',
  host: 'pve1.lan:8006',
  version: '9.1.2',
  certificate: {
    fingerprint: FP,
    subject: 'CN=pve1.lan',
    issuer: 'CN=Proxmox Virtual Environment',
    notBefore: 1_000,
    notAfter: 2_000,
    dnsNames: ['pve1.lan'],
    ipAddresses: [],
    selfSigned: false,
  },
};

describe('field checks', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['http://pve1:8006', 'http'],
    ['HTTP://pve1', 'http'],
    ['pve1:0', 'badPort'],
    ['pve1:70000', 'badPort'],
    ['pve1:80a', 'badPort'],
    ['pve 1', 'badHost'],
    ['https://pve1:8006/path', null],
    ['https://user@pve1', 'badHost'],
    ['ftp://pve1', 'badHost'],
    ['[::1', 'badHost'],
    ['pve1', null],
    ['pve1.example.com:8006', null],
    ['https://pve1.example.com:8006/', null],
    ['127.0.0.10', null],
    ['[::1]:8006', null],
    ['::1', null],
  ])('address %j → %s', (value, reason) => {
    expect(checkAddress(value)).toBe(reason);
  });

  it.each([
    ['', 'empty'],
    ['cecyber', 'noUser'],
    ['!cecyber', 'noUser'],
    ['root!cecyber', 'noRealm'],
    ['root@!cecyber', 'badChars'],
    ['@pam!cecyber', 'badChars'],
    ['root@pam!x', 'badChars'],
    ['root@pam!cecyber=1a2b', 'badChars'],
    ['root@pam', 'noTokenName'],
    ['root@pam!', 'noTokenName'],
    ['root@pam!cec yber', 'badChars'],
    ['root@pam!9abc', 'badChars'],
    ['root@pam!cecyber', null],
    ['ops@pve!monitor-01', null],
    ['first.last@corp.ldap!t_1', null],
  ])('token ID %j → %s', (value, reason) => {
    expect(checkTokenId(value)).toBe(reason);
  });

  it('checks secrets as UUIDs', () => {
    expect(checkSecret('')).toBe('empty');
    expect(checkSecret('hunter2')).toBe('format');
    expect(checkSecret(SECRET)).toBeNull();
    expect(checkSecret(SECRET.toUpperCase())).toBeNull();
  });

  it('refuses an empty or duplicate name, case-insensitively', () => {
    expect(checkName(' ')).toBe('empty');
    expect(checkName('lab', ['Office', 'Lab'])).toBe('duplicate');
    expect(checkName('Home', ['Office'])).toBeNull();
  });

  it('collects every field error at once', () => {
    expect(validateInput({ name: '', address: 'http://x', tokenId: 'tok', secret: 'x' })).toEqual({
      name: 'empty',
      address: 'http',
      tokenId: 'noUser',
      secret: 'format',
    });
    expect(validateInput({ name: 'A', address: 'pve', tokenId: 'a@pam!bb', secret: SECRET })).toEqual({});
  });
});

describe('wizard state machine', () => {
  const run = (events: WizardEvent[], from: WizardState = INITIAL_WIZARD) => events.reduce(wizardReducer, from);

  it('walks form → probing → certificate → connecting → done', () => {
    let s = run([{ type: 'submit', errors: {} }]);
    expect(s.step).toBe('probing');
    s = run([{ type: 'probed', probe }], s);
    expect(s.step).toBe('certificate');
    // Trust does nothing before the box is ticked.
    expect(run([{ type: 'trust' }], s).step).toBe('certificate');
    s = run([{ type: 'confirm', value: true }, { type: 'trust' }], s);
    expect(s.step).toBe('connecting');
    s = run([{ type: 'added', cluster: cluster({ name: 'Lab' }) }], s);
    expect(s.step).toBe('done');
    expect(s.result?.name).toBe('Lab');
  });

  it('stays on the form with client-side errors', () => {
    const s = run([{ type: 'submit', errors: { secret: 'empty' } }]);
    expect(s.step).toBe('form');
    expect(s.fieldErrors).toEqual({ secret: 'empty' });
    expect(run([{ type: 'edit', field: 'secret' }], s).fieldErrors).toEqual({});
  });

  it('puts the backend field error next to its field', () => {
    const s = run([
      { type: 'submit', errors: {} },
      { type: 'probeFailed', error: { code: 'invalid', message: 'x', params: { field: 'address', reason: 'http' } } },
    ]);
    expect(s.step).toBe('form');
    expect(s.fieldErrors).toEqual({ address: 'http' });
    expect(s.error).toBeNull();
  });

  it('shows network errors in the dialog', () => {
    const error = { code: 'unreachable', message: 'dial', params: { host: 'pve1:8006' } };
    const s = run([{ type: 'submit', errors: {} }, { type: 'probeFailed', error }]);
    expect(s.step).toBe('form');
    expect(s.error).toEqual(error);
  });

  it('returns to the form after AddCluster fails, unconfirmed', () => {
    const base = run([
      { type: 'submit', errors: {} },
      { type: 'probed', probe },
      { type: 'confirm', value: true },
      { type: 'trust' },
    ]);
    const s = run([{ type: 'addFailed', error: { code: 'keychain', message: 'x', params: { reason: 'locked' } } }], base);
    expect(s.step).toBe('form');
    expect(s.error?.code).toBe('keychain');
    expect(s.confirmed).toBe(false);
    expect(s.probe).toBeNull();
    const dup = run(
      [{ type: 'addFailed', error: { code: 'invalid', message: 'x', params: { field: 'name', reason: 'duplicate' } } }],
      base,
    );
    expect(dup.fieldErrors).toEqual({ name: 'duplicate' });
  });

  describe('a cluster removed with its history kept', () => {
    const kept: KeptHistory = {
      id: 'c-0123456789ab',
      name: 'Old lab',
      clusterName: 'lab',
      nodes: ['pve1', 'pve2'],
      removedAt: 1_700_000_000_000,
      targets: 12,
    };
    const connecting = () =>
      run([{ type: 'submit', errors: {} }, { type: 'probed', probe }, { type: 'confirm', value: true }, { type: 'trust' }]);

    it('connects on when nothing was kept for it', () => {
      const s = run([{ type: 'keptFound', kept: [] }], connecting());
      expect(s.step).toBe('connecting');
      expect(s.history).toBe('');
      const done = run([{ type: 'added', cluster: cluster() }], s);
      expect(reattached(done)).toBeNull();
    });

    it('stops to offer the kept history, chosen first, and connects with the choice', () => {
      let s = run([{ type: 'keptFound', kept: [kept] }], connecting());
      expect(s.step).toBe('history');
      expect(s.kept).toEqual([kept]);
      expect(s.history).toBe(kept.id);
      // Nothing connects until the user answers.
      expect(run([{ type: 'added', cluster: cluster() }], s).step).toBe('history');
      s = run([{ type: 'chooseHistory', id: '' }], s);
      expect(s.history).toBe('');
      // Only a history that was offered can be chosen.
      expect(run([{ type: 'chooseHistory', id: 'c-other' }], s).history).toBe('');
      s = run([{ type: 'chooseHistory', id: kept.id }, { type: 'attach' }], s);
      expect(s.step).toBe('connecting');
      expect(s.history).toBe(kept.id);
      s = run([{ type: 'added', cluster: cluster({ id: kept.id }) }], s);
      expect(s.step).toBe('done');
      expect(reattached(s)).toEqual(kept);
    });

    it('starts empty when the user says so', () => {
      const s = run(
        [{ type: 'keptFound', kept: [kept] }, { type: 'chooseHistory', id: '' }, { type: 'attach' }, { type: 'added', cluster: cluster() }],
        connecting(),
      );
      expect(s.step).toBe('done');
      expect(reattached(s)).toBeNull();
    });

    it('forgets the offer when adding fails', () => {
      const s = run(
        [{ type: 'keptFound', kept: [kept] }, { type: 'attach' }, { type: 'addFailed', error: { code: 'unreachable', message: 'x' } }],
        connecting(),
      );
      expect(s.step).toBe('form');
      expect(s.kept).toEqual([]);
      expect(s.history).toBe('');
    });

    it('ignores the history events out of order', () => {
      expect(run([{ type: 'keptFound', kept: [kept] }])).toBe(INITIAL_WIZARD);
      expect(run([{ type: 'attach' }])).toBe(INITIAL_WIZARD);
      expect(run([{ type: 'chooseHistory', id: '' }])).toBe(INITIAL_WIZARD);
    });
  });

  it('ignores events out of order', () => {
    expect(run([{ type: 'probed', probe }])).toBe(INITIAL_WIZARD);
    expect(run([{ type: 'added', cluster: cluster() }])).toBe(INITIAL_WIZARD);
  });

  it('reads field errors only from "invalid" with a known field', () => {
    expect(fieldErrorOf({ code: 'invalid', message: '', params: { field: 'tokenId', reason: 'noRealm' } })).toEqual({
      field: 'tokenId',
      reason: 'noRealm',
    });
    expect(fieldErrorOf({ code: 'invalid', message: '', params: { field: 'action' } })).toBeNull();
    expect(fieldErrorOf({ code: 'unreachable', message: '' })).toBeNull();
  });
});

describe('certificates', () => {
  it('groups a SHA-256 fingerprint in 8 groups of 4 bytes', () => {
    const groups = fingerprintGroups(FP);
    expect(groups).toHaveLength(8);
    expect(groups[0]).toBe('00:01:02:03');
    expect(groups.join(':')).toBe(FP);
  });

  it('tells expired and not-yet-valid certificates', () => {
    expect(certValidity({ notBefore: 1000, notAfter: 2000 }, 1500)).toBe('valid');
    expect(certValidity({ notBefore: 1000, notAfter: 2000 }, 2500)).toBe('expired');
    expect(certValidity({ notBefore: 1000, notAfter: 2000 }, 500)).toBe('notYetValid');
  });

  it('compares fingerprints ignoring case and separators', () => {
    expect(sameFingerprint('ab:cd', 'AB:CD')).toBe(true);
    expect(sameFingerprint('AB:CD', 'AB:CE')).toBe(false);
    expect(sameFingerprint('', '')).toBe(false);
  });
});
