// Alerts without the window: which alerts need the user (unattended), what
// each target's highlight is, the sentence an alert reads as, how values and
// thresholds are shown, and the rule editor's form: validation and the
// % / MiB/s ↔ stored unit conversion. Pure functions of (locale, data, now),
// tested in both locales; the stores and components only call them.

import { formatDuration, formatPercent, formatRate } from './i18n/format';
import { translate, type Locale, type MessageKey } from './i18n/locales';
import type { Alert, AlertMetric, AlertRule, AlertScope } from './types';

export const ALERT_METRICS: readonly AlertMetric[] = [
  'cpu',
  'mem',
  'diskread',
  'diskwrite',
  'netin',
  'netout',
  'node-offline',
  'unexpected-stop',
  'guest-error',
];
export const ALERT_SCOPES: readonly AlertScope[] = ['all', 'cluster', 'node', 'guest', 'tag'];
export const BUILTINS = ['cpu', 'mem', 'node-offline', 'unexpected-stop', 'guest-error'] as const;

/** Snooze choices in minutes: 15 min, 1 h, 4 h, 1 day. */
export const SNOOZE_MINUTES = [15, 60, 240, 1440] as const;

export function isAlertMetric(value: unknown): value is AlertMetric {
  return typeof value === 'string' && (ALERT_METRICS as readonly string[]).includes(value);
}

export function isAlertScope(value: unknown): value is AlertScope {
  return typeof value === 'string' && (ALERT_SCOPES as readonly string[]).includes(value);
}

/** How a metric's trigger is written: a 0–100 percentage, bytes/s, or not at all. */
export type MetricUnit = 'percent' | 'rate' | 'none';

export function metricUnit(metric: string): MetricUnit {
  switch (metric) {
    case 'cpu':
    case 'mem':
      return 'percent';
    case 'diskread':
    case 'diskwrite':
    case 'netin':
    case 'netout':
      return 'rate';
    default:
      return 'none';
  }
}

/** Rules on these metrics watch nodes only; the rest watch guests only. */
export function metricWatchesNodes(metric: string): boolean {
  return metric === 'node-offline';
}

/** A firing alert nobody acknowledged or snoozed (a snooze ends at snoozedUntil). */
export function isUnattended(alert: Alert, now: number): boolean {
  return alert.state === 'firing' && !(alert.ackedAt > 0) && !(alert.snoozedUntil > now);
}

/** The unattended alerts, the most recent first (by when they started firing). */
export function unattendedAlerts(alerts: readonly Alert[], now: number): Alert[] {
  return alerts
    .filter((a) => isUnattended(a, now))
    .sort((a, b) => b.firingAt - a.firingAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** How an active alert reads in the list: what it asks of the user now. */
export type ActiveAlertState = 'firing' | 'pending' | 'acked' | 'snoozed';

export function activeAlertState(alert: Alert, now: number): ActiveAlertState {
  if (alert.state === 'pending') return 'pending';
  if (alert.ackedAt > 0) return 'acked';
  if (alert.snoozedUntil > now) return 'snoozed';
  return 'firing';
}

/** Unattended first, then firing (acked or snoozed), then pending; newest first within each. */
export function sortActiveAlerts(alerts: readonly Alert[], now: number): Alert[] {
  const rank = (a: Alert) => (a.state === 'pending' ? 2 : a.ackedAt > 0 || a.snoozedUntil > now ? 1 : 0);
  return alerts
    .slice()
    .sort((a, b) => rank(a) - rank(b) || (b.firingAt || b.pendingAt) - (a.firingAt || a.pendingAt));
}

/** Changes exactly when an alert starts, ends or changes state (not on value updates). */
export function activeAlertsKey(alerts: readonly Alert[]): string {
  return alerts
    .map((a) => `${a.id}:${a.state}`)
    .sort()
    .join();
}

/** When the next snooze among alerts ends (unix ms), or null. */
export function nextSnoozeEnd(alerts: readonly Alert[], now: number): number | null {
  let next: number | null = null;
  for (const a of alerts) {
    if (a.state === 'firing' && !(a.ackedAt > 0) && a.snoozedUntil > now && (next === null || a.snoozedUntil < next)) {
      next = a.snoozedUntil;
    }
  }
  return next;
}

export type TargetAlertState = 'firing' | 'pending';

/** The key of an alert's target: a guest row's key, or "cluster/node/NAME". */
export function alertTargetKey(cluster: string, target: string): string {
  return `${cluster}/${target}`;
}

/** The node row key for a node: matches alertTargetKey(cluster, "node/NAME"). */
export function nodeTargetKey(cluster: string, node: string): string {
  return `${cluster}/node/${node}`;
}

/** Each target with an active alert → its most urgent state (firing beats pending). */
export function targetStates(alerts: readonly Alert[]): Map<string, TargetAlertState> {
  const states = new Map<string, TargetAlertState>();
  for (const a of alerts) {
    if (a.state !== 'firing' && a.state !== 'pending') continue;
    const key = alertTargetKey(a.cluster, a.target);
    if (a.state === 'firing' || !states.has(key)) states.set(key, a.state);
  }
  return states;
}

/** "qemu/101" and "lxc/105" are guests; "node/pve1" is a node. */
export function isGuestTarget(target: string): boolean {
  return target.startsWith('qemu/') || target.startsWith('lxc/');
}

export function nodeOfTarget(target: string): string | null {
  return target.startsWith('node/') ? target.slice(5) : null;
}

/** Alerts that are still active with a local ack or snooze laid over them. */
export interface AlertOverride {
  ackedAt?: number;
  snoozedUntil?: number;
}

export function withOverrides(alerts: readonly Alert[], overrides: ReadonlyMap<string, AlertOverride>): Alert[] {
  if (overrides.size === 0) return alerts as Alert[];
  return alerts.map((a) => {
    const o = overrides.get(a.id);
    if (!o) return a;
    return {
      ...a,
      ackedAt: a.ackedAt || o.ackedAt || 0,
      snoozedUntil: Math.max(a.snoozedUntil, o.snoozedUntil ?? 0),
    };
  });
}

// ---- Words -----------------------------------------------------------------

function percentText(locale: Locale, percent: number, digits: number): string {
  return formatPercent(locale, percent / 100, digits);
}

/** A threshold as the user wrote it: "90%", "12.5 MiB/s". */
export function formatThreshold(locale: Locale, metric: string, value: number): string {
  switch (metricUnit(metric)) {
    case 'percent':
      return percentText(locale, value, Number.isInteger(value) ? 0 : 1);
    case 'rate':
      return formatRate(locale, value);
    case 'none':
      return '';
  }
}

/** A measured value: "93.4%", "14 MiB/s"; "" for offline/stopped. */
export function formatAlertValue(locale: Locale, metric: string, value: number): string {
  switch (metricUnit(metric)) {
    case 'percent':
      return percentText(locale, value, 1);
    case 'rate':
      return formatRate(locale, value);
    case 'none':
      return '';
  }
}

/** "Memory", "Network in"… */
export function metricLabel(locale: Locale, metric: string): string {
  return isAlertMetric(metric) ? translate(locale, `alert.metric.${metric}`) : metric;
}

/** A rule's (or its alert's) name: built-ins are translated, others as typed. */
export function ruleLabel(locale: Locale, rule: Pick<AlertRule, 'name' | 'builtin' | 'metric'>): string {
  if (rule.builtin && (BUILTINS as readonly string[]).includes(rule.builtin)) {
    return translate(locale, `alert.builtin.${rule.builtin}` as MessageKey);
  }
  return rule.name || metricLabel(locale, rule.metric);
}

export function alertRuleLabel(locale: Locale, alert: Alert): string {
  return ruleLabel(locale, { name: alert.ruleName, builtin: alert.builtin, metric: alert.metric });
}

/** Since when the condition holds: firing or pending time, whichever is the start. */
export function alertSince(alert: Alert): number {
  return alert.pendingAt || alert.firingAt;
}

/**
 * The one-line story of an alert: "CPU above 90% on web-01 for 5m",
 * "Node pve2 offline for 12m", "dns stopped unexpectedly 3m ago".
 */
export function alertText(locale: Locale, alert: Alert, now: number): string {
  const target = alert.targetName || alert.target;
  const end = alert.resolvedAt > 0 ? alert.resolvedAt : now;
  const duration = formatDuration(locale, (end - alertSince(alert)) / 1000);
  switch (metricUnit(alert.metric)) {
    case 'percent':
    case 'rate':
      return translate(locale, 'alert.text.above', {
        metric: metricLabel(locale, alert.metric),
        threshold: formatThreshold(locale, alert.metric, alert.trigger),
        target,
        duration,
      });
    case 'none':
      if (alert.metric === 'node-offline') return translate(locale, 'alert.text.offline', { target, duration });
      if (alert.metric === 'guest-error') return translate(locale, 'alert.text.guestError', { target, duration });
      return translate(locale, 'alert.text.stopped', { target, duration });
  }
}

/** "93.4% / 90%" for the list's value column; "" when the metric has no value. */
export function valueVsThreshold(locale: Locale, alert: Alert): string {
  if (metricUnit(alert.metric) === 'none') return '';
  return translate(locale, 'alert.valueVs', {
    value: formatAlertValue(locale, alert.metric, alert.value),
    threshold: formatThreshold(locale, alert.metric, alert.trigger),
  });
}

/** How long an alert lasted (resolved) or lasts (now), in seconds. */
export function alertDuration(alert: Alert, now: number): number {
  const end = alert.resolvedAt > 0 ? alert.resolvedAt : now;
  return Math.max(0, (end - alertSince(alert)) / 1000);
}

/** "15 min", "1 h", "4 h", "1 d" for the snooze menu. */
export function snoozeLabel(locale: Locale, minutes: number): string {
  return formatDuration(locale, minutes * 60);
}

// ---- Rule editor -------------------------------------------------------------

export const MiB = 1024 * 1024;

/** Stored value (percent or bytes/s) → what the editor shows (percent or MiB/s). */
export function toDisplayValue(metric: string, stored: number): number {
  return metricUnit(metric) === 'rate' ? stored / MiB : stored;
}

/** What the user typed (percent or MiB/s) → the stored unit (percent or bytes/s). */
export function fromDisplayValue(metric: string, display: number): number {
  return metricUnit(metric) === 'rate' ? Math.round(display * MiB) : display;
}

/**
 * A decimal the user typed, in either locale's spelling: "1.5", "1,5", " 12 ".
 * NaN for anything else (empty, "1e3", "1.2.3", "abc").
 */
export function parseDecimal(text: string): number {
  const s = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(s)) return NaN;
  return Number(s);
}

/** Up to 3 decimals, no trailing zeros, "." as the separator (inputs accept both). */
function plain(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

export interface RuleForm {
  id: string;
  builtin: string;
  name: string;
  metric: string;
  scope: string;
  cluster: string;
  node: string;
  guest: string;
  tag: string;
  /** In the display unit (percent or MiB/s). */
  trigger: string;
  clear: string;
  /** Minutes. */
  forMinutes: string;
  enabled: boolean;
  notify: boolean;
}

export type RuleField =
  | 'name'
  | 'metric'
  | 'scope'
  | 'cluster'
  | 'node'
  | 'guest'
  | 'tag'
  | 'trigger'
  | 'clear'
  | 'forSeconds';

export const RULE_FIELDS: readonly RuleField[] = [
  'name',
  'metric',
  'scope',
  'cluster',
  'node',
  'guest',
  'tag',
  'trigger',
  'clear',
  'forSeconds',
];

export function isRuleField(value: unknown): value is RuleField {
  return typeof value === 'string' && (RULE_FIELDS as readonly string[]).includes(value);
}

/** Why a field is wrong; each has a message "rule.error.<code>". */
export type RuleError =
  | 'required'
  | 'number'
  | 'percentRange'
  | 'positive'
  | 'clearAboveTrigger'
  | 'durationRange'
  | 'scopeMetric'
  | 'invalid';

export type RuleErrors = Partial<Record<RuleField, RuleError>>;

/** Longest wait the editor accepts before firing: one day. */
export const MAX_FOR_MINUTES = 24 * 60;

export function ruleToForm(rule: AlertRule): RuleForm {
  const unit = metricUnit(rule.metric);
  return {
    id: rule.id,
    builtin: rule.builtin,
    name: rule.name,
    metric: rule.metric,
    scope: rule.scope || 'all',
    cluster: rule.cluster,
    node: rule.node,
    guest: rule.guest,
    tag: rule.tag,
    trigger: unit === 'none' ? '' : plain(toDisplayValue(rule.metric, rule.trigger)),
    clear: unit === 'none' ? '' : plain(toDisplayValue(rule.metric, rule.clear)),
    forMinutes: plain(rule.forSeconds / 60),
    enabled: rule.enabled,
    notify: rule.notify,
  };
}

/** A new rule's starting point: CPU above 90%, clearing below 80%, for 5 minutes, everywhere. */
export function newRuleForm(): RuleForm {
  return {
    id: '',
    builtin: '',
    name: '',
    metric: 'cpu',
    scope: 'all',
    cluster: '',
    node: '',
    guest: '',
    tag: '',
    trigger: '90',
    clear: '80',
    forMinutes: '5',
    enabled: true,
    notify: true,
  };
}

/** Sensible thresholds when the metric changes units, so the form never shows 90 MiB/s for "90%". */
export function defaultThresholds(metric: string): { trigger: string; clear: string } {
  switch (metricUnit(metric)) {
    case 'percent':
      return { trigger: '90', clear: '80' };
    case 'rate':
      return { trigger: '100', clear: '80' };
    case 'none':
      return { trigger: '', clear: '' };
  }
}

/**
 * Checks the form and builds the rule to save, or says what is wrong per
 * field. Scope fields that do not apply are emptied, so a rule never keeps
 * a stale node after its scope became "all".
 */
export function validateRuleForm(
  form: RuleForm,
  original?: Pick<AlertRule, 'trigger' | 'clear'>,
): { rule: AlertRule; errors: null } | { rule: null; errors: RuleErrors } {
  const errors: RuleErrors = {};
  const name = form.name.trim();
  if (!form.builtin && !name) errors.name = 'required';
  if (!isAlertMetric(form.metric)) errors.metric = 'required';
  if (!isAlertScope(form.scope)) errors.scope = 'required';

  const scope = form.scope;
  const nodesOnly = metricWatchesNodes(form.metric);
  if (nodesOnly && (scope === 'guest' || scope === 'tag')) errors.scope = 'scopeMetric';
  if ((scope === 'cluster' || scope === 'node' || scope === 'guest') && !form.cluster) errors.cluster = 'required';
  if (scope === 'node' && !form.node) errors.node = 'required';
  if (scope === 'guest' && !form.guest) errors.guest = 'required';
  if (scope === 'tag' && !form.tag.trim()) errors.tag = 'required';

  const unit = metricUnit(form.metric);
  let trigger = original?.trigger ?? 0;
  let clear = original?.clear ?? 0;
  if (unit !== 'none') {
    const t = parseDecimal(form.trigger);
    const c = parseDecimal(form.clear);
    if (form.trigger.trim() === '') errors.trigger = 'required';
    else if (Number.isNaN(t)) errors.trigger = 'number';
    else if (unit === 'percent' && !(t > 0 && t <= 100)) errors.trigger = 'percentRange';
    else if (unit === 'rate' && !(t > 0)) errors.trigger = 'positive';
    if (form.clear.trim() === '') errors.clear = 'required';
    else if (Number.isNaN(c)) errors.clear = 'number';
    else if (unit === 'percent' && c > 100) errors.clear = 'percentRange';
    else if (!errors.trigger && c > t) errors.clear = 'clearAboveTrigger';
    if (!errors.trigger) trigger = fromDisplayValue(form.metric, t);
    if (!errors.clear) clear = fromDisplayValue(form.metric, c);
    // Rounding bytes/s must not turn an equal clear into a larger one.
    if (!errors.trigger && !errors.clear && clear > trigger) clear = trigger;
  }

  const minutes = form.forMinutes.trim() === '' ? 0 : parseDecimal(form.forMinutes);
  if (Number.isNaN(minutes)) errors.forSeconds = 'number';
  else if (minutes > MAX_FOR_MINUTES) errors.forSeconds = 'durationRange';

  if (Object.keys(errors).length > 0) return { rule: null, errors };
  return {
    errors: null,
    rule: {
      id: form.id,
      name: form.builtin ? '' : name,
      builtin: form.builtin,
      metric: form.metric,
      scope,
      cluster: scope === 'cluster' || scope === 'node' || scope === 'guest' ? form.cluster : '',
      node: scope === 'node' ? form.node : '',
      guest: scope === 'guest' ? form.guest : '',
      tag: scope === 'tag' ? form.tag.trim() : '',
      trigger,
      clear,
      forSeconds: Math.round(minutes * 60),
      enabled: form.enabled,
      notify: form.notify,
    },
  };
}

/** The field an ErrorInfo from SaveAlertRule points at, if it names one. */
export function ruleErrorField(params: Record<string, string> | undefined): RuleField | null {
  const field = params?.field;
  return isRuleField(field) ? field : null;
}

/** "All guests and nodes", "Cluster Demo", "Node pve1", "web-01", "Tag prod". */
export function scopeText(
  locale: Locale,
  rule: Pick<AlertRule, 'scope' | 'cluster' | 'node' | 'guest' | 'tag'>,
  names: { cluster: (id: string) => string; guest: (cluster: string, id: string) => string },
): string {
  switch (rule.scope) {
    case 'cluster':
      return translate(locale, 'rule.scopeText.cluster', { name: names.cluster(rule.cluster) });
    case 'node':
      return translate(locale, 'rule.scopeText.node', { name: rule.node });
    case 'guest':
      return translate(locale, 'rule.scopeText.guest', { name: names.guest(rule.cluster, rule.guest) });
    case 'tag':
      return translate(locale, 'rule.scopeText.tag', { name: rule.tag });
    default:
      return translate(locale, 'rule.scopeText.all');
  }
}

/** "above 90% (clears below 80%) for 5m" — what a rule waits for. */
export function conditionText(locale: Locale, rule: Pick<AlertRule, 'metric' | 'trigger' | 'clear' | 'forSeconds'>): string {
  const wait = rule.forSeconds > 0 ? formatDuration(locale, rule.forSeconds) : '';
  if (metricUnit(rule.metric) === 'none') {
    return wait ? translate(locale, 'rule.condition.for', { duration: wait }) : translate(locale, 'rule.condition.atOnce');
  }
  const base = translate(locale, 'rule.condition.above', {
    trigger: formatThreshold(locale, rule.metric, rule.trigger),
    clear: formatThreshold(locale, rule.metric, rule.clear),
  });
  return wait ? `${base} ${translate(locale, 'rule.condition.for', { duration: wait })}` : base;
}

