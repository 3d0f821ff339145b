#!/usr/bin/env bash
# Strong-scaling study under mpirun: the same campaign on each rank count, repeated, with the
# campaign wall time from rank 0's summary.json (set-up + solve + combine, excluding mpirun's
# start-up, which is reported separately as job_seconds).
#
# Usage: scripts/scaling.sh strong [-r "1 2 4"] [-t THREADS] [-n REPEATS] [-o scaling.csv] [-- mcfem run flags]
#   default ranks "1 2", threads 1, repeats 3, flags -samples 400 -mesh 128 -seed 1
# Needs ./mcfem built with MPI (make build-mpi) and mpirun. Writes a CSV with one row per run:
#   ranks,threads,samples,repeat,wall_seconds,job_seconds,samples_per_second,speedup,efficiency,imbalance
# speedup and efficiency are against the best 1-rank (or lowest-rank-count) wall time; it prints
# the best of the repeats per rank count.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
[ "$mode" = strong ] || { echo "usage: scripts/scaling.sh strong [-r RANKS] [-t THREADS] [-n REPEATS] [-o CSV] [-- mcfem run flags]" >&2; exit 2; }
shift
ranks="1 2"; threads=1; repeats=3; csv=scaling.csv
while [ $# -gt 0 ]; do
  case $1 in
    -r) ranks=$2; shift 2 ;;
    -t) threads=$2; shift 2 ;;
    -n) repeats=$2; shift 2 ;;
    -o) csv=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "scaling.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(-samples 400 -mesh 128 -seed 1)
bin=${MCFEM:-./mcfem}
"$bin" version | grep -q "MPI: built in" || { echo "scaling.sh: $bin is not built with MPI: run make build-mpi" >&2; exit 2; }
mpirun=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { sed -n "s/.*\"$1\": \\([-0-9.e+]*\\).*/\\1/p" "$2" | head -1; }

for p in $ranks; do
  for rep in $(seq 1 "$repeats"); do
    out="$tmp/np$p-$rep"
    t0=$(date +%s.%N)
    timeout -k 5 3600 "${mpirun[@]}" -np "$p" "$bin" run -threads "$threads" "${flags[@]}" -quiet -out "$out"
    t1=$(date +%s.%N)
    echo "$p,$threads,$(field n "$out/summary.json"),$rep,$(field wall_seconds "$out/summary.json"),$t0,$t1,$(field load_imbalance "$out/summary.json")" >>"$tmp/rows"
  done
done
# Speedup and efficiency against the best wall time of the first (lowest) rank count.
awk -F, -v OFS=, -v csv="$csv" -v flags="${flags[*]}" -v threads="$threads" -v repeats="$repeats" '
  { p[NR]=$1; t[NR]=$2; n[NR]=$3; rep[NR]=$4; wall[NR]=$5; job[NR]=$7-$6; imb[NR]=$8
    if (!($1 in best) || $5 < best[$1]) best[$1]=$5
    if (NR == 1) base=$1
    if (!($1 in seen)) { seen[$1]=1; order[++k]=$1 } }
  END {
    print "ranks,threads,samples,repeat,wall_seconds,job_seconds,samples_per_second,speedup,efficiency,imbalance" > csv
    for (i = 1; i <= NR; i++) {
      s = best[base] * base / wall[i]
      printf "%s,%s,%s,%s,%.6f,%.3f,%.2f,%.4f,%.4f,%s\n", p[i], t[i], n[i], rep[i], wall[i], job[i], n[i]/wall[i], s, s/p[i], imb[i] > csv
    }
    printf "strong scaling, %s, threads %s, best of %s (wall = rank 0 campaign time):\n", flags, threads, repeats
    printf "%6s %12s %10s %10s\n", "ranks", "wall_s", "speedup", "efficiency"
    for (j = 1; j <= k; j++) { q = order[j]; s = best[base] * base / best[q]; printf "%6s %12.4f %10.3f %10.3f\n", q, best[q], s, s/q }
    print "wrote " csv
  }' "$tmp/rows"
