#!/usr/bin/env bash
# scripts/slurm/test-slurm.sh — a throwaway one-node SLURM on this machine, and mcfem's checks
# under it (issue 17). Needs root (it starts munged, slurmctld and slurmd); installs slurm-wlm
# and munge with apt-get when they are missing. Every daemon it starts is stopped (by PID)
# whatever happens, and the whole run is bounded by a timeout.
#
# Usage: scripts/slurm/test-slurm.sh [-h]
#   MCFEM_MPI_BIN: an mcfem built with Open MPI (default: built here with make build-mpi into
#   the temporary directory).
set -uo pipefail
if [ "${1:-}" = -h ]; then sed -n '2,9p' "$0"; exit 0; fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "=== test-slurm: needs root to start the SLURM daemons: SLURM checks SKIPPED ===" >&2; exit 0; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge; } >/dev/null 2>&1 || {
    echo "=== test-slurm: cannot install slurm-wlm and munge: SLURM checks SKIPPED ===" >&2; exit 0; }
fi
tmp=$(mktemp -d /tmp/mcfem-slurm.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
host=$(hostname)
cpus=$(nproc)
mkdir -p "$tmp"/{state,spool,log,munge}
cat >"$tmp/slurm.conf" <<CONF
ClusterName=mcfemtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF=$tmp/slurm.conf
sock=$tmp/munge/munge.socket
munged --force --socket="$sock" --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/seed" \
  || { echo "=== test-slurm: munged did not start: SLURM checks SKIPPED ===" >&2; exit 0; }
pids+=("$(cat "$tmp/munge/munged.pid")")
# SLURM's munge plugin finds the socket through the configuration's AuthInfo.
sed -i "s|^AuthType=auth/munge|AuthType=auth/munge\nAuthInfo=socket=$sock|" "$tmp/slurm.conf"
sed -i "s|^CryptoType=crypto/munge|CryptoType=crypto/munge|" "$tmp/slurm.conf"
slurmctld -D -f "$tmp/slurm.conf" >"$tmp/log/ctld.out" 2>&1 & pids+=($!)
slurmd -D -f "$tmp/slurm.conf" >"$tmp/log/d.out" 2>&1 & pids+=($!)
for _ in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mixed' && break
  sleep 1
done
if ! sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mixed'; then
  echo "=== test-slurm: the one-node SLURM did not come up: SLURM checks SKIPPED ===" >&2
  tail -5 "$tmp"/log/*.log >&2
  exit 0
fi
echo "test-slurm: $(sinfo --version), node $host, $cpus CPUs; plugins: $(srun --mpi=list 2>&1 | tr '\n' ' ')"

bin=${MCFEM_MPI_BIN:-}
if [ -z "$bin" ]; then
  (cd "$repo" && CGO_ENABLED=1 CGO_CFLAGS="$(scripts/mpi-flags.sh cflags openmpi)" CGO_LDFLAGS="$(scripts/mpi-flags.sh libs openmpi)" \
    go build -tags mpi -o "$tmp/mcfem-mpi" .) || { echo "test-slurm: cannot build the Open MPI binary" >&2; exit 1; }
  bin=$tmp/mcfem-mpi
fi
(cd "$repo" && go build -o "$tmp/mcfem-nompi" .) || exit 1
fail=0
check() { if "$@"; then echo "test-slurm: ok   $desc"; else echo "test-slurm: FAIL $desc" >&2; fail=1; fi; }
flags=(-samples 400 -mesh 16 -seed 3 -quiet)
"$tmp/mcfem-nompi" run -np 1 "${flags[@]}" -out "$tmp/ref" || exit 1
cd "$tmp"
export OMPI_MCA_plm_rsh_agent=false
desc="srun -n 2 --mpi=pmix (Open MPI build): samples.csv = -np 1 in-process"
check timeout -k 5 120 srun -n 2 --mpi=pmix "$bin" run "${flags[@]}" -out "$tmp/pmix"
check cmp -s "$tmp/ref/samples.csv" "$tmp/pmix/samples.csv"
desc="srun -n 2 --mpi=none (Open MPI build): exit 2 with the fix, nothing run"
timeout -k 5 60 srun -n 2 --mpi=none "$bin" run "${flags[@]}" -out "$tmp/none" 2>"$tmp/none.err"; code=$?
check test "$code" = 2
check grep -q "not one MPI world" "$tmp/none.err"
check test ! -e "$tmp/none"
desc="srun -n 2 (binary without MPI): exit 2 with the fix"
timeout -k 5 60 srun -n 2 "$tmp/mcfem-nompi" run "${flags[@]}" -out "$tmp/nompi" 2>"$tmp/nompi.err"; code=$?
check test "$code" = 2
check grep -q "rebuild with make build-mpi" "$tmp/nompi.err"
echo "test-slurm: the refusal says: $(grep -m1 "^mcfem:" "$tmp/none.err")"

# MPICH: srun --mpi=pmi2 runs one world; under --mpi=pmix its tasks are singletons, refused.
# MPICH is installed beside Open MPI when missing (Open MPI stays the alternatives' default:
# the MPI suite's mpirun and mpi.h), its build made with make build-mpi MPI=mpich's flags.
if ! pkg-config --exists mpich 2>/dev/null; then
  { apt-get install -y -qq mpich libmpich-dev || { apt-get update -qq && apt-get install -y -qq mpich libmpich-dev; }; } >/dev/null 2>&1
fi
if pkg-config --exists mpich 2>/dev/null && (cd "$repo" && CGO_ENABLED=1 CGO_CFLAGS="$(scripts/mpi-flags.sh cflags mpich)"     CGO_LDFLAGS="$(scripts/mpi-flags.sh libs mpich)" go build -tags mpi -o "$tmp/mcfem-mpich" .); then
  desc="srun -n 2 --mpi=pmi2 (MPICH build): samples.csv = -np 1 in-process"
  check timeout -k 5 120 srun -n 2 --mpi=pmi2 "$tmp/mcfem-mpich" run "${flags[@]}" -out "$tmp/pmi2"
  check cmp -s "$tmp/ref/samples.csv" "$tmp/pmi2/samples.csv"
  desc="srun -n 2 --mpi=pmix (MPICH build): exit 2 with the fix, nothing run"
  timeout -k 5 60 srun -n 2 --mpi=pmix "$tmp/mcfem-mpich" run "${flags[@]}" -out "$tmp/mpichpmix" 2>"$tmp/mpichpmix.err"; code=$?
  check test "$code" = 2
  check grep -q "built with MPICH: launch it with srun --mpi=pmi2" "$tmp/mpichpmix.err"
  check test ! -e "$tmp/mpichpmix/samples.csv"
  echo "test-slurm: the MPICH refusal says: $(grep -m1 "^mcfem:" "$tmp/mpichpmix.err")"
else
  echo "=== test-slurm: no MPICH (apt-get install mpich libmpich-dev failed): its checks SKIPPED ===" >&2
fi

# The batch template, at a small size: to VALID; stopped by SIGUSR1 (as --signal=USR1@…
# would, earlier) and resubmitted; cancelled and resubmitted: each time the samples.csv of an
# uninterrupted run.
big=(-samples 100000 -mesh 64 -seed 3 -quiet)
"$tmp/mcfem-nompi" run -np 1 "${big[@]}" -out "$tmp/refbig" >/dev/null || exit 1
job() { # job NAME SAMPLES: a copy of the template for one node, 2 tasks, the test's sizes
  sed -e 's/^#SBATCH --nodes=.*/#SBATCH --nodes=1/' -e 's/^#SBATCH --ntasks-per-node=.*/#SBATCH --ntasks-per-node=2/'       -e "s/^#SBATCH --job-name=.*/#SBATCH --job-name=$1/" -e 's|\./mcfem run|"$MCFEM_BIN" run|'       -e "s/-samples 100000 -mesh 128 -seed 1/$2/" -e 's/-stall-timeout 30m/-stall-timeout 5m -quiet/'       "$repo/scripts/slurm/mcfem.sbatch" >"$tmp/$1.sbatch"
  echo "$tmp/$1.sbatch"
}
submit() { sbatch --parsable --export=ALL,MCFEM_BIN="$bin" "$@"; }
wait_job() { # wait_job ID: until the job has left the queue, at most 120 s (the template's log says how it ended)
  for _ in $(seq 240); do squeue -h -j "$1" 2>/dev/null | grep -q . || break; sleep 0.5; done
}
midrun() { # midrun NAME: wait until job NAME has journaled samples, then a second more
  for _ in $(seq 200); do ls "$tmp"/results-"$1"/journal/*.mcj >/dev/null 2>&1 && break; sleep 0.1; done
  sleep 1
}
desc="sbatch the template: runs to VALID, samples.csv = -np 1 in-process"
id=$(submit "$(job small "-samples 400 -mesh 16 -seed 3")"); wait_job "$id"
check grep -q "^done: results-small/summary.json" "$tmp/mcfem-small.out"
check cmp -s "$tmp/ref/samples.csv" "$tmp/results-small/samples.csv"
desc="SIGUSR1 to the job's tasks: exit 75, then a resubmission resumes to the uninterrupted samples.csv"
script=$(job sig "${big[*]}")
id=$(submit "$script")
midrun sig; scancel --signal=USR1 "$id"; wait_job "$id"
check grep -q "^stopped before the time limit" "$tmp/mcfem-sig.out"
id=$(submit "$script"); wait_job "$id"
check grep -q "^done: results-sig/summary.json" "$tmp/mcfem-sig.out"
check cmp -s "$tmp/refbig/samples.csv" "$tmp/results-sig/samples.csv"
desc="scancel in the middle, then a new submission: the uninterrupted samples.csv"
script=$(job cancel "${big[*]}")
id=$(submit "$script")
midrun cancel; scancel "$id"; wait_job "$id"
check test ! -e "$tmp/results-cancel/samples.csv"
id=$(submit "$script"); wait_job "$id"
check cmp -s "$tmp/refbig/samples.csv" "$tmp/results-cancel/samples.csv"
desc="scontrol requeue in the middle (--requeue; SLURM starts it again after about 2 minutes): the requeued job resumes to the uninterrupted samples.csv"
script=$(job requeue "${big[*]}")
id=$(submit "$script")
midrun requeue; scontrol requeue "$id"
for _ in $(seq 400); do [ -e "$tmp/results-requeue/samples.csv" ] && ! squeue -h -j "$id" 2>/dev/null | grep -q . && break; sleep 0.5; done
check cmp -s "$tmp/refbig/samples.csv" "$tmp/results-requeue/samples.csv"
check grep -q "stopped by SIGTERM" "$tmp/mcfem-requeue.err" # it was interrupted, then resumed
[ $fail = 0 ] && echo "test-slurm: all checks passed" || { tail -n 20 "$tmp"/*.err "$tmp"/*.out >&2; exit 1; }
