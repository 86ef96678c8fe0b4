// A guest's configuration (GET …/config) grouped the way Proxmox's own
// Hardware and Options panels show it: processors, memory, disks with their
// storage and size, network cards with bridge, VLAN and MAC, then boot
// order, agent and the other options. Keys it does not know go to "other",
// so nothing is hidden; the raw key/value list stays a toggle away.

import { formatBytes } from './i18n/format';
import { translate, type Locale, type MessageKey, type Params } from './i18n/locales';

export interface ConfigItem {
  /** The config keys it shows (scsi0, net0…): the raw view's names. */
  keys: string[];
  label: string;
  value: string;
}

export interface GroupedConfig {
  hardware: ConfigItem[];
  options: ConfigItem[];
  other: ConfigItem[];
}

/** "a=1,b=2,plain" → { a: '1', b: '2', '': 'plain' } (the first bare part is the volume). */
export function parseProps(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) {
      if (!('' in out)) out[''] = part.trim();
    } else {
      out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
  }
  return out;
}

/** Proxmox sizes: "32G", "512M", "1T", "4096" (bytes when bare). */
export function parseSize(size: string | undefined): number | null {
  if (!size) return null;
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(size.trim());
  if (!m) return null;
  const mult = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * mult;
}

const DISK = /^(scsi|sata|ide|virtio|efidisk|tpmstate|unused)(\d+)$/;
const MOUNT = /^mp(\d+)$/;
const NET = /^net(\d+)$/;
const NIC_MODELS = ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3'];
/** Keys shown elsewhere on the page, or machine bookkeeping nobody reads. */
const SKIP = new Set(['digest', 'tags', 'meta', 'vmgenid', 'smbios1', 'lock']);

const OSTYPES: Record<string, string> = {
  l26: 'Linux 6.x - 2.6 Kernel',
  l24: 'Linux 2.4 Kernel',
  win11: 'Windows 11/2022/2025',
  win10: 'Windows 10/2016/2019',
  win8: 'Windows 8.x/2012/2012r2',
  win7: 'Windows 7/2008r2',
  solaris: 'Solaris',
  other: 'Other',
};

function order(key: string): number {
  const m = /(\d+)$/.exec(key);
  return m ? Number(m[1]) : 0;
}

export function groupConfig(locale: Locale, type: 'qemu' | 'lxc' | string, config: Readonly<Record<string, string>>): GroupedConfig {
  const tr = (key: MessageKey, params?: Params) => translate(locale, key, params);
  const bytes = (n: number) => formatBytes(locale, n);
  const yesNo = (v: string | undefined) => tr(v === '1' || v === 'true' ? 'config.yes' : 'config.no');
  const used = new Set<string>();
  const hardware: ConfigItem[] = [];
  const options: ConfigItem[] = [];
  const add = (list: ConfigItem[], keys: string[], label: string, value: string) => {
    keys.forEach((k) => used.add(k));
    list.push({ keys, label, value });
  };
  const has = (k: string) => config[k] !== undefined && config[k] !== '';

  // Memory
  if (has('memory')) {
    const mem = Number(config.memory) * 2 ** 20;
    let value = bytes(mem);
    const keys = ['memory'];
    if (has('balloon') && Number(config.balloon) > 0) {
      value = tr('config.memory.balloon', { max: bytes(mem), min: bytes(Number(config.balloon) * 2 ** 20) });
      keys.push('balloon');
    }
    add(hardware, keys, tr('config.memory'), value);
  }
  if (type === 'lxc' && has('swap')) add(hardware, ['swap'], tr('config.swap'), bytes(Number(config.swap) * 2 ** 20));

  // Processors
  if (has('cores') || has('sockets') || has('cpu')) {
    const cores = Number(config.cores || 1);
    const sockets = Number(config.sockets || 1);
    const parts = [
      type === 'lxc'
        ? tr('config.cpu.cores', { cores })
        : tr('config.cpu.value', { total: cores * sockets, sockets, cores }),
    ];
    if (has('cpu')) parts.push(parseProps(config.cpu)[''] || config.cpu);
    if (has('cpulimit') && Number(config.cpulimit) > 0) parts.push(tr('config.cpu.limit', { limit: config.cpulimit }));
    add(hardware, ['cores', 'sockets', 'cpu', 'cpulimit', 'vcpus'].filter(has), tr('config.cpu'), parts.join(' · '));
  }
  if (has('bios')) add(hardware, ['bios'], tr('config.bios'), config.bios === 'ovmf' ? 'OVMF (UEFI)' : 'SeaBIOS');
  if (has('machine')) add(hardware, ['machine'], tr('config.machine'), config.machine);
  if (has('scsihw')) add(hardware, ['scsihw'], tr('config.scsihw'), config.scsihw);

  // Disks, root disk and mount points, in Proxmox's order
  const disks = Object.keys(config)
    .filter((k) => DISK.test(k) || MOUNT.test(k) || k === 'rootfs')
    .sort((a, b) => (a === 'rootfs' ? -1 : b === 'rootfs' ? 1 : a.replace(/\d+$/, '').localeCompare(b.replace(/\d+$/, '')) || order(a) - order(b)));
  for (const k of disks) {
    const p = parseProps(config[k]);
    const volume = p[''] ?? '';
    const size = parseSize(p.size);
    if (p.media === 'cdrom') {
      add(hardware, [k], tr('config.cdrom', { key: k }), volume === 'none' ? tr('config.cdrom.none') : volume);
      continue;
    }
    const label =
      k === 'rootfs'
        ? tr('config.rootfs')
        : MOUNT.test(k)
          ? tr('config.mountpoint', { key: k, path: p.mp ?? '' })
          : k.startsWith('unused')
            ? tr('config.unused', { key: k })
            : k.startsWith('efidisk')
              ? tr('config.efidisk', { key: k })
              : k.startsWith('tpmstate')
                ? tr('config.tpm', { key: k })
                : tr('config.disk', { key: k });
    const [storage, ...rest] = volume.split(':');
    const parts = [rest.length ? tr('config.disk.volume', { storage, volume: rest.join(':') }) : volume];
    if (size !== null) parts.push(bytes(size));
    add(hardware, [k], label, parts.filter(Boolean).join(' · '));
  }

  // Network cards
  for (const k of Object.keys(config).filter((k) => NET.test(k)).sort((a, b) => order(a) - order(b))) {
    const p = parseProps(config[k]);
    const model = NIC_MODELS.find((m) => m in p) ?? p.type ?? '';
    const mac = p.hwaddr ?? (model ? p[model] : '') ?? '';
    const parts = [
      p.bridge ? tr('config.net.bridge', { bridge: p.bridge }) : '',
      p.tag ? tr('config.net.vlan', { tag: p.tag }) : tr('config.net.novlan'),
      model,
      mac ? `MAC ${mac}` : '',
      p.ip ? `IP ${p.ip}` : '',
      p.firewall === '1' ? tr('config.net.firewall') : '',
      p.link_down === '1' ? tr('config.net.down') : '',
    ];
    add(hardware, [k], tr('config.net', { key: k, name: p.name ?? '' }).trim(), parts.filter(Boolean).join(' · '));
  }

  // Options
  const name = config.name ?? config.hostname;
  if (name !== undefined) add(options, [config.name !== undefined ? 'name' : 'hostname'], tr('config.name'), name);
  if (has('onboot') || type) add(options, ['onboot'].filter(has), tr('config.onboot'), yesNo(config.onboot));
  if (has('startup')) add(options, ['startup'], tr('config.startup'), config.startup);
  if (has('ostype')) add(options, ['ostype'], tr('config.ostype'), OSTYPES[config.ostype] ?? config.ostype);
  if (has('boot')) {
    const p = parseProps(config.boot);
    const value = p.order ? p.order.split(';').join(', ') : config.boot;
    add(options, ['boot', 'bootdisk'].filter(has), tr('config.boot'), value);
  }
  if (type !== 'lxc') {
    const agent = has('agent') ? parseProps(config.agent) : {};
    const on = (agent.enabled ?? agent['']) === '1';
    add(options, ['agent'].filter(has), tr('config.agent'), tr(on ? 'config.enabled' : 'config.disabled'));
  }
  if (has('protection')) add(options, ['protection'], tr('config.protection'), yesNo(config.protection));
  if (has('unprivileged')) add(options, ['unprivileged'], tr('config.unprivileged'), yesNo(config.unprivileged));
  if (has('features')) add(options, ['features'], tr('config.features'), config.features.split(',').join(', '));
  if (has('numa')) add(options, ['numa'], tr('config.numa'), yesNo(config.numa));
  if (has('hotplug')) add(options, ['hotplug'], tr('config.hotplug'), config.hotplug.split(',').join(', '));
  if (has('template')) add(options, ['template'], tr('config.template'), yesNo(config.template));
  if (has('description')) add(options, ['description'], tr('config.description'), config.description);

  const other = Object.keys(config)
    .filter((k) => !used.has(k) && !SKIP.has(k))
    .sort()
    .map((k) => ({ keys: [k], label: k, value: config[k] }));
  return { hardware, options, other };
}
