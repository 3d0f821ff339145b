#!/usr/bin/env bash
# Prints the C compiler flags (cflags) or linker flags (libs) of the MPI library for cgo.
# Usage: scripts/mpi-flags.sh cflags|libs [openmpi|mpich]
# Order: pkg-config (ompi-c or mpich), then the wrapper compiler: OpenMPI's
# `mpicc -showme:compile|link`, MPICH's `mpicc -show` (its first word, the compiler, dropped).
set -euo pipefail
what=${1:?usage: mpi-flags.sh cflags|libs [openmpi|mpich]}
impl=${2:-openmpi}
case $impl in
  openmpi) pc=ompi-c ;;
  mpich) pc=mpich ;;
  *) echo "mpi-flags.sh: unknown MPI implementation '$impl' (openmpi or mpich)" >&2; exit 2 ;;
esac
case $what in
  cflags) pcflag=--cflags; showme=-showme:compile ;;
  libs) pcflag=--libs; showme=-showme:link ;;
  *) echo "mpi-flags.sh: want cflags or libs, got '$what'" >&2; exit 2 ;;
esac
if command -v pkg-config >/dev/null && pkg-config --exists "$pc" 2>/dev/null; then
  pkg-config "$pcflag" "$pc"
  exit 0
fi
mpicc=${MPICC:-mpicc}
if [ "$impl" = mpich ] && command -v mpicc.mpich >/dev/null; then mpicc=${MPICC:-mpicc.mpich}; fi
if command -v "$mpicc" >/dev/null; then
  if out=$("$mpicc" "$showme" 2>/dev/null); then echo "$out"; exit 0; fi
  if out=$("$mpicc" -show 2>/dev/null); then
    # MPICH: "gcc -I… -L… -lmpi": keep the -I flags for cflags, the rest for libs.
    set -- $out; shift
    flags=()
    for f in "$@"; do
      case $what:$f in cflags:-I*|cflags:-D*) flags+=("$f") ;; libs:-L*|libs:-l*|libs:-Wl,*) flags+=("$f") ;; esac
    done
    echo "${flags[*]}"
    exit 0
  fi
fi
echo "mpi-flags.sh: no MPI library found: neither pkg-config '$pc' nor a working $mpicc." >&2
echo "  Debian/Ubuntu: apt-get install libopenmpi-dev openmpi-bin (or libmpich-dev mpich);" >&2
echo "  clusters: module load openmpi (or mpich), or spack load openmpi." >&2
exit 1
