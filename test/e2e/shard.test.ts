import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import schema from '../../docs/json-schema.json' with { type: 'json' };
import type { JsonReport } from '../../src/report/json.js';
import { alloc, FIXTURES, qemuProcessesWith } from './helpers.js';

// Pipelines: --list, --shard K/N and merge, filters, --bail, on real builds and QEMU.

const BUNDLED = ['test', '--features', 'global_alloc'];
const MISBEHAVING = ['test', '--manifest-path', join(FIXTURES, 'misbehaving', 'Cargo.toml')];
const ids = (report: JsonReport) => report.kernels.map((kernel) => `${kernel.package}/${kernel.name}`);

describe('--shard and merge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shard-'));
  let everything: string[];
  const shards: JsonReport[] = [];

  beforeAll(async () => {
    const list = await alloc([...BUNDLED, '--list']);
    expect(list.exitCode, list.all).toBe(0);
    everything = list.stdout.trim().split('\n');
    for (const index of [1, 2, 3]) {
      const file = join(dir, `shard-${index}.json`);
      const run = await alloc([...BUNDLED, '--shard', `${index}/3`, '--reporter', 'json', '--output-file', `json=${file}`]);
      expect(run.exitCode, run.all).toBe(0);
      shards.push(JSON.parse(readFileSync(file, 'utf8')) as JsonReport);
    }
  });

  it('lists the kernels that would run, one per line in the order of their ids, without booting any', () => {
    expect(everything).toEqual(['kernel/alloc_error', 'kernel/heap_basics', 'kernel/heap_limits', 'kernel/no_alloc', 'kernel/test_allocator']);
  });

  it('runs every kernel in exactly one shard, each shard saying which it was', () => {
    expect(shards.map((report) => report.shard)).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    // Dealt round-robin from the kernels sorted by id, and reported in that order.
    expect(shards.map(ids)).toEqual([0, 1, 2].map((shard) => everything.filter((_, position) => position % 3 === shard)));
  });

  it('--list shows the same split as the shards run', async () => {
    const list = await alloc([...BUNDLED, '--shard', '2/3', '--list']);
    expect(list.stdout.trim().split('\n')).toEqual(ids(shards[1]!));
  });

  it('merges the shards into one report in any format, and exits as the whole run would', async () => {
    const files = [1, 2, 3].map((index) => join(dir, `shard-${index}.json`));
    const run = await alloc(['merge', ...files, '--reporter', 'junit', '--reporter', 'json', '--reporter', 'default',
      '--output-file', `junit=${join(dir, 'merged.xml')}`, '--output-file', `json=${join(dir, 'merged.json')}`]);
    expect(run.exitCode, run.all).toBe(0);
    const merged = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as JsonReport;
    expect(new Ajv().compile(schema)(merged)).toBe(true);
    expect(ids(merged)).toEqual(everything);
    expect(merged.totals.passed).toBe(shards.reduce((sum, report) => sum + report.totals.passed, 0));
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testsuite' }).parse(readFileSync(join(dir, 'merged.xml'), 'utf8'));
    expect(junit.testsuites.testsuite.map((suite: { name: string }) => suite.name)).toEqual(ids(merged));
    expect(Number(junit.testsuites.tests)).toBe(merged.totals.passed + merged.totals.skipped);
    expect(run.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  });

  it('refuses to merge a shard twice, and warns of a missing one', async () => {
    const twice = await alloc(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-1.json')]);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toMatch(/kernel kernel\/\w+ is in .*shard-1\.json twice/);
    const partial = await alloc(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-3.json'), '--reporter', 'json']);
    expect(partial.exitCode).toBe(0);
    expect(partial.stderr).toContain('the merged reports lack shard 2/3');
  });

  it('refuses a malformed shard with the usage code', async () => {
    const run = await alloc([...BUNDLED, '--shard', '4/3', '--list']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--shard 4/3: expected K/N with 1 <= K <= N');
  });
});

describe('filters', () => {
  it('runs only the kernels a --filter-kernel pattern names', async () => {
    const run = await alloc([...BUNDLED, '--filter-kernel', 'heap_*', '--list']);
    expect(run.stdout.trim().split('\n')).toEqual(['kernel/heap_basics', 'kernel/heap_limits']);
    const none = await alloc([...BUNDLED, '--filter-kernel', 'no_such_kernel']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no kernel matches; the kernels are: kernel/');
  });

  it('--filter-test reaches the kernel, which skips the other tests as filtered', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'filter-')), 'report.json');
    const run = await alloc([...BUNDLED, '--filter-kernel', 'heap_basics', '--filter-test', 'vec_*', '--filter-test', 'string', '--reporter', 'json', '--output-file', `json=${file}`]);
    expect(run.exitCode, run.all).toBe(0);
    const [kernel] = (JSON.parse(readFileSync(file, 'utf8')) as JsonReport).kernels;
    const ran = kernel!.tests.filter((test) => test.status === 'pass').map((test) => test.name);
    expect(ran).toEqual(['vec_sum', 'string_formatting', 'vec_growth_keeps_contents']);
    const skipped = kernel!.tests.filter((test) => test.status === 'skip');
    expect(skipped.length).toBe(kernel!.tests.length - 3);
    expect(skipped.every((test) => test.reason === 'filtered')).toBe(true);
    expect(kernel!.qemuCommand.join(' ')).toContain('-append alloc-runner filter=vec_* filter=string');
  });

  it('refuses a test filter with a space', async () => {
    const run = await alloc([...BUNDLED, '--filter-test', 'two words']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('a test filter is one word without spaces');
  });
});

describe('--bail', () => {
  it('stops at the first failing kernel, reports what finished and leaves no QEMU behind', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bail-')), 'report.json');
    const all = (await alloc([...MISBEHAVING, '--list'])).stdout.trim().split('\n');
    const run = await alloc([...MISBEHAVING, '--bail', '--jobs', '2', '--reporter', 'json', '--output-file', `json=${file}`]);
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stderr).toMatch(/--bail: stopped after misbehaving\/\w+ failed; \d+ kernel\(s\) not run or stopped/);
    const report = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
    expect(report.kernels.length).toBeLessThan(all.length);
    expect(report.kernels.some((kernel) => kernel.status !== 'pass')).toBe(true);
    // Nothing killed by --bail is reported as if it had hung or crashed by itself.
    expect(report.kernels.filter((kernel) => kernel.status === 'error')).toEqual([]);
    expect(qemuProcessesWith('/deps/hang-')).toEqual([]);
    expect(qemuProcessesWith('/deps/flood-')).toEqual([]);
  });
});
