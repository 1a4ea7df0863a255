import { describe, expect, it } from 'vitest';
import { kernelConfig } from '../../src/project/config.js';
import {
  bootimageBoot,
  bootimageCommand,
  bootimagePath,
  isBootimageProject,
  isTestExecutable,
  parseBootimageConfig,
  parseCreatedImages,
  withBootimageDefaults,
  withoutRunnerArgs,
} from '../../src/project/bootimage.js';
import { judge } from '../../src/verdict/judge.js';
import { parse, recorded } from '../parse/helpers.js';

// blog_os's [package.metadata.bootimage] (branch post-12), the project the recordings come from.
const BLOG_OS_TABLE = {
  'test-args': ['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-serial', 'stdio', '-display', 'none'],
  'test-success-exit-code': 33,
  'test-timeout': 300,
};

/** The QEMU command bootimage ran, from its "Running: `...`" line. */
function parseRunningCommand(line: string): string[] | undefined {
  const match = /^Running: `(.+)`\s*$/.exec(line);
  return match ? match[1]!.split(' ') : undefined;
}

describe('detecting a bootimage project', () => {
  it('takes a bootloader dependency or a bootimage table as the mark, and nothing else', () => {
    expect(isBootimageProject({ metadata: null, dependencies: ['bootloader', 'x86_64'] })).toBe(true);
    expect(isBootimageProject({ metadata: { bootimage: {} }, dependencies: [] })).toBe(true);
    expect(isBootimageProject({ metadata: { 'alloc-runner': {} }, dependencies: ['bump_allocator'] })).toBe(false);
  });

  it('calls executables in deps/ (and doctests) tests, as bootimage does', () => {
    expect(isTestExecutable('/p/target/x86_64-blog_os/debug/deps/basic_boot-94a8acc79bceb7ed')).toBe(true);
    expect(isTestExecutable('/tmp/rustdoctestXYZ/rust_out')).toBe(true);
    expect(isTestExecutable('/p/target/x86_64-blog_os/debug/blog_os')).toBe(false);
  });

  it('finds the image beside the executable, as bootimage names it', () => {
    expect(bootimagePath('/p/target/x86_64-blog_os/debug/deps/basic_boot-94a8acc79bceb7ed')).toBe(
      '/p/target/x86_64-blog_os/debug/deps/bootimage-basic_boot-94a8acc79bceb7ed.bin',
    );
  });
});

describe('[package.metadata.bootimage] with bootimage 0.10 meanings', () => {
  it('fills in bootimage\'s defaults: QEMU on the raw image, 300 s, -no-reboot, no success code', () => {
    expect(parseBootimageConfig(undefined)).toEqual({
      runCommand: ['qemu-system-x86_64', '-drive', 'format=raw,file={}'],
      runArgs: [],
      testArgs: [],
      testTimeout: 300,
      testNoReboot: true,
      buildCommand: ['build'],
    });
  });

  it('reads every key', () => {
    const config = parseBootimageConfig({
      'run-command': ['qemu-system-x86_64', '-hda', '{}'],
      'run-args': ['-m', '1G'],
      'test-args': ['-smp', '2'],
      'test-timeout': 20,
      'test-success-exit-code': 33,
      'test-no-reboot': false,
      'build-command': ['build', '-Zbuild-std=core'],
    });
    expect(config).toEqual({
      runCommand: ['qemu-system-x86_64', '-hda', '{}'],
      runArgs: ['-m', '1G'],
      testArgs: ['-smp', '2'],
      testTimeout: 20,
      testSuccessExitCode: 33,
      testNoReboot: false,
      buildCommand: ['build', '-Zbuild-std=core'],
    });
  });

  it('rejects unknown keys and wrong types, naming the key', () => {
    expect(() => parseBootimageConfig({ 'test-timout': 5 })).toThrow(/bootimage\.test-timout: bootimage does not know this key/);
    expect(() => parseBootimageConfig({ 'test-args': '-m 1G' })).toThrow(/test-args: expected a list of strings/);
    expect(() => parseBootimageConfig({ 'test-timeout': -1 })).toThrow(/test-timeout: expected a whole number of seconds/);
    expect(() => parseBootimageConfig({ 'test-no-reboot': 'yes' })).toThrow(/test-no-reboot: expected true or false/);
    expect(() => parseBootimageConfig({ 'run-command': [] })).toThrow(/run-command: must name a program/);
  });
});

describe('the QEMU command of a bootimage image', () => {
  const console = recorded('blog_os/cargo-test-pass.console.txt').toString('utf8');
  const running = console.split('\n').map(parseRunningCommand).filter((command) => command !== undefined);

  it('is the one bootimage ran for each test executable in the recorded cargo test', () => {
    expect(running).toHaveLength(6);
    const config = parseBootimageConfig(BLOG_OS_TABLE);
    for (const command of running) {
      const image = command[2]!.replace('format=raw,file=', '');
      expect(bootimageCommand(config, image, true)).toEqual(command);
    }
  });

  it('adds run-args, not test-args nor -no-reboot, for a kernel binary', () => {
    const config = parseBootimageConfig({ ...BLOG_OS_TABLE, 'run-args': ['-m', '64M'] });
    expect(bootimageCommand(config, 'img', false)).toEqual(['qemu-system-x86_64', '-drive', 'format=raw,file=img', '-m', '64M']);
  });

  it('boots under alloc-runner with run-command\'s drive, leaving out what alloc-runner sets itself', () => {
    const boot = bootimageBoot(parseBootimageConfig(BLOG_OS_TABLE), '/t/deps/bootimage-a.bin', true);
    expect(boot).toEqual({
      qemu: 'qemu-system-x86_64',
      commandArgs: ['-drive', 'format=raw,file=/t/deps/bootimage-a.bin'],
      bootsImage: true,
      extraArgs: [],
      allowReboot: false,
      config: { timeout: 300, successStatus: 33 },
    });
  });

  it('keeps the other test-args, lets a reset reboot under test-no-reboot = false, and says a run-command without {} does not boot the image', () => {
    const config = parseBootimageConfig({ 'run-command': ['qemu-system-x86_64', '-m', '1G'], 'test-args': ['-smp', '2', '-serial', 'stdio'], 'test-no-reboot': false });
    const boot = bootimageBoot(config, 'a,b.bin', true);
    expect(boot).toMatchObject({ commandArgs: ['-m', '1G'], bootsImage: false });
    expect(boot.extraArgs).toEqual(['-smp', '2']);
    expect(boot.allowReboot).toBe(true);
    expect(boot.config).toEqual({ timeout: 300 });
  });

  it('refuses a run-command that is not QEMU, since alloc-runner drives QEMU itself', () => {
    expect(() => bootimageBoot(parseBootimageConfig({ 'run-command': ['./run.sh', '{}'] }), 'img', true)).toThrow(/runs \.\/run\.sh, but alloc-runner boots the image in QEMU itself/);
  });

  it('keeps an isa-debug-exit at another port: the kernel may write there', () => {
    expect(withoutRunnerArgs(['-device', 'isa-debug-exit,iobase=0x501,iosize=0x04'])).toEqual(['-device', 'isa-debug-exit,iobase=0x501,iosize=0x04']);
  });

  it('puts [package.metadata.alloc-runner] over bootimage\'s settings, QEMU arguments added', () => {
    const boot = bootimageBoot(parseBootimageConfig({ 'test-args': ['-smp', '2'], 'test-timeout': 30 }), 'img', true);
    const config = kernelConfig(withBootimageDefaults({ defaults: { timeout: 10, qemuArgs: ['-m', '256M'] }, kernels: new Map() }, boot), 'k');
    expect(config.timeout).toBe(10);
    expect(config.qemuArgs).toEqual(['-smp', '2', '-m', '256M']);
  });
});

describe('judging recorded blog_os runs with bootimage\'s settings', () => {
  const config = kernelConfig(withBootimageDefaults({ defaults: {}, kernels: new Map() }, bootimageBoot(parseBootimageConfig(BLOG_OS_TABLE), 'img', true)), 'heap_allocation');
  const evidence = (serial: string, status: number) => ({
    ending: { kind: 'exited' as const, status },
    serial: parse(recorded(`blog_os/serial/${serial}`)),
    unmatchedPatterns: [],
  });

  it('passes a test that exited with test-success-exit-code', () => {
    expect(judge(evidence('heap_allocation.pass.serial', 33), config)).toEqual({ status: 'pass' });
  });

  it('fails the recorded failing run (QEMU exit status 35) with its panic', () => {
    const verdict = judge(evidence('heap_allocation.fail.serial', 35), config);
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toMatch(/exit status 35/);
  });
});

describe('cargo bootimage output', () => {
  it('names the image it made, in the recorded run', () => {
    expect(parseCreatedImages(recorded('blog_os/cargo-bootimage.console.txt').toString('utf8'))).toEqual(
      new Map([['blog_os', '/home/dev/blog_os/target/x86_64-blog_os/debug/bootimage-blog_os.bin']]),
    );
  });
});
