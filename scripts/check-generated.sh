#!/usr/bin/env bash
# Fails when a file that `go generate` writes differs from the committed one: runs every
# //go:generate directive of the module in a scratch copy of the tracked files and compares.
# Usage: scripts/check-generated.sh   (from anywhere; writes nothing in the checkout)
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git ls-files -z | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$tmp"
(cd "$tmp" && go generate ./...)
stale=0
while IFS= read -r -d '' f; do
  if ! cmp -s "$f" "$tmp/$f"; then echo "check-generated: $f is not what go generate writes (run go generate ./... and commit)" >&2; stale=1; fi
done < <(git ls-files -z)
while IFS= read -r f; do
  echo "check-generated: go generate writes $f, which is not committed" >&2; stale=1
done < <(comm -13 <(git ls-files | sort) <(cd "$tmp" && find . -type f | sed 's|^\./||' | sort))
[ "$stale" = 0 ] && echo "check-generated: every generated file is up to date"
exit "$stale"
