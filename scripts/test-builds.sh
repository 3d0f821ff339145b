#!/usr/bin/env bash
# The build half of `make test`: the results must not depend on the build, so the whole test
# suite (the goldens included) runs again built with GOAMD64=v3 (fused multiply-add allowed to
# the compiler) and with -tags purego (no assembly kernels); the arm64 build is vetted, and its
# golden test runs under qemu-aarch64 (qemu-user is installed with apt-get when missing and
# possible, as OpenMPI is for the MPI tests); no package of the module may contain a fused
# multiply-add (scripts/fma-check.sh); and every generated file must be what go generate
# writes (scripts/check-generated.sh).
# Usage: scripts/test-builds.sh [-h]
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "$0")/.."

say() { echo "test-builds: $*"; }
banner() { printf '\n%s\n%s\n%s\n\n' "################################################################" "test-builds: $*" "################################################################" >&2; }

# GOAMD64=v3 binaries run only on processors with every v3 feature.
v3=yes
for f in avx avx2 bmi1 bmi2 f16c fma abm movbe; do grep -qw "$f" /proc/cpuinfo 2>/dev/null || v3=no; done
if [ "$(go env GOARCH)" = amd64 ] && [ "$v3" = yes ]; then
  say "go test ./... built with GOAMD64=v3"
  GOAMD64=v3 go test -count=1 ./...
else
  banner "SKIPPED the GOAMD64=v3 tests: this processor cannot run GOAMD64=v3 code"
fi
say "go test ./... built with -tags purego"
go test -count=1 -tags purego ./...
say "GOARCH=arm64 go vet ./..."
GOARCH=arm64 go vet ./...
if ! command -v qemu-aarch64 >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "qemu-aarch64 is missing: installing qemu-user with apt-get"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user >/dev/null; } || true
fi
if command -v qemu-aarch64 >/dev/null; then
  say "the goldens, built for arm64, under qemu-aarch64"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  GOARCH=arm64 go test -c -o "$tmp/cli-arm64.test" ./cli
  (cd cli && qemu-aarch64 "$tmp/cli-arm64.test" -test.run '^TestGoldenOutputs$' -test.count=1)
else
  # Not fatal, even under CI: the arm64 build is vetted above and fma-check covers its code;
  # this run is the end-to-end proof when an emulator is at hand.
  banner "SKIPPED the arm64 goldens: qemu-aarch64 not found and could not be installed (apt-get install qemu-user)"
fi
scripts/fma-check.sh
scripts/check-generated.sh
