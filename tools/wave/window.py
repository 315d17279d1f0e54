#!/usr/bin/env python3
"""window.py FILE.fst [MARGIN]: print "FROM TO", the cycle window of a run's
device-port reads: from a few cycles before the first ARVALID to a few after
the last RLAST handshake on the device port.  make wave-png traces the
scenario once in full (small), asks this for the window, then traces again
with iommu-sim --wave-from FROM --wave-to TO.  Needs fst2vcd (GTKWave).
The test bench dumps cycle N at times 2N (before the edge) and 2N+1."""
import subprocess
import sys

WANT = ("dev_arvalid_i", "dev_rvalid_o", "dev_rlast_o", "dev_rready_i")


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    margin = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    vcd = subprocess.run(["fst2vcd", sys.argv[1]], capture_output=True, text=True, check=True).stdout
    codes, depth, top_done = {}, 0, False
    val = {n: 0 for n in WANT}
    t, first_ar, last_r = 0, None, None
    lines = iter(vcd.splitlines())
    for line in lines:   # header: the ports are the top scope's own variables
        w = line.split()
        if not w:
            continue
        if w[0] == "$scope":
            depth += 1
        elif w[0] == "$upscope":
            depth -= 1
            top_done = top_done or depth == 0
        elif w[0] == "$var" and depth == 1 and not top_done and w[4] in WANT:
            codes[w[3]] = w[4]
        elif w[0] == "$enddefinitions":
            break
    missing = set(WANT) - set(codes.values())
    if missing:
        print(f"window.py: {sys.argv[1]} has no {', '.join(sorted(missing))}", file=sys.stderr)
        return 1

    def sample():
        nonlocal first_ar, last_r
        if t % 2 == 0:   # values before the edge of cycle t/2
            c = t // 2
            if val["dev_arvalid_i"] and first_ar is None:
                first_ar = c
            if val["dev_rvalid_o"] and val["dev_rlast_o"] and val["dev_rready_i"]:
                last_r = c

    for line in lines:
        if not line:
            continue
        if line[0] == "#":
            sample()
            t = int(line[1:])
        elif line[0] in "01" and line[1:] in codes:
            val[codes[line[1:]]] = int(line[0])
    sample()
    if first_ar is None or last_r is None:
        print(f"window.py: no device-port read in {sys.argv[1]}", file=sys.stderr)
        return 1
    print(max(0, first_ar - margin), last_r + margin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
