import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterKernels, kernelId, matchesPattern, parseShard, shardKernels, uniqueIds } from '../../src/run/select.js';
import { kernelFolders } from '../../src/run/plan.js';

const named = (id: string) => {
  const [pkg, name] = id.includes('/') ? id.split('/') : [undefined, id];
  return { id, name: name!, package: pkg };
};

describe('--shard K/N', () => {
  it('reads K/N and refuses anything else with the usage code', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3', '-1/2']) {
      expect(() => parseShard(bad), bad).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('expected K/N with 1 <= K <= N') }));
    }
  });

  it('splits any kernel list into shards that together hold every kernel exactly once, whatever its order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,3}(\/[a-z_]{1,5})?$/), { maxLength: 30 }), fc.integer({ min: 1, max: 8 }), (ids, count) => {
        const kernels = ids.map(named);
        const shards = Array.from({ length: count }, (_, index) => shardKernels(kernels, { index: index + 1, count }));
        const union = shards.flat().map(kernelId);
        expect(union.sort()).toEqual(kernels.map(kernelId).sort());
        // The same split from the kernels in another order: shards depend on names, not on Cargo's order.
        const reversed = Array.from({ length: count }, (_, index) => shardKernels([...kernels].reverse(), { index: index + 1, count }));
        expect(reversed.map((shard) => shard.map(kernelId).sort())).toEqual(shards.map((shard) => shard.map(kernelId).sort()));
        // Balanced: shard sizes differ by at most one.
        const sizes = shards.map((shard) => shard.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('follows the documented rule: sorted by package/name, shard K takes every N-th from position K', () => {
    const kernels = ['b/x', 'a/z', 'c/w', 'a/y', 'b/v', 'a/x', 'c/a'].map(named);
    // Sorted: a/x a/y a/z b/v b/x c/a c/w; shard K of 3 takes sorted positions K, K+3, K+6,
    // and the kernels keep the order they were given in.
    const shard = (index: number, count: number) => shardKernels(kernels, { index, count }).map(kernelId);
    expect(shard(1, 3)).toEqual(['c/w', 'b/v', 'a/x']);
    expect(shard(2, 3)).toEqual(['b/x', 'a/y']);
    expect(shard(3, 3)).toEqual(['a/z', 'c/a']);
    expect(shard(1, 2)).toEqual(['b/x', 'a/z', 'c/w', 'a/x']);
    expect(shard(1, 1)).toEqual(kernels.map(kernelId));
  });

  it('splits --kernel files of the same name by their paths, not by the order of the arguments', () => {
    const files = ['/builds/a/kernel.elf', '/builds/b/kernel.elf'];
    for (const order of [files, [...files].reverse()]) {
      const ids = uniqueIds(order.map((image) => ({ name: 'kernel.elf', image })));
      const kernels = order.map((image, index) => ({ id: ids[index]!, name: 'kernel.elf', image }));
      expect(shardKernels(kernels, { index: 1, count: 2 }).map((kernel) => kernel.image)).toEqual([files[0]]);
      expect(shardKernels(kernels, { index: 2, count: 2 }).map((kernel) => kernel.image)).toEqual([files[1]]);
    }
  });
});

describe('--filter-kernel', () => {
  const kernels = ['kernel/heap_basics', 'kernel/heap_limits', 'kernel/no_alloc', 'misbehaving/hang'].map(named);
  it('matches a substring, or a glob against the whole name or package/name', () => {
    expect(filterKernels(kernels, ['heap']).map(kernelId)).toEqual(['kernel/heap_basics', 'kernel/heap_limits']);
    expect(filterKernels(kernels, ['misbehaving/*']).map(kernelId)).toEqual(['misbehaving/hang']);
    expect(filterKernels(kernels, ['no_?lloc', 'hang']).map(kernelId)).toEqual(['kernel/no_alloc', 'misbehaving/hang']);
    expect(filterKernels(kernels, []).length).toBe(4);
  });
  it('says which kernels there are when nothing matches', () => {
    expect(() => filterKernels(kernels, ['nothing'])).toThrow('no kernel matches; the kernels are: kernel/heap_basics, ');
  });
  it('treats regular-expression characters literally', () => {
    expect(matchesPattern('a.c*', 'abcd')).toBe(false);
    expect(matchesPattern('a.c*', 'a.cd')).toBe(true);
  });
});

describe('kernel ids', () => {
  it('are package/name, qualified by the target kind only where two targets share a name', () => {
    const blogOs = [
      { package: 'blog_os', name: 'blog_os', kind: 'lib' },
      { package: 'blog_os', name: 'blog_os', kind: 'bin' },
      { package: 'blog_os', name: 'basic_boot', kind: 'test' },
    ];
    expect(uniqueIds(blogOs)).toEqual(['blog_os/blog_os[lib]', 'blog_os/blog_os[bin]', 'blog_os/basic_boot']);
  });

  it('count --kernel files of one name', () => {
    expect(uniqueIds([{ name: 'k.bin' }, { name: 'k.bin' }, { name: 'k.bin[2]' }, { name: 'other' }])).toEqual(['k.bin', 'k.bin[3]', 'k.bin[2]', 'other']);
    expect(uniqueIds([{ name: 'k.bin', image: '/b/k.bin' }, { name: 'k.bin', image: '/a/k.bin' }])).toEqual(['k.bin[2]', 'k.bin']);
  });

  it('are unique whatever the names and kinds', () => {
    const part = fc.record({ name: fc.constantFrom('a', 'b', 'a[2]', 'a[lib]'), package: fc.option(fc.constantFrom('p', 'q'), { nil: undefined }), kind: fc.option(fc.constantFrom('lib', 'bin', 'test'), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(part, { maxLength: 12 }), (parts) => {
        const ids = uniqueIds(parts);
        expect(new Set(ids).size).toBe(parts.length);
      }),
    );
  });

  it('make one folder each, package and target apart', () => {
    expect(kernelFolders('/run', ['blog_os/blog_os[lib]', 'blog_os/blog_os[bin]', 'k.bin', 'a b', 'a_b'])).toEqual([
      '/run/blog_os/blog_os[lib]',
      '/run/blog_os/blog_os[bin]',
      '/run/k.bin',
      '/run/a_b',
      '/run/a_b-2',
    ]);
  });
});
