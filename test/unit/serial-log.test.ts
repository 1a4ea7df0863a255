import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CappedLog } from '../../src/capture/serial-log.js';

describe('the serial log', () => {
  it('keeps every byte up to its limit, then says where it stopped', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'log-')), 'serial.log');
    const log = new CappedLog(path, 10);
    await log.write(Buffer.from('12345'));
    await log.write(Buffer.from('67890abc'));
    await log.write(Buffer.from('never written'));
    await log.close();
    expect(readFileSync(path, 'utf8')).toBe('1234567890\n[alloc-runner: serial log truncated at 10 bytes]\n');
  });

  it('keeps a log under the limit whole', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'log-')), 'serial.log');
    const log = new CappedLog(path, 1024);
    await log.write(Buffer.from('KTAP version 1\r\n1..1\r\n'));
    await log.close();
    expect(readFileSync(path, 'utf8')).toBe('KTAP version 1\r\n1..1\r\n');
  });
});

describe('the serial log as a kernel writes it, a few bytes at a time', () => {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('gathers the pieces that come within its window into one write', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'log-')), 'serial.log');
    const onDisk = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    const log = new CappedLog(path, 1024, 60_000);
    for (const piece of ['KTAP ', 'version 1\n', '1..1\n']) {
      await log.write(Buffer.from(piece));
      await pause(20);
    }
    expect(onDisk()).toBe('');
    await log.close();
    expect(onDisk()).toBe('KTAP version 1\n1..1\n');
  });

  it('has them on disk once its window has passed, before it is closed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'log-')), 'serial.log');
    const onDisk = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    const log = new CappedLog(path, 1024, 20);
    await log.write(Buffer.from('ok 1 first\n'));
    await vi.waitFor(() => expect(onDisk()).toBe('ok 1 first\n'), { timeout: 5000, interval: 20 });
    await log.close();
  });
});

describe('the serial log under a flood', () => {
  it('waits for the disk again and again without piling up listeners', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const log = new CappedLog(join(mkdtempSync(join(tmpdir(), 'log-')), 'serial.log'), 64 << 20);
    // Each chunk is more than the stream buffers, so each write waits for a drain.
    for (let i = 0; i < 40; i++) await log.write(Buffer.alloc(64 * 1024, 'x'));
    await log.close();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

describe('the serial log on a full disk', () => {
  it('stops writing and says why, without throwing or hanging', async () => {
    // /dev/full: every write fails with ENOSPC, as on a file system that filled up.
    const log = new CappedLog('/dev/full', 1 << 20);
    for (let i = 0; i < 100; i++) await log.write(Buffer.alloc(64 * 1024, 'x'));
    await log.close();
    expect(log.failure?.code).toBe('ENOSPC');
  });
});
