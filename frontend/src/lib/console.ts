// The console connection as an explicit state machine, like noVNC's own
// rfb.js: pure, so every transition is a table test. step() takes the state
// and an event and answers the next state plus the one thing to do; the
// session (consolesession.svelte.ts) does it.
//
// connecting ──connect──▶ connected ──drop──▶ reconnecting ──timer──▶ (new ticket) …
//     │                                           │  1 s, 2 s, 4 s … 30 s, ≤ 10 tries
//     └──refused / no password / gave up──▶ failed ◀──┘
// any ──guest no longer running──▶ closed ──guest runs again──▶ connecting

import type { ErrorInfo } from './types';

export const CONSOLE_STATUSES = ['connecting', 'connected', 'reconnecting', 'failed', 'closed'] as const;
export type ConsoleStatus = (typeof CONSOLE_STATUSES)[number];

export interface ConsoleState {
  status: ConsoleStatus;
  /** Reconnect attempts in this outage (1 = the first retry). */
  attempt: number;
  /** When the next attempt starts (unix ms); null when none is scheduled. */
  retryAt: number | null;
  /** Why it failed or why the last attempt failed. */
  error: ErrorInfo | null;
  /** When the current connection came up (unix ms). */
  connectedAt: number | null;
  /** The one immediate retry after an expired ticket was used. */
  authRetried: boolean;
}

export type ConsoleEvent =
  /** First open, or the user's Reconnect. */
  | { type: 'open' }
  /** OpenConsole rejected. */
  | { type: 'ticketFailed'; error: ErrorInfo }
  /** noVNC "connect". */
  | { type: 'connected' }
  /** noVNC "disconnect". */
  | { type: 'disconnected'; clean: boolean }
  /** The Go side's "console-ended" for the current session. */
  | { type: 'ended'; error?: ErrorInfo }
  /** noVNC "securityfailure": reason is the server's text. */
  | { type: 'securityFailure'; reason: string }
  /** noVNC "credentialsrequired": the proxy should have answered it. */
  | { type: 'credentialsRequired' }
  /** The scheduled retry is due. */
  | { type: 'retryDue' }
  /** The inventory says the guest stopped / runs again. */
  | { type: 'guestStopped' }
  | { type: 'guestStarted' };

export type ConsoleAction =
  | { type: 'none' }
  /** Drop any old connection, get a fresh ticket, connect. */
  | { type: 'connect' }
  /** Drop the connection and retry after delay ms. */
  | { type: 'schedule'; delay: number }
  /** Drop the connection and any scheduled retry. */
  | { type: 'teardown' };

export interface StepContext {
  now: number;
  /** In [0, 1): the jitter. */
  random: number;
  /** The inventory still shows the guest running (or paused). */
  guestRunning: boolean;
}

export const BASE_DELAY = 1000;
export const MAX_DELAY = 30_000;
export const MAX_ATTEMPTS = 10;
/** A connection that lasted this long starts a new outage from attempt 1. */
export const STABLE_AFTER = 10_000;
/** ± this fraction of the delay, so many consoles do not retry in step. */
export const JITTER = 0.2;

/** Error codes of our own, for failures that are not an ErrorInfo from Go. */
export const CONSOLE_CODES = {
  security: 'consoleSecurity',
  credentials: 'consoleCredentials',
  gaveUp: 'consoleGaveUp',
} as const;

export function initialState(): ConsoleState {
  return { status: 'connecting', attempt: 0, retryAt: null, error: null, connectedAt: null, authRetried: false };
}

/** 1 s, 2 s, 4 s … capped at 30 s, each ± 20 %. attempt starts at 1. */
export function backoff(attempt: number, random: number): number {
  const base = Math.min(MAX_DELAY, BASE_DELAY * 2 ** Math.max(0, attempt - 1));
  const jittered = base * (1 - JITTER + 2 * JITTER * random);
  return Math.round(Math.min(MAX_DELAY, jittered));
}

/** OpenConsole failures worth retrying: the network, not a refusal. */
const RETRYABLE = new Set(['unreachable', 'timeout', 'unavailable', 'internal', 'closed']);

/** Proxmox's words for a guest that is not running ("VM 101 not running"). */
export function isNotRunning(error: ErrorInfo | undefined | null): boolean {
  return !!error && /not running/i.test(`${error.detail ?? ''} ${error.message}`);
}

const none: ConsoleAction = { type: 'none' };

function closed(state: ConsoleState): [ConsoleState, ConsoleAction] {
  return [{ ...state, status: 'closed', retryAt: null, connectedAt: null }, { type: 'teardown' }];
}

function failed(state: ConsoleState, error: ErrorInfo | null): [ConsoleState, ConsoleAction] {
  return [
    { ...state, status: 'failed', retryAt: null, connectedAt: null, error: error ?? state.error },
    { type: 'teardown' },
  ];
}

/** The connection dropped: schedule the next try, or give up. */
function retry(state: ConsoleState, ctx: StepContext, error: ErrorInfo | null): [ConsoleState, ConsoleAction] {
  const stable = state.connectedAt !== null && ctx.now - state.connectedAt >= STABLE_AFTER;
  const attempt = (stable ? 0 : state.attempt) + 1;
  const authRetried = stable ? false : state.authRetried;
  if (attempt > MAX_ATTEMPTS) {
    return failed(
      { ...state, attempt: MAX_ATTEMPTS, authRetried },
      { code: CONSOLE_CODES.gaveUp, message: 'gave up reconnecting', detail: error?.detail ?? state.error?.detail },
    );
  }
  const delay = backoff(attempt, ctx.random);
  return [
    { ...state, status: 'reconnecting', attempt, authRetried, retryAt: ctx.now + delay, connectedAt: null, error },
    { type: 'schedule', delay },
  ];
}

/** Proxmox refused the VNC password (an expired ticket): one fresh ticket at once. */
function authFailed(state: ConsoleState, ctx: StepContext, error: ErrorInfo): [ConsoleState, ConsoleAction] {
  const stable = state.connectedAt !== null && ctx.now - state.connectedAt >= STABLE_AFTER;
  if (state.authRetried && !stable) return failed(state, error);
  return [
    {
      ...state,
      status: 'reconnecting',
      attempt: stable ? 1 : Math.max(1, state.attempt),
      authRetried: true,
      retryAt: null,
      connectedAt: null,
      error,
    },
    { type: 'connect' },
  ];
}

/** A client exists (or is being made): its events count. */
function attempting(state: ConsoleState): boolean {
  return (
    state.status === 'connecting' ||
    state.status === 'connected' ||
    (state.status === 'reconnecting' && state.retryAt === null)
  );
}

export function step(state: ConsoleState, event: ConsoleEvent, ctx: StepContext): [ConsoleState, ConsoleAction] {
  switch (event.type) {
    case 'open':
      if (!ctx.guestRunning) return closed(state);
      return [{ ...initialState() }, { type: 'connect' }];

    case 'connected':
      if (!attempting(state)) return [state, none];
      return [{ ...state, status: 'connected', retryAt: null, error: null, connectedAt: ctx.now }, none];

    case 'ticketFailed':
      if (state.status === 'failed' || state.status === 'closed') return [state, none];
      if (!ctx.guestRunning || isNotRunning(event.error)) return closed({ ...state, error: event.error });
      if (RETRYABLE.has(event.error.code)) return retry(state, ctx, event.error);
      return failed(state, event.error);

    case 'disconnected':
      // Only a live connection can drop; after failed/closed/reconnecting the
      // old client's last event is old news.
      if (!attempting(state)) return [state, none];
      if (!ctx.guestRunning) return closed(state);
      return retry(state, ctx, null);

    case 'ended': {
      const error = event.error;
      if (!error || state.status === 'failed' || state.status === 'closed') return [state, none];
      if (error.code === 'auth') {
        // Already waiting for a timer, or connecting: the fresh ticket comes now.
        return authFailed(state, ctx, error);
      }
      if (!ctx.guestRunning) return closed({ ...state, error });
      if (error.code === 'idle') return failed(state, error);
      if (state.status === 'reconnecting' && state.retryAt !== null) {
        // The disconnect came first and the retry is scheduled: keep it, note why.
        return [{ ...state, error }, none];
      }
      return retry(state, ctx, error);
    }

    case 'securityFailure':
      if (state.status === 'failed' || state.status === 'closed') return [state, none];
      return failed(state, {
        code: CONSOLE_CODES.security,
        message: 'security negotiation failed',
        detail: event.reason || undefined,
      });

    case 'credentialsRequired':
      if (state.status === 'failed' || state.status === 'closed') return [state, none];
      return failed(state, { code: CONSOLE_CODES.credentials, message: 'the server asked for a password' });

    case 'retryDue':
      if (state.status !== 'reconnecting' || state.retryAt === null) return [state, none];
      if (!ctx.guestRunning) return closed(state);
      return [{ ...state, retryAt: null }, { type: 'connect' }];

    case 'guestStopped':
      if (state.status === 'connected' || state.status === 'closed') return [state, none];
      return closed(state);

    case 'guestStarted':
      if (state.status !== 'closed') return [state, none];
      return [{ ...initialState() }, { type: 'connect' }];
  }
}

// Scaling ------------------------------------------------------------------

export const SCALE_MODES = ['fit', 'native', 'remote'] as const;
export type ScaleMode = (typeof SCALE_MODES)[number];
export const DEFAULT_SCALE: ScaleMode = 'fit';

export function isScaleMode(value: unknown): value is ScaleMode {
  return (SCALE_MODES as readonly unknown[]).includes(value);
}

/**
 * What to use now: "remote" only where the server can resize its screen
 * (null = not known yet, try it); else fit.
 */
export function effectiveScale(mode: ScaleMode, remoteSupported: boolean | null): ScaleMode {
  return mode === 'remote' && remoteSupported === false ? DEFAULT_SCALE : mode;
}

/** The noVNC settings for a mode. */
export function scaleSettings(mode: ScaleMode): { scaleViewport: boolean; resizeSession: boolean; clipViewport: boolean } {
  return {
    scaleViewport: mode === 'fit',
    resizeSession: mode === 'remote',
    clipViewport: false,
  };
}

/** cecyber-web-01-20250131-142501.png: safe on every file system. */
export function screenshotName(guestName: string, at: Date): string {
  const safe = guestName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '') || 'console';
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  return `cecyber-${safe}-${stamp}.png`;
}

/** Seconds left until at, rounded up, never negative. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Whether the server can resize its screen: noVNC learns it from the
 * ExtendedDesktopSize rectangle of the first update and keeps it in a
 * private field (its public `capabilities` only covers power). null when
 * this noVNC does not say.
 */
export function remoteResizeSupport(client: object): boolean | null {
  const value = (client as { _supportsSetDesktopSize?: unknown })._supportsSetDesktopSize;
  return typeof value === 'boolean' ? value : null;
}
