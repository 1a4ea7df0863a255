import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, kernelConfig, parsePackageConfig, refuseScreenKeys } from '../../src/project/config.js';

describe('[package.metadata.alloc-runner]', () => {
  it('is optional: no table gives the defaults', () => {
    expect(kernelConfig(parsePackageConfig(undefined), 'any')).toEqual(DEFAULT_CONFIG);
  });

  it('layers defaults, package settings, kernel settings and command-line overrides', () => {
    const pkg = parsePackageConfig({
      timeout: 30,
      'vga-contains': ['Allocator works!'],
      kernels: { hang: { timeout: 3, 'exit-status': 35 } },
    });
    expect(kernelConfig(pkg, 'heap').timeout).toBe(30);
    expect(kernelConfig(pkg, 'heap').vgaContains).toEqual(['Allocator works!']);
    expect(kernelConfig(pkg, 'hang')).toMatchObject({ timeout: 3, exitStatus: 35, vgaContains: ['Allocator works!'] });
    expect(kernelConfig(pkg, 'hang', { timeout: 9 }).timeout).toBe(9);
  });

  it('names an unknown key and lists the known ones', () => {
    expect(() => parsePackageConfig({ timout: 3 })).toThrow(/package\.metadata\.alloc-runner\.timout: unknown key; the known keys are timeout,/);
    expect(() => parsePackageConfig({ kernels: { hang: { vga: [] } } })).toThrow(/alloc-runner\.kernels\.hang\.vga: unknown key/);
  });

  it('names a key of the wrong type with what it expected and what it got', () => {
    expect(() => parsePackageConfig({ timeout: '3' })).toThrow('package.metadata.alloc-runner.timeout: expected a positive number, got "3"');
    expect(() => parsePackageConfig({ 'vga-contains': 'x' })).toThrow(/vga-contains: expected a list of strings/);
    expect(() => parsePackageConfig({ 'exit-status': 300 })).toThrow(/exit-status: expected an exit status from 0 to 255, got 300/);
    expect(() => parsePackageConfig({ kernels: [] })).toThrow(/kernels: expected a table/);
    expect(() => parsePackageConfig({ 'serial-matches': ['('] })).toThrow(/serial-matches: "\(" is not a valid regular expression/);
  });

  it('reads the firmware, per package and per kernel', () => {
    const pkg = parsePackageConfig({ firmware: 'uefi', kernels: { old: { firmware: 'bios' } } });
    expect(kernelConfig(pkg, 'new').firmware).toBe('uefi');
    expect(kernelConfig(pkg, 'old').firmware).toBe('bios');
    expect(kernelConfig(parsePackageConfig(undefined), 'any').firmware).toBe('bios');
    expect(() => parsePackageConfig({ firmware: 'efi' })).toThrow('package.metadata.alloc-runner.firmware: expected "bios" or "uefi", got "efi"');
  });

  it('refuses screen expectations under UEFI, where there is no text screen, naming the keys and the way out', () => {
    const pkg = parsePackageConfig({ 'vga-contains': ['Booted'], kernels: { plain: { 'vga-contains': [] } } });
    const uefi = kernelConfig(pkg, 'heap', { firmware: 'uefi' });
    expect(() => refuseScreenKeys(uefi, 'heap', '--firmware uefi')).toThrow(
      /^kernel heap: vga-contains is set, but it boots with UEFI firmware \(--firmware uefi\), where there is no VGA text screen to read .*Leave it out \(--vga-contains on the command line, or the key in \[package\.metadata\.alloc-runner\]; a list can be set to \[\] for this kernel alone under \[package\.metadata\.alloc-runner\.kernels\.heap\]\), or boot it with --firmware bios\.$/,
    );
    expect(() => refuseScreenKeys({ ...uefi, vgaExcludes: ['PANIC'] }, 'heap', 'x')).toThrow(/vga-contains and vga-excludes are set/);
    expect(() => refuseScreenKeys({ ...uefi, vgaContains: [], passWhenVga: 'Ready' }, 'heap', 'x')).toThrow(/kernel heap: pass-when-vga is set/);
    expect(() => refuseScreenKeys({ ...uefi, vgaContains: [], failWhenVga: ['PANIC'] }, 'heap', 'x')).toThrow(/kernel heap: fail-when-vga is set/);
    expect(() => refuseScreenKeys(kernelConfig(pkg, 'plain', { firmware: 'uefi' }), 'plain', 'x')).not.toThrow();
    expect(() => refuseScreenKeys(kernelConfig(pkg, 'heap'), 'heap', 'x')).not.toThrow();
  });
});
