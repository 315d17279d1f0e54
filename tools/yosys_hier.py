"""What tools/depth.py and tools/timing.py share: the commit a report is of
(git_head), synthesis that keeps block RAMs as cells (synth_keep_mem), and the instance hierarchy of the RTL as Yosys elaborates it: which module a flattened name such as
`u_datapath.u_wr.sl_st_q[7]` belongs to.

The Yosys script runs `hierarchy -top TOP` and writes the cells whose type is
a module of the design (`iommu_*`, or `$paramod...` for a parameterized one)
to an RTLIL file; `Hierarchy` reads that file.  After `flatten`, Yosys names a
submodule's net `<cell>.<net>`, and a cell name may itself contain dots (a
generate block: `gen_w[0].u_walker`), so a flattened name is resolved by
walking down from the top, at each level taking the longest cell name that
prefixes the rest.
"""
import re
import subprocess

PREFIX = "iommu_"     # every module of the RTL is called iommu_*


def git_head():
    """The short HEAD commit, noting uncommitted changes under rtl/ (for reports)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "rtl"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True).stdout.strip()
        return head + (" (rtl/ has uncommitted changes)" if dirty else "") if head else "unknown"
    except OSError:
        return "unknown"


def synth_keep_mem(top, flatten=True, lut=None):
    """Yosys `synth` (0.23) with its memory_map step limited to the memories
    that are not block RAMs, so the caches' block RAMs (iommu_ram,
    ram_style = "block": one $mem_v2 cell each, its read register merged in)
    stay one cell each instead of becoming flip-flops and read multiplexers:
    what block RAM is on an FPGA, and what the gate-level simulation runs."""
    return [
        f"synth {'-flatten ' if flatten else ''}-top {top} -run :fine",
        # every other memory (FIFOs, arrays read asynchronously) becomes
        # flip-flops and multiplexers as in synth
        "memory_map */t:$mem_v2 */a:ram_style=block %d",
        "opt -fast -full",
        "opt -full",
        "techmap",
        "opt -fast",
        f"abc -fast{f' -lut {lut}' if lut else ''}",
        "opt -fast",
        "hierarchy -check",
        "check",
    ]


def dump_commands(top, path):
    """Yosys commands (after read_verilog) that write the instance list."""
    return [
        f"hierarchy -top {top}",
        f"select */t:{PREFIX}* */t:$paramod*",
        f"write_rtlil -selected {path}",
        "select -clear",
    ]


def unescape(name):
    """RTLIL identifier without the leading backslash of a public name."""
    return name[1:] if name.startswith("\\") else name


def base_module(name):
    """`$paramod$8a1f\\iommu_fifo` or `$paramod\\iommu_fifo\\Width=...` -> iommu_fifo."""
    name = unescape(name)
    if name.startswith("$paramod"):
        parts = name.split("\\")
        if len(parts) > 1:
            return parts[1]
    return name


class Hierarchy:
    def __init__(self, rtlil_path, top):
        self.top = top
        self.cells = {}          # module name (unescaped) -> {cell name: module type}
        cur = None
        for line in open(rtlil_path):
            s = line.split()
            if not s:
                continue
            if s[0] == "module":
                cur = self.cells.setdefault(unescape(s[1]), {})
            elif s[0] == "cell" and cur is not None and len(s) >= 3:
                cur[unescape(s[2])] = unescape(s[1])
            elif s[0] == "end" and line.startswith("end"):
                cur = None

    def instances(self):
        """Every instance below the top: [(path, module type)], depth first."""
        out = []

        def walk(mod, path):
            for cell, typ in sorted(self.cells.get(mod, {}).items()):
                p = f"{path}.{cell}" if path else cell
                out.append((p, typ))
                walk(typ, p)
        walk(self.top, "")
        return out

    def resolve(self, flat):
        """Flattened name -> (instance path, module type, local name)."""
        name, mod, path = unescape(flat), self.top, []
        while True:
            best = None
            for cell in self.cells.get(mod, {}):
                if name.startswith(cell + ".") and (best is None or len(cell) > len(best)):
                    best = cell
            if best is None:
                return ".".join(path), mod, name
            path.append(best)
            mod = self.cells[mod][best]
            name = name[len(best) + 1:]

    def where(self, flat):
        """'iommu_walker (u_datapath.u_walker)' for a flattened name."""
        path, mod, _ = self.resolve(flat)
        return f"{base_module(mod)} ({path or 'top'})"


_FLATTEN = re.compile(r"\$flatten\\(.*)$")


def flatten_hint(anon):
    """A Yosys-generated name that records where it came from, such as
    `$abc$177107$flatten\\u_datapath.\\u_walker.$0\\addr_q[0][55:0][11]`,
    -> `u_datapath.u_walker.$0\\addr_q[0][55:0][11]`; None for other names."""
    m = _FLATTEN.search(anon)
    if not m:
        return None
    return m.group(1).replace(".\\", ".")
