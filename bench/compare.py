#!/usr/bin/env python3
"""Compare the per-sample times of two mcfem binaries, run one after the other.

Usage: bench/compare.py [-n RUNS] [-- BENCH FLAGS] OLD NEW

Runs `BIN bench -json FILE <flags>` (default flags: -quick -pc jacobi,amg,cholesky -batch 1,4)
RUNS times (default 3) for each binary, alternating OLD, NEW, OLD, NEW, …, keeps each row's best
per-sample time over the runs, and prints one line per (cells, pc, batch) with both times and
NEW/OLD. On a shared machine the best of several alternating runs is the least disturbed
estimate; quote the ratios, not the absolute times.
"""
import json
import subprocess
import sys
import tempfile


def main(argv):
    runs, flags, bins = 3, ["-quick", "-pc", "jacobi,amg,cholesky", "-batch", "1,4"], []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if a == "-n":
            runs = int(argv[i + 1])
            i += 2
            continue
        if a == "--":
            flags = argv[i + 1:-2]
            bins = argv[-2:]
            break
        bins.append(a)
        i += 1
    if len(bins) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    best = [{}, {}]
    for r in range(runs):
        for k, b in enumerate(bins):
            with tempfile.NamedTemporaryFile(suffix=".json") as f:
                subprocess.run([b, "bench", "-json", f.name] + flags, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                rep = json.load(open(f.name))
            for row in rep["rows"]:
                if row.get("skipped"):
                    continue
                key = (row["cells"], row["pc"], row["batch"])
                t = row["sample_seconds"]
                best[k][key] = min(best[k].get(key, t), t)
            print(f"run {r + 1}/{runs} of {b} done", file=sys.stderr)
    print(f"{'cells':>6} {'pc':<9} {'batch':>5} {'old ms':>10} {'new ms':>10} {'new/old':>8}")
    for key in sorted(best[0], key=lambda k: (k[1], k[2], k[0])):
        if key not in best[1]:
            continue
        o, n = best[0][key] * 1e3, best[1][key] * 1e3
        print(f"{key[0]:>6} {key[1]:<9} {key[2]:>5} {o:>10.4f} {n:>10.4f} {n / o:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
