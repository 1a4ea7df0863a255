import { describe, expect, it } from 'vitest';
import { parseArtifacts, selectionArgs } from '../../src/build/cargo.js';

// Real messages of `cargo test --no-run --message-format=json-render-diagnostics`, shortened.
const messages = [
  '{"reason":"compiler-artifact","package_id":"path+file:///w/k#0.1.0","target":{"kind":["custom-build"],"name":"build-script-build"},"profile":{"test":false},"executable":null}',
  '{"reason":"compiler-artifact","package_id":"path+file:///w/k#0.1.0","target":{"kind":["bin"],"name":"k"},"profile":{"test":false},"executable":"/w/target/debug/k"}',
  '{"reason":"compiler-artifact","package_id":"path+file:///w/k#0.1.0","target":{"kind":["test"],"name":"heap"},"profile":{"test":true},"executable":"/w/target/debug/deps/heap-123"}',
  '{"reason":"build-finished","success":true}',
].join('\n');

describe('Cargo', () => {
  it('takes test kernels from compiler-artifact messages of test profile', () => {
    expect(parseArtifacts(messages, 'test')).toEqual([
      { name: 'heap', kind: 'test', packageId: 'path+file:///w/k#0.1.0', executable: '/w/target/debug/deps/heap-123' },
    ]);
  });

  it('takes binaries for a build', () => {
    expect(parseArtifacts(messages, 'build').map((kernel) => kernel.name)).toEqual(['k']);
  });

  it('passes the selection on with Cargo\'s own flags', () => {
    expect(
      selectionArgs({ manifestPath: '/w/Cargo.toml', features: ['global_alloc', 'x'], noDefaultFeatures: true, release: true, packages: ['kernel'] }),
    ).toEqual(['--manifest-path', '/w/Cargo.toml', '--package', 'kernel', '--features', 'global_alloc,x', '--no-default-features', '--release']);
  });
});
