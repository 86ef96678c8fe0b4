import { describe, expect, it } from 'vitest';
import { GiB, guest } from '../test/fixtures';
import { isLive, liveUpdated, liveView, rateValue, rawValue } from './live';

const NBSP = '\u00a0';
const MiB = 1024 ** 2;
/** Writes "4 GiB" with the no-break space formatBytes puts before the unit. */
const sp = (s: string) => s.replace(/(\d) (\w*B)/g, `$1${NBSP}$2`);

const running = guest({
  vmid: 101,
  cpu: 0.1234,
  maxcpu: 4,
  mem: 2 * GiB,
  maxmem: 4 * GiB,
  memhost: 2.5 * GiB,
  uptime: 2 * 3600 + 5 * 60,
  diskread: 1.5 * MiB,
  diskwrite: 512,
  netin: 1536,
  netout: 0,
});

describe('liveView', () => {
  it('shows a running VM in English', () => {
    const v = liveView('en', running);
    expect(v.live).toBe(true);
    expect(v.status).toEqual({ raw: 'running', category: 'running' });
    expect(v.cpu).toMatchObject({ raw: '0.1234', text: '12.3%', of: 'of 4 vCPUs', missing: null });
    expect(v.cpu.fraction).toBeCloseTo(0.1234);
    expect(v.cpu.title).toBe('12.3% of 4 vCPUs');
    expect(v.mem).toMatchObject({ raw: String(2 * GiB), text: sp('2 GiB / 4 GiB'), fraction: 0.5 });
    expect(v.mem.title).toBe(sp('2 GiB of 4 GiB in use (50.0%)'));
    expect(v.memhost).toMatchObject({ shown: true, raw: String(2.5 * GiB), text: `Host view: 2.5${NBSP}GiB` });
    expect(v.memhost.title).toMatch(/ballooning or KSM/);
    expect(v.diskread).toEqual({ raw: String(1.5 * MiB), text: `1.5${NBSP}MiB/s`, title: '', missing: null });
    expect(v.diskwrite.text).toBe(`512${NBSP}B/s`);
    expect(v.netin.text).toBe(`1.5${NBSP}KiB/s`);
    expect(v.netout).toMatchObject({ raw: '0', text: `0${NBSP}B/s`, missing: null });
    expect(v.uptime).toMatchObject({ raw: '7500', text: '2h 5m', missing: null });
  });

  it('formats every value in Brazilian Portuguese', () => {
    const v = liveView('pt-BR', running);
    expect(v.cpu.text).toBe('12,3%');
    expect(v.cpu.of).toBe('de 4 vCPUs');
    expect(v.memhost.text).toBe(`Visão do host: 2,5${NBSP}GiB`);
    expect(v.diskread.text).toBe(`1,5${NBSP}MiB/s`);
    expect(v.netin.text).toBe(`1,5${NBSP}KiB/s`);
    expect(v.uptime.text).toBe('2 h 5 min');
  });

  it('says one vCPU and keeps a fractional CPU limit', () => {
    expect(liveView('en', guest({ maxcpu: 1 })).cpu.of).toBe('of 1 vCPU');
    expect(liveView('en', guest({ maxcpu: 1.5 })).cpu.of).toBe('of 1.5 vCPUs');
    expect(liveView('pt-BR', guest({ maxcpu: 1.5 })).cpu.of).toBe('de 1,5 vCPU');
  });

  it('shows unknown rates as — with the reason and an empty data-value', () => {
    const v = liveView('en', guest({ diskread: null, diskwrite: undefined, netin: null, netout: Number.NaN }));
    for (const rate of [v.diskread, v.diskwrite, v.netin, v.netout]) {
      expect(rate).toEqual({ raw: '', text: '—', title: 'Measured from the next poll', missing: 'pending' });
    }
    expect(liveView('pt-BR', guest({ netin: null })).netin.title).toBe('Medido a partir da próxima atualização');
  });

  it('hides the host view when Proxmox did not send it', () => {
    for (const g of [guest({ memhost: 0 }), guest({ type: 'lxc' })]) {
      expect(liveView('en', g).memhost).toMatchObject({ shown: false, raw: '', text: '' });
    }
  });

  it('shows a stopped guest without usage, keeping the raw numbers', () => {
    const v = liveView('en', guest({ status: 'stopped', cpu: 0, mem: 0, uptime: 0, maxmem: 4 * GiB, netin: 0, diskread: null }));
    expect(v.live).toBe(false);
    expect(v.status).toEqual({ raw: 'stopped', category: 'stopped' });
    expect(v.cpu).toMatchObject({ raw: '0', text: '—', title: 'Not running', missing: 'notRunning', fraction: 0 });
    expect(v.mem).toMatchObject({ raw: '0', text: sp('— / 4 GiB'), missing: 'notRunning', fraction: 0 });
    expect(v.netin).toMatchObject({ raw: '0', text: '—', missing: 'notRunning' });
    expect(v.diskread).toMatchObject({ raw: '', text: '—', missing: 'notRunning' });
    expect(v.uptime).toMatchObject({ raw: '0', text: '—', missing: 'notRunning' });
  });

  it('treats a paused guest as live and an unknown status as not', () => {
    expect(liveView('en', guest({ status: 'paused' })).live).toBe(true);
    expect(liveView('en', guest({ status: 'paused' })).status.category).toBe('paused');
    expect(isLive('suspended')).toBe(true);
    expect(isLive('unknown')).toBe(false);
    expect(liveView('en', guest({ status: 'weird' })).status.category).toBe('unknown');
  });
});

describe('rateValue / rawValue', () => {
  it('keeps 0 as a known value', () => {
    expect(rateValue('en', 0, true)).toMatchObject({ raw: '0', missing: null });
    expect(rawValue(0)).toBe('0');
  });
  it('drops what is not a number', () => {
    expect(rawValue(null)).toBe('');
    expect(rawValue(undefined)).toBe('');
    expect(rawValue(Number.POSITIVE_INFINITY)).toBe('');
    expect(rateValue('en', -5, true).missing).toBe('pending');
  });
});

describe('liveUpdated', () => {
  const now = 1_700_000_000_000;
  it('says how long ago the cluster was polled', () => {
    expect(liveUpdated('en', now - 3000, now).text).toMatch(/^Updated 3\s?s.* ago$/);
    expect(liveUpdated('pt-BR', now - 3000, now).text).toMatch(/^Atualizado há 3\s?s/);
    expect(liveUpdated('en', now - 3000, now).title).toMatch(/^Last successful update: /);
  });
  it('says never before the first poll', () => {
    expect(liveUpdated('en', 0, now)).toEqual({ text: 'Not updated yet', title: '' });
  });
});
