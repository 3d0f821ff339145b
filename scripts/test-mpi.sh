#!/usr/bin/env bash
# The MPI half of `make test`: builds the MPI binary and test binaries once, runs the spmd
# conformance suite under mpirun -np 1..4, then the end-to-end mpirun tests of package main
# (rank independence, threads, fault injection, refusal of the non-MPI binary).
# Installs OpenMPI with apt-get when it is missing and this is root on Debian/Ubuntu; otherwise
# says loudly that the MPI tests were skipped (and fails under CI, where they must run).
set -euo pipefail
cd "$(dirname "$0")/.."

banner() { printf '\n%s\n%s\n%s\n\n' "################################################################" "$*" "################################################################" >&2; }

if ! command -v mpicc >/dev/null || ! command -v mpirun >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test-mpi: OpenMPI is missing: installing openmpi-bin libopenmpi-dev with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openmpi-bin libopenmpi-dev >/dev/null
  else
    banner "MPI TESTS SKIPPED: mpicc/mpirun not found and cannot install OpenMPI here
(need root and apt-get). Install openmpi-bin libopenmpi-dev (or load an MPI module) and
rerun make test."
    [ "${CI:-}" = true ] && exit 1
    exit 0
  fi
fi

export CGO_ENABLED=1
CGO_CFLAGS="$(scripts/mpi-flags.sh cflags "${MPI:-openmpi}")"
CGO_LDFLAGS="$(scripts/mpi-flags.sh libs "${MPI:-openmpi}")"
export CGO_CFLAGS CGO_LDFLAGS

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -tags mpi -o "$tmp/mcfem-mpi" .
go build -o "$tmp/mcfem-nompi" .
go test -tags mpi -c -o "$tmp/spmdtest.test" ./spmd/spmdtest

mpirun=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)
echo "test-mpi: $(mpirun --version 2>&1 | head -1)"
for p in 1 2 3 4; do
  echo "test-mpi: spmd conformance suite under mpirun -np $p"
  timeout -k 5 120 "${mpirun[@]}" -np "$p" "$tmp/spmdtest.test" -test.count=1 -test.v >"$tmp/conf.log" 2>&1 || {
    cat "$tmp/conf.log"; echo "test-mpi: conformance suite FAILED under mpirun -np $p" >&2; exit 1; }
  # Every rank must report every case passed: cases × ranks lines "--- PASS: …/rank=R/case".
  cases=$(grep -cE -- '--- PASS: TestMPIConformance/rank=0/' "$tmp/conf.log" || true)
  passed=$(grep -cE -- '--- PASS: TestMPIConformance/rank=[0-9]+/' "$tmp/conf.log" || true)
  echo "test-mpi: mpirun -np $p: $passed conformance checks passed ($cases cases × $p ranks)"
  if [ "$cases" -lt 10 ] || [ "$passed" != $((cases * p)) ] || grep -q -- '--- FAIL' "$tmp/conf.log"; then
    cat "$tmp/conf.log"; echo "test-mpi: conformance suite incomplete under mpirun -np $p" >&2; exit 1
  fi
done

echo "test-mpi: end-to-end mpirun tests"
MCFEM_MPI_BIN="$tmp/mcfem-mpi" MCFEM_NOMPI_BIN="$tmp/mcfem-nompi" \
  go test -count=1 -v -run 'MPI' ./cli >"$tmp/e2e.log" 2>&1 || { cat "$tmp/e2e.log"; exit 1; }
grep -E '^ *(--- |ok|FAIL)' "$tmp/e2e.log"
if grep -q -- '--- SKIP' "$tmp/e2e.log"; then echo "test-mpi: an end-to-end MPI test was skipped" >&2; exit 1; fi
