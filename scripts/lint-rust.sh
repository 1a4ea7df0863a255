#!/usr/bin/env bash
# The Rust workspace's lints (`npm run lint:rust`, part of `npm test`): rustfmt, and clippy
# with warnings as errors (the workspace denies undocumented unsafe blocks and missing
# safety docs), with and without global_alloc. See fixtures/README.md, "Unsafe code".
set -euo pipefail
cd "$(dirname "$0")/../fixtures"

for tool in clippy fmt; do
  if ! cargo "$tool" --version >/dev/null 2>&1; then
    echo "error: cargo $tool is missing; install it with: rustup component add clippy rustfmt (rustup's default profile has both)" >&2
    exit 4
  fi
done

cargo fmt --all --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet --workspace --all-targets --features global_alloc -- -D warnings
