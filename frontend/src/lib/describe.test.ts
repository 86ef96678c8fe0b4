import { afterEach, describe, expect, it } from 'vitest';
import { ACTIONS } from './actions';
import { actionLabel, fieldErrorText, reasonText, taskDetail, taskTitle } from './describe';
import { errorMessage } from './errors';
import { setLocale } from './i18n/index.svelte';
import { LOCALES } from './i18n/locales';
import type { Task } from './types';
import { FIELD_REASONS, WIZARD_FIELDS } from './wizard';

afterEach(() => setLocale('en'));

const base: Task = {
  upid: 'U',
  cluster: 'c1',
  node: 'pve1',
  guestId: 'qemu/101',
  vmid: 101,
  guestName: 'web-01',
  action: 'start',
  status: 'running',
  startedAt: 1,
};

describe('describe', () => {
  it.each(LOCALES)('has a message for every field reason in %s', (locale) => {
    setLocale(locale);
    for (const field of WIZARD_FIELDS) {
      for (const reason of FIELD_REASONS[field]) {
        const text = fieldErrorText(field, reason, 'x');
        expect(text).not.toContain('field.');
        expect(text).not.toMatch(/\{\w+\}/);
      }
    }
    expect(fieldErrorText('name', 'weird')).toBe(locale === 'en' ? 'This value is not valid.' : 'Este valor não é válido.');
  });

  it.each(LOCALES)('names every action and task state in %s', (locale) => {
    setLocale(locale);
    for (const action of ACTIONS) {
      expect(actionLabel(action)).not.toContain('action.');
      for (const status of ['running', 'ok', 'warnings', 'error']) {
        const title = taskTitle({ ...base, action, status });
        expect(title).toContain('web-01');
        expect(title).not.toContain('task.');
      }
    }
  });

  it('writes the task lines the toasts show', () => {
    expect(taskTitle(base)).toBe('Starting web-01…');
    expect(taskTitle({ ...base, status: 'ok' })).toBe('web-01 started');
    expect(taskTitle({ ...base, action: 'shutdown', status: 'error' })).toBe('Could not shut down web-01');
    expect(taskDetail({ ...base, status: 'error', exitStatus: 'got timeout' })).toBe('got timeout');
    expect(taskDetail({ ...base, status: 'warnings', exitStatus: 'WARNINGS: 2' })).toBe('WARNINGS: 2');
    expect(taskDetail({ ...base, status: 'ok', exitStatus: 'OK' })).toBe('');
    expect(taskTitle({ ...base, status: 'error', error: { code: 'notfound', message: '' } })).toBe(
      'web-01 no longer exists on the cluster',
    );
    setLocale('pt-BR');
    expect(taskTitle({ ...base, status: 'ok' })).toBe('web-01 iniciada');
  });

  it('explains why an action is unavailable', () => {
    expect(reasonText({ code: 'permission', privilege: 'VM.PowerMgmt', path: '/vms/101' }, 'stop')).toBe(
      'needs VM.PowerMgmt on /vms/101',
    );
    expect(reasonText({ code: 'locked', lock: 'migrate' }, 'stop')).toBe('Locked: migrating');
    // Resume is for a held VM only: a running one is not resumable.
    expect(reasonText({ code: 'state', status: 'running' }, 'resume')).toBe('Only when paused or suspended');
    expect(reasonText({ code: 'state', status: 'running' }, 'start')).toBe('Only when stopped');
    expect(reasonText({ code: 'nodeOffline', node: 'pve3' }, 'start')).toBe('Node pve3 is offline');
    setLocale('pt-BR');
    expect(reasonText({ code: 'permission', privilege: 'VM.PowerMgmt', path: '/vms/101' }, 'stop')).toBe(
      'requer VM.PowerMgmt em /vms/101',
    );
  });

  it('translates keychain reasons and conflicts', () => {
    expect(errorMessage({ code: 'keychain', message: '', params: { reason: 'locked' } })).toBe(
      'Your keychain is locked; unlock it and try again.',
    );
    expect(errorMessage({ code: 'keychain', message: '', params: { reason: 'unavailable' } })).toContain(
      'never stores secrets in plain files',
    );
    expect(errorMessage({ code: 'conflict', message: '' })).toBe('This cluster is already in Cecyber.');
    setLocale('pt-BR');
    expect(errorMessage({ code: 'keychain', message: '', params: { reason: 'locked' } })).toContain('bloqueado');
  });
});
