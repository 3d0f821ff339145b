#!/usr/bin/env bash
# bench/auto-default.sh — issue 14's acceptance 2: `mcfem run` with no solver flags against
# the fastest of Jacobi-CG, AMG-CG (batch 4) and the Cholesky factor (batch 4), run one after
# the other at each mesh, with auto's estimate beside what it measured.
#
# Usage: bench/auto-default.sh [-b BINARY] [-m "64 128 256"] [-s SAMPLES] [-r REPEATS]
# Prints a table on stdout; writes nothing. Wall times are the report's "wall", the best of
# REPEATS runs of each command (Jacobi-CG, 40–80× slower, runs once); estimate and measured
# are auto's line of the report (set-up + solve on the slowest rank) in its best run.
set -euo pipefail
bin=./mcfem meshes="64 128 256" samples=1000 reps=3
usage() {
	cat <<USAGE
usage: bench/auto-default.sh [-b BINARY] [-m MESHES] [-s SAMPLES] [-r REPEATS]
  -b BINARY   the mcfem binary (default ./mcfem)
  -m MESHES   cells per side, space-separated (default "64 128 256")
  -s SAMPLES  samples per run (default 1000, run's default)
  -r REPEATS  runs of each command, the best wall time kept (default 3)
USAGE
}
while getopts "b:m:s:r:h" o; do
	case $o in
	b) bin=$OPTARG ;; m) meshes=$OPTARG ;; s) samples=$OPTARG ;; r) reps=$OPTARG ;;
	h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
	esac
done
best() { # the best of reps runs of `mcfem run ARGS`: "WALL [ESTIMATE MEASURED]" (auto's, if printed)
	local b="" line="" w out e
	for _ in $(seq "$reps"); do
		out=$("$bin" run -samples "$samples" "$@" 2>/dev/null)
		w=$(sed -n 's/^wall \([0-9.]*\) s.*/\1/p' <<<"$out")
		e=$(sed -n 's/.*set-up + solve \([0-9.e+-]*\) s on the slowest rank; measured \([0-9.e+-]*\) s.*/\1 \2/p' <<<"$out")
		if [[ -z $b ]] || awk -v a="$w" -v b="$b" 'BEGIN{exit !(a<b)}'; then b=$w line="$w $e"; fi
	done
	echo "$line"
}
printf "%5s %9s %9s %9s %9s | %8s %8s | %9s %9s %6s\n" mesh default jacobi amg4 chol4 fastest ratio estimate measured err
for m in $meshes; do
	read -r d es ms < <(best -mesh "$m")
	j=$(reps=1 best -mesh "$m" -solver cg -pc jacobi -batch 1) # slow: one run
	j=${j%% *}
	a=$(best -mesh "$m" -pc amg -batch 4); a=${a%% *}
	c=$(best -mesh "$m" -solver cholesky -batch 4); c=${c%% *}
	read -r f r < <(awk -v d="$d" -v j="$j" -v a="$a" -v c="$c" 'BEGIN{f=j; if(a<f)f=a; if(c<f)f=c; printf "%s %.2f\n", f, d/f}')
	err=$(awk -v e="$es" -v m="$ms" 'BEGIN{printf "%+.0f%%", 100*(m-e)/e}')
	printf "%5s %9s %9s %9s %9s | %8s %8s | %9s %9s %6s\n" "$m" "$d" "$j" "$a" "$c" "$f" "$r" "$es" "$ms" "$err"
done
