/*
 * sim.c - the simulation kernel and the tb.h API (see sim.h), and the
 * command line of build/iommu-sim.
 */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#include "sim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axil_master.h"
#include "mem.h"
#include "monitor.h"
#include "ref_xlate.h"
#include "rng.h"
#include "scenario.h"

static dut_io_t io;
static dut_cfg_t cfg;
static axi_slave_t *mem_s, *ds_s;
static dev_master_t *dev;
static monitor_t *mon_dev, *mon_mem, *mon_ds, *mon_reg;
static uint64_t now, seed = 1;
unsigned tb_check_failures;

const dut_io_t *sim_io(void) { return &io; }
const dut_cfg_t *sim_cfg(void) { return &cfg; }
axi_slave_t *sim_mem_slave(void) { return mem_s; }
axi_slave_t *sim_ds_slave(void) { return ds_s; }
dev_master_t *sim_dev(void) { return dev; }
uint64_t sim_seed(void) { return seed; }

void tb_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    tb_check_failures++;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (cycle %" PRIu64 ", seed %" PRIu64 ")\n", now, seed);
}

static bool ds_error(uint64_t a, uint64_t n) { return mem_is_error(MEM_PORT_DS, a, n); }
static bool mem_error(uint64_t a, uint64_t n) { return mem_is_error(MEM_PORT_MEM, a, n); }

/* The ports' configuration the command line gave: --test all puts it back
 * before each test, so one that changed it (the random tests do) leaves no
 * trace in the next. */
static axi_slave_cfg_t run_mem_cfg, run_ds_cfg;
static const dev_master_cfg_t run_dev_cfg = {0, 0, 0};

static void sim_open(const axi_slave_cfg_t *mem_cfg) {
    dut_open();
    dut_cfg(&cfg);
    run_mem_cfg = *mem_cfg;
    run_mem_cfg.is_error = mem_error;
    mem_s = axi_slave_new("mem", &run_mem_cfg);
    run_ds_cfg = *mem_cfg;
    run_ds_cfg.is_error = ds_error;
    ds_s = axi_slave_new("ds", &run_ds_cfg);
    dev = dev_master_new(&run_dev_cfg);
    mon_dev = monitor_new("dev", false);
    mon_mem = monitor_new("mem", false);
    mon_ds = monitor_new("ds", false);
    mon_reg = monitor_new("reg", true);
}

static void sim_close(void) {
    dut_close();
    axi_slave_free(mem_s);
    axi_slave_free(ds_s);
    dev_master_free(dev);
    monitor_free(mon_dev);
    monitor_free(mon_mem);
    monitor_free(mon_ds);
    monitor_free(mon_reg);
    mem_reset_all();
}

static sim_observer_fn observer;
static void *observer_ctx;

/* --faults: decode each fault record as the IOMMU writes it.  Records are the
 * only 4-beat (32-byte) writes on the data-structure port. */
static bool show_faults;
static struct {
    bool active;
    uint64_t addr, dw[4];
    unsigned beats;
} rec;

static void watch_records(const axi_port_t *p) {
    if (p->awvalid && p->awready && p->awlen == 3) {
        rec.active = true;
        rec.addr = p->awaddr;
        rec.beats = 0;
    }
    if (rec.active && p->wvalid && p->wready) {
        rec.dw[rec.beats++ & 3] = p->wdata;
        if (p->wlast) {
            rec.active = false;
            uint64_t d0 = rec.dw[0];
            unsigned cause = (unsigned)(d0 & 0xfff), ttyp = (unsigned)((d0 >> 34) & 0x3f);
            static const char *const ttyps[] = {"none", "read for execute", "read", "write"};
            printf("fault record at %#" PRIx64 ": cause %u (%s), %s, device %#x", rec.addr, cause,
                   ref_cause_name(cause), ttyp < 4 ? ttyps[ttyp] : "other", (unsigned)(d0 >> 40));
            if ((d0 >> 32) & 1)
                printf(", process %#x%s", (unsigned)((d0 >> 12) & 0xfffff),
                       (d0 >> 33) & 1 ? " (privileged)" : "");
            printf(", iotval %#" PRIx64 "\n", rec.dw[2]);
        }
    }
}

void sim_set_observer(sim_observer_fn fn, void *ctx) {
    observer = fn;
    observer_ctx = ctx;
}

void sim_step(void) {
    axil_master_drive(&io.reg);
    dev_master_drive(dev, &io.dev, now);
    axi_slave_new_cycle();
    axi_slave_drive(ds_s, &io.ds, now);    /* walks first when they share a memory */
    axi_slave_drive(mem_s, &io.mem, now);
    dut_eval(&io);
    if (io.rst_n) {
        monitor_sample(mon_dev, &io.dev, now);
        monitor_sample(mon_mem, &io.mem, now);
        monitor_sample(mon_ds, &io.ds, now);
        monitor_sample(mon_reg, &io.reg, now);
        if (observer) observer(observer_ctx, &io, now);
        if (show_faults) watch_records(&io.ds);
        axil_master_update(&io.reg);
        dev_master_update(dev, &io.dev, now);
        axi_slave_update(mem_s, &io.mem, now);
        axi_slave_update(ds_s, &io.ds, now);
    }
    dut_tick();
    now++;
    if (dut_stopped()) {
        fprintf(stderr, "iommu-sim: the design stopped at cycle %" PRIu64
                        " (a failed assertion; seed %" PRIu64 ")\n", now, seed);
        dut_close();
        exit(1);
    }
}

/* ---- tb.h ---------------------------------------------------------------- */
uint64_t tb_now(void) { return now; }

void tb_cycles(uint64_t n) {
    while (n--) sim_step();
}

void tb_reset(void) {
    io.rst_n = 0;
    dev_master_reset(dev);
    axi_slave_reset(mem_s);
    axi_slave_reset(ds_s);
    axil_master_reset();
    monitor_reset(mon_dev);
    monitor_reset(mon_mem);
    monitor_reset(mon_ds);
    monitor_reset(mon_reg);
    tb_cycles(10);
    io.rst_n = 1;
    tb_cycles(1);
}

static int reg_wait(unsigned *resp) {
    for (unsigned i = 0; i < 10000; i++) {
        sim_step();
        const axil_status_t *st = axil_master_status();
        if (st->done) {
            if (resp) *resp = st->resp;
            return 0;
        }
    }
    if (resp) *resp = AXI_SLVERR;
    axil_master_reset();
    return -1;
}

int tb_reg_read(uint32_t off, unsigned size, uint64_t *val, unsigned *resp) {
    axil_master_read(off, size);
    int rc = reg_wait(resp);
    if (val) *val = rc ? 0 : axil_master_status()->rdata;
    return rc;
}

int tb_reg_write(uint32_t off, unsigned size, uint64_t val, unsigned *resp) {
    axil_master_write(off, size, val);
    return reg_wait(resp);
}

int tb_reg_write_raw(uint32_t addr, uint64_t wdata, uint32_t wstrb, unsigned *resp) {
    axil_master_raw_write(addr, wdata, wstrb);
    return reg_wait(resp);
}

void tb_mem_write(uint64_t addr, const void *buf, size_t n) { mem_write(addr, buf, n); }
void tb_mem_read(uint64_t addr, void *buf, size_t n) { mem_read(addr, buf, n); }
uint64_t tb_mem_load(uint64_t addr, unsigned size) { return mem_load(addr, size); }
void tb_mem_store(uint64_t addr, unsigned size, uint64_t val) { mem_store(addr, size, val); }
void tb_mem_error(uint64_t addr, uint64_t len, bool err) {
    mem_set_error(MEM_PORT_DS, addr, len, err);
}
void tb_mem_fill(uint64_t addr, uint64_t len, uint8_t byte) {
    uint8_t buf[4096];
    memset(buf, byte, sizeof buf);
    while (len) {
        size_t n = len < sizeof buf ? (size_t)len : sizeof buf;
        mem_write(addr, buf, n);
        addr += n;
        len -= n;
    }
}

uint64_t sim_user(uint32_t d, bool pv, uint32_t pid) {
    uint64_t did_mask = (1ull << cfg.did_w) - 1, pid_mask = (1ull << cfg.pid_w) - 1;
    return ((uint64_t)pv << (cfg.did_w + cfg.pid_w)) | (((uint64_t)pid & pid_mask) << cfg.did_w) |
           ((uint64_t)d & did_mask);
}

int tb_dma(const tb_dma_t *r, tb_dma_result_t *res, uint64_t timeout) {
    unsigned size_log = r->size == 8 ? 3 : r->size == 4 ? 2 : r->size == 2 ? 1 : 0;
    unsigned beats = r->beats ? r->beats : 1;
    dma_txn_t *t = dma_txn_new(r->write, r->iova, beats - 1, size_log);
    t->id = r->id;
    t->user = sim_user(r->dev, r->pv, r->pid);
    t->prot = (r->priv ? 1u : 0u) | (r->exec ? 4u : 0u);
    for (unsigned i = 0; i < beats; i++) t->data[i] = r->data;
    t->tag = now;
    dev_master_submit(dev, t, now);
    memset(res, 0, sizeof *res);
    uint64_t start = now;
    while (now - start < timeout) {
        sim_step();
        dma_txn_t *d;
        bool mine = false;
        while ((d = dev_master_take_done(dev))) {
            if (d == t) {
                mine = true;
                break;
            }
            dma_txn_free(d);    /* a transaction an earlier line gave up on */
        }
        if (mine) {
            res->done = true;
            res->resp = t->resp;
            res->rdata = t->data[0];
            res->beats = t->beats;
            dma_txn_free(t);
            return 0;
        }
    }
    return -1;   /* t stays with the device master until it completes */
}

int sim_drain(uint64_t timeout) {
    uint64_t start = now;
    while (dev_master_busy(dev)) {
        if (now - start >= timeout) return -1;
        sim_step();
    }
    return 0;
}

uint32_t tb_wsi(void) { return io.wsi; }

unsigned tb_violations(void) {
    return monitor_violations(mon_dev) + monitor_violations(mon_mem) +
           monitor_violations(mon_ds) + monitor_violations(mon_reg);
}

/* ---- command line -------------------------------------------------------- */
static const test_def_t *const test_tables[] = {tests_regs, tests_datapath, tests_fq, tests_xlate,
                                                tests_xrand, tests_drv, tests_cq, tests_cqrace, tests_bench};

static const test_def_t *find_test(const char *name) {
    for (size_t k = 0; k < sizeof test_tables / sizeof *test_tables; k++)
        for (const test_def_t *t = test_tables[k]; t->name; t++)
            if (!strcmp(t->name, name)) return t;
    return NULL;
}

static void usage(FILE *f) {
    fprintf(f,
            "usage: iommu-sim [options] (--test NAME | --bench NAME | --scenario FILE | --list)\n"
            "  --test NAME       run a built-in test (--list shows them); 'all' runs every test\n"
            "  --bench NAME      run a benchmark; 'all' runs every benchmark\n"
            "  --scenario FILE   run a .scn scenario (shared/scenario-format.md)\n"
            "  --list            list the built-in tests and benchmarks\n"
            "  --wave FILE.fst   dump the waveform (FST) of the run\n"
            "  --wave-from N     ... starting at cycle N (default 0)\n"
            "  --wave-to N       ... up to cycle N (default: the end)\n"
            "  --seed N          seed of every random choice (default 1)\n"
            "  --mem-latency N   memory response latency in cycles (default 2)\n"
            "  --mem-jitter N    extra random latency 0..N (default 0)\n"
            "  --mem-stall PCT   %% of cycles the memory withholds READY / responses (default 0)\n"
            "  --mem-reorder     memory answers other IDs out of order\n"
            "  --mem-interleave  memory interleaves the R beats of different IDs\n"
            "  --keep-going      scenarios: run past a failed expectation\n"
            "  --quiet           scenarios: print only failures and the summary\n"
            "  --faults          print each fault record, decoded, as the IOMMU writes it\n");
}

static int parse_u64(const char *opt, const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-') goto bad;
    *out = strtoull(s, &end, 0);
    if (errno || *end) goto bad;
    return 0;
bad:
    fprintf(stderr, "iommu-sim: %s needs a number, got '%s'\n", opt, s ? s : "");
    return -1;
}

static double wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A benchmark also reports how fast the simulator ran it (simulated cycles
 * per second of wall time): a figure of the build, not of the RTL's cycles. */
static int run_one(const test_def_t *t) {
    tb_check_failures = 0;
    uint64_t t0 = now;
    double w0 = wall_seconds();
    int rc = t->fn();
    double dw = wall_seconds() - w0;
    unsigned viol = tb_violations();
    bool pass = rc == 0 && tb_check_failures == 0 && viol == 0;
    char rate[64] = "";
    if (t->bench && dw > 0)
        snprintf(rate, sizeof rate, ", %.3f M cycles/s", (double)(now - t0) / dw * 1e-6);
    printf("%s %s: %s (%" PRIu64 " cycles%s, seed %" PRIu64 "%s)\n", t->bench ? "bench" : "test",
           t->name, pass ? "PASS" : "FAIL", now - t0, rate, seed,
           viol ? ", AXI protocol violations" : "");
    return pass ? 0 : 1;
}

int tb_main(int argc, char **argv) {
    const char *test = NULL, *bench = NULL, *scn = NULL, *wave = NULL;
    bool list = false;
    uint64_t wave_from = 0, wave_to = 0, v;
    axi_slave_cfg_t mc = {.latency = 2};
    scn_opts_t so = {false, false};

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG                                                        \
    if (!arg) {                                                         \
        fprintf(stderr, "iommu-sim: %s needs an argument\n", a);        \
        return 2;                                                       \
    }                                                                   \
    i++;
        if (!strcmp(a, "--test")) { NEED_ARG test = arg; }
        else if (!strcmp(a, "--bench")) { NEED_ARG bench = arg; }
        else if (!strcmp(a, "--scenario")) { NEED_ARG scn = arg; }
        else if (!strcmp(a, "--wave")) { NEED_ARG wave = arg; }
        else if (!strcmp(a, "--wave-from")) { NEED_ARG if (parse_u64(a, arg, &wave_from)) return 2; }
        else if (!strcmp(a, "--wave-to")) { NEED_ARG if (parse_u64(a, arg, &wave_to)) return 2; }
        else if (!strcmp(a, "--seed")) { NEED_ARG if (parse_u64(a, arg, &seed)) return 2; }
        else if (!strcmp(a, "--mem-latency")) {
            NEED_ARG if (parse_u64(a, arg, &v) || v > 100000) return 2;
            mc.latency = (unsigned)v;
        } else if (!strcmp(a, "--mem-jitter")) {
            NEED_ARG if (parse_u64(a, arg, &v) || v > 100000) return 2;
            mc.jitter = (unsigned)v;
        } else if (!strcmp(a, "--mem-stall")) {
            NEED_ARG if (parse_u64(a, arg, &v) || v > 99) {
                fprintf(stderr, "iommu-sim: --mem-stall takes 0..99\n");
                return 2;
            }
            mc.stall_pct = mc.gap_pct = (unsigned)v;
        } else if (!strcmp(a, "--mem-reorder")) mc.reorder = true;
        else if (!strcmp(a, "--mem-interleave")) mc.interleave = true;
        else if (!strcmp(a, "--keep-going")) so.keep_going = true;
        else if (!strcmp(a, "--quiet")) so.quiet = true;
        else if (!strcmp(a, "--faults")) show_faults = true;
        else if (!strcmp(a, "--list")) list = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(stdout); return 0; }
        else {
            fprintf(stderr, "iommu-sim: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
#undef NEED_ARG
    }
    if (list) {
        for (size_t k = 0; k < sizeof test_tables / sizeof *test_tables; k++)
            for (const test_def_t *t = test_tables[k]; t->name; t++)
                printf("%-6s %-28s %s\n", t->bench ? "bench" : "test", t->name, t->what);
        return 0;
    }
    if (!!test + !!bench + !!scn != 1) {
        fprintf(stderr, "iommu-sim: give exactly one of --test, --bench, --scenario, --list\n");
        usage(stderr);
        return 2;
    }
    const test_def_t *one = NULL;
    const char *name = test ? test : bench;
    if (name && strcmp(name, "all")) {
        one = find_test(name);
        if (!one || one->bench != (bench != NULL)) {
            fprintf(stderr, "iommu-sim: no %s named '%s' (see --list)\n",
                    bench ? "benchmark" : "test", name);
            return 2;
        }
    }
    if (scn) {   /* a readable file before the model is built */
        FILE *f = fopen(scn, "r");
        if (!f) {
            fprintf(stderr, "%s:0: cannot open: %s\n", scn, strerror(errno));
            return 2;
        }
        fclose(f);
    }

    rng_seed(seed);
    sim_open(&mc);
    if (wave && dut_trace(wave, wave_from, wave_to)) {
        fprintf(stderr, "iommu-sim: cannot write %s\n", wave);
        sim_close();
        return 2;
    }
    tb_reset();

    int rc = 0;
    if (scn) {
        rc = scn_run(scn, &so, stdout, stderr);
        if (tb_violations()) {
            fprintf(stderr, "%s: AXI protocol violations: %u\n", scn, tb_violations());
            if (rc == 0) rc = 1;
        }
    } else if (one) {
        rc = run_one(one);
    } else {
        unsigned pass = 0, fail = 0;
        for (size_t k = 0; k < sizeof test_tables / sizeof *test_tables; k++)
            for (const test_def_t *t = test_tables[k]; t->name; t++) {
                if (t->bench != (bench != NULL)) continue;
                mem_reset_all();
                axi_slave_set_cfg(mem_s, &run_mem_cfg);
                axi_slave_set_cfg(ds_s, &run_ds_cfg);
                dev_master_set_cfg(dev, &run_dev_cfg);
                tb_reset();
                if (run_one(t)) fail++;
                else pass++;
            }
        printf("%u passed, %u failed\n", pass, fail);
        rc = fail ? 1 : 0;
    }
    if (wave) fprintf(stderr, "iommu-sim: waveform in %s\n", wave);
    sim_close();
    return rc;
}
