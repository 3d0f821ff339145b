#!/usr/bin/env bash
# fma-check.sh lists the fused multiply-add instructions in the functions of mcfem's own
# packages, as built for GOAMD64=v3 (GOARCH=amd64) and for GOARCH=arm64: the builds in which
# the Go compiler fuses x*y + z, changing the last bits of results.
usage() {
  cat <<'EOF'
Usage: scripts/fma-check.sh [-h] [-a] [PACKAGE PATTERN ...]

Builds the packages (default: every package of the module, "mcfem/..."; test files are not
built) twice, GOARCH=amd64 GOAMD64=v3 and GOARCH=arm64, and prints one line per fused
multiply-add instruction in their functions:

  BUILD  PACKAGE  FUNCTION  FILE:LINE  INSTRUCTION

amd64: VFMADD*, VFMSUB*, VFNMADD*, VFNMSUB* (with the ADDSUB/SUBADD forms);
arm64: FMADD, FMSUB, FNMADD, FNMSUB (S and D forms) and VFMLA/VFMLS.
Go code is read from the compiler's -S listing, hand-written .s files from the assembler's,
so inlined code is attributed to the function it was inlined into (FILE:LINE is where the
arithmetic is written, possibly in another package).

An instruction on a source line that calls math.FMA is the explicit, correctly rounded fused
multiply-add that Go promises on every architecture: it is not counted (unless the line has
more such instructions than math.FMA calls). -a lists those too, marked "explicit math.FMA".

Options:
  -h   this help
  -a   also list the explicit math.FMA instructions

Exit status: 0 if none was found, 1 if some were, 2 on a usage or build error.
Needs only Go (and bash and grep). Respects GOFLAGS (for example GOFLAGS=-tags=purego).
Examples:
  scripts/fma-check.sh                 # the whole module
  scripts/fma-check.sh ./detmath/...   # one package tree
EOF
}
set -uo pipefail

all=0
while getopts ":ha" opt; do
  case $opt in
    h) usage; exit 0 ;;
    a) all=1 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

command -v go >/dev/null || { echo "fma-check: go not found" >&2; exit 2; }
root=$(go list -m -f '{{.Dir}}' 2>/dev/null) || { echo "fma-check: not inside a Go module" >&2; exit 2; }
module=$(go list -m)
patterns=("$@")
[ ${#patterns[@]} -gt 0 ] || patterns=("$module/...")

amd64_re='^VF(N)?M(ADD|SUB)'
arm64_re='^(FN?M(ADD|SUB)[SD]|VFML[AS])$'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# explicitFMA FILE LINE prints how many times the source line calls math.FMA.
explicitFMA() {
  local text n=0 got=()
  [ -r "$1" ] || { echo 0; return; }
  mapfile -t -s $(($2 - 1)) -n 1 got <"$1"
  text=${got[0]:-}
  while [[ $text == *"math.FMA("* ]]; do
    text=${text#*"math.FMA("}
    n=$((n + 1))
  done
  echo "$n"
}

found=0
explicit=0
for build in "amd64 v3" "arm64"; do
  read -r arch level <<<"$build"
  env=(GOARCH="$arch")
  label="arm64"
  re=$arm64_re
  if [ "$arch" = amd64 ]; then
    env+=(GOAMD64="$level")
    label="amd64-$level"
    re=$amd64_re
  fi
  # The packages of the module that have files to compile in this build.
  if ! pkgs=$(env "${env[@]}" CGO_ENABLED=0 go list -e \
    -f '{{if and (or .GoFiles .SFiles) (eq .Module.Path "'"$module"'")}}{{.ImportPath}}{{end}}' \
    "${patterns[@]}" 2>"$tmp/list.err"); then
    cat "$tmp/list.err" >&2
    exit 2
  fi
  mapfile -t pkgs < <(printf '%s\n' "$pkgs" | grep -v '^$')
  if [ ${#pkgs[@]} -eq 0 ]; then
    echo "fma-check: no packages of $module match ${patterns[*]}" >&2
    exit 2
  fi
  # -gcflags/-asmflags without a pattern apply to the packages named here only; the go
  # command replays the listings from its cache when nothing needs recompiling.
  if ! env "${env[@]}" CGO_ENABLED=0 go build -gcflags=-S -asmflags=-S "${pkgs[@]}" >"$tmp/S" 2>&1; then
    grep -v -E '^\s*0x|^\s+rel |STEXT|SRODATA|SNOPTRDATA|SDATA|SBSS' "$tmp/S" | head -40 >&2
    echo "fma-check: build failed for $label" >&2
    exit 2
  fi
  # Keep package headers, function headers and instruction lines, then attribute.
  pkg="" fn=""
  declare -A seen=()
  lines=()
  while IFS= read -r line; do
    if [[ $line == "# "* ]]; then
      pkg=${line#"# "}
      continue
    fi
    if [[ $line =~ ^([^[:space:]]+)\ STEXT ]]; then
      fn=${BASH_REMATCH[1]}
      continue
    fi
    # "	0x0154 00340 (/path/file.go:62)	VFMADD231SD	X2, X1, X0"
    if [[ $line =~ ^[[:space:]]+0x[0-9a-f]+\ [0-9]+\ \(([^\)]+):([0-9]+)\)[[:space:]]+([A-Z0-9.]+)[[:space:]]*(.*)$ ]]; then
      file=${BASH_REMATCH[1]} ln=${BASH_REMATCH[2]} ins=${BASH_REMATCH[3]} args=${BASH_REMATCH[4]}
      [[ $ins =~ $re ]] || continue
      key="$fn $file:$ln"
      seen[$key]=$((${seen[$key]:-0} + 1))
      lines+=("$key"$'\t'"$pkg"$'\t'"$fn"$'\t'"$file"$'\t'"$ln"$'\t'"$ins $args")
    fi
  done < <(grep -E '^# |STEXT|^\s+0x[0-9a-f]+ [0-9]+ \(.*\)\s+(VF|F|V)' "$tmp/S")
  for entry in "${lines[@]+"${lines[@]}"}"; do
    IFS=$'\t' read -r key p f file ln insn <<<"$entry"
    rel=${file#"$root/"}
    n=$(explicitFMA "$file" "$ln")
    if [ "$n" -gt 0 ] && [ "${seen[$key]}" -le "$n" ]; then
      explicit=$((explicit + 1))
      [ $all -eq 1 ] && printf '%s\t%s\t%s\t%s:%s\t%s\t(explicit math.FMA)\n' "$label" "$p" "$f" "$rel" "$ln" "$insn"
      continue
    fi
    found=$((found + 1))
    printf '%s\t%s\t%s\t%s:%s\t%s\n' "$label" "$p" "$f" "$rel" "$ln" "$insn"
  done
  unset seen
done

echo "fma-check: $found fused multiply-add instruction(s) in ${patterns[*]} (amd64-v3 and arm64 builds);" \
  "$explicit explicit math.FMA not counted" >&2
[ "$found" -eq 0 ]
