// Sentences for actions, unavailability reasons, tasks and wizard fields, in
// the current language. Keys are built from codes; describe.test.ts checks
// every code has its message in both languages.

import { isAction, type Action, type Unavailable } from './actions';
import { errorMessage } from './errors';
import { t, type MessageKey } from './i18n/index.svelte';
import { effectiveStatus } from './tasks';
import type { ErrorInfo, Task } from './types';
import { FIELD_REASONS, type WizardField } from './wizard';

const KNOWN_LOCKS = new Set([
  'backup', 'migrate', 'snapshot', 'snapshot-delete', 'rollback', 'clone',
  'create', 'disk', 'suspending', 'suspended', 'mounted', 'destroyed',
]);

/** "backup", "migrating"… in the current language; unknown locks verbatim. */
export function lockLabel(lock: string): string {
  return KNOWN_LOCKS.has(lock) ? t(`lock.${lock}` as MessageKey) : lock;
}

export function actionLabel(action: string): string {
  return isAction(action) ? t(`action.${action}`) : action;
}

/** Why an action is disabled: the tooltip and data-reason text. */
export function reasonText(reason: Unavailable, action: Action): string {
  switch (reason.code) {
    case 'vmOnly':
      return t('reason.vmOnly');
    case 'template':
      return t('reason.template');
    case 'clusterDown':
      return t('reason.clusterDown');
    case 'nodeOffline':
      return t('reason.nodeOffline', { node: reason.node });
    case 'locked':
      return t('reason.locked', { lock: lockLabel(reason.lock) });
    case 'busy':
      return t('reason.busy');
    case 'state':
      return action === 'start'
        ? t('reason.notStopped')
        : action === 'resume'
          ? t('reason.notResumable')
          : t('reason.notRunning');
    case 'permission':
      return t('reason.permission', { privilege: reason.privilege, path: reason.path });
  }
}

/** Why the console cannot open: the tooltip and data-reason text. */
export function consoleReasonText(reason: Unavailable): string {
  return reason.code === 'state' ? t('reason.consoleNotRunning') : reasonText(reason, 'stop');
}

/** The headline of a task's toast or row. */
export function taskTitle(task: Task): string {
  const name = task.guestName || `${task.vmid || task.guestId}`;
  if (task.error?.code === 'notfound') return t('task.vanished', { name });
  const status = effectiveStatus(task);
  if (!isAction(task.action)) return t('task.generic', { action: task.action, name });
  switch (status) {
    case 'running':
      return t(`task.running.${task.action}`, { name });
    case 'ok':
      return t(`task.ok.${task.action}`, { name });
    case 'warnings':
      return t('task.warnings', { name });
    case 'error':
      return t(`task.failed.${task.action}`, { name });
  }
}

/**
 * The second line: Proxmox's exit text verbatim for warnings and errors,
 * our translation when the action could not even start.
 */
export function taskDetail(task: Task): string {
  if (task.error) {
    if (task.error.code === 'notfound') return '';
    return task.error.detail || errorMessage(task.error, task.error.params?.host);
  }
  const status = effectiveStatus(task);
  if (status === 'warnings' || status === 'error') return task.exitStatus ?? '';
  return '';
}

/** A call that failed before any task existed. */
export function callErrorTitle(action: string, name: string, error: ErrorInfo): string {
  if (error.code === 'notfound') return t('task.vanished', { name });
  return isAction(action) ? t(`task.failed.${action}`, { name }) : t('task.generic', { action, name });
}

/** The message under a wizard field. */
export function fieldErrorText(field: WizardField, reason: string, value = ''): string {
  if ((FIELD_REASONS[field] as readonly string[]).includes(reason)) {
    let name = value.trim();
    if (field === 'tokenId' && reason === 'noUser') {
      name = name.includes('!') ? name.slice(name.indexOf('!') + 1) : name;
      name = name || 'tokenid';
    }
    return t(`field.${field}.${reason}` as MessageKey, { name });
  }
  return t('field.invalid');
}
