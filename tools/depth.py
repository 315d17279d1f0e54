#!/usr/bin/env python3
"""make depth: the longest combinational path of the RTL in LUT4 levels, a fast
stand-in for timing (tools/timing.py is the slow, real one).

One Yosys script (OUT/depth.ys, run with `yosys -s`):
  read_verilog -sv -DSYNTHESIS -I<inc> <sources, packages first>
  hierarchy -top TOP, and the instance list (tools/yosys_hier.py)
  synth -flatten -top TOP -lut 4;  ltp -noff          -> the design's longest path
  (the design as read)  synth -top TOP -lut 4;  ltp -noff on the $lut cells
                                                       -> each module's own longest path
Both synth runs leave out memory_map (yosys_hier.synth_keep_mem), and ltp
leaves out the block RAMs (iommu_ram's $mem_v2 cells): a RAM's read is
registered, so its address and write ports end paths and its data starts
them, as a DP16KD's or RAMB18's do.

What is counted: `ltp -noff` takes flip-flops out of the netlist and reports
the longest chain of cells from a flip-flop output or an input port to a
flip-flop input or an output port; its `length=N` is the number of cells on the
chain, and after `synth -lut 4` every combinational cell is a 4-input LUT, so
N is the number of LUT4 levels (the report checks that no other combinational
cell type is left).  In the per-module run each module is synthesized on its
own and only its $lut cells are taken, so its submodules' ports are where its
paths begin and end.

The report (OUT/report.md, OUT/depth.json) names the path's first and last
named nets (the LUT outputs in between are Yosys/ABC's anonymous `$abc$...`
nets) and the module each belongs to.  With --budget B the exit status is 1
when the longest path is longer than B LUT levels.
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

FF_TYPES = re.compile(r"^\$_(S?DFF|DFFE|SDFFC?E|DLATCH|ALDFF|DFFSRE?|SR)_")


# ---- ltp output --------------------------------------------------------------------
_HEAD = re.compile(r"^Longest topological path in (\S+) \(length=(\d+)\):")
_NODE = re.compile(r"^\s*(\d+|ff): (\S+)(?: \[(\d+)\])?(?: \(via (\S+)\))?\s*$")


def parse_ltp(path):
    """-> {module: {"length": N, "nodes": [(index or 'ff', net, bit, via cell)]}}"""
    out, cur = {}, None
    for line in open(path, errors="replace"):
        m = _HEAD.match(line)
        if m:
            cur = out.setdefault(yosys_hier.unescape(m.group(1)), {"length": int(m.group(2)), "nodes": []})
            continue
        m = _NODE.match(line)
        if m and cur is not None:
            idx = m.group(1)
            cur["nodes"].append((idx if idx == "ff" else int(idx), m.group(2),
                                 None if m.group(3) is None else int(m.group(3)), m.group(4)))
        elif line.strip() and not line.startswith(" "):
            cur = None
    return out


def bit_name(net, bit):
    n = yosys_hier.unescape(net)
    return n if bit is None else f"{n}[{bit}]"


def is_named(net):
    return net.startswith("\\")


def path_ends(nodes):
    """(start, end) of a path: its first and last named node (the flip-flop it
    feeds counts), or the first/last node when no other is named; None when
    the path is empty."""
    if not nodes:
        return None, None
    named = [n for n in nodes if is_named(n[1])]
    start = named[0] if named else nodes[0]
    rest = [n for n in named if n is not start]
    return start, rest[-1] if rest else (nodes[-1] if len(nodes) > 1 else start)


def describe_node(node, hier):
    """'`u_datapath.u_wr.sl_st_q[7][0]` in iommu_chan (u_datapath.u_wr)' plus its kind."""
    idx, net, bit, _ = node
    name = bit_name(net, bit)
    if hier is None:
        return f"`{name}`"
    path, mod, local = hier.resolve(net)
    return f"`{name}` in {yosys_hier.base_module(mod)} ({path or 'top'})"


# ---- stat output ---------------------------------------------------------------------
def parse_stat(path):
    """-> {module: {cell type: count}} from a Yosys stat report."""
    out, cur = {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"^=== (.*) ===\s*$", line)
        if m and m.group(1).strip() == "design hierarchy":
            cur = None
        elif m:
            cur = out.setdefault(yosys_hier.unescape(m.group(1).strip()), {})
            continue
        if cur is None:
            continue
        m = re.match(r"^\s+(\S+)\s+(\d+)\s*$", line)
        if m:
            cur[m.group(1)] = int(m.group(2))
    return out


def comb_types(counts):
    """Cell types that are neither $lut nor flip-flops nor submodules."""
    return {t: n for t, n in counts.items()
            if t.startswith("$") and t not in ("$lut", "$mem_v2") and not FF_TYPES.match(t)
            and not t.startswith("$paramod")}


def ff_count(counts):
    return sum(n for t, n in counts.items() if FF_TYPES.match(t))


# ---- main ------------------------------------------------------------------------------
def _reg_name(name):
    """A flip-flop's net name without its bit index: one row per register."""
    return re.sub(r"\[\d+\]$", "", name)


def endpoint_depths(path, top):
    """Every register input's longest LUT path in the flattened netlist
    (OUT/flat.json): -> [(levels, end register, start register)], one entry
    per end register (its deepest bit), deepest first.  Sources are flip-flop
    and RAM outputs and input ports; ends are the inputs of flip-flops and
    RAMs and output ports, as ltp counts them."""
    mod = json.load(open(path))["modules"][top]
    names = {}
    for n, net in mod["netnames"].items():
        for b in net["bits"]:
            if isinstance(b, int) and (b not in names or (names[b].startswith("$") and not n.startswith("$"))):
                names[b] = n
    drv, ends = {}, []   # LUT output bit -> input bits; (end name, bits)
    for cname, c in mod["cells"].items():
        conns, dirs = c["connections"], c.get("port_directions", {})
        if c["type"] == "$lut":
            drv[conns["Y"][0]] = [b for b in conns["A"] if isinstance(b, int)]
        else:
            for port, bits in conns.items():
                if dirs.get(port) == "input":
                    q = conns.get("Q") or conns.get("RD_DATA") or []
                    end = names.get(q[0], cname) if q and isinstance(q[0], int) else cname
                    ends.append((_reg_name(end), [b for b in bits if isinstance(b, int)]))
    for pname, port in mod["ports"].items():
        if port["direction"] == "output":
            ends.append((pname, [b for b in port["bits"] if isinstance(b, int)]))
    depth = {}

    def walk(bit):
        stack = [bit]
        while stack:
            b = stack[-1]
            if b in depth:
                stack.pop()
                continue
            ins = drv.get(b)
            if ins is None:
                depth[b] = (0, b)
                stack.pop()
                continue
            todo = [i for i in ins if i not in depth]
            if todo:
                stack.extend(todo)
                continue
            best = max((depth[i] for i in ins), default=(0, b), key=lambda d: d[0])
            depth[b] = (best[0] + 1, best[1])
            stack.pop()

    worst = {}
    for end, bits in ends:
        for b in bits:
            walk(b)
            d, src = depth[b]
            if d > worst.get(end, (0, ""))[0]:
                worst[end] = (d, _reg_name(names.get(src, str(src))))
    return sorted(((d, e, s) for e, (d, s) in worst.items()), key=lambda x: (-x[0], x[1]))


def yosys_script(args):
    o = args.out
    read = f"read_verilog -sv -DSYNTHESIS -I{args.inc} " + " ".join(args.srcs)
    lines = [read] + yosys_hier.dump_commands(args.top, f"{o}/instances.il") + [
        "design -save rtl",
    ] + yosys_hier.synth_keep_mem(args.top, flatten=True, lut=4) + [
        f"tee -q -o {o}/flat.stat stat",
        f"tee -q -o {o}/flat.ltp ltp -noff t:$mem_v2 %n",
        f"write_json {o}/flat.json",
    ]
    if not args.no_modules:
        lines += [
            "design -load rtl",
        ] + yosys_hier.synth_keep_mem(args.top, flatten=False, lut=4) + [
            f"tee -q -o {o}/modules.stat stat",
            f"tee -q -o {o}/modules.ltp ltp -noff */* */t:{yosys_hier.PREFIX}* */t:$paramod* */t:$mem_v2 %u %u %d",
        ]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("srcs", nargs="+", help="RTL sources, packages first")
    ap.add_argument("--top", default="iommu_top")
    ap.add_argument("--inc", default="rtl", help="include folder")
    ap.add_argument("--out", default="build/depth")
    ap.add_argument("--budget", type=int, help="fail when the longest path has more LUT levels")
    ap.add_argument("--no-modules", action="store_true", help="skip the per-module run (half the time)")
    ap.add_argument("--report-only", action="store_true", help="rewrite the report from an earlier run")
    args = ap.parse_args()
    o = args.out
    os.makedirs(o, exist_ok=True)

    t0 = time.time()
    if not args.report_only:
        if not shutil.which("yosys"):
            sys.exit("depth: yosys is missing: run 'make deps'")
        for f in ("flat.ltp", "flat.stat", "flat.json", "modules.ltp", "modules.stat", "instances.il"):
            if os.path.exists(os.path.join(o, f)):
                os.remove(os.path.join(o, f))
        with open(f"{o}/depth.ys", "w") as f:
            f.write(yosys_script(args))
        with open(f"{o}/yosys.log", "w") as log:
            p = subprocess.run(["yosys", "-q", "-s", f"{o}/depth.ys"], stdout=log, stderr=subprocess.STDOUT)
        if p.returncode != 0:
            sys.stdout.write("".join(open(f"{o}/yosys.log", errors="replace").readlines()[-20:]))
            sys.exit(f"depth: yosys failed (exit status {p.returncode}); see {o}/yosys.log")
    elapsed = time.time() - t0

    hier = yosys_hier.Hierarchy(f"{o}/instances.il", args.top)
    flat = parse_ltp(f"{o}/flat.ltp").get(args.top)
    if flat is None:
        sys.exit(f"depth: no ltp result for {args.top} in {o}/flat.ltp")
    fstat = parse_stat(f"{o}/flat.stat").get(args.top, {})
    other = comb_types(fstat)

    N = flat["length"]
    nodes = flat["nodes"]
    first, last = path_ends(nodes)
    end_ff = nodes[-1][0] == "ff"
    start_s = bit_name(first[1], first[2]) if first else "?"
    end_s = bit_name(last[1], last[2]) if last else "?"

    mods = []
    if not args.no_modules and os.path.exists(f"{o}/modules.ltp"):
        mltp = parse_ltp(f"{o}/modules.ltp")
        mstat = parse_stat(f"{o}/modules.stat")
        users = {}
        for path, typ in hier.instances():
            users.setdefault(typ, []).append(path)
        users[args.top] = ["(top)"]
        for mod in sorted(set(mstat) | set(mltp)):
            r = mltp.get(mod, {"length": 0, "nodes": []})
            a, b = path_ends(r["nodes"])
            st = mstat.get(mod, {})
            mods.append({"module": yosys_hier.base_module(mod), "variant": mod, "length": r["length"],
                         "start": bit_name(a[1], a[2]) if a else "", "end": bit_name(b[1], b[2]) if b else "",
                         "end_ff": bool(r["nodes"]) and r["nodes"][-1][0] == "ff",
                         "luts": st.get("$lut", 0), "ffs": ff_count(st), "other": comb_types(st),
                         "instances": users.get(mod, [])})
        mods.sort(key=lambda m: (-m["length"], m["module"]))

    # ---- report
    L = [f"# Logic depth of {args.top}", ""]
    yver = subprocess.run(["yosys", "-V"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True).stdout.strip() if shutil.which("yosys") else "yosys"
    L.append(f"Commit {yosys_hier.git_head()}; {yver}, script `{o}/depth.ys`; written by `tools/depth.py` "
             f"(`make depth`)" + (f" in {elapsed / 60:.1f} min." if not args.report_only else "."))
    L.append("")
    L.append("A level is one LUT4: `ltp -noff` removes the flip-flops and reports the longest chain of "
             "cells from a flip-flop output or input port to a flip-flop input or output port; its "
             "`length=N` counts the cells on the chain (node 0 is the starting net, nodes 1..N the "
             "outputs of the N LUTs).")
    if other:
        L.append("")
        L.append("**Warning**: combinational cells other than `$lut` are left in the netlist, so levels "
                 "are not all LUT4s: " + ", ".join(f"{t} {n}" for t, n in sorted(other.items())))
    L += ["", "## Whole design (flattened)", ""]
    L.append(f"- Longest path: **{N} LUT4 levels**" +
             (f" (budget {args.budget}: {'over' if N > args.budget else 'within'})" if args.budget is not None else ""))
    if first:
        L.append(f"- Starts at {describe_node(first, hier)}" +
                 (" (node 0)" if first[0] == 0 else f" (first named node: {first[0]})"))
    if last:
        where = "the flip-flop it feeds" if last[0] == "ff" else ("an output port" if last[0] == N else f"node {last[0]}")
        L.append(f"- Ends at {describe_node(last, hier)} ({where})")
    L.append(f"- Netlist: {fstat.get('$lut', 0)} LUT4, {ff_count(fstat)} flip-flops")
    inner = [n for n in nodes if is_named(n[1]) and n not in (first, last)]
    L.append(f"- Named nets on the way: " + (", ".join(f"level {n[0]} {describe_node(n, hier)}" for n in inner)
                                              if inner else "none (every LUT output in between is an anonymous ABC net)"))
    hints = []
    for n in nodes:
        h = yosys_hier.flatten_hint(n[1])
        if h and not is_named(n[1]):
            path, mod, local = hier.resolve(h)
            hints.append(f"level {n[0]} `{local}` in {yosys_hier.base_module(mod)} ({path or 'top'})")
    if hints:
        L.append("- Anonymous nets whose Yosys name records their origin (`$flatten\\...`): " + ", ".join(hints))
    L.append("")

    ends = endpoint_depths(f"{o}/flat.json", args.top) if os.path.exists(f"{o}/flat.json") else []
    if ends:
        top_n = [e for e in ends if e[0] >= ends[0][0] - 4][:40]
        L += ["## The deepest end registers", "",
              f"Every register (flip-flop bus, RAM port or output port) whose input is at most 4 levels "
              f"shallower than the longest path, by its deepest bit, with the start of that bit's path "
              f"(one of them where several are as long); the same flattened netlist. "
              f"{len([e for e in ends if e[0] > 8])} end registers are deeper than 8 levels.", "",
              "| levels | end | start |", "|---:|---|---|"]
        for d, e, st in top_n:
            L.append(f"| {d} | `{e}` | `{st}` |")
        L.append("")

    if mods:
        L += ["## Each module on its own", "",
              "Synthesized without flattening; a module's paths start and end at its flip-flops, its ports "
              "and its submodules' ports. One row per parameter set Yosys derived.", "",
              "| module | longest path (LUT4 levels) | from | to | LUT4 | FF | instances |",
              "|---|---:|---|---|---:|---:|---|"]
        for m in mods:
            inst = ", ".join(f"`{i}`" for i in m["instances"][:4]) + (f" (+{len(m['instances']) - 4})"
                                                                       if len(m["instances"]) > 4 else "")
            L.append(f"| {m['module']} | {m['length']} | `{m['start']}` | `{m['end']}`"
                     f"{' (FF)' if m['end_ff'] else ''} | {m['luts']} | {m['ffs']} | {inst} |")
        L.append("")
        if any(m["other"] for m in mods):
            L.append("Combinational cells other than $lut: " + "; ".join(
                f"{m['module']}: " + ", ".join(f"{t} {n}" for t, n in m["other"].items()) for m in mods if m["other"]))
            L.append("")
        L.append("Module variants: " + "; ".join(f"{m['module']} = `{m['variant']}`" for m in mods
                                                 if m["variant"] != m["module"]))
        L.append("")

    L += ["## The path, node by node", "", "```"]
    for idx, net, bit, via in nodes:
        L.append(f"{idx:>4}: {bit_name(net, bit)}")
    L += ["```", ""]
    with open(f"{o}/report.md", "w") as f:
        f.write("\n".join(L))
    with open(f"{o}/depth.json", "w") as f:
        json.dump({"commit": yosys_hier.git_head(), "levels": N, "start": start_s, "end": end_s,
                   "start_module": hier.where(first[1]) if first else "", "end_module": hier.where(last[1]) if last else "",
                   "budget": args.budget, "luts": fstat.get("$lut", 0), "ffs": ff_count(fstat),
                   "modules": [{k: m[k] for k in ("module", "variant", "length", "start", "end", "luts", "ffs")}
                               for m in mods]}, f, indent=1)

    # ---- summary
    print(f"depth: longest path {N} LUT4 levels: {start_s} ({hier.where(first[1]) if first else '?'}) -> "
          f"{end_s} ({hier.where(last[1]) if last else '?'})")
    if mods:
        best = {}
        for m in mods:
            if m["module"] not in best or m["length"] > best[m["module"]]:
                best[m["module"]] = m["length"]
        print("depth: per module: " + ", ".join(f"{k} {v}" for k, v in
                                              sorted(best.items(), key=lambda kv: -kv[1])))
    if other:
        print("depth: warning: combinational cells other than $lut: " +
              ", ".join(f"{t} {n}" for t, n in sorted(other.items())))
    print(f"depth: report in {o}/report.md" + (f" ({elapsed / 60:.1f} min)" if not args.report_only else ""))
    if args.budget is not None and N > args.budget:
        print(f"depth: longest path {N} LUT levels ({start_s} -> {end_s}) exceeds the budget "
              f"{args.budget} (DEPTH_BUDGET in the Makefile)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
