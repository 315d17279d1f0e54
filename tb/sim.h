/*
 * sim.h - the simulation kernel: owns the model, the components (memory
 * slaves, device master, register master, monitors) and the clock.  Built-in
 * tests and benchmarks reach the components through these accessors.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "axi_slave.h"
#include "dev_master.h"
#include "dut.h"
#include "tb.h"

void sim_step(void);                 /* one clock cycle */
const dut_io_t *sim_io(void);        /* port values of the last cycle */
const dut_cfg_t *sim_cfg(void);
axi_slave_t *sim_mem_slave(void);    /* memory port */
axi_slave_t *sim_ds_slave(void);     /* data-structure port */
dev_master_t *sim_dev(void);
uint64_t sim_seed(void);
/* AxUSER for a device request: {PV, process_id, device_id}. */
uint64_t sim_user(uint32_t dev, bool pv, uint32_t pid);
/* Run until every submitted DMA is done, or `timeout` cycles pass: 0 / -1. */
int sim_drain(uint64_t timeout);
/* A function that sees every cycle's port values after the model evaluated
 * (handshakes: valid && ready), out of reset; NULL removes it. */
typedef void (*sim_observer_fn)(void *ctx, const dut_io_t *io, uint64_t now);
void sim_set_observer(sim_observer_fn fn, void *ctx);
/* A register write with any address and strobe pattern (error tests). */
int tb_reg_write_raw(uint32_t addr, uint64_t wdata, uint32_t wstrb, unsigned *resp);

/* ---- built-in tests and benchmarks -------------------------------------- */
typedef int (*test_fn)(void);        /* 0 = pass */
typedef struct {
    const char *name;
    const char *what;
    test_fn fn;
    bool bench;                      /* a benchmark: run by --bench, not --test */
} test_def_t;

/* Checks inside tests: print FILE:LINE and the message, count the failure. */
extern unsigned tb_check_failures;
void tb_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define CHECK(cond, ...)                                      \
    do {                                                      \
        if (!(cond)) tb_fail(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)
#define CHECK_EQ(got, want, what)                                                        \
    do {                                                                                 \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                            \
        if (g_ != w_)                                                                    \
            tb_fail(__FILE__, __LINE__, "%s: expected %#llx, got %#llx", what,           \
                    (unsigned long long)w_, (unsigned long long)g_);                     \
    } while (0)

/* Every test file defines one array of test_def_t ending with {0}. */
extern const test_def_t tests_regs[], tests_datapath[], tests_fq[], tests_xlate[], tests_xrand[], tests_drv[],
    tests_bench[];
extern const test_def_t tests_cq[];
extern const test_def_t tests_cqrace[];

#endif
