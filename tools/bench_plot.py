#!/usr/bin/env python3
"""bench_plot.py DIR: plot DIR/xlate_random_reads_w*.csv (make bench writes them) into
DIR/random.png with gnuplot: bandwidth of translated random reads as a ratio
to Bare (y) against the working-set size (x, log scale), one line per page
size x Walks.  The gnuplot script it runs is kept as DIR/random.gp (data
inline), so the picture can be restyled and redrawn with `gnuplot random.gp`.
Exit status: 0 drawn, 1 no data or gnuplot failed."""
import csv
import glob
import os
import shutil
import subprocess
import sys


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    files = sorted(glob.glob(os.path.join(out_dir, "xlate_random_reads_w*.csv")))
    series = {}  # (page_size, walks) -> [(working_set, ratio)]
    for path in files:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if row.get("ids", "32") != "32":   # the one-ID point is not on the curves
                    continue
                key = (int(row["page_size"]), int(row["walks"]))
                series.setdefault(key, []).append((int(row["working_set"]), float(row["ratio"])))
    if not series:
        print(f"bench_plot: no xlate_random_reads_w*.csv in {out_dir}", file=sys.stderr)
        return 1
    if not shutil.which("gnuplot"):
        print("bench_plot: gnuplot is missing: run 'make deps'", file=sys.stderr)
        return 1

    png = os.path.join(out_dir, "random.png")
    gp = [
        "# made by tools/bench_plot.py from xlate_random_reads_w*.csv",
        "set terminal pngcairo size 1000,640 font 'sans,11'",
        f"set output '{png}'",
        "set title 'Random 64-byte reads, 32 in flight: bandwidth with translation / Bare'",
        "set logscale x 2",
        "set xrange [48000:90000000]",
        "set xlabel 'working set'",
        "set ylabel 'beats per cycle, ratio to Bare'",
        "set yrange [0:1.1]",
        "set xtics ('64K' 65536, '256K' 262144, '1M' 1048576, '4M' 4194304, "
        "'16M' 16777216, '64M' 67108864)",
        "set grid",
        "set key bottom left",
    ]
    plots = []
    # 2 MiB lines solid, 4 KiB dashed; one colour and point shape per Walks
    # value, the points getting smaller as Walks grows so that lines lying on
    # top of each other (2 MiB pages stay at 1.0) all show
    shapes = [7, 5, 9, 11, 13]
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
    walks_values = sorted({w for _, w in series})
    for (psz, walks) in sorted(series, key=lambda k: (-k[0], k[1])):
        name = f"$d_{psz}_{walks}"
        gp.append(f"{name} << EOD")
        gp += [f"{ws} {ratio:.4f}" for ws, ratio in sorted(series[(psz, walks)])]
        gp.append("EOD")
        label = f"{'2 MiB' if psz == 2 << 20 else '4 KiB'} pages, {walks} walks"
        wi = walks_values.index(walks)
        colour = colours[wi % len(colours)]
        dash = 1 if psz == 2 << 20 else 2
        size = max(0.8, 2.2 - 0.6 * wi)
        plots.append(f"{name} using 1:2 with linespoints lw {max(1, 3 - wi)} pt {shapes[wi % 5]} "
                     f"ps {size:.1f} dt {dash} lc rgb '{colour}' title '{label}'")
    gp.append("plot " + ", \\\n     ".join(plots))
    script = os.path.join(out_dir, "random.gp")
    with open(script, "w") as f:
        f.write("\n".join(gp) + "\n")
    rc = subprocess.run(["gnuplot", script]).returncode
    if rc:
        print(f"bench_plot: gnuplot failed on {script}", file=sys.stderr)
        return 1
    print(f"bench_plot: {png} ({len(series)} lines from {len(files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
