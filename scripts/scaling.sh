#!/usr/bin/env bash
# Scaling study under mpirun, with the campaign wall time from rank 0's summary.json (set-up +
# solve + combine, excluding mpirun's start-up, which is reported separately as job_seconds).
#   strong: the same campaign (-samples N) on each rank count;
#   weak:   N = (samples per rank) × ranks, so the ideal wall time stays constant.
#
# Usage: scripts/scaling.sh strong|weak [-r "1 2 4"] [-t THREADS] [-n REPEATS] [-o scaling.csv] [-p] [-- mcfem run flags]
#        scripts/scaling.sh -h   (every option with its default)
# Needs mcfem built with MPI (make build-mpi) and mpirun. Writes a CSV with one row per run:
#   ranks,threads,samples,repeat,wall_seconds,job_seconds,samples_per_second,speedup,efficiency,imbalance
# against the best time of the lowest rank count b: strong speedup = b·T_b/T_P, weak (scaled)
# speedup = P·T_b/(b·T_P), efficiency T_b/T_P. Then it draws speedup.png and efficiency.png
# next to the CSV (mcfem plot-scaling), prints the best of the repeats per rank count and the
# files it wrote. Every path is relative to the directory the script is run from (it does not
# cd): nothing is written into the source tree unless -o points there.
set -euo pipefail
here=$PWD
repo=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
Usage: scripts/scaling.sh strong|weak [options] [-- mcfem run flags]

Runs one mcfem campaign under mpirun on each rank count (strong: -samples N in total; weak:
-samples N per rank), REPEATS times each; writes a CSV of the runs with their speedup and
parallel efficiency, then speedup.png and efficiency.png in the CSV's directory.

Options (relative paths are taken from the current directory, $here):
  -r RANKS    rank counts, quoted                default: "1 2"
  -t THREADS  threads per rank (mcfem -threads)  default: 1
  -n REPEATS  runs per rank count (best used)    default: 3
  -o CSV      the CSV to write (its directory is created; speedup.png and efficiency.png
              there are overwritten)             default: scaling.csv
  -p          print the resolved binary, settings and output paths, and exit (runs nothing)
  -h, --help  this help
  -- FLAGS    mcfem run flags                    default: strong -samples 400 -mesh 128 -seed 1;
              weak -mesh 128 -seed 1 and -samples 200 per rank (-samples N sets the per-rank count)

Environment:
  MCFEM       the mcfem binary (default: ./mcfem in the current directory if there is one, else
              the script's repository's, $repo/mcfem); built with MPI (make build-mpi)

Exit status: 0 on success and for -h and -p; 2 on a usage error or a binary without MPI.
EOF
}

mode=${1:-}
case $mode in
  -h|--help) usage; exit 0 ;;
  strong|weak) shift ;;
  *) echo "usage: scripts/scaling.sh strong|weak [-r RANKS] [-t THREADS] [-n REPEATS] [-o CSV] [-p] [-- mcfem run flags] (-h: every option)" >&2; exit 2 ;;
esac
ranks="1 2"; threads=1; repeats=3; csv=scaling.csv; dry=0
while [ $# -gt 0 ]; do
  case $1 in
    -r|-t|-n|-o)
      [ $# -ge 2 ] || { echo "scaling.sh: $1 needs a value (-h: every option)" >&2; exit 2; }
      case $1 in -r) ranks=$2 ;; -t) threads=$2 ;; -n) repeats=$2 ;; -o) csv=$2 ;; esac
      shift 2 ;;
    -p) dry=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    *) echo "scaling.sh: unknown option $1 (-h: every option)" >&2; exit 2 ;;
  esac
done
[ -n "$csv" ] || { echo "scaling.sh: -o needs a file name" >&2; exit 2; }
flags=("$@")
per=
if [ "$mode" = strong ]; then
  [ ${#flags[@]} -gt 0 ] || flags=(-samples 400 -mesh 128 -seed 1)
else
  [ ${#flags[@]} -gt 0 ] || flags=(-mesh 128 -seed 1)
  # Weak scaling: take -samples as the per-rank count (default 200) and scale it per run.
  per=200; rest=()
  while [ ${#flags[@]} -gt 0 ]; do
    if [ "${flags[0]}" = -samples ]; then per=${flags[1]}; flags=("${flags[@]:2}"); else rest+=("${flags[0]}"); flags=("${flags[@]:1}"); fi
  done
  flags=("${rest[@]}")
fi

# Paths from the caller's directory: the CSV where -o says, the PNGs next to it.
case $csv in /*) ;; *) csv=$here/$csv ;; esac
outdir=$(dirname "$csv")
if [ -n "${MCFEM:-}" ]; then
  bin=$MCFEM
  case $bin in /*) ;; */*) bin=$here/$bin ;; esac # a bare name is looked up in PATH
elif [ -x "$here/mcfem" ]; then
  bin=$here/mcfem
else
  bin=$repo/mcfem
fi
if [ "$dry" = 1 ]; then
  echo "mode:       $mode"
  echo "binary:     $bin"
  echo "ranks:      $ranks"
  echo "threads:    $threads"
  echo "repeats:    $repeats"
  echo "flags:      ${flags[*]}${per:+ (-samples $per per rank)}"
  echo "csv:        $csv"
  echo "speedup:    $outdir/speedup.png"
  echo "efficiency: $outdir/efficiency.png"
  exit 0
fi
"$bin" version 2>/dev/null | grep -q "MPI: built in" || { echo "scaling.sh: $bin is not an mcfem built with MPI: run make build-mpi, or set MCFEM" >&2; exit 2; }
mkdir -p "$outdir"
mpirun=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { sed -n "s/.*\"$1\": \\([-0-9.e+]*\\).*/\\1/p" "$2" | head -1; }

for p in $ranks; do
  for rep in $(seq 1 "$repeats"); do
    out="$tmp/np$p-$rep"
    t0=$(date +%s.%N)
    n=(); [ "$mode" = weak ] && n=(-samples $((per * p)))
    timeout -k 5 3600 "${mpirun[@]}" -np "$p" "$bin" run -threads "$threads" "${flags[@]}" "${n[@]}" -quiet -out "$out"
    t1=$(date +%s.%N)
    echo "$p,$threads,$(field n "$out/summary.json"),$rep,$(field wall_seconds "$out/summary.json"),$t0,$t1,$(field load_imbalance "$out/summary.json")" >>"$tmp/rows"
  done
done
# Speedup and efficiency against the best wall time of the first (lowest) rank count.
awk -F, -v OFS=, -v csv="$csv" -v mode="$mode" -v flags="${flags[*]}" -v threads="$threads" -v repeats="$repeats" '
  { p[NR]=$1; t[NR]=$2; n[NR]=$3; rep[NR]=$4; wall[NR]=$5; job[NR]=$7-$6; imb[NR]=$8
    if (!($1 in best) || $5 < best[$1]) best[$1]=$5
    if (NR == 1) base=$1
    if (!($1 in seen)) { seen[$1]=1; order[++k]=$1 } }
  END {
    print "ranks,threads,samples,repeat,wall_seconds,job_seconds,samples_per_second,speedup,efficiency,imbalance" > csv
    for (i = 1; i <= NR; i++) {
      s = (mode == "weak" ? best[base] * p[i] / (base * wall[i]) : best[base] * base / wall[i])
      printf "%s,%s,%s,%s,%.6f,%.3f,%.2f,%.4f,%.4f,%s\n", p[i], t[i], n[i], rep[i], wall[i], job[i], n[i]/wall[i], s, s/p[i], imb[i] > csv
    }
    printf "%s scaling, %s, threads %s, best of %s (wall = rank 0 campaign time):\n", mode, flags, threads, repeats
    printf "%6s %12s %10s %10s\n", "ranks", "wall_s", "speedup", "efficiency"
    for (j = 1; j <= k; j++) { q = order[j]; s = (mode == "weak" ? best[base] * q / (base * best[q]) : best[base] * base / best[q]); printf "%6s %12.4f %10.3f %10.3f\n", q, best[q], s, s/q }
  }' "$tmp/rows"
"$bin" plot-scaling -title "$mode scaling: ${flags[*]}, $threads thread(s) per rank" "$csv" >/dev/null
echo "scaling.sh: wrote $csv, $outdir/speedup.png and $outdir/efficiency.png"
