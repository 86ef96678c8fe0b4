// The guest page's live panel: what each card shows for one guest as the
// latest inventory has it. Pure functions of (locale, data), so both locales
// are unit-tested; LivePanel.svelte only renders what comes out.

import { fraction, processRuns, statusCategory, type StatusCategory } from './guests';
import {
  formatBytes,
  formatDuration,
  formatNumber,
  formatPercent,
  formatRate,
  formatRelative,
  formatDateTime,
  knownRate,
  UNKNOWN,
} from './i18n/format';
import { translate, translatePlural, type Locale } from './i18n/locales';
import type { Guest, Node } from './types';

/** Why a card shows "—": not measured yet, or the guest does not run. */
export type Missing = 'pending' | 'notRunning';

export interface LiveValue {
  /** The number as the backend sent it, for data-value; '' when unknown. */
  raw: string;
  /** What the card shows; "—" when missing is set. */
  text: string;
  /** The tooltip: why the value is missing, or the value in words; '' for none. */
  title: string;
  missing: Missing | null;
}

export interface LiveMeter extends LiveValue {
  /** 0..1 for the bar; 0 when the guest does not run. */
  fraction: number;
}

export interface LiveView {
  /** Running or paused: CPU, memory and rates mean something. */
  live: boolean;
  status: { raw: string; category: StatusCategory };
  cpu: LiveMeter & { /** "of 4 vCPUs" */ of: string };
  mem: LiveMeter;
  /** The host's view of a VM's memory; shown only when Proxmox sent it. */
  memhost: LiveValue & { shown: boolean };
  diskread: LiveValue;
  diskwrite: LiveValue;
  netin: LiveValue;
  netout: LiveValue;
  uptime: LiveValue;
}

type LiveGuest = Pick<Guest, 'status' | 'cpu' | 'maxcpu' | 'mem' | 'maxmem' | 'uptime'> &
  Partial<Pick<Guest, 'memhost' | 'diskread' | 'diskwrite' | 'netin' | 'netout'>>;

/** A number for data-value: '' for null, undefined, NaN or ±Infinity. */
export function rawValue(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

/** CPU, memory and I/O numbers mean something only for a guest that runs. */
export function isLive(status: string): boolean {
  return processRuns(status);
}

function missing(locale: Locale, raw: string, why: Missing): LiveValue {
  return {
    raw,
    text: UNKNOWN,
    title: translate(locale, why === 'pending' ? 'live.pending' : 'guest.notRunning'),
    missing: why,
  };
}

/** One rate card line: bytes/s, or "—" with the reason. */
export function rateValue(locale: Locale, value: number | null | undefined, live: boolean): LiveValue {
  const rate = knownRate(value);
  const raw = rate === null ? '' : String(rate);
  if (!live) return missing(locale, raw, 'notRunning');
  if (rate === null) return missing(locale, raw, 'pending');
  return { raw, text: formatRate(locale, rate), title: '', missing: null };
}

export function liveView(locale: Locale, g: LiveGuest): LiveView {
  const live = isLive(g.status);

  const cpuRaw = rawValue(g.cpu);
  const of = translatePlural(locale, 'live.cpuOf', g.maxcpu, { count: formatNumber(locale, g.maxcpu, 2) });
  const cpu = live
    ? {
        raw: cpuRaw,
        text: formatPercent(locale, g.cpu),
        title: translatePlural(locale, 'guest.cpuTitle', g.maxcpu, {
          count: formatNumber(locale, g.maxcpu, 2),
          percent: formatPercent(locale, g.cpu),
        }),
        missing: null,
        fraction: fraction(g.cpu, 1),
        of,
      }
    : { ...missing(locale, cpuRaw, 'notRunning'), fraction: 0, of };

  const total = formatBytes(locale, g.maxmem);
  const memFraction = fraction(g.mem, g.maxmem);
  const mem: LiveMeter = live
    ? {
        raw: rawValue(g.mem),
        text: translate(locale, 'guest.memValue', { used: formatBytes(locale, g.mem), total }),
        title: translate(locale, 'guest.memTitle', {
          used: formatBytes(locale, g.mem),
          total,
          percent: formatPercent(locale, memFraction),
        }),
        missing: null,
        fraction: memFraction,
      }
    : {
        raw: rawValue(g.mem),
        text: translate(locale, 'guest.memValue', { used: UNKNOWN, total }),
        title: translate(locale, 'guest.notRunning'),
        missing: 'notRunning',
        fraction: 0,
      };

  // 0 means Proxmox did not send it (containers, Proxmox 8).
  const host = g.memhost ?? 0;
  const shown = Number.isFinite(host) && host > 0;
  const memhost = {
    raw: shown ? String(host) : '',
    text: shown ? translate(locale, 'live.memHost', { value: formatBytes(locale, host) }) : '',
    title: translate(locale, 'live.memHostHelp'),
    missing: null,
    shown,
  };

  const uptime: LiveValue = live && g.uptime > 0
    ? { raw: rawValue(g.uptime), text: formatDuration(locale, g.uptime), title: '', missing: null }
    : missing(locale, rawValue(g.uptime), 'notRunning');

  return {
    live,
    status: { raw: g.status, category: statusCategory(g.status) },
    cpu,
    mem,
    memhost,
    diskread: rateValue(locale, g.diskread, live),
    diskwrite: rateValue(locale, g.diskwrite, live),
    netin: rateValue(locale, g.netin, live),
    netout: rateValue(locale, g.netout, live),
    uptime,
  };
}

/**
 * A node's live cards: the guest's shape with a node's words. Offline
 * nodes show "—" with the reason; there is no disk I/O or host view.
 */
export function liveNodeView(locale: Locale, n: Node): LiveView {
  const online = n.status === 'online';
  const v = liveView(locale, {
    status: online ? 'running' : 'stopped',
    cpu: n.cpu,
    maxcpu: n.maxcpu,
    mem: n.mem,
    maxmem: n.maxmem,
    uptime: n.uptime,
    netin: n.netin,
    netout: n.netout,
  });
  const offline = (item: LiveValue): LiveValue =>
    item.missing === 'notRunning' ? { ...item, title: translate(locale, 'node.offlineReason') } : item;
  return {
    ...v,
    status: { raw: n.status, category: online ? 'running' : 'unknown' },
    cpu: {
      ...v.cpu,
      ...offline(v.cpu),
      of: translatePlural(locale, 'live.nodeCpuOf', n.maxcpu, { count: formatNumber(locale, n.maxcpu) }),
    },
    mem: { ...v.mem, ...offline(v.mem) },
    netin: offline(v.netin),
    netout: offline(v.netout),
    uptime: offline(v.uptime),
  };
}

/** "Updated 3s ago" for the panel, with the exact time as its title. */
export function liveUpdated(locale: Locale, polledAt: number, now: number): { text: string; title: string } {
  if (!(polledAt > 0)) return { text: translate(locale, 'updated.never'), title: '' };
  return {
    text: translate(locale, 'updated.ago', { ago: formatRelative(locale, polledAt, now) }),
    title: translate(locale, 'updated.at', { time: formatDateTime(locale, polledAt) }),
  };
}
