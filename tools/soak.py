#!/usr/bin/env python3
"""make soak: run the random built-in tests over many seeds, with memory
reordering and random back-pressure, and end with `N passed, M failed`.
Every failure prints the command that replays it (same seed, same options)."""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys


# cq_race runs until this many invalidations completed (its default, 2000, is
# for `make test`); 400 seeds x 300 = 120,000 invalidations.
CQ_RACE_INVALS = os.environ.get("CQ_RACE_INVALS", "300")


def run(cmd):
    env = dict(os.environ, CQ_RACE_INVALS=CQ_RACE_INVALS)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return cmd, p.returncode == 0, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--from", dest="first", type=int, default=1000, help="first seed")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("tests", nargs="+")
    a = ap.parse_args()
    cmds = []
    for seed in range(a.first, a.first + a.seeds):
        extra = ["--mem-reorder", "--mem-jitter", str(seed % 7), "--mem-stall", str(seed % 40)]
        for t in a.tests:
            cmds.append([a.sim, "--test", t, "--seed", str(seed)] + extra)
    passed = failed = dma = invals = race_dma = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for cmd, ok, out in ex.map(run, cmds):
            # random translation tests report how many DMA they checked
            for m in re.finditer(r"^xlate_random: (\d+) transactions", out, re.M):
                dma += int(m.group(1))
            # the race test reports the invalidations it completed and its DMA
            for m in re.finditer(r"^cq_race: (\d+) invalidations executed", out, re.M):
                invals += int(m.group(1))
            for m in re.finditer(r"^cq_race: (\d+) DMA", out, re.M):
                race_dma += int(m.group(1))
            if ok:
                passed += 1
            else:
                failed += 1
                env = f"CQ_RACE_INVALS={CQ_RACE_INVALS} " if "cq_race" in cmd else ""
                print("FAIL: " + env + " ".join(cmd))
                print("\n".join("    " + l for l in out.rstrip().splitlines()[-15:]))
    print(f"soak: seeds {a.first}..{a.first + a.seeds - 1}, tests {' '.join(a.tests)}")
    if dma:
        print(f"soak: {dma} DMA transactions checked against the reference translator")
    if invals:
        print(f"soak: {invals} invalidations (IOTINVAL.VMA + IOFENCE.C) under {race_dma} racing DMA (cq_race)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
