// Turns an ErrorInfo into the sentence the user reads, in their language.

import { t, tp, type MessageKey } from './i18n/index.svelte';
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

/** The port of "host:port" ("[v6]:port" too), else Proxmox's own, 8006. */
export function portOf(host: string): string {
  return /^(?:\[[^\]]*\]|[^:[\]]+):(\d+)$/.exec(host)?.[1] ?? '8006';
}

/**
 * The translated message for err.code, filled with err.params. host falls
 * back to the given one (the cluster's endpoint), then to "the server".
 * Unknown codes show the backend's English message rather than nothing.
 */
export function errorMessage(err: ErrorInfo, host?: string): string {
  const params: Record<string, string> = {
    host: host || t('error.someServer'),
    port: portOf(err.params?.host ?? host ?? ''),
    expected: '?',
    actual: '?',
    movedTo: '?',
    addr: '?',
    dir: '?',
    free: '?',
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
  if (err.code === 'salvaged' || err.code === 'salvageNone' || err.code === 'walRefused') {
    Object.assign(params, repairParams(err.params ?? {}));
  }
  if (isErrorCode(err.code)) return t(`error.code.${err.code}`, params);
  return t('error.code.unknown', params);
}

/** A table of a repaired file, in the user's words (its own name if unknown). */
function tableLabel(name: string): string {
  const key = `repair.table.${name}` as MessageKey;
  const label = t(key);
  return label === key ? name : label;
}

/** "name=a,name=b" (or "name=a/b") pairs of the backend's salvage summary. */
function pairs(list: string | undefined): [string, number[]][] {
  if (!list) return [];
  return list.split(',').flatMap((item): [string, number[]][] => {
    const [name, values] = item.split('=');
    if (!name || values === undefined) return [];
    return [[name, values.split('/').map(Number)]];
  });
}

/**
 * The words of a repair notice (app.RepairNotices): which file, what was
 * saved per table and what was lost.
 */
export function repairParams(p: Record<string, string>): Record<string, string> {
  const file = p.file === 'history' ? t('repair.file.history') : t('repair.file.database');
  const saved = pairs(p.saved)
    .map(([name, [rows]]) => tp('repair.rows', rows ?? 0, { table: tableLabel(name) }))
    .join('; ');
  const lost = pairs(p.lost).flatMap(([name, [rows, pages]]) => {
    const out: string[] = [];
    if (pages) out.push(tp('repair.lostPages', pages, { table: tableLabel(name) }));
    if (rows) out.push(tp('repair.lostRows', rows, { table: tableLabel(name) }));
    return out;
  });
  return {
    file,
    saved,
    lost: lost.length ? t('repair.lost', { lost: lost.join('; ') }) : t('repair.lostNone'),
  };
}
