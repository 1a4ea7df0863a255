import { describe, expect, it } from 'vitest';
import { qemuArgs } from '../../src/qemu/args.js';
import { Accelerator, accelArgs } from '../../src/qemu/accel.js';

const base = { qmpSocket: '/tmp/x/qmp.sock', accel: ['-accel', 'tcg'], extraArgs: [] };

describe('QEMU arguments', () => {
  it('boots a Multiboot kernel with -kernel and tells it the runner is there', () => {
    const args = qemuArgs({ ...base, image: '/k/heap', kind: 'multiboot' });
    expect(args.join(' ')).toContain('-kernel /k/heap -append alloc-runner');
    expect(args.join(' ')).toContain('-device isa-debug-exit,iobase=0xf4,iosize=0x04');
    expect(args).toContain('-no-reboot');
    expect(args.join(' ')).toContain('-chardev socket,id=alloc-runner-qmp,path=/tmp/x/qmp.sock -mon chardev=alloc-runner-qmp,mode=control');
  });

  it('boots disk and ISO images as drives, doubling commas in paths', () => {
    expect(qemuArgs({ ...base, image: '/a,b/disk.img', kind: 'disk' })).toContain('format=raw,file=/a,,b/disk.img');
    expect(qemuArgs({ ...base, image: '/k.iso', kind: 'iso' })).toContain('format=raw,media=cdrom,file=/k.iso');
  });

  it('boots a bootimage image with its run-command\'s arguments, and as a disk when they do not name it', () => {
    const named = qemuArgs({ ...base, image: '/d.bin', kind: 'disk', overrides: { commandArgs: ['-drive', 'format=raw,file=/d.bin'], bootsImage: true, allowReboot: true } });
    expect(named.filter((arg) => arg.startsWith('format=raw'))).toEqual(['format=raw,file=/d.bin']);
    expect(named).not.toContain('-no-reboot');
    const unnamed = qemuArgs({ ...base, image: '/d.bin', kind: 'disk', overrides: { commandArgs: ['-m', '1G'], bootsImage: false } });
    expect(unnamed.join(' ')).toContain('-m 1G -drive format=raw,file=/d.bin');
    expect(unnamed).toContain('-no-reboot');
  });

  it('puts extra arguments last, so they can override', () => {
    expect(qemuArgs({ ...base, image: '/k', kind: 'multiboot', extraArgs: ['-m', '256M'] }).slice(-2)).toEqual(['-m', '256M']);
  });

  it('asks for KVM with a TCG fallback only where /dev/kvm is usable', () => {
    expect(accelArgs('auto', true)).toEqual(['-accel', 'kvm', '-accel', 'tcg']);
    expect(accelArgs('auto', false)).toEqual(['-accel', 'tcg']);
    expect(accelArgs('kvm', false)).toEqual(['-accel', 'kvm']);
    expect(accelArgs('tcg', true)).toEqual(['-accel', 'tcg']);
  });
});

describe('the accelerator of a run', () => {
  it('falls back to TCG for good after a KVM failure under auto', () => {
    const accel = new Accelerator('auto');
    const before = accel.args();
    expect(accel.fallBackFromKvm()).toBe(true);
    expect(accel.args()).toEqual(['-accel', 'tcg']);
    expect(before).not.toEqual(['-accel', 'kvm']);
  });

  it('does not second-guess an explicit --accel kvm', () => {
    const accel = new Accelerator('kvm');
    expect(accel.fallBackFromKvm()).toBe(false);
    expect(accel.args()).toEqual(['-accel', 'kvm']);
  });
});
