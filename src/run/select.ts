import { usageError } from '../errors.js';
import type { Shard } from '../model.js';

/** What selection needs to know of a kernel: its unique id and its name. */
export interface Named {
  id: string;
  name: string;
}

/** A kernel's stable, unique name across runs and machines (see `uniqueIds`). */
export const kernelId = (kernel: { id: string }): string => kernel.id;

/** What a kernel's id is made of: its Cargo package and target (name and kind), or the file name for `--kernel`. */
export interface IdParts {
  name: string;
  package?: string;
  /** Cargo's target kind: `lib` and `bin` for unit tests, `test` for tests/*.rs. */
  kind?: string;
  /** The image's path: files of one name are counted in path order, whatever the order of the arguments. */
  image?: string;
}

/**
 * One id per kernel, unique within the run: `package/name` (or the file name of a `--kernel`
 * image), qualified only when that is not enough: by the target's kind where Cargo builds
 * two targets of one name (`blog_os/blog_os[lib]`, `blog_os/blog_os[bin]`), then by a count
 * in image path order (`kernel.elf`, `kernel.elf[2]`). Brackets never occur in Cargo target
 * names, so a qualified id never meets a plain one.
 */
export function uniqueIds(kernels: IdParts[]): string[] {
  const base = kernels.map((kernel) => (kernel.package ? `${kernel.package}/${kernel.name}` : kernel.name));
  const shared = duplicated(base);
  const byKind = base.map((id, index) => (shared.has(id) && kernels[index]!.kind ? `${id}[${kernels[index]!.kind}]` : id));
  const taken = new Set(byKind);
  const seen = new Set<string>();
  const ids = [...byKind];
  const inPathOrder = byKind.map((_, index) => index).sort((a, b) => compare(kernels[a]!.image ?? '', kernels[b]!.image ?? '') || a - b);
  for (const index of inPathOrder) {
    const id = byKind[index]!;
    if (!seen.has(id)) {
      seen.add(id);
      continue;
    }
    let count = 2;
    while (taken.has(`${id}[${count}]`)) count++;
    taken.add(`${id}[${count}]`);
    ids[index] = `${id}[${count}]`;
  }
  return ids;
}

function duplicated(ids: string[]): Set<string> {
  const seen = new Set<string>();
  return new Set(ids.filter((id) => seen.has(id) || !seen.add(id)));
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

/** The kernels any of `patterns` matches, by name or by id; all of them when there is no pattern. */
export function filterKernels<T extends Named>(kernels: T[], patterns: string[]): T[] {
  if (patterns.length === 0) return kernels;
  const kept = kernels.filter((kernel) => patterns.some((pattern) => matchesPattern(pattern, kernel.name) || matchesPattern(pattern, kernelId(kernel))));
  if (kept.length === 0) {
    const names = kernels.map(kernelId).join(', ') || 'none';
    throw usageError(`--filter-kernel ${patterns.join(', ')}: no kernel matches; the kernels are: ${names}`);
  }
  return kept;
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
 * Shard K of N: the kernels sorted by id, dealt round-robin.
 * Every machine of a CI matrix computes the same split from the same build, so the N
 * shards together run every kernel exactly once. The kernels keep their given order.
 */
export function shardKernels<T extends Named>(kernels: T[], shard: Shard): T[] {
  const sorted = [...kernels].sort(byKernelId);
  const chosen = new Set(sorted.filter((_, position) => position % shard.count === shard.index - 1));
  return kernels.filter((kernel) => chosen.has(kernel));
}

// Code-unit order, not the locale's: the same on every machine.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders kernels by id, the same way on every machine: how every reporter and `--list` show them. */
export const byKernelId = (a: { id: string }, b: { id: string }) => compare(a.id, b.id);
