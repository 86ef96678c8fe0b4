import { describe, expect, it } from 'vitest';
import { groupConfig, parseProps, parseSize } from './guestconfig';

const NBSP = '\u00a0';
const vm = {
  name: 'web-01', cores: '4', sockets: '1', memory: '2048', ostype: 'l26', boot: 'order=scsi0;ide2;net0',
  scsihw: 'virtio-scsi-single', cpu: 'x86-64-v2-AES', scsi0: 'local-lvm:vm-101-disk-0,iothread=1,size=32G',
  ide2: 'none,media=cdrom', net0: 'virtio=BC:24:11:00:00:65,bridge=vmbr0,firewall=1,tag=20', agent: '1', numa: '0',
  onboot: '1', smbios1: 'uuid=abc', vmgenid: 'x', meta: 'creation-qemu=10.1.2', digest: 'd', args: '-no-hpet',
};
const ct = {
  hostname: 'proxy-01', arch: 'amd64', cores: '2', memory: '4096', swap: '512', ostype: 'debian',
  rootfs: 'local-lvm:vm-105-disk-0,size=8G', net0: 'name=eth0,bridge=vmbr1,firewall=1,hwaddr=BC:24:11:00:00:69,ip=dhcp,type=veth',
  unprivileged: '1', features: 'nesting=1', onboot: '0',
};
const find = (items: { label: string; value: string }[], label: string) => items.find((i) => i.label.startsWith(label))?.value;

describe('a guest configuration, grouped as Proxmox shows it', () => {
  it('parses Proxmox property strings and sizes', () => {
    expect(parseProps('local-lvm:vm-1-disk-0,size=32G,iothread=1')).toEqual({ '': 'local-lvm:vm-1-disk-0', size: '32G', iothread: '1' });
    expect(parseSize('32G')).toBe(32 * 2 ** 30);
    expect(parseSize('512M')).toBe(512 * 2 ** 20);
    expect(parseSize('x')).toBeNull();
  });

  it('shows a VM\'s hardware: processors, memory, disks with storage and size, NICs with bridge, VLAN and MAC', () => {
    const g = groupConfig('en', 'qemu', vm);
    expect(find(g.hardware, 'Memory')).toBe(`2${NBSP}GiB`);
    expect(find(g.hardware, 'Processors')).toBe('4 (1 sockets × 4 cores) · x86-64-v2-AES');
    expect(find(g.hardware, 'Hard disk (scsi0)')).toBe(`vm-101-disk-0 on local-lvm · 32${NBSP}GiB`);
    expect(find(g.hardware, 'CD/DVD drive (ide2)')).toBe('No media');
    expect(find(g.hardware, 'Network device (net0)')).toBe('bridge vmbr0 · VLAN 20 · virtio · MAC BC:24:11:00:00:65 · firewall');
  });

  it('shows a VM\'s options: boot order, agent, start at boot, OS type', () => {
    const g = groupConfig('en', 'qemu', vm);
    expect(find(g.options, 'Boot order')).toBe('scsi0, ide2, net0');
    expect(find(g.options, 'QEMU Guest Agent')).toBe('Enabled');
    expect(find(g.options, 'Start at boot')).toBe('Yes');
    expect(find(g.options, 'OS type')).toBe('Linux 6.x - 2.6 Kernel');
    expect(find(g.options, 'Name')).toBe('web-01');
  });

  it('keeps unknown keys under "other" and drops bookkeeping', () => {
    const g = groupConfig('en', 'qemu', vm);
    expect(g.other).toEqual([{ keys: ['args'], label: 'args', value: '-no-hpet' }]);
    const shown = [...g.hardware, ...g.options, ...g.other].flatMap((i) => i.keys);
    for (const k of ['smbios1', 'vmgenid', 'meta', 'digest']) expect(shown).not.toContain(k);
  });

  it('shows a container\'s root disk, swap and NIC, in Portuguese too', () => {
    const g = groupConfig('pt-BR', 'lxc', ct);
    expect(find(g.hardware, 'Disco raiz')).toBe(`vm-105-disk-0 em local-lvm · 8${NBSP}GiB`);
    expect(find(g.hardware, 'Swap')).toBe(`512${NBSP}MiB`);
    expect(find(g.hardware, 'Dispositivo de rede (net0) eth0')).toBe('bridge vmbr1 · sem VLAN · veth · MAC BC:24:11:00:00:69 · IP dhcp · firewall');
    expect(find(g.options, 'Contêiner sem privilégios')).toBe('Sim');
    expect(find(g.options, 'Iniciar no boot')).toBe('Não');
    expect(g.options.some((i) => i.label.startsWith('Agente'))).toBe(false);
  });
});
