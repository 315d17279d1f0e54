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
TB_DEFS := -DTB_ID_W=8 -DTB_PA_W=56 -DTB_DID_W=24 -DTB_PID_W=20 -DTB_DS_ID_W=4 -DTB_NUM_IRQ=4

CC      := gcc
CFLAGS  := -std=c11 -O2 -g -Wall -Wextra -Werror -Itb -Iinclude $(TB_DEFS)
TB_C    := tb/sim.c tb/mem.c tb/rng.c tb/axi_slave.c tb/axil_master.c tb/dev_master.c \
           tb/monitor.c tb/scenario.c $(sort $(wildcard tb/tests/*.c))
TB_H    := $(wildcard tb/*.h) include/iommu_regs.h
VERILATOR_FLAGS := --cc --exe --build -j $(JOBS) --assert --trace-fst -Irtl \
           --top-module $(TOP) -O3 -CFLAGS "-O2 -DVL_USER_STOP $(TB_DEFS)" \
           -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1"

SIM     := $(BUILD)/iommu-sim
GLS_SIM := $(BUILD)/iommu-sim-gls
SCNS    := $(sort $(wildcard tb/scenarios/*.scn))

.PHONY: help deps run test soak bench lint synth gls wave regs check-regs clean host-test sim

help:
	@echo "make deps    install what the build needs (Debian packages, Python packages)"
	@echo "make run     build the simulator and run the demonstration scenario"
	@echo "make test    every test: host unit tests, built-in simulator tests, scenarios"
	@echo "make soak    the random tests over many seeds (SOAK_SEEDS=200, SOAK_FROM=1000)"
	@echo "make bench   benchmarks of the data path (figures, not pass/fail)"
	@echo "make lint    verilator --lint-only -Wall over rtl/ and yosys check -assert"
	@echo "make synth   yosys synthesis (generic and iCE40) with cell/LUT/FF counts"
	@echo "make gls     run every scenario on the netlist yosys synthesized"
	@echo "make wave SCN=file.scn   run a scenario with --wave and open GTKWave"
	@echo "make regs    regenerate the register header, package and docs from the RDL"
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

TB_OBJS := $(patsubst tb/%.c,$(BUILD)/obj/%.o,$(TB_C))

sim: $(SIM)
$(SIM): $(RTL_SRCS) $(RTL_INCS) $(TB_OBJS) tb/main.cpp tb/dut.h
	@command -v verilator >/dev/null || { echo "verilator is missing: run 'make deps'"; exit 1; }
	@rm -f $@    # Verilator's own make does not see the test-bench objects change
	verilator $(VERILATOR_FLAGS) --Mdir $(BUILD)/vl -o ../iommu-sim \
	    -CFLAGS "-I$(CURDIR)/tb" $(RTL_SRCS) $(abspath tb/main.cpp) $(abspath $(TB_OBJS)) > $(BUILD)/vl-build.log 2>&1 \
	    || { tail -30 $(BUILD)/vl-build.log; exit 1; }

run: $(SIM)
	@$(SIM) --scenario tb/scenarios/demo.scn

# ---- tests --------------------------------------------------------------------
$(BUILD)/test_scenario: tb/scenario.c tb/scenario.h tb/host/fake_tb.c tb/host/test_scenario.c tb/tb.h
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -O1 -g -Wall -Wextra -Werror -Itb tb/scenario.c tb/host/fake_tb.c \
	    tb/host/test_scenario.c -o $@

host-test: $(BUILD)/test_scenario

test: $(SIM) host-test
	@python3 tools/run_tests.py --jobs $(JOBS) --sim $(SIM) --scenarios $(SCNS) \
	    --host "$(BUILD)/test_scenario" --host "python3 tools/gen_regs.py --check" \
	    --host "make -s gls" \
	    --host "make -s lint"

SOAK_SEEDS ?= 200
SOAK_FROM  ?= 1000
SOAK_TESTS := off_refuses bare_passes mode_switch
soak: $(SIM)
	@python3 tools/soak.py --sim $(SIM) --jobs $(JOBS) --from $(SOAK_FROM) --seeds $(SOAK_SEEDS) $(SOAK_TESTS)

bench: $(SIM)
	@$(SIM) --bench all

# ---- lint and synthesis -----------------------------------------------------------
lint:
	@command -v verilator >/dev/null || { echo "verilator is missing: run 'make deps'"; exit 1; }
	verilator --lint-only -Wall -Irtl --top-module $(TOP) $(RTL_SRCS)
	@command -v yosys >/dev/null || { echo "yosys is missing: run 'make deps'"; exit 1; }
	yosys -q -p "read_verilog -sv -DSYNTHESIS -Irtl $(RTL_SRCS); prep -top $(TOP); check -assert"
	@echo "lint: clean"

synth: $(BUILD)/synth/$(TOP).v
$(BUILD)/synth/$(TOP).v: $(RTL_SRCS) $(RTL_INCS) tools/synth_report.py
	@command -v yosys >/dev/null || { echo "yosys is missing: run 'make deps'"; exit 1; }
	@mkdir -p $(BUILD)/synth
	yosys -q -l $(BUILD)/synth/generic.log -p "read_verilog -sv -DSYNTHESIS -Irtl $(RTL_SRCS); \
	    synth -flatten -top $(TOP); check -assert; tee -o $(BUILD)/synth/generic.stat stat; \
	    write_verilog -noattr $@.tmp"
	yosys -q -l $(BUILD)/synth/ice40.log -p "read_verilog -sv -DSYNTHESIS -Irtl $(RTL_SRCS); \
	    synth_ice40 -top $(TOP); check -assert; tee -o $(BUILD)/synth/ice40.stat stat"
	@mv $@.tmp $@
	@python3 tools/synth_report.py $(BUILD)/synth/generic.stat $(BUILD)/synth/ice40.stat

$(GLS_SIM): $(BUILD)/synth/$(TOP).v $(TB_OBJS) tb/main.cpp tb/dut.h
	@rm -f $@
	verilator $(VERILATOR_FLAGS) -Wno-fatal -Wno-lint -Wno-style --Mdir $(BUILD)/vl-gls \
	    -o ../iommu-sim-gls -CFLAGS "-I$(CURDIR)/tb" $(BUILD)/synth/$(TOP).v $(abspath tb/main.cpp) \
	    $(abspath $(TB_OBJS)) > $(BUILD)/vl-gls-build.log 2>&1 \
	    || { tail -30 $(BUILD)/vl-gls-build.log; exit 1; }

gls: $(GLS_SIM)
	@python3 tools/run_tests.py --jobs $(JOBS) --sim $(GLS_SIM) --scenarios $(SCNS) --no-tests

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

clean:
	rm -rf $(BUILD)
