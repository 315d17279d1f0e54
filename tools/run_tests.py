#!/usr/bin/env python3
"""Run every test of `make test` (or `make gls`) as its own process, a few at a
time, print one line per test and end with the line `N passed, M failed`.

A test is: a host command (--host, run through the shell), a built-in
simulator test (`iommu-sim --test NAME` for each name `--list` prints), or a
scenario (`iommu-sim --scenario FILE --quiet`).  Exit status 1 when any fails.
"""
import argparse
import concurrent.futures
import shlex
import subprocess
import sys
import time


def run(name, cmd, timeout):
    t0 = time.time()
    try:
        p = subprocess.run(cmd, shell=isinstance(cmd, str), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        ok, out = p.returncode == 0, p.stdout
        if not ok:
            out += f"\n(exit status {p.returncode})"
    except subprocess.TimeoutExpired as e:
        ok, out = False, (e.stdout or b"").decode(errors="replace") + f"\n(timed out after {timeout} s)"
    return name, ok, out, time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sim", required=True, help="the simulator binary")
    ap.add_argument("--scenarios", nargs="*", default=[])
    ap.add_argument("--host", action="append", default=[], help="a host test command")
    ap.add_argument("--no-tests", action="store_true", help="skip the built-in tests")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per test")
    args = ap.parse_args()

    jobs = [(f"host: {h}", h) for h in args.host]
    if not args.no_tests:
        listing = subprocess.run([args.sim, "--list"], stdout=subprocess.PIPE, text=True, check=True)
        for line in listing.stdout.splitlines():
            kind, name = line.split()[:2]
            if kind == "test":
                jobs.append((f"test: {name}", [args.sim, "--test", name]))
    for s in args.scenarios:
        jobs.append((f"scenario: {s}", [args.sim, "--scenario", s, "--quiet"]))

    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run, n, c, args.timeout) for n, c in jobs]
        for f in concurrent.futures.as_completed(futs):
            name, ok, out, dt = f.result()
            print(f"{'PASS' if ok else 'FAIL'} {name} ({dt:.1f} s)", flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
                for line in out.rstrip().splitlines()[-25:]:
                    print(f"    {line}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
