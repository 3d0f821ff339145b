#!/usr/bin/env bash
# Shows that the results do not depend on the rank count: runs the same campaign with
# -np 1..4 (in-process ranks) and compares samples.csv byte for byte and summary.json without
# its "execution" object (timings, hosts, rank count).
# Usage: scripts/rank-independence.sh [extra mcfem run flags]   (default -samples 5000 -mesh 32 -seed 1)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./mcfem
[ -x "$bin" ] || make build >/dev/null
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-samples 5000 -mesh 32 -seed 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("execution"); print(json.dumps(d, indent=1, sort_keys=True))' "$1"; }
for p in 1 2 3 4; do
  "$bin" run -np "$p" "${args[@]}" -out "$tmp/d$p" -quiet
  sha=$(sha256sum "$tmp/d$p/samples.csv" | cut -c1-16)
  echo "-np $p: samples.csv sha256 $sha, $(($(wc -l <"$tmp/d$p/samples.csv") - 1)) samples"
done
status=0
for p in 2 3 4; do
  if cmp -s "$tmp/d1/samples.csv" "$tmp/d$p/samples.csv"; then echo "samples.csv  -np 1 == -np $p: byte-identical"
  else echo "samples.csv  -np 1 != -np $p"; status=1; fi
  if diff <(strip "$tmp/d1/summary.json") <(strip "$tmp/d$p/summary.json") >/dev/null; then
    echo "summary.json -np 1 == -np $p: identical without \"execution\""
  else echo "summary.json -np 1 != -np $p"; diff <(strip "$tmp/d1/summary.json") <(strip "$tmp/d$p/summary.json") || true; status=1; fi
done
exit $status
