#!/usr/bin/env bash
# arm64 leg of CI: cross-vets the module for arm64, checks every hand-encoded
# WORD in asm/*_arm64.s against the instruction named in its comment (with
# go tool objdump), and runs the asm, internal and linalg tests under
# qemu-user, so the NEON kernels really execute. Installs Debian's
# qemu-user-static when qemu-aarch64-static is missing; if that fails the
# script fails: the NEON path is never skipped silently, with or without CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
step() { printf '\n--- arm64: %s\n' "$*"; }
die() { printf 'arm64.sh: %s\n' "$*" >&2; exit 1; }

QEMU=qemu-aarch64-static
if ! command -v "$QEMU" >/dev/null 2>&1; then
	step "installing qemu-user-static"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "$QEMU is missing and installing it needs root (no sudo here); install Debian's qemu-user-static"
		sudo=sudo
	fi
	command -v apt-get >/dev/null 2>&1 || die "$QEMU is missing and there is no apt-get; install qemu-user-static (qemu-aarch64-static) by hand"
	$sudo apt-get update || die "apt-get update failed; cannot install qemu-user-static"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y qemu-user-static ||
		die "apt-get install qemu-user-static failed; the NEON kernels cannot be tested"
	command -v "$QEMU" >/dev/null 2>&1 || die "qemu-user-static installed but $QEMU is not on PATH"
fi
"$QEMU" --version | head -1

step "go vet ./... (GOARCH=arm64)"
GOARCH=arm64 go vet ./...

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "WORD encodings in asm/*_arm64.s against go tool objdump"
GOARCH=arm64 go test -c -o "$tmp/asm.test" ./asm
go tool objdump -s 'spurious/asm\.' "$tmp/asm.test" >"$tmp/asm.dis"
# Each WORD line reads: WORD $0x4e70d400; /* FADD V16.D2, V0.D2, V0.D2 */
# (or with a // comment); objdump must print that hex word as that
# instruction. Whitespace is normalised on both sides.
words=0
while IFS= read -r line; do
	hex=$(sed -nE 's/.*WORD[[:space:]]+\$0x([0-9a-fA-F]{8}).*/\1/p' <<<"$line" | tr 'A-F' 'a-f')
	want=$(sed -nE 's@.*(/\*|//)[[:space:]]*([^*]*[^*[:space:]])[[:space:]]*(\*/)?[[:space:]]*\\?$@\2@p' <<<"$line" | tr -s ' \t' ' ')
	[ -n "$hex" ] || continue
	[ -n "$want" ] || die "WORD \$0x$hex has no instruction in its comment: $line"
	got=$(awk -v h="$hex" '$3 == h { $1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' "$tmp/asm.dis" | tr -s ' \t' ' ')
	[ -n "$got" ] || die "WORD \$0x$hex ($want) not found in the disassembly"
	[ "$got" = "$want" ] || die "WORD \$0x$hex: comment says '$want', objdump says '$got'"
	words=$((words + 1))
done < <(grep -hE '^[[:space:]]*WORD[[:space:]]' asm/*_arm64.s)
[ "$words" -gt 0 ] || die "no WORD lines found in asm/*_arm64.s"
echo "$words WORD encodings match their comments"

step "tests under $QEMU (-short): asm (NEON required), internal, linalg"
start=$SECONDS
ASM_REQUIRE=neon GOARCH=arm64 go test -count=1 -short -v -exec "$QEMU" ./asm >"$tmp/asm.log" 2>&1 ||
	{ cat "$tmp/asm.log"; die "asm tests failed under $QEMU"; }
grep -E '^(asm:|ok|PASS)' "$tmp/asm.log"
# The variant tests must have run the NEON kernels, not skipped them.
for test in TestKernelF64Variants TestKernelF32Variants TestKernelF64Specials TestKernelF32Specials; do
	grep -qE -- "--- PASS: ${test}/impl=neon " "$tmp/asm.log" || die "${test}/impl=neon did not run and pass"
done
echo "NEON variant subtests ran and passed"
GOARCH=arm64 go test -count=1 -short -exec "$QEMU" ./internal/... ./linalg
echo "qemu test time: $((SECONDS - start)) s"
