// Alerts and rules for unit tests, shaped like app.Alert and app.AlertRule.

import type { Alert, AlertRule } from '../lib/types';

export const T0 = 1_700_000_000_000;

export function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    ruleId: 'builtin-cpu',
    ruleName: '',
    builtin: 'cpu',
    metric: 'cpu',
    cluster: 'c1',
    clusterName: 'Demo',
    target: 'qemu/101',
    targetName: 'web-01',
    node: 'pve1',
    state: 'firing',
    value: 93.4,
    trigger: 90,
    pendingAt: T0 - 5 * 60_000,
    firingAt: T0,
    resolvedAt: 0,
    ackedAt: 0,
    snoozedUntil: 0,
    ...over,
  };
}

export function rule(over: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 'r1',
    name: 'Busy database',
    builtin: '',
    metric: 'cpu',
    scope: 'all',
    cluster: '',
    node: '',
    guest: '',
    tag: '',
    trigger: 90,
    clear: 80,
    forSeconds: 300,
    enabled: true,
    notify: true,
    ...over,
  };
}
