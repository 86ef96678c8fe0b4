import { describe, expect, it } from 'vitest';
import { cluster } from '../test/fixtures';
import { checkMove, INITIAL_MOVE, initialAddress, moveReducer, type MoveEvent, type MoveState } from './move';
import type { Probe } from './types';

const FP = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
const probe: Probe = {
  endpoint: 'https://10.0.0.9:8006',
  host: '10.0.0.9:8006',
  version: '9.1.2',
  certificate: {
    fingerprint: FP,
    subject: 'CN=pve1',
    issuer: 'CN=Proxmox Virtual Environment',
    notBefore: 1_000,
    notAfter: 2_000,
    dnsNames: [],
    ipAddresses: ['10.0.0.9'],
    selfSigned: true,
  },
};

describe('moving a cluster', () => {
  const run = (events: MoveEvent[], from: MoveState = INITIAL_MOVE) => events.reduce(moveReducer, from);

  it('checks the address always and the secret only when given', () => {
    expect(checkMove('10.0.0.9', '')).toEqual({});
    expect(checkMove('', '')).toEqual({ address: 'empty' });
    expect(checkMove('http://10.0.0.9:8006', 'nope')).toEqual({ address: 'http', secret: 'format' });
  });

  it('walks form → probing → certificate → saving → done, trusting only after the confirmation', () => {
    let s = run([{ type: 'submit', errors: {} }]);
    expect(s.step).toBe('probing');
    s = run([{ type: 'probed', probe }], s);
    expect(s.step).toBe('certificate');
    expect(run([{ type: 'save' }], s).step).toBe('certificate');
    s = run([{ type: 'confirm', value: true }, { type: 'save' }], s);
    expect(s.step).toBe('saving');
    s = run([{ type: 'saved', cluster: cluster({ endpoint: probe.endpoint }) }], s);
    expect(s.step).toBe('done');
    expect(s.result?.endpoint).toBe(probe.endpoint);
  });

  it('puts field errors next to their field and others above the form', () => {
    const s = run([{ type: 'submit', errors: { address: 'badHost' } }]);
    expect(s.step).toBe('form');
    expect(s.fieldErrors).toEqual({ address: 'badHost' });
    expect(run([{ type: 'edit', field: 'address' }], s).fieldErrors).toEqual({});
    const unreachable = { code: 'unreachable', message: 'dial', params: { host: '10.0.0.9:8006' } };
    const u = run([{ type: 'submit', errors: {} }, { type: 'probeFailed', error: unreachable }]);
    expect(u.step).toBe('form');
    expect(u.error).toEqual(unreachable);
  });

  it('goes back to the form, unconfirmed, when the move is refused', () => {
    const saving = run([{ type: 'submit', errors: {} }, { type: 'probed', probe }, { type: 'confirm', value: true }, { type: 'save' }]);
    const other = run(
      [
        {
          type: 'saveFailed',
          error: { code: 'invalid', message: 'x', params: { field: 'address', reason: 'otherCluster', found: 'prod' } },
        },
      ],
      saving,
    );
    expect(other.step).toBe('form');
    expect(other.fieldErrors).toEqual({ address: 'otherCluster' });
    expect(other.found).toBe('prod');
    expect(other.probe).toBeNull();
    expect(other.confirmed).toBe(false);
    const fp = run([{ type: 'saveFailed', error: { code: 'fingerprint', message: 'x' } }], saving);
    expect(fp.step).toBe('form');
    expect(fp.error?.code).toBe('fingerprint');
  });

  it('ignores events out of order', () => {
    expect(run([{ type: 'probed', probe }])).toBe(INITIAL_MOVE);
    expect(run([{ type: 'saved', cluster: cluster() }])).toBe(INITIAL_MOVE);
    expect(run([{ type: 'save' }])).toBe(INITIAL_MOVE);
  });

  it('starts from the current host and port', () => {
    expect(initialAddress('https://pve1.example.com:8006')).toBe('pve1.example.com:8006');
    expect(initialAddress('https://[fd00::1]:8006')).toBe('[fd00::1]:8006');
  });
});
