import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, kernelConfig, parsePackageConfig } from '../../src/project/config.js';

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
});
