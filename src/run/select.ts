import { usageError } from '../errors.js';

/** What selection needs to know of a kernel: its name, its package, its image. */
export interface Named {
  name: string;
  package?: string;
  image: string;
}

/** A kernel's stable name across runs and machines: `package/name`, or the name alone for `--kernel` files. */
export function kernelId(kernel: { name: string; package?: string }): string {
  return kernel.package ? `${kernel.package}/${kernel.name}` : kernel.name;
}

/**
 * `*` matches any run of characters and `?` one character; a pattern without them matches
 * as a substring. The same rule as the bundled harness's test filter (the README, "What a kernel speaks").
 */
export function matchesPattern(pattern: string, text: string): boolean {
  if (!/[*?]/.test(pattern)) return text.includes(pattern);
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`, 's').test(text);
}

/** The kernels any of `patterns` matches, by name or by `package/name`; all of them when there is no pattern. */
export function filterKernels<T extends Named>(kernels: T[], patterns: string[]): T[] {
  if (patterns.length === 0) return kernels;
  const kept = kernels.filter((kernel) => patterns.some((pattern) => matchesPattern(pattern, kernel.name) || matchesPattern(pattern, kernelId(kernel))));
  if (kept.length === 0) {
    const names = kernels.map(kernelId).join(', ') || 'none';
    throw usageError(`--filter-kernel ${patterns.join(', ')}: no kernel matches; the kernels are: ${names}`);
  }
  return kept;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Reads `K/N` (shard K of N, 1 <= K <= N). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw usageError(`--shard ${text}: expected K/N with 1 <= K <= N, for example --shard 1/3 (the first of three shards)`);
  }
  return { index, count };
}

/**
 * Shard K of N: the kernels sorted by `package/name` (then image path), dealt round-robin.
 * Every machine of a CI matrix computes the same split from the same build, so the N
 * shards together run every kernel exactly once. The kernels keep their given order.
 */
export function shardKernels<T extends Named>(kernels: T[], shard: Shard): T[] {
  const sorted = [...kernels].sort((a, b) => byKernelId(a, b) || compare(a.image, b.image));
  const chosen = new Set(sorted.filter((_, position) => position % shard.count === shard.index - 1));
  return kernels.filter((kernel) => chosen.has(kernel));
}

// Code-unit order, not the locale's: the same on every machine.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders kernels by `package/name`, the same way on every machine. */
export const byKernelId = (a: { name: string; package?: string }, b: { name: string; package?: string }) => compare(kernelId(a), kernelId(b));
