import { describe, expect, it } from 'vitest';
import {
  activeAlertState,
  activeAlertsKey,
  sortActiveAlerts,
  alertDuration,
  alertText,
  conditionText,
  formatAlertValue,
  formatThreshold,
  fromDisplayValue,
  isUnattended,
  MiB,
  newRuleForm,
  nextSnoozeEnd,
  parseDecimal,
  ruleErrorField,
  ruleLabel,
  ruleToForm,
  targetStates,
  toDisplayValue,
  unattendedAlerts,
  validateRuleForm,
  valueVsThreshold,
  withOverrides,
  type RuleForm,
} from './alerts';
import { alert, rule, T0 } from '../test/alerts';

const NBSP = '\u00a0';

describe('unattended alerts', () => {
  it('counts firing alerts nobody acknowledged or snoozed', () => {
    expect(isUnattended(alert(), T0)).toBe(true);
    expect(isUnattended(alert({ state: 'pending', firingAt: 0 }), T0)).toBe(false);
    expect(isUnattended(alert({ state: 'resolved', resolvedAt: T0 }), T0)).toBe(false);
    expect(isUnattended(alert({ ackedAt: T0 }), T0)).toBe(false);
    expect(isUnattended(alert({ snoozedUntil: T0 + 60_000 }), T0)).toBe(false);
  });

  it('brings a snoozed alert back when the snooze ends', () => {
    const snoozed = alert({ snoozedUntil: T0 + 15 * 60_000 });
    expect(isUnattended(snoozed, T0 + 15 * 60_000 - 1)).toBe(false);
    expect(isUnattended(snoozed, T0 + 15 * 60_000)).toBe(true);
    expect(isUnattended(snoozed, T0 + 16 * 60_000)).toBe(true);
    expect(nextSnoozeEnd([snoozed, alert({ id: 'a2', snoozedUntil: T0 + 60_000 })], T0)).toBe(T0 + 60_000);
    expect(nextSnoozeEnd([snoozed], T0 + 20 * 60_000)).toBeNull();
  });

  it('lists the most recent first', () => {
    const list = [
      alert({ id: 'old', firingAt: T0 - 60_000 }),
      alert({ id: 'new', firingAt: T0 }),
      alert({ id: 'acked', firingAt: T0 + 1, ackedAt: T0 + 2 }),
      alert({ id: 'pending', state: 'pending', firingAt: 0 }),
    ];
    expect(unattendedAlerts(list, T0).map((a) => a.id)).toEqual(['new', 'old']);
  });

  it('lays local acks and snoozes over the inventory until it carries them', () => {
    const list = [alert({ id: 'a' }), alert({ id: 'b' })];
    const merged = withOverrides(list, new Map([['a', { ackedAt: T0 }], ['b', { snoozedUntil: T0 + 1000 }]]));
    expect(unattendedAlerts(merged, T0)).toEqual([]);
    expect(unattendedAlerts(merged, T0 + 1000).map((a) => a.id)).toEqual(['b']);
    // The inventory's own values win when they are newer.
    const later = withOverrides([alert({ id: 'b', snoozedUntil: T0 + 5000 })], new Map([['b', { snoozedUntil: T0 + 1000 }]]));
    expect(later[0].snoozedUntil).toBe(T0 + 5000);
  });

  it('highlights each target by its most urgent alert', () => {
    const states = targetStates([
      alert({ id: '1', target: 'qemu/101', state: 'pending' }),
      alert({ id: '2', target: 'qemu/101', state: 'firing' }),
      alert({ id: '3', target: 'node/pve2', state: 'pending', metric: 'node-offline' }),
      alert({ id: '4', target: 'lxc/105', state: 'resolved' }),
    ]);
    expect([...states]).toEqual([
      ['c1/qemu/101', 'firing'],
      ['c1/node/pve2', 'pending'],
    ]);
  });
});

describe('active alerts list', () => {
  const now = T0 + 60_000;
  const fresh = alert({ id: 'fresh', firingAt: T0 });
  const older = alert({ id: 'older', firingAt: T0 - 60_000 });
  const acked = alert({ id: 'acked', firingAt: T0 + 1000, ackedAt: T0 + 2000 });
  const snoozed = alert({ id: 'snoozed', firingAt: T0 + 1000, snoozedUntil: now + 1 });
  const pending = alert({ id: 'pending', state: 'pending', firingAt: 0, pendingAt: T0 + 5000 });

  it('names the state the user acts on', () => {
    expect([fresh, acked, snoozed, pending].map((a) => activeAlertState(a, now))).toEqual(['firing', 'acked', 'snoozed', 'pending']);
    expect(activeAlertState(alert({ snoozedUntil: now }), now)).toBe('firing'); // the snooze has ended
  });

  it('puts unattended first, pending last, newest first within each', () => {
    const sorted = sortActiveAlerts([pending, acked, older, snoozed, fresh], now);
    expect(sorted.map((a) => a.id)).toEqual(['fresh', 'older', 'acked', 'snoozed', 'pending']);
  });

  it('keys the set by id and state only', () => {
    expect(activeAlertsKey([fresh, pending])).toBe(activeAlertsKey([pending, { ...fresh, value: 12 }]));
    expect(activeAlertsKey([fresh])).not.toBe(activeAlertsKey([{ ...fresh, state: 'pending' }]));
  });
});

describe('alert words', () => {
  it('tells what fires, on what, for how long', () => {
    const a = alert({ pendingAt: T0 - 5 * 60_000, firingAt: T0 });
    expect(alertText('en', a, T0)).toBe('CPU above 90% on web-01 for 5m');
    expect(alertText('pt-BR', a, T0)).toBe('CPU acima de 90% em web-01 há 5 min');
    expect(alertText('en', alert({ metric: 'node-offline', builtin: 'node-offline', target: 'node/pve2', targetName: 'pve2' }), T0)).toBe(
      'Node pve2 offline for 5m',
    );
    expect(alertText('en', alert({ metric: 'unexpected-stop', targetName: 'dns' }), T0)).toBe('dns stopped unexpectedly 5m ago');
    expect(alertText('en', alert({ metric: 'netin', trigger: 100 * MiB, builtin: '', ruleName: 'Busy' }), T0)).toBe(
      `Network in above 100${NBSP}MiB/s on web-01 for 5m`,
    );
  });

  it('formats values and thresholds per metric and locale', () => {
    expect(formatThreshold('en', 'cpu', 90)).toBe('90%');
    expect(formatThreshold('pt-BR', 'mem', 87.5)).toBe('87,5%');
    expect(formatAlertValue('en', 'cpu', 93.44)).toBe('93.4%');
    expect(formatAlertValue('pt-BR', 'diskwrite', 1.5 * MiB)).toBe(`1,5${NBSP}MiB/s`);
    expect(formatAlertValue('en', 'node-offline', 1)).toBe('');
    expect(valueVsThreshold('en', alert())).toBe('93.4% / 90%');
    expect(valueVsThreshold('en', alert({ metric: 'unexpected-stop' }))).toBe('');
  });

  it('names built-in rules in the user’s language and keeps user names', () => {
    expect(ruleLabel('en', rule({ builtin: 'mem', name: '' }))).toBe('High memory');
    expect(ruleLabel('pt-BR', rule({ builtin: 'node-offline', name: '' }))).toBe('Nó offline');
    expect(ruleLabel('pt-BR', rule({ name: 'Banco lento' }))).toBe('Banco lento');
    expect(conditionText('en', rule())).toBe('above 90%, clears below 80% for 5m');
    expect(conditionText('en', rule({ metric: 'node-offline', forSeconds: 0 }))).toBe('at once');
  });

  it('measures how long an alert lasted', () => {
    expect(alertDuration(alert({ pendingAt: T0, resolvedAt: T0 + 90_000 }), T0 + 999_999)).toBe(90);
    expect(alertDuration(alert({ pendingAt: T0 }), T0 + 30_000)).toBe(30);
  });
});

describe('rule editor', () => {
  const form = (over: Partial<RuleForm> = {}): RuleForm => ({ ...newRuleForm(), name: 'Busy', ...over });

  it('converts MiB/s to bytes per second and back', () => {
    expect(fromDisplayValue('netin', 12.5)).toBe(12.5 * MiB);
    expect(toDisplayValue('netin', 12.5 * MiB)).toBe(12.5);
    expect(fromDisplayValue('cpu', 90)).toBe(90);
    const r = validateRuleForm(form({ metric: 'diskwrite', trigger: '100', clear: '80,5' }));
    expect(r.errors).toBeNull();
    expect(r.rule?.trigger).toBe(100 * MiB);
    expect(r.rule?.clear).toBe(Math.round(80.5 * MiB));
    expect(ruleToForm(r.rule!)).toMatchObject({ trigger: '100', clear: '80.5' });
  });

  it('accepts both decimal separators and nothing else', () => {
    expect(parseDecimal('12,5')).toBe(12.5);
    expect(parseDecimal(' 12.5 ')).toBe(12.5);
    expect(parseDecimal('.5')).toBe(0.5);
    for (const bad of ['', 'abc', '1e3', '1.2.3', '-5', '1,000.5']) expect(parseDecimal(bad)).toBeNaN();
  });

  it('builds a rule with minutes in seconds and only the scope fields that apply', () => {
    const r = validateRuleForm(form({ scope: 'node', cluster: 'c1', node: 'pve1', guest: 'qemu/101', tag: 'x', forMinutes: '2.5' }));
    expect(r.rule).toEqual({
      id: '',
      name: 'Busy',
      builtin: '',
      metric: 'cpu',
      scope: 'node',
      cluster: 'c1',
      node: 'pve1',
      guest: '',
      tag: '',
      trigger: 90,
      clear: 80,
      forSeconds: 150,
      enabled: true,
      notify: true,
    });
    expect(validateRuleForm(form({ scope: 'tag', tag: ' prod ', cluster: 'c1' })).rule).toMatchObject({ cluster: '', tag: 'prod' });
  });

  it('says what is wrong, field by field', () => {
    expect(validateRuleForm(form({ name: '  ' })).errors).toEqual({ name: 'required' });
    expect(validateRuleForm(form({ trigger: '120' })).errors).toEqual({ trigger: 'percentRange' });
    expect(validateRuleForm(form({ trigger: '0' })).errors).toEqual({ trigger: 'percentRange' });
    expect(validateRuleForm(form({ trigger: 'x' })).errors).toEqual({ trigger: 'number' });
    expect(validateRuleForm(form({ trigger: '80', clear: '85' })).errors).toEqual({ clear: 'clearAboveTrigger' });
    expect(validateRuleForm(form({ trigger: '80', clear: '80' })).errors).toBeNull();
    expect(validateRuleForm(form({ clear: '' })).errors).toEqual({ clear: 'required' });
    expect(validateRuleForm(form({ metric: 'netout', trigger: '0', clear: '0' })).errors).toEqual({ trigger: 'positive' });
    expect(validateRuleForm(form({ forMinutes: '2000' })).errors).toEqual({ forSeconds: 'durationRange' });
    expect(validateRuleForm(form({ scope: 'guest' })).errors).toEqual({ cluster: 'required', guest: 'required' });
    expect(validateRuleForm(form({ scope: 'node', cluster: 'c1' })).errors).toEqual({ node: 'required' });
    expect(validateRuleForm(form({ scope: 'tag' })).errors).toEqual({ tag: 'required' });
    expect(validateRuleForm(form({ metric: 'node-offline', scope: 'guest', cluster: 'c1', guest: 'qemu/101' })).errors).toEqual({
      scope: 'scopeMetric',
    });
  });

  it('keeps a built-in nameless and ignores thresholds for offline and stop rules', () => {
    const builtin = rule({ id: 'builtin-node', builtin: 'node-offline', name: '', metric: 'node-offline', trigger: 1, clear: 1, forSeconds: 60 });
    const f = ruleToForm(builtin);
    expect(f.trigger).toBe('');
    const r = validateRuleForm({ ...f, forMinutes: '3' }, builtin);
    expect(r.errors).toBeNull();
    expect(r.rule).toMatchObject({ name: '', builtin: 'node-offline', trigger: 1, clear: 1, forSeconds: 180 });
  });

  it('finds the field a Go error names', () => {
    expect(ruleErrorField({ field: 'clear' })).toBe('clear');
    expect(ruleErrorField({ field: 'bogus' })).toBeNull();
    expect(ruleErrorField(undefined)).toBeNull();
  });
});
