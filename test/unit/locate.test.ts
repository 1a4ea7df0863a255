import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateManifest, workspaceFolder } from '../../src/project/locate.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'locate-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('finding the Cargo project', () => {
  it('finds the nearest Cargo.toml above the current folder, as Cargo does', () => {
    const root = tree({ 'k/Cargo.toml': '', 'k/src/x': '' });
    expect(locateManifest(undefined, join(root, 'k', 'src'))).toBe(join(root, 'k', 'Cargo.toml'));
  });

  it('uses the default a package.json configures', () => {
    const root = tree({ 'package.json': '{"alloc-runner":{"manifest-path":"fixtures/Cargo.toml"}}', 'fixtures/Cargo.toml': '' });
    expect(locateManifest(undefined, root)).toBe(join(root, 'fixtures', 'Cargo.toml'));
  });

  it('says what to do when there is nothing to test', () => {
    const root = tree({ 'package.json': '{}' });
    expect(() => locateManifest(undefined, root)).toThrow(/no Cargo project here.*--manifest-path.*--kernel/s);
  });

  it('checks --manifest-path', () => {
    const root = tree({ 'k/Cargo.toml': '', 'notes.txt': '' });
    expect(locateManifest('k', root)).toBe(join(root, 'k', 'Cargo.toml'));
    expect(() => locateManifest('missing/Cargo.toml', root)).toThrow(/--manifest-path: .*missing\/Cargo.toml does not exist/);
    expect(() => locateManifest('notes.txt', root)).toThrow(/is not a Cargo manifest/);
  });
});

describe("a manifest's workspace folder, without Cargo (--watch watches it while builds fail)", () => {
  it('is the nearest folder at or above the manifest whose Cargo.toml has a [workspace] table', () => {
    const root = tree({ 'Cargo.toml': '[workspace]\nmembers = ["k"]\n', 'k/Cargo.toml': '[package]\nname = "k"\n[dependencies]\n', 'other/Cargo.toml': '[workspace.package]\nversion = "1.0.0"\n' });
    expect(workspaceFolder(join(root, 'k', 'Cargo.toml'))).toBe(root);
    expect(workspaceFolder(join(root, 'Cargo.toml'))).toBe(root);
    expect(workspaceFolder(join(root, 'other', 'Cargo.toml'))).toBe(join(root, 'other'));
  });

  it("is a lone package's own folder, even with a manifest too broken for Cargo", () => {
    const root = tree({ 'k/Cargo.toml': '[package\nname = ' });
    expect(workspaceFolder(join(root, 'k', 'Cargo.toml'))).toBe(join(root, 'k'));
  });
});
