// Sentences for a console's state, in the current language. Proxmox's own
// words (error.detail, a security failure's reason) stay verbatim.

import { CONSOLE_CODES, MAX_ATTEMPTS, secondsUntil, type ConsoleState, type ConsoleStatus } from './console';
import { errorMessage } from './errors';
import { t } from './i18n/index.svelte';
import type { ErrorInfo } from './types';

/** One word for the tab's dot: "Connected". */
export function statusLabel(status: ConsoleStatus): string {
  return t(`console.state.${status}`);
}

/** Why a console failed, without Proxmox's detail. */
export function failureText(error: ErrorInfo | null): string {
  if (!error) return t('console.failed.generic');
  switch (error.code) {
    case CONSOLE_CODES.security:
      return t('console.failed.security');
    case CONSOLE_CODES.credentials:
      return t('console.failed.credentials');
    case CONSOLE_CODES.gaveUp:
      return t('console.failed.gaveUp', { max: MAX_ATTEMPTS });
    case 'auth':
      return t('console.failed.auth');
    case 'idle':
      return t('console.failed.idle');
    case 'closed':
      return t('console.failed.closed');
    default:
      return errorMessage(error, error.params?.host);
  }
}

/** The status strip's sentence. */
export function statusText(state: ConsoleState, now: number): string {
  switch (state.status) {
    case 'connecting':
      return t('console.status.connecting');
    case 'connected':
      return t('console.status.connected');
    case 'reconnecting':
      return state.retryAt === null
        ? t('console.status.reconnectingNow', { attempt: state.attempt, max: MAX_ATTEMPTS })
        : t('console.status.reconnecting', {
            attempt: state.attempt,
            max: MAX_ATTEMPTS,
            seconds: secondsUntil(state.retryAt, now),
          });
    case 'failed':
      return failureText(state.error);
    case 'closed':
      return t('console.status.closed');
  }
}
