import { describe, expect, it } from 'vitest';
import {
  backoff,
  CONSOLE_CODES,
  effectiveScale,
  initialState,
  isNotRunning,
  MAX_ATTEMPTS,
  MAX_DELAY,
  remoteResizeSupport,
  scaleSettings,
  screenshotName,
  secondsUntil,
  STABLE_AFTER,
  step,
  type ConsoleEvent,
  type ConsoleState,
  type StepContext,
} from './console';

const NOW = 1_000_000;
const ctx = (over: Partial<StepContext> = {}): StepContext => ({ now: NOW, random: 0.5, guestRunning: true, ...over });
const st = (over: Partial<ConsoleState> = {}): ConsoleState => ({ ...initialState(), ...over });
const err = (code: string, detail?: string) => ({ code, message: code, detail });

describe('backoff', () => {
  it('doubles from 1 s and caps at 30 s (no jitter at random = 0.5)', () => {
    const delays = Array.from({ length: 10 }, (_, i) => backoff(i + 1, 0.5));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000]);
  });
  it('jitters by ±20 % and never passes the cap', () => {
    expect(backoff(1, 0)).toBe(800);
    expect(backoff(1, 0.999999)).toBe(1200);
    expect(backoff(3, 0)).toBe(3200);
    for (const r of [0, 0.3, 0.9999]) expect(backoff(20, r)).toBeLessThanOrEqual(MAX_DELAY);
    expect(backoff(20, 0)).toBe(24000);
  });
});

describe('step', () => {
  interface Row {
    name: string;
    from: ConsoleState;
    event: ConsoleEvent;
    ctx?: Partial<StepContext>;
    status: ConsoleState['status'];
    action: string;
    attempt?: number;
    check?: (s: ConsoleState) => void;
  }
  const rows: Row[] = [
    { name: 'open connects', from: st({ status: 'failed', attempt: 4, authRetried: true }), event: { type: 'open' }, status: 'connecting', action: 'connect', attempt: 0, check: (s) => expect(s.authRetried).toBe(false) },
    { name: 'open on a stopped guest is closed', from: st(), event: { type: 'open' }, ctx: { guestRunning: false }, status: 'closed', action: 'teardown' },
    { name: 'connect', from: st(), event: { type: 'connected' }, status: 'connected', action: 'none', check: (s) => expect(s.connectedAt).toBe(NOW) },
    { name: 'connect while an attempt runs', from: st({ status: 'reconnecting', attempt: 2, retryAt: null }), event: { type: 'connected' }, status: 'connected', action: 'none', attempt: 2 },
    { name: 'stale connect while waiting is ignored', from: st({ status: 'reconnecting', attempt: 2, retryAt: NOW + 5 }), event: { type: 'connected' }, status: 'reconnecting', action: 'none' },
    { name: 'drop schedules attempt 1 after ~1 s', from: st({ status: 'connected', connectedAt: NOW - 1000 }), event: { type: 'disconnected', clean: false }, status: 'reconnecting', action: 'schedule:1000', attempt: 1, check: (s) => expect(s.retryAt).toBe(NOW + 1000) },
    { name: 'second drop in a row doubles', from: st({ status: 'reconnecting', attempt: 1, retryAt: null }), event: { type: 'disconnected', clean: false }, status: 'reconnecting', action: 'schedule:2000', attempt: 2 },
    { name: 'a stable connection resets the count', from: st({ status: 'connected', attempt: 6, connectedAt: NOW - STABLE_AFTER }), event: { type: 'disconnected', clean: true }, status: 'reconnecting', action: 'schedule:1000', attempt: 1 },
    { name: 'gives up after the last attempt', from: st({ status: 'reconnecting', attempt: MAX_ATTEMPTS, retryAt: null }), event: { type: 'disconnected', clean: false }, status: 'failed', action: 'teardown', check: (s) => expect(s.error?.code).toBe(CONSOLE_CODES.gaveUp) },
    { name: 'drop of a stopped guest is closed', from: st({ status: 'connected' }), event: { type: 'disconnected', clean: false }, ctx: { guestRunning: false }, status: 'closed', action: 'teardown' },
    { name: 'disconnect after a failure is old news', from: st({ status: 'failed' }), event: { type: 'disconnected', clean: false }, status: 'failed', action: 'none' },
    { name: 'disconnect while waiting is old news', from: st({ status: 'reconnecting', attempt: 1, retryAt: NOW + 900 }), event: { type: 'disconnected', clean: false }, status: 'reconnecting', action: 'none' },
    { name: 'retry due fetches a fresh ticket', from: st({ status: 'reconnecting', attempt: 3, retryAt: NOW }), event: { type: 'retryDue' }, status: 'reconnecting', action: 'connect', attempt: 3, check: (s) => expect(s.retryAt).toBeNull() },
    { name: 'retry due for a stopped guest closes', from: st({ status: 'reconnecting', attempt: 3, retryAt: NOW }), event: { type: 'retryDue' }, ctx: { guestRunning: false }, status: 'closed', action: 'teardown' },
    { name: 'auth while connecting: fresh ticket at once', from: st(), event: { type: 'ended', error: err('auth') }, status: 'reconnecting', action: 'connect', attempt: 1, check: (s) => { expect(s.authRetried).toBe(true); expect(s.retryAt).toBeNull(); } },
    { name: 'auth after the drop cancels the wait', from: st({ status: 'reconnecting', attempt: 1, retryAt: NOW + 1000 }), event: { type: 'ended', error: err('auth') }, status: 'reconnecting', action: 'connect', attempt: 1 },
    { name: 'auth twice fails with the reason', from: st({ status: 'reconnecting', attempt: 1, retryAt: null, authRetried: true }), event: { type: 'ended', error: err('auth', 'authentication failed') }, status: 'failed', action: 'teardown', check: (s) => expect(s.error?.detail).toBe('authentication failed') },
    { name: 'auth after a stable connection retries once more', from: st({ status: 'connected', authRetried: true, connectedAt: NOW - STABLE_AFTER }), event: { type: 'ended', error: err('auth') }, status: 'reconnecting', action: 'connect' },
    { name: 'idle fails without retrying', from: st({ status: 'connected' }), event: { type: 'ended', error: err('idle') }, status: 'failed', action: 'teardown' },
    { name: 'closed by Proxmox reconnects', from: st({ status: 'connected', connectedAt: NOW }), event: { type: 'ended', error: err('closed') }, status: 'reconnecting', action: 'schedule:1000', attempt: 1 },
    { name: 'closed while the guest stopped', from: st({ status: 'connected' }), event: { type: 'ended', error: err('closed') }, ctx: { guestRunning: false }, status: 'closed', action: 'teardown' },
    { name: 'ended after the disconnect keeps the timer, notes why', from: st({ status: 'reconnecting', attempt: 1, retryAt: NOW + 800 }), event: { type: 'ended', error: err('unreachable', 'no route') }, status: 'reconnecting', action: 'none', check: (s) => expect(s.error?.detail).toBe('no route') },
    { name: 'ended on purpose is ignored', from: st({ status: 'connected' }), event: { type: 'ended' }, status: 'connected', action: 'none' },
    { name: 'ticket refused: failed with Proxmox words', from: st(), event: { type: 'ticketFailed', error: err('forbidden', 'Permission check failed (/vms/101, VM.Console)') }, status: 'failed', action: 'teardown', check: (s) => expect(s.error?.detail).toBe('Permission check failed (/vms/101, VM.Console)') },
    { name: 'ticket: not running is closed', from: st(), event: { type: 'ticketFailed', error: err('server', 'VM 101 not running') }, status: 'closed', action: 'teardown' },
    { name: 'ticket: network trouble retries', from: st({ status: 'reconnecting', attempt: 2, retryAt: null }), event: { type: 'ticketFailed', error: err('unreachable') }, status: 'reconnecting', action: 'schedule:4000', attempt: 3 },
    { name: 'security failure keeps the reason', from: st(), event: { type: 'securityFailure', reason: 'Authentication failed' }, status: 'failed', action: 'teardown', check: (s) => { expect(s.error?.code).toBe(CONSOLE_CODES.security); expect(s.error?.detail).toBe('Authentication failed'); } },
    { name: 'a password prompt is a failure', from: st(), event: { type: 'credentialsRequired' }, status: 'failed', action: 'teardown', check: (s) => expect(s.error?.code).toBe(CONSOLE_CODES.credentials) },
    { name: 'guest stopped while reconnecting', from: st({ status: 'reconnecting', attempt: 4, retryAt: NOW + 8000 }), event: { type: 'guestStopped' }, status: 'closed', action: 'teardown', check: (s) => expect(s.retryAt).toBeNull() },
    { name: 'guest stopped while failed', from: st({ status: 'failed' }), event: { type: 'guestStopped' }, status: 'closed', action: 'teardown' },
    { name: 'a connected console waits for its own disconnect', from: st({ status: 'connected' }), event: { type: 'guestStopped' }, status: 'connected', action: 'none' },
    { name: 'guest runs again: connect', from: st({ status: 'closed', attempt: 5 }), event: { type: 'guestStarted' }, status: 'connecting', action: 'connect', attempt: 0 },
    { name: 'guest started elsewhere changes nothing', from: st({ status: 'failed' }), event: { type: 'guestStarted' }, status: 'failed', action: 'none' },
  ];
  it.each(rows)('$name', (row) => {
    const [next, action] = step(row.from, row.event, ctx(row.ctx));
    expect(next.status).toBe(row.status);
    expect(action.type === 'schedule' ? `schedule:${action.delay}` : action.type).toBe(row.action);
    if (row.attempt !== undefined) expect(next.attempt).toBe(row.attempt);
    row.check?.(next);
  });

  it('walks a whole outage: 10 tries with growing delays, then gives up', () => {
    let s = st({ status: 'connected', connectedAt: NOW });
    const delays: number[] = [];
    let [next, action] = step(s, { type: 'disconnected', clean: false }, ctx());
    while (action.type === 'schedule') {
      delays.push(action.delay);
      [s] = [next];
      [next, action] = step(s, { type: 'retryDue' }, ctx());
      expect(action.type).toBe('connect');
      [next, action] = step(next, { type: 'disconnected', clean: false }, ctx());
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000]);
    expect(next.status).toBe('failed');
  });
});

describe('helpers', () => {
  it('recognises Proxmox saying the guest is not running', () => {
    expect(isNotRunning(err('server', 'VM 101 not running'))).toBe(true);
    expect(isNotRunning(err('server', 'CT 105 not running'))).toBe(true);
    expect(isNotRunning(err('forbidden', 'Permission check failed'))).toBe(false);
    expect(isNotRunning(null)).toBe(false);
  });
  it('falls back to fit when the server cannot resize', () => {
    expect(effectiveScale('remote', false)).toBe('fit');
    expect(effectiveScale('remote', null)).toBe('remote');
    expect(effectiveScale('remote', true)).toBe('remote');
    expect(effectiveScale('native', false)).toBe('native');
  });
  it('maps scale modes to noVNC settings', () => {
    expect(scaleSettings('fit')).toEqual({ scaleViewport: true, resizeSession: false, clipViewport: false });
    expect(scaleSettings('native')).toEqual({ scaleViewport: false, resizeSession: false, clipViewport: false });
    expect(scaleSettings('remote')).toEqual({ scaleViewport: false, resizeSession: true, clipViewport: false });
  });
  it('reads resize support from the client when it says', () => {
    expect(remoteResizeSupport({ _supportsSetDesktopSize: true })).toBe(true);
    expect(remoteResizeSupport({ _supportsSetDesktopSize: false })).toBe(false);
    expect(remoteResizeSupport({})).toBeNull();
  });
  it('names screenshots safely', () => {
    const at = new Date(2025, 0, 31, 14, 5, 9);
    expect(screenshotName('web-01', at)).toBe('cecyber-web-01-20250131-140509.png');
    expect(screenshotName('a/b c:ç', at)).toBe('cecyber-a_b_c-20250131-140509.png');
    expect(screenshotName('', at)).toBe('cecyber-console-20250131-140509.png');
  });
  it('counts seconds down, rounding up', () => {
    expect(secondsUntil(NOW + 1500, NOW)).toBe(2);
    expect(secondsUntil(NOW - 10, NOW)).toBe(0);
  });
});
