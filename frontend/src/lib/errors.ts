// Turns an ErrorInfo into the sentence the user reads, in their language.

import { t } from './i18n/index.svelte';
import { ERROR_CODES, type ErrorCode, type ErrorInfo } from './types';

/**
 * Why Cecyber itself refused a value a bound method was given (app/validate.go):
 * these have a sentence of their own, not Proxmox's "rejected as invalid".
 */
export const INVALID_REASONS = ['tooLong', 'badChars', 'outOfRange', 'tooMany', 'badRange'] as const;
type InvalidReason = (typeof INVALID_REASONS)[number];

function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/** The host part of an endpoint URL, for messages that name it. */
export function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).hostname || endpoint;
  } catch {
    return endpoint;
  }
}

/**
 * The translated message for err.code, filled with err.params. host falls
 * back to the given one (the cluster's endpoint), then to "the server".
 * Unknown codes show the backend's English message rather than nothing.
 */
export function errorMessage(err: ErrorInfo, host?: string): string {
  const params: Record<string, string> = {
    host: host || t('error.someServer'),
    expected: '?',
    actual: '?',
    movedTo: '?',
    addr: '?',
    message: err.message,
    ...err.params,
  };
  if (err.code === 'invalid') {
    const reason = err.params?.reason;
    if (reason && (INVALID_REASONS as readonly string[]).includes(reason)) {
      return t(`error.invalid.${reason as InvalidReason}`, { min: '?', max: '?', ...params });
    }
  }
  if (err.code === 'keychain') {
    const reason = err.params?.reason;
    if (reason === 'unavailable' || reason === 'locked' || reason === 'denied') {
      return t(`error.keychain.${reason}`, params);
    }
  }
  if (isErrorCode(err.code)) return t(`error.code.${err.code}`, params);
  return t('error.code.unknown', params);
}
