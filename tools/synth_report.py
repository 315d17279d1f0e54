#!/usr/bin/env python3
"""Print the cell, LUT and flip-flop counts of `make synth` from the `stat`
reports Yosys wrote (generic synthesis and synth_ice40)."""
import re
import sys


def cells(path):
    counts, total = {}, None
    for line in open(path):
        m = re.match(r"\s+Number of cells:\s+(\d+)", line)
        if m:
            total = int(m.group(1))
            counts = {}
            continue
        m = re.match(r"\s+(\S+)\s+(\d+)\s*$", line)
        if m and total is not None:
            counts[m.group(1)] = int(m.group(2))
    return total, counts


def main():
    gen_total, gen = cells(sys.argv[1])
    ice_total, ice = cells(sys.argv[2])
    gen_ff = sum(v for k, v in gen.items() if "DFF" in k.upper())
    ice_lut = sum(v for k, v in ice.items() if k.startswith("SB_LUT"))
    ice_ff = sum(v for k, v in ice.items() if k.startswith("SB_DFF"))
    ice_carry = ice.get("SB_CARRY", 0)
    ice_ram = sum(v for k, v in ice.items() if k.startswith("SB_RAM"))
    print(f"synth generic: {gen_total} cells, {gen_ff} flip-flops")
    print(f"synth ice40:   {ice_total} cells: {ice_lut} LUT4, {ice_ff} flip-flops, "
          f"{ice_carry} carries, {ice_ram} block RAMs")


if __name__ == "__main__":
    main()
