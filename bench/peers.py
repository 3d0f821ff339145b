#!/usr/bin/python3
"""mcfem's direct solver against the peers, side by side in one run (issue 14, acceptance 3).

Usage: bench/peers.py [-b BINARY] [-s 64,128,256,512,1024] [-t SECONDS] [-o RESULTS.json]

For each size (cells per side of the unit square) it builds the tutorial's system K — the P1
stiffness matrix of the structured mesh with its boundary nodes eliminated, which is the
5-point Laplacian, n = (cells−1)² unknowns — and times, one thread each:
  * scipy's sparse LU (scipy.sparse.linalg.splu, COLAMD ordering), the factor reused: a solve;
  * PETSc's Cholesky (KSP preonly + PC cholesky) with nested-dissection ordering
    (-pc_factor_mat_ordering_type nd): a solve with the factor reused;
  * CHOLMOD through PETSc (-pc_factor_mat_solver_type cholmod): a solve with the factor reused;
  * mcfem: `BINARY bench -pc cholesky -batch 1,4 -sizes …`, its whole sample (draw, load,
    the two triangular solves, the residual check, QoI) and its solve alone.
The peers' times are one solve of one right-hand side (their best over at least SECONDS of
repetitions, default 1), their factorisations timed once; mcfem's bench runs right before the
peers of each size, so that all of a row is measured within a minute or two. It prints one row per size with the
ratio mcfem sample (batch 4) / best peer solve. Needs python3-scipy and python3-petsc4py
(Debian packages; for this script only, never for mcfem). Writes nothing unless -o.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def laplacian(cells):
    m = cells - 1
    t = sp.diags([-np.ones(m - 1), 2 * np.ones(m), -np.ones(m - 1)], [-1, 0, 1])
    i = sp.identity(m)
    return (sp.kron(i, t) + sp.kron(t, i)).tocsr()


def best_time(f, seconds):
    best, total, reps = float("inf"), 0.0, 0
    while total < seconds or reps < 3:
        t0 = time.perf_counter()
        f()
        d = time.perf_counter() - t0
        best, total, reps = min(best, d), total + d, reps + 1
    return best


def scipy_lu(k, b, seconds):
    t0 = time.perf_counter()
    lu = spla.splu(k.tocsc())
    fact = time.perf_counter() - t0
    x = lu.solve(b)
    assert np.linalg.norm(k @ x - b) <= 1e-8 * np.linalg.norm(b)
    return fact, best_time(lambda: lu.solve(b), seconds)


def petsc_import():
    """petsc4py, from Debian's python3-petsc4py even where its /usr/lib/petsc link is missing."""
    try:
        from petsc4py import PETSc
    except ImportError:
        for d in sorted(glob.glob("/usr/lib/petscdir/petsc*/*-real/lib/python3/dist-packages")):
            sys.path.append(d)
        from petsc4py import PETSc
    return PETSc


def petsc_chol(k, b, seconds, solver_type=None):
    PETSc = petsc_import()
    a = PETSc.Mat().createAIJ(size=k.shape, csr=(k.indptr, k.indices, k.data), comm=PETSc.COMM_SELF)
    a.setOption(PETSc.Mat.Option.SPD, True)
    ksp = PETSc.KSP().create(comm=PETSc.COMM_SELF)
    ksp.setOperators(a)
    ksp.setType("preonly")
    pc = ksp.getPC()
    pc.setType("cholesky")
    if solver_type:
        pc.setFactorSolverType(solver_type)
    else:
        pc.setFactorOrdering("nd")
    bb, xx = a.createVecs()
    bb.setArray(b)
    t0 = time.perf_counter()
    ksp.setUp()
    fact = time.perf_counter() - t0
    ksp.solve(bb, xx)
    assert np.linalg.norm(k @ xx.getArray() - b) <= 1e-8 * np.linalg.norm(b)
    return fact, best_time(lambda: ksp.solve(bb, xx), seconds)


def mcfem_bench(binary, sizes, seconds):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "bench.json")
        # PETSc's MPI_Init (a singleton) put PMIx variables into this process's environment:
        # mcfem, seeing them, would take itself for a rank started by an MPI launcher.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PMIX_", "OMPI_", "PMI_"))}
        subprocess.run([binary, "bench", "-pc", "cholesky", "-batch", "1,4", "-sizes", ",".join(map(str, sizes)),
                        "-min-time", "%dms" % int(1000 * seconds), "-json", out],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        with open(out) as f:
            rep = json.load(f)
    rows = {}
    for r in rep["rows"]:
        if r.get("pc") == "cholesky" and not r.get("skipped"):
            d = r.get("direct") or {}
            rows[(r["cells"], r["batch"])] = (r["sample_seconds"], d.get("solve_seconds_per_sample"), d.get("factor_seconds"))
    return rows


def main(argv):
    binary, sizes, seconds, out = "./mcfem", [64, 128, 256, 512, 1024], 1.0, None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if i + 1 >= len(argv) or a not in ("-b", "-s", "-t", "-o"):
            print(__doc__.strip(), file=sys.stderr)
            return 2
        v = argv[i + 1]
        if a == "-b":
            binary = v
        elif a == "-s":
            sizes = [int(x) for x in v.split(",")]
        elif a == "-t":
            seconds = float(v)
        else:
            out = v
        i += 2
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = np.random.default_rng(1)
    results = []
    print("one thread each; times in ms; peers: one solve with the factor reused (best of ≥ %g s);" % seconds)
    print("mcfem: the whole sample (load, solves, residual check, QoI), batches of 1 and 4, and the solve alone (batch 4)")
    print("%5s %8s | %10s %10s %10s | %10s %10s %10s | %7s %7s" % ("cells", "unknowns", "scipy LU", "PETSc nd", "CHOLMOD",
                                                                 "mcfem b1", "mcfem b4", "solve b4", "ratio", "factor"))
    for cells in sizes:
        k = laplacian(cells)
        b = rng.standard_normal(k.shape[0])
        row = {"cells": cells, "unknowns": k.shape[0]}
        mc = mcfem_bench(binary, [cells], seconds)  # right before the peers of this size
        row["scipy_lu_factor"], row["scipy_lu_solve"] = scipy_lu(k, b, seconds)
        row["petsc_nd_factor"], row["petsc_nd_solve"] = petsc_chol(k, b, seconds)
        try:
            row["cholmod_factor"], row["cholmod_solve"] = petsc_chol(k, b, seconds, "cholmod")
        except Exception as e:  # a PETSc built without SuiteSparse
            row["cholmod_error"] = str(e)
        s1, _, _ = mc.get((cells, 1), (None, None, None))
        s4, solve4, setup = mc.get((cells, 4), (None, None, None))
        row["mcfem_sample_b1"], row["mcfem_sample_b4"], row["mcfem_solve_b4"], row["mcfem_factor"] = s1, s4, solve4, setup
        peers = {n: row[n + "_solve"] for n in ("scipy_lu", "petsc_nd", "cholmod") if n + "_solve" in row}
        best = min(peers, key=peers.get)
        row["best_peer"], row["ratio"] = best, s4 / peers[best]
        factor = row[best + "_factor"] / setup if setup else float("nan")
        results.append(row)
        ms = lambda x: "%10.3f" % (1e3 * x) if x is not None else "%10s" % "-"
        print("%5d %8d | %s %s %s | %s %s %s | %7.2f %7.2f" % (cells, k.shape[0], ms(row["scipy_lu_solve"]), ms(row["petsc_nd_solve"]),
                                                            ms(row.get("cholmod_solve")), ms(s1), ms(s4), ms(solve4), row["ratio"], factor))
    print("ratio = mcfem sample (batch 4) / the best peer's solve; factor = the best peer's factorisation / mcfem's numeric factorisation (both after their orderings)")
    if out:
        with open(out, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
