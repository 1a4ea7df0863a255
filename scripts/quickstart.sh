#!/usr/bin/env bash
# From a fresh clone to a first run: installs what is missing, builds alloc-runner, and runs
# `alloc-runner test --features global_alloc` on the bundled kernel (fixtures/).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=()
command -v qemu-system-x86_64 >/dev/null || apt_packages+=(qemu-system-x86)
command -v grub-mkrescue >/dev/null || apt_packages+=(grub-pc-bin grub-common)
command -v xorriso >/dev/null || apt_packages+=(xorriso)
command -v mformat >/dev/null || apt_packages+=(mtools)
# UEFI: OVMF, and GRUB's x86_64-efi files for hybrid ISOs (--firmware uefi --boot iso).
# OVMF is looked for where Debian, Fedora and Arch put it, as src/qemu/firmware.ts does.
ovmf=""
for code in /usr/share/OVMF/OVMF_CODE*.fd /usr/share/edk2/ovmf/OVMF_CODE.fd /usr/share/edk2/x64/OVMF_CODE.4m.fd /usr/share/edk2-ovmf/x64/OVMF_CODE.fd; do
  [ -e "$code" ] && ovmf="$code"
done
[ -n "$ovmf" ] || apt_packages+=(ovmf)
[ -e /usr/lib/grub/x86_64-efi/multiboot.mod ] || apt_packages+=(grub-efi-amd64-bin)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Missing: ${apt_packages[*]}. Install QEMU (qemu-system-x86_64), the GRUB tools and OVMF with your system's package manager, then run this again." >&2
    exit 4
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${apt_packages[*]} with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust with rustup (https://rustup.rs), open a new shell, and run this again." >&2
  exit 4
fi

# npm ci runs the postinstall script, which builds alloc-runner (tsc into dist/, then its bundle).
npm ci --no-audit --no-fund
exec node bin/alloc-runner.js test --features global_alloc "$@"
