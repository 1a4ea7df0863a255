import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { explainToolchainError } from '../../src/image/bootimage.js';

// What Cargo 1.95-1.96, rustc, bootloader 0.9.35's build script and bootimage 0.10.4 print.
const NOT_NIGHTLY = "  error: the option `Z` is only accepted on the nightly compiler\n\n  help: consider switching to a nightly toolchain: `rustup default nightly`";
const CARGO_NOT_NIGHTLY = 'error: the `-Z` flag is only accepted on the nightly channel of Cargo, but this is the `stable` channel';
const NO_RUST_SRC =
  'error: "/root/.rustup/toolchains/nightly-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/Cargo.lock" does not exist, unable to build with the standard library, try:\n        rustup component add rust-src --toolchain nightly-x86_64-unknown-linux-gnu';
const NO_LLVM_TOOLS_BOOTLOADER = 'Error: llvm-tools not found\nMaybe the rustup component `llvm-tools-preview` is missing?\n  Install it through: `rustup component add llvm-tools-preview`';
const NO_LLVM_TOOLS_BOOTIMAGE = 'Error: Could not find the `llvm-tools-preview` rustup component.\n\nYou can install by executing `rustup component add llvm-tools-preview`.';

describe('toolchain errors of bootimage projects', () => {
  it('become advice with the environment exit code', () => {
    for (const [output, advice] of [
      [NOT_NIGHTLY, 'rustup override set nightly'],
      [CARGO_NOT_NIGHTLY, 'rustup override set nightly'],
      [NO_RUST_SRC, 'rustup component add rust-src'],
      [NO_LLVM_TOOLS_BOOTLOADER, 'rustup component add llvm-tools-preview'],
      [NO_LLVM_TOOLS_BOOTIMAGE, 'rustup component add llvm-tools-preview'],
    ] as const) {
      const error = explainToolchainError(output);
      expect(error?.exitCode, output).toBe(ExitCode.Environment);
      expect(error?.message).toContain(advice);
      expect(error?.message.match(/\n  - /g), output).toHaveLength(1);
    }
  });

  it('quote the output the user has not seen', () => {
    expect(explainToolchainError(NO_RUST_SRC, true)?.message).toContain('Cargo.lock" does not exist');
    expect(explainToolchainError(NO_RUST_SRC)?.message).not.toContain('Cargo.lock" does not exist');
  });

  it('leave every other failure to the build error', () => {
    expect(explainToolchainError('error[E0308]: mismatched types')).toBeUndefined();
    expect(explainToolchainError('warning: unused variable: `nightly`')).toBeUndefined();
  });
});
