/*
 * test_scenario.c - host unit tests of the scenario runner (tb/scenario.c)
 * against the fake test bench (tb/host/fake_tb.c); no Verilator.
 *
 * Each test case writes a small .scn file into a private temporary directory,
 * runs it with scn_run() with both output streams captured, and checks the
 * exit status, the exact messages and what reached the fake test bench.
 * Ends with the line `N passed, M failed` (test cases); exits non-zero on any
 * failure.
 *
 *   gcc -std=c11 -Wall -Wextra -Werror -O1 -g -Itb tb/scenario.c \
 *       tb/host/fake_tb.c tb/host/test_scenario.c -o /tmp/test_scenario
 */
#define _POSIX_C_SOURCE 200809L

#include "scenario.h"
#include "tb.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the fake's controls (fake_tb.c) -------------------------------------- */

extern uint32_t fake_wsi;
extern unsigned fake_resets, fake_reg_reads, fake_reg_writes, fake_dmas;
extern tb_dma_t fake_last_dma;
extern uint64_t fake_last_dma_timeout;
void fake_tb_init(void);
void fake_schedule_store(uint64_t at, uint64_t addr, unsigned size, uint64_t val);
void fake_schedule_wsi(uint64_t at, uint32_t val);
bool fake_mem_is_error(uint64_t addr);

/* ---- a tiny test harness -------------------------------------------------- */

static const char *g_case;            /* current test case */
static bool g_case_failed;
static char *g_out, *g_err;           /* captured streams of the last run */
static int g_rc;                      /* exit status of the last run */

static void check(bool ok, const char *what, int line)
{
    if (ok)
        return;
    if (!g_case_failed)
        printf("FAIL %s\n", g_case);
    g_case_failed = true;
    printf("  test_scenario.c:%d: %s\n", line, what);
    printf("  --- rc %d, out:\n%s  --- err:\n%s  ---\n", g_rc, g_out != NULL ? g_out : "",
           g_err != NULL ? g_err : "");
}

#define CHECK(cond)       check((cond), #cond, __LINE__)
#define CHECK_RC(n)       check(g_rc == (n), "exit status " #n, __LINE__)
#define CHECK_OUT(s)      check(strstr(g_out, (s)) != NULL, "out contains: " s, __LINE__)
#define CHECK_NOT_OUT(s)  check(strstr(g_out, (s)) == NULL, "out lacks: " s, __LINE__)
#define CHECK_ERR(s)      check(strstr(g_err, (s)) != NULL, "err contains: " s, __LINE__)
#define CHECK_OUT_IS(s)   check(strcmp(g_out, (s)) == 0, "out is exactly: " s, __LINE__)
#define CHECK_LAST(s)     check(last_line_is(g_out, (s)), "last line of out: " s, __LINE__)

static char *slurp(FILE *f)
{
    long n;
    char *s;
    fflush(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    s = malloc((size_t)n + 1u);
    if (s == NULL)
        abort();
    n = (long)fread(s, 1, (size_t)n, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void write_file(const char *name, const char *text, size_t len)
{
    FILE *f = fopen(name, "wb");
    if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(name);
        exit(3);
    }
}

/* Runs scn_run on `name` (already written); captures both streams. */
static int run_file(const char *name, bool keep_going, bool quiet)
{
    scn_opts_t opts = { keep_going, quiet };
    FILE *o = tmpfile(), *e = tmpfile();
    if (o == NULL || e == NULL) {
        perror("tmpfile");
        exit(3);
    }
    free(g_out);
    free(g_err);
    g_rc = scn_run(name, &opts, o, e);
    g_out = slurp(o);
    g_err = slurp(e);
    return g_rc;
}

static int run_bytes(const char *text, size_t len, bool keep_going, bool quiet)
{
    write_file("t.scn", text, len);
    return run_file("t.scn", keep_going, quiet);
}

#define RUN(text)       run_bytes((text), strlen(text), false, false)
#define RUN_KEEP(text)  run_bytes((text), strlen(text), true, false)
#define RUN_QUIET(text) run_bytes((text), strlen(text), false, true)
#define RUN_BIN(text)   run_bytes((text), sizeof(text) - 1u, false, false)

static bool last_line_is(const char *out, const char *line)
{
    size_t n = strlen(out), l = strlen(line);
    if (n < l + 1u || out[n - 1u] != '\n' || memcmp(out + n - 1u - l, line, l) != 0)
        return false;
    return n == l + 1u || out[n - 2u - l] == '\n';
}

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;
    size_t l = strlen(needle);
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + l, needle))
        n++;
    return n;
}

/* A malformed script: exit 2, the message on err, nothing on out, nothing run. */
#define MALFORMED(text, msg) do {                                              \
        fake_tb_init();                                                        \
        RUN(text);                                                             \
        CHECK_RC(2);                                                           \
        CHECK_ERR(msg);                                                        \
        CHECK_OUT_IS("");                                                      \
        check(fake_reg_reads + fake_reg_writes + fake_dmas + fake_resets == 0  \
              && tb_now() == 0, "nothing ran", __LINE__);                      \
    } while (0)

/* ---- the fake itself ------------------------------------------------------- */

static void test_fake(void)
{
    uint64_t v = 0;
    unsigned resp = 9;
    tb_dma_t d = { 0 };
    tb_dma_result_t r;

    CHECK(tb_reg_write(0x10, 4, 0x21, &resp) == 0 && resp == AXI_OKAY);
    for (int i = 0; i < 3; i++)
        CHECK(tb_reg_read(0x10, 4, &v, &resp) == 0 && resp == AXI_OKAY && v == 0x31);
    CHECK(tb_reg_read(0x10, 8, &v, &resp) == 0 && v == 0x21);
    CHECK(tb_reg_read(0x0c, 8, &v, &resp) == 0 && v == UINT64_C(0x21) << 32);
    CHECK(tb_reg_read(0x12, 4, &v, &resp) == 0 && resp == AXI_SLVERR);
    CHECK(tb_reg_write(0x13, 4, 1, &resp) == 0 && resp == AXI_SLVERR);
    CHECK(tb_reg_read(0x2000, 4, &v, &resp) == 0 && resp == AXI_DECERR);
    CHECK(tb_reg_read(0x10000000, 4, &v, &resp) == -1);
    CHECK(tb_now() > 10000);

    tb_mem_store(0x100, 4, 0x11223344);
    CHECK(tb_mem_load(0x100, 8) == 0x11223344);
    tb_mem_fill(0x102, 1, 0xee);
    CHECK(tb_mem_load(0x100, 4) == 0x11ee3344);
    CHECK(tb_mem_load(UINT64_MAX - 7u, 8) == 0);
    tb_mem_error(0x100, 8, true);
    CHECK(fake_mem_is_error(0x107) && !fake_mem_is_error(0x108));
    tb_mem_error(0x104, 4, false);
    CHECK(fake_mem_is_error(0x103) && !fake_mem_is_error(0x104));

    d.dev = 1;
    d.iova = 0x200;
    d.size = 8;
    d.beats = 1;
    CHECK(tb_dma(&d, &r, 100) == 0 && r.done && r.resp == AXI_OKAY && r.rdata == 0);
    d.iova = 0x100;
    CHECK(tb_dma(&d, &r, 100) == 0 && r.resp == AXI_SLVERR);
    d.iova = UINT64_C(1) << 48;
    CHECK(tb_dma(&d, &r, 100) == 0 && r.resp == AXI_SLVERR);
    d.dev = 999;
    v = tb_now();
    CHECK(tb_dma(&d, &r, 100) == -1 && !r.done && tb_now() - v == 100);
    fake_wsi = 3;
    CHECK(tb_wsi() == 3);
}

/* ---- every command ----------------------------------------------------------- */

static void test_spec_example(void)
{
    RUN("# Bare mode: DMA passes through untranslated\n"
        "write64 0x10 0x1                 # ddtp.iommu_mode = Bare\n"
        "poll64  0x10 0x0 0x10            # wait until ddtp.busy = 0\n"
        "mem.write64 0x8000_1000 0xfeed\n"
        "dma.read 7 0x8000_1000 8 ok=0xfeed\n"
        "dma.write 7 0x8000_2000 8 0xbeef ok\n"
        "mem.check64 0x8000_2000 0xbeef\n"
        "# Off mode: every DMA is refused (the fake refuses IOVAs >= 2^48)\n"
        "write64 0x10 0x0\n"
        "dma.read 7 0x1_0000_0000_0000 8 fault\n");
    CHECK_RC(0);
    CHECK_OUT("t.scn:2: write64 off=0x10 data=0x1: OKAY\n");
    CHECK_OUT("t.scn:9: write64 off=0x10 data=0x0: OKAY\n");
    CHECK_LAST("t.scn: 5 passed, 0 failed");
    CHECK(tb_mem_load(0x80002000, 8) == 0xbeef);
    CHECK(fake_dmas == 3);
}

static void test_reset(void)
{
    RUN("write32 0x20 5\n"
        "mem.write32 0x100 7\n"
        "reset\n"
        "read32 0x20 0\n"
        "mem.check32 0x100 7   # memory is kept\n");
    CHECK_RC(0);
    CHECK(fake_resets == 1);
    CHECK_LAST("t.scn: 2 passed, 0 failed");
}

static void test_cycles(void)
{
    RUN("cycles 1000\ncycles 0x10\ncycles 1_000\ncycles 0\n");
    CHECK_RC(0);
    CHECK(tb_now() == 2016);
    CHECK_OUT_IS("t.scn: 0 passed, 0 failed\n");
}

static void test_write_read(void)
{
    RUN("write32 0x20 0x12345678\n"
        "read32 0x20 0x12345678\n"
        "write64 0x28 0x1122334455667788\n"
        "read64 0x28 0x1122334455667788\n"
        "read32 0x2c 0x11223344\n"
        "read32 0x20 0x5678 0xffff\n"
        "read64 0x28 0x88 0xff\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 5 passed, 0 failed");
    CHECK(fake_reg_writes == 2 && fake_reg_reads == 5);
}

static void test_read_outcome_printed(void)
{
    RUN("write32 0x20 7\nread32 0x20\nread64 0x20\n");
    CHECK_RC(0);
    CHECK_OUT("t.scn:1: write32 off=0x20 data=0x7: OKAY\n");
    CHECK_OUT("t.scn:2: read32 off=0x20: OKAY data=0x7\n");
    CHECK_OUT("t.scn:3: read64 off=0x20: OKAY data=0x7\n");
    CHECK_LAST("t.scn: 0 passed, 0 failed");
}

static void test_read_failures(void)
{
    RUN_KEEP("write32 0x20 0x4\n"
             "read32 0x20 0x10 0x10\n"
             "read32 0x20 5\n"
             "read64 0x3 1\n"
             "read32 0x2000 1\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:2: read32: expected 0x10 (mask 0x10), got 0x4\n");
    CHECK_OUT("t.scn:3: read32: expected 0x5, got 0x4\n");
    CHECK_OUT("t.scn:4: read64: expected 0x1, got SLVERR\n");
    CHECK_OUT("t.scn:5: read32: expected 0x1, got DECERR\n");
    CHECK_LAST("t.scn: 0 passed, 4 failed");
}

static void test_resp_option(void)
{
    RUN_KEEP("write32 0x3 1 resp=slverr\n"
             "write64 0x22 1 resp=okay\n"
             "read32 0x3 resp=slverr\n"
             "read32 0x20 resp=slverr\n"
             "write32 0x20 9 resp=okay\n"
             "read32 0x20 9 resp=okay\n"
             "read32 0x20 8 resp=okay\n"
             "write32 0x2000 1 resp=decerr\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:2: write64: expected OKAY, got SLVERR\n");
    CHECK_OUT("t.scn:4: read32: expected SLVERR, got OKAY\n");
    CHECK_OUT("t.scn:7: read32: expected 0x8, got 0x9\n");
    CHECK(count(g_out, ": expected ") == 3);
    CHECK_LAST("t.scn: 5 passed, 3 failed");
}

static void test_slverr_write_is_a_note(void)
{
    RUN("write32 0x3 1\nread32 0x5\n");
    CHECK_RC(0);
    CHECK_OUT("t.scn:1: write32 off=0x3 data=0x1: SLVERR (not checked)\n");
    CHECK_OUT("t.scn:2: read32 off=0x5: SLVERR (not checked)\n");
    CHECK_LAST("t.scn: 0 passed, 0 failed");
    RUN_QUIET("write32 0x3 1\nread32 0x5\n");
    CHECK_RC(0);
    CHECK_OUT_IS("t.scn: 0 passed, 0 failed\n");
}

static void test_register_no_response(void)
{
    RUN_KEEP("read32 0x1000_0000 1\n"
             "write32 0x1000_0000 1\n"
             "read64 0x1000_0000\n"
             "print32 0x1000_0000\n"
             "poll32 0x1000_0000 0 1\n"
             "write32 0x1000_0000 1 resp=okay\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:1: read32: expected 0x1, got no response\n");
    CHECK_OUT("t.scn:2: write32: expected a response, got no response\n");
    CHECK_OUT("t.scn:3: read64: expected a response, got no response\n");
    CHECK_OUT("t.scn:4: print32: expected a response, got no response\n");
    CHECK_OUT("t.scn:5: poll32: expected 0x0 (mask 0x1), got no response\n");
    CHECK_OUT("t.scn:6: write32: expected OKAY, got no response\n");
    CHECK_LAST("t.scn: 0 passed, 6 failed");
}

static void test_poll_register(void)
{
    RUN("write32 0x10 0\npoll32 0x10 0 0x10\n");
    CHECK_RC(0);
    CHECK(fake_reg_reads == 4);       /* busy for 3 reads */
    CHECK_LAST("t.scn: 1 passed, 0 failed");

    fake_tb_init();
    RUN("write64 0x10 0\npoll64 0x10 0x10 0x10\n");
    CHECK_RC(0);
    CHECK(fake_reg_reads == 1);

    fake_tb_init();
    RUN("write32 0x20 1\npoll32 0x20 1 1 timeout=0\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 1 passed, 0 failed");
}

static void test_poll_register_timeout(void)
{
    RUN("write64 0x20 0x10\npoll64 0x20 0x0 0x10\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:2: poll64: expected 0x0 (mask 0x10), got 0x10 after 100000 cycles\n");
    CHECK_LAST("t.scn: 0 passed, 1 failed");
    CHECK(tb_now() > 100000 && tb_now() < 100010);

    fake_tb_init();
    RUN("write32 0x20 1\npoll32 0x20 0x0 0x1 timeout=50\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:2: poll32: expected 0x0 (mask 0x1), got 0x1 after 50 cycles\n");
    CHECK(tb_now() > 50 && tb_now() < 60);

    fake_tb_init();
    RUN("poll32 0x3 0 0\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:1: poll32: expected 0x0 (mask 0x0), got SLVERR\n");
}

static void test_mem_write_check(void)
{
    RUN("mem.write32 0x1000 0x11223344\n"
        "mem.check8 0x1000 0x44\n"
        "mem.check8 0x1003 0x11\n"
        "mem.check16 0x1002 0x1122\n"
        "mem.check64 0x1000 0x11223344\n"
        "mem.write8 0x1004 0xaa\n"
        "mem.write16 0x1006 0xbbcc\n"
        "mem.check64 0x1000 0xbbcc00aa_11223344\n"
        "mem.write64 0x2000 0xffff_ffff_ffff_ffff\n"
        "mem.check32 0x2004 0xffffffff\n"
        "mem.check16 0x2000 0x00f0 0x00f0\n"
        "mem.check32 0x3000 0\n"
        "mem.check64 0xffff_ffff_ffff_fff8 0\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 9 passed, 0 failed");
    CHECK(tb_now() == 0);
    CHECK(tb_mem_load(0x1000, 8) == UINT64_C(0xbbcc00aa11223344));

    fake_tb_init();
    RUN_KEEP("mem.write32 0x1000 0x11223344\n"
             "mem.check32 0x1000 1\n"
             "mem.check16 0x1000 0x1 0xf\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:2: mem.check32: expected 0x1, got 0x11223344\n");
    CHECK_OUT("t.scn:3: mem.check16: expected 0x1 (mask 0xf), got 0x3344\n");
    CHECK_LAST("t.scn: 0 passed, 2 failed");
}

static void test_mem_poll(void)
{
    fake_schedule_store(500, 0x2000, 4, 7);
    RUN("mem.poll32 0x2000 7 0xff\n"
        "mem.poll8 0x2000 7 0xff\n"
        "mem.poll16 0x2000 7 0xff\n"
        "mem.poll64 0x2000 7 0xffffffffffffffff\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 4 passed, 0 failed");
    CHECK(tb_now() == 500);

    fake_tb_init();
    RUN("mem.poll16 0x3000 1 1 timeout=20\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:1: mem.poll16: expected 0x1 (mask 0x1), got 0x0 after 20 cycles\n");
    CHECK(tb_now() == 21);

    fake_tb_init();
    RUN("mem.poll64 0x3000 1 1\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:1: mem.poll64: expected 0x1 (mask 0x1), got 0x0 after 100000 cycles\n");
    CHECK(tb_now() == 100001);
}

static void test_mem_fill(void)
{
    RUN("mem.fill 0x4001 3 0xab\n"
        "mem.check32 0x4000 0xababab00\n"
        "mem.fill 0 0 0xff\n"
        "mem.check8 0 0\n"
        "mem.fill 0xffff_ffff_ffff_fff0 16 0x5a\n"
        "mem.check64 0xffff_ffff_ffff_fff8 0x5a5a5a5a5a5a5a5a\n"
        "mem.fill 0x1_0000_0000 0x1_0000_0000_0000 255\n"
        "mem.check64 0x1_8000_0000 0xffffffffffffffff\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 4 passed, 0 failed");
}

static void test_print(void)
{
    const char *text = "write32 0x20 5\nprint32 0x20\nprint64 0x20\nprint32 0x3\n";
    RUN(text);
    CHECK_RC(0);
    CHECK_OUT("\n0x20 = 0x00000005\n0x20 = 0x0000000000000005\n0x3 = 0x00000000 (SLVERR)\n");
    CHECK_LAST("t.scn: 0 passed, 0 failed");
    RUN_QUIET(text);
    CHECK_RC(0);
    CHECK_OUT_IS("0x20 = 0x00000005\n0x20 = 0x0000000000000005\n0x3 = 0x00000000 (SLVERR)\n"
                 "t.scn: 0 passed, 0 failed\n");
}

static void test_mem_error_ok(void)
{
    RUN("mem.error 0x5000 0x100\n");
    CHECK_RC(0);
    CHECK(fake_mem_is_error(0x5000) && fake_mem_is_error(0x50ff));
    CHECK(!fake_mem_is_error(0x4fff) && !fake_mem_is_error(0x5100));

    fake_tb_init();
    RUN("mem.write64 0x5008 0x77\n"
        "mem.error 0x5000 0x100\n"
        "dma.read 1 0x5008 8 fault\n"
        "mem.ok 0x5000 0x100\n"
        "dma.read 1 0x5008 8 ok=0x77\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 2 passed, 0 failed");
    CHECK(!fake_mem_is_error(0x5000));
}

static void test_dma_outcome_printed(void)
{
    RUN("mem.write64 0x8000_1000 0xfeed\n"
        "dma.read 7 0x8000_1000 8\n"
        "dma.write 7 0x8000_2000 4 0x1234_5678_9abc\n"
        "dma.read 7 0x1_0000_0000_0000 8\n"
        "dma.write 998 0x1000 8 0\n");
    CHECK_RC(0);
    CHECK_OUT("t.scn:2: dma.read dev=7 iova=0x80001000: OKAY data=0xfeed\n");
    CHECK_OUT("t.scn:3: dma.write dev=7 iova=0x80002000: OKAY\n");
    CHECK_OUT("t.scn:4: dma.read dev=7 iova=0x1000000000000: SLVERR\n");
    CHECK_OUT("t.scn:5: dma.write dev=998 iova=0x1000: DECERR\n");
    CHECK_LAST("t.scn: 0 passed, 0 failed");
    CHECK(tb_mem_load(0x80002000, 8) == 0x56789abc);
    CHECK(fake_last_dma_timeout == 100000);
}

static void test_dma_request_fields(void)
{
    RUN("dma.read 5 0x1000 4 pid=0x12345 priv exec id=3 beats=4 ok\n");
    CHECK_RC(0);
    CHECK(fake_last_dma.dev == 5 && fake_last_dma.iova == 0x1000 && fake_last_dma.size == 4);
    CHECK(fake_last_dma.beats == 4 && !fake_last_dma.write);
    CHECK(fake_last_dma.pv && fake_last_dma.pid == 0x12345);
    CHECK(fake_last_dma.priv && fake_last_dma.exec && fake_last_dma.id == 3);

    RUN("dma.write 6 0x2000 2 0xabcd ok\n");
    CHECK_RC(0);
    CHECK(fake_last_dma.dev == 6 && fake_last_dma.write && fake_last_dma.size == 2);
    CHECK(fake_last_dma.data == 0xabcd && fake_last_dma.beats == 1);
    CHECK(!fake_last_dma.pv && fake_last_dma.pid == 0 && !fake_last_dma.priv);
    CHECK(!fake_last_dma.exec && fake_last_dma.id == 0);

    /* options and the expectation in any order; limits accepted */
    RUN("dma.read 0xffff_ffff 0x1000 8 beats=256 ok id=0xffffffff pid=0xfffff\n");
    CHECK_RC(0);
    CHECK(fake_last_dma.dev == 0xffffffffu && fake_last_dma.beats == 256);
    CHECK(fake_last_dma.id == 0xffffffffu && fake_last_dma.pid == 0xfffff);
    RUN("dma.read 1 0x1000 1 priv\tfault=\t# fault= is not an expectation\n");
    CHECK_RC(2);
    CHECK_ERR("t.scn:1: dma.read: option 'fault' takes no value, got 'fault='\n");
}

static void test_dma_burst_and_values(void)
{
    RUN("dma.write 1 0x3000 4 0x11223344_55667788 beats=2 ok\n"
        "mem.check64 0x3000 0x55667788_55667788\n"
        "mem.check32 0x3008 0\n"
        "mem.write32 0x4000 1\n"
        "mem.write32 0x4004 2\n"
        "dma.read 1 0x4000 4 beats=2 ok=1\n"
        "mem.write8 0x10 0x22\n"
        "dma.read 1 0x10 1 ok=0x1122    # compares the low SIZE bytes\n"
        "dma.write 1 0x20 8 0x5 ok=0x7  # a write checks the response only\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 6 passed, 0 failed");
    CHECK(fake_last_dma.data == 0x5);
}

static void test_dma_failures(void)
{
    RUN_KEEP("mem.write64 0x8000_1000 0xbeef\n"
             "dma.read 7 0x8000_1000 8 ok=0xfeed\n"
             "dma.read 7 0x1_0000_0000_0000 8 ok=0xfeed\n"
             "dma.read 999 0x1000 8 ok\n"
             "dma.read 7 0x8000_1000 8 fault\n"
             "dma.write 7 0x1000 8 0 fault\n"
             "dma.read 997 0x1000 8 ok\n"
             "dma.write 999 0x1000 8 0\n"
             "dma.write 998 0x1000 8 0 ok=0x5\n"
             "dma.read 998 0x1000 8 fault\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:2: dma.read: expected ok=0xfeed, got ok=0xbeef\n");
    CHECK_OUT("t.scn:3: dma.read: expected ok=0xfeed, got fault (SLVERR)\n");
    CHECK_OUT("t.scn:4: dma.read: expected ok, got no response\n");
    CHECK_OUT("t.scn:5: dma.read: expected fault, got ok=0xbeef\n");
    CHECK_OUT("t.scn:6: dma.write: expected fault, got ok\n");
    CHECK_OUT("t.scn:7: dma.read: expected ok, got EXOKAY\n");
    CHECK_OUT("t.scn:8: dma.write: expected a response, got no response\n");
    CHECK_OUT("t.scn:9: dma.write: expected ok=0x5, got fault (DECERR)\n");
    CHECK_LAST("t.scn: 1 passed, 8 failed");
}

static void test_wsi(void)
{
    fake_wsi = 5;
    RUN_KEEP("wsi 5\nwsi 4 4\nwsi 0x5 0xffffffff\nwsi 2 2\nwsi 0\n");
    CHECK_RC(1);
    CHECK_OUT("t.scn:4: wsi: expected 0x2 (mask 0x2), got 0x5\n");
    CHECK_OUT("t.scn:5: wsi: expected 0x0, got 0x5\n");
    CHECK_LAST("t.scn: 3 passed, 2 failed");
}

static void test_wsi_poll(void)
{
    fake_schedule_wsi(300, 0x8);
    RUN("wsi.poll 0x8 0x8\nwsi.poll 0x2 0x2 timeout=10\n");
    CHECK_RC(1);
    CHECK(tb_now() == 311);
    CHECK_OUT("t.scn:2: wsi.poll: expected 0x2 (mask 0x2), got 0x8 after 10 cycles\n");
    CHECK_LAST("t.scn: 1 passed, 1 failed");
}

/* ---- lexical rules --------------------------------------------------------- */

static void test_numbers(void)
{
    RUN("write64 0x20 18446744073709551615\n"
        "read64 0x20 0xffff_ffff_ffff_ffff\n"
        "write64 0x20 0X1234_ABCD_ef\n"
        "read64 0x20 0x12_34ab_cdef\n"
        "write32 32 4_096\n"
        "read32 0x20 4096\n"
        "read32 0x0020 0x1000\n"
        "read32 0x20 0x0000_0000_0000_0000_0000_1000  # leading zeros are fine\n"
        "mem.write64 0x0 0xffffffffffffffff\n"
        "mem.check64 0 18_446_744_073_709_551_615\n"
        "cycles 007\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 6 passed, 0 failed");
    CHECK(tb_now() >= 7);
}

static void test_comments_blank_crlf_tabs(void)
{
    RUN("# header\n"
        "\n"
        "   \n"
        "\t\n"
        "write32 0x20 5 # set\r\n"
        "\tread32\t0x20\t5\t# tab separated\r\n"
        "read32 0x20 5#no space\n"
        "  # indented comment ## with # more\n"
        "read32 0x20 6\n"
        "\r\n"
        "read32 0x20 5");             /* no final newline */
    CHECK_RC(1);
    CHECK_OUT("t.scn:9: read32: expected 0x6, got 0x5\n");
    CHECK_LAST("t.scn: 2 passed, 1 failed");

    fake_tb_init();
    RUN_KEEP("read32 0x20 6\r\n\r\n\r\nread32 0x20 7\r\n");
    CHECK_OUT("t.scn:1: read32: expected 0x6, got 0x0\n");
    CHECK_OUT("t.scn:4: read32: expected 0x7, got 0x0\n");

    fake_tb_init();
    RUN_BIN("read32 0x20 0 # \0\x01\xff\x7f junk \r in a comment\n# caf\xc3\xa9\n");
    CHECK_RC(0);
    CHECK_LAST("t.scn: 1 passed, 0 failed");

    RUN("");
    CHECK_RC(0);
    CHECK_OUT_IS("t.scn: 0 passed, 0 failed\n");
    RUN("# nothing but a comment\n\n");
    CHECK_RC(0);
    CHECK_OUT_IS("t.scn: 0 passed, 0 failed\n");
}

static void test_keep_going(void)
{
    const char *text = "write32 0x20 1\n"
                       "read32 0x20 2\n"
                       "read32 0x20 1\n"
                       "read32 0x20 3\n"
                       "dma.read 999 0 8 ok\n"
                       "write32 0x24 9\n"
                       "read32 0x24 9\n";
    RUN_KEEP(text);
    CHECK_RC(1);
    CHECK_OUT("t.scn:2: read32: expected 0x2, got 0x1\n");
    CHECK_OUT("t.scn:4: read32: expected 0x3, got 0x1\n");
    CHECK_OUT("t.scn:5: dma.read: expected ok, got no response\n");
    CHECK(strstr(g_out, "t.scn:2:") < strstr(g_out, "t.scn:4:"));
    CHECK_LAST("t.scn: 2 passed, 3 failed");

    fake_tb_init();
    RUN(text);
    CHECK_RC(1);
    CHECK_OUT("t.scn:2: read32: expected 0x2, got 0x1\n");
    CHECK_NOT_OUT("t.scn:4:");
    CHECK_LAST("t.scn: 0 passed, 1 failed");
    CHECK(fake_reg_writes == 1 && fake_reg_reads == 1 && fake_dmas == 0);
}

static void test_quiet(void)
{
    RUN_QUIET("write32 0x20 1\nread32 0x20\ndma.read 7 0x0 8\nread32 0x20 2\n");
    CHECK_RC(1);
    CHECK_OUT_IS("t.scn:4: read32: expected 0x2, got 0x1\nt.scn: 0 passed, 1 failed\n");
}

static void test_path_as_given(void)
{
    if (mkdir("sub", 0700) != 0) {
        check(false, "mkdir sub", __LINE__);
        return;
    }
    write_file("sub/x.scn", "read32 0x20 1\n", 14);
    run_file("./sub/x.scn", false, false);
    CHECK_RC(1);
    CHECK_OUT_IS("./sub/x.scn:1: read32: expected 0x1, got 0x0\n./sub/x.scn: 0 passed, 1 failed\n");
    remove("sub/x.scn");
    rmdir("sub");

    fake_tb_init();
    write_file("t.scn", "wsi 0\n", 6);
    free(g_out);
    free(g_err);
    {
        FILE *o = tmpfile(), *e = tmpfile();
        g_rc = scn_run("t.scn", NULL, o, e);      /* default options */
        g_out = slurp(o);
        g_err = slurp(e);
    }
    CHECK_RC(0);
    CHECK_OUT_IS("t.scn: 1 passed, 0 failed\n");
}

/* ---- malformed scripts ----------------------------------------------------- */

static void test_bad_unknown_command(void)
{
    MALFORMED("READ32 0x10\n", "t.scn:1: unknown command 'READ32'\n");
    MALFORMED("\n\nfrobnicate\n", "t.scn:3: unknown command 'frobnicate'\n");
    MALFORMED("mem.write 0 0\n", "t.scn:1: unknown command 'mem.write'\n");
    MALFORMED("dma.read7 0 8\n", "t.scn:1: unknown command 'dma.read7'\n");
    MALFORMED("0x10\n", "t.scn:1: unknown command '0x10'\n");
    MALFORMED("ok\n", "t.scn:1: unknown command 'ok'\n");
}

static void test_bad_missing_argument(void)
{
    MALFORMED("read32\n", "t.scn:1: read32: missing argument OFF\n");
    MALFORMED("poll32 0x10 0\n", "t.scn:1: poll32: missing argument MASK\n");
    MALFORMED("poll64 0x10 0 timeout=5\n", "t.scn:1: poll64: missing argument MASK\n");
    MALFORMED("dma.write 1 0x1000 8 ok\n", "t.scn:1: dma.write: missing argument DATA\n");
    MALFORMED("dma.read 1 0x1000\n", "t.scn:1: dma.read: missing argument SIZE\n");
    MALFORMED("cycles\n", "t.scn:1: cycles: missing argument N\n");
    MALFORMED("mem.fill 0 1\n", "t.scn:1: mem.fill: missing argument BYTE\n");
    MALFORMED("wsi.poll 1\n", "t.scn:1: wsi.poll: missing argument MASK\n");
    MALFORMED("wsi\n", "t.scn:1: wsi: missing argument VALUE\n");
    MALFORMED("mem.check8 0\n", "t.scn:1: mem.check8: missing argument VALUE\n");
    MALFORMED("mem.poll8 0 1\n", "t.scn:1: mem.poll8: missing argument MASK\n");
    MALFORMED("mem.error 0\n", "t.scn:1: mem.error: missing argument LEN\n");
    MALFORMED("mem.ok\n", "t.scn:1: mem.ok: missing argument ADDR\n");
    MALFORMED("write64 0x10\n", "t.scn:1: write64: missing argument VALUE\n");
    MALFORMED("print64 # OFF is in the comment 0x10\n", "t.scn:1: print64: missing argument OFF\n");
    MALFORMED("mem.write16 0x10\n", "t.scn:1: mem.write16: missing argument VALUE\n");
}

static void test_bad_extra_argument(void)
{
    MALFORMED("reset 1\n", "t.scn:1: reset: extra argument '1'\n");
    MALFORMED("read32 0x10 1 2 3\n", "t.scn:1: read32: extra argument '3'\n");
    MALFORMED("write32 0x10 1 2\n", "t.scn:1: write32: extra argument '2'\n");
    MALFORMED("dma.read 1 0 8 5\n", "t.scn:1: dma.read: extra argument '5'\n");
    MALFORMED("print32 0x10 0x1\n", "t.scn:1: print32: extra argument '0x1'\n");
    MALFORMED("cycles 1 2\n", "t.scn:1: cycles: extra argument '2'\n");
    MALFORMED("wsi 1 2 3\n", "t.scn:1: wsi: extra argument '3'\n");
    MALFORMED("dma.read 1 0 8 PRIV\n", "t.scn:1: dma.read: extra argument 'PRIV'\n");
    MALFORMED("read32 0x10 resp=okay 5\n", "t.scn:1: read32: argument '5' after the options\n");
}

static void test_bad_number(void)
{
    MALFORMED("read32 0x1g\n", "t.scn:1: read32: bad number '0x1g' for OFF\n");
    MALFORMED("cycles -5\n", "t.scn:1: cycles: bad number '-5' for N\n");
    MALFORMED("write32 0x10 0x\n", "t.scn:1: write32: bad number '0x' for VALUE\n");
    MALFORMED("write32 0x10 _1\n", "t.scn:1: write32: bad number '_1' for VALUE\n");
    MALFORMED("write32 0x10 1_\n", "t.scn:1: write32: bad number '1_' for VALUE\n");
    MALFORMED("write32 0x10 1__0\n", "t.scn:1: write32: bad number '1__0' for VALUE\n");
    MALFORMED("write32 0x10 0x_10\n", "t.scn:1: write32: bad number '0x_10' for VALUE\n");
    MALFORMED("write32 0x10 1.5\n", "t.scn:1: write32: bad number '1.5' for VALUE\n");
    MALFORMED("write32 0x10 0b101\n", "t.scn:1: write32: bad number '0b101' for VALUE\n");
    MALFORMED("write32 0x10 12a\n", "t.scn:1: write32: bad number '12a' for VALUE\n");
    MALFORMED("read32 0x10 foo\n", "t.scn:1: read32: bad number 'foo' for VALUE\n");
    MALFORMED("poll32 0x10 0 1 timeout=abc\n", "t.scn:1: poll32: bad number 'abc' for timeout\n");
    MALFORMED("dma.read 1 0 8 ok=\n", "t.scn:1: dma.read: bad number '' for ok\n");
    MALFORMED("dma.read 1 0 8 pid=-1\n", "t.scn:1: dma.read: bad number '-1' for pid\n");
    MALFORMED("dma.read 1 0 8 beats=x\n", "t.scn:1: dma.read: bad number 'x' for beats\n");
    MALFORMED("dma.read 1 0 8 id=1k\n", "t.scn:1: dma.read: bad number '1k' for id\n");
}

static void test_bad_overflow(void)
{
    MALFORMED("write64 0x10 0x1_0000_0000_0000_0000\n",
              "t.scn:1: write64: number '0x1_0000_0000_0000_0000' for VALUE does not fit in 64 bits\n");
    MALFORMED("cycles 18446744073709551616\n",
              "t.scn:1: cycles: number '18446744073709551616' for N does not fit in 64 bits\n");
    MALFORMED("poll32 0x10 0 1 timeout=0x10000000000000000\n",
              "t.scn:1: poll32: number '0x10000000000000000' for timeout does not fit in 64 bits\n");
    MALFORMED("mem.check64 0 99999999999999999999999\n",
              "t.scn:1: mem.check64: number '99999999999999999999999' for VALUE does not fit in 64 bits\n");
    /* a bad digit wins over the overflow */
    MALFORMED("cycles 99999999999999999999999z\n",
              "t.scn:1: cycles: bad number '99999999999999999999999z' for N\n");
}

static void test_bad_option(void)
{
    MALFORMED("dma.read 1 0 8 foo=1\n", "t.scn:1: dma.read: unknown option 'foo=1'\n");
    MALFORMED("dma.read 1 0 8 =1\n", "t.scn:1: dma.read: unknown option '=1'\n");
    MALFORMED("read32 0x10 timeout=5\n", "t.scn:1: read32: unknown option 'timeout=5'\n");
    MALFORMED("poll32 0x10 0 1 pid=1\n", "t.scn:1: poll32: unknown option 'pid=1'\n");
    MALFORMED("reset priv\n", "t.scn:1: reset: unknown option 'priv'\n");
    MALFORMED("mem.check8 0 0 ok\n", "t.scn:1: mem.check8: unknown option 'ok'\n");
    MALFORMED("poll32 0x10 0 1 TIMEOUT=5\n", "t.scn:1: poll32: unknown option 'TIMEOUT=5'\n");
    MALFORMED("dma.read 1 0 8 priv=1\n",
              "t.scn:1: dma.read: option 'priv' takes no value, got 'priv=1'\n");
    MALFORMED("dma.read 1 0 8 pid\n", "t.scn:1: dma.read: option 'pid' needs a value (pid=...)\n");
    MALFORMED("poll32 0x10 0 1 timeout\n",
              "t.scn:1: poll32: option 'timeout' needs a value (timeout=...)\n");
    MALFORMED("read32 0x10 resp=maybe\n",
              "t.scn:1: read32: resp must be okay, slverr or decerr, got 'maybe'\n");
    MALFORMED("write32 0x10 0 resp=OKAY\n",
              "t.scn:1: write32: resp must be okay, slverr or decerr, got 'OKAY'\n");
    MALFORMED("dma.read 1 0 8 pid=1 pid=2\n", "t.scn:1: dma.read: option 'pid' given twice\n");
    MALFORMED("dma.read 1 0 8 priv priv\n", "t.scn:1: dma.read: option 'priv' given twice\n");
    MALFORMED("poll32 0 0 0 timeout=1 timeout=1\n", "t.scn:1: poll32: option 'timeout' given twice\n");
}

static void test_bad_duplicated_expectation(void)
{
    MALFORMED("dma.read 1 0 8 ok fault\n",
              "t.scn:1: dma.read: more than one expectation: 'ok' and 'fault'\n");
    MALFORMED("dma.read 1 0 8 ok=1 ok\n",
              "t.scn:1: dma.read: more than one expectation: 'ok=1' and 'ok'\n");
    MALFORMED("dma.write 1 0 8 0 ok ok\n",
              "t.scn:1: dma.write: more than one expectation: 'ok' and 'ok'\n");
    MALFORMED("dma.write 1 0 8 0 fault pid=3 fault\n",
              "t.scn:1: dma.write: more than one expectation: 'fault' and 'fault'\n");
}

static void test_bad_exec_on_write(void)
{
    MALFORMED("dma.write 1 0 8 0 exec\n", "t.scn:1: dma.write: option 'exec' is only for dma.read\n");
    MALFORMED("dma.write 1 0 8 0 ok exec pid=1\n",
              "t.scn:1: dma.write: option 'exec' is only for dma.read\n");
}

static void test_bad_size_align_beats(void)
{
    MALFORMED("dma.read 1 0 3\n", "t.scn:1: dma.read: SIZE must be 1, 2, 4 or 8, got 3\n");
    MALFORMED("dma.read 1 0 16\n", "t.scn:1: dma.read: SIZE must be 1, 2, 4 or 8, got 16\n");
    MALFORMED("dma.write 1 0 0 0\n", "t.scn:1: dma.write: SIZE must be 1, 2, 4 or 8, got 0\n");
    MALFORMED("dma.read 1 0x1001 4\n", "t.scn:1: dma.read: IOVA 0x1001 is not aligned to SIZE 4\n");
    MALFORMED("dma.write 1 0x3 2 0\n", "t.scn:1: dma.write: IOVA 0x3 is not aligned to SIZE 2\n");
    MALFORMED("dma.read 1 0x4 8 ok\n", "t.scn:1: dma.read: IOVA 0x4 is not aligned to SIZE 8\n");
    MALFORMED("mem.write32 0x1002 0\n", "t.scn:1: mem.write32: ADDR 0x1002 is not aligned to 4 bytes\n");
    MALFORMED("mem.check64 0x4 0\n", "t.scn:1: mem.check64: ADDR 0x4 is not aligned to 8 bytes\n");
    MALFORMED("mem.poll16 0x1 0 0\n", "t.scn:1: mem.poll16: ADDR 0x1 is not aligned to 2 bytes\n");
    MALFORMED("mem.write64 0x8000_0004 0\n",
              "t.scn:1: mem.write64: ADDR 0x80000004 is not aligned to 8 bytes\n");
    MALFORMED("dma.read 1 0 8 beats=0\n", "t.scn:1: dma.read: beats must be 1 to 256, got 0\n");
    MALFORMED("dma.write 1 0 8 0 beats=257\n", "t.scn:1: dma.write: beats must be 1 to 256, got 257\n");
    MALFORMED("dma.read 1 0xffff_ffff_ffff_fff8 8 beats=2\n",
              "t.scn:1: dma.read: a burst of 2 beats at IOVA 0xfffffffffffffff8 runs past the end of the address space\n");
}

static void test_bad_ranges(void)
{
    MALFORMED("dma.read 1 0 8 pid=0x100000\n", "t.scn:1: dma.read: pid must fit in 20 bits, got 0x100000\n");
    MALFORMED("dma.read 1 0 8 id=0x1_0000_0000\n", "t.scn:1: dma.read: id must fit in 32 bits, got 0x100000000\n");
    MALFORMED("dma.write 0x1_0000_0000 0 8 0\n",
              "t.scn:1: dma.write: DEV must fit in 32 bits, got 0x100000000\n");
    MALFORMED("read32 0x1_0000_0000\n", "t.scn:1: read32: OFF 0x100000000 does not fit in 32 bits\n");
    MALFORMED("poll64 0x1_0000_0000 0 0\n", "t.scn:1: poll64: OFF 0x100000000 does not fit in 32 bits\n");
    MALFORMED("mem.ok 1 0xffffffffffffffff # ends exactly at 2^64\nmem.ok 1 0x1_0000_0000_0000_0000\n",
              "t.scn:2: mem.ok: number '0x1_0000_0000_0000_0000' for LEN does not fit in 64 bits\n");
    MALFORMED("mem.fill 0 1 0x100\n", "t.scn:1: mem.fill: BYTE must be 0 to 255, got 0x100\n");
    MALFORMED("mem.fill 0xffff_ffff_ffff_fff0 17 0\n",
              "t.scn:1: mem.fill: ADDR 0xfffffffffffffff0 + LEN 0x11 runs past the end of the address space\n");
    MALFORMED("mem.error 2 0xffffffffffffffff\n",
              "t.scn:1: mem.error: ADDR 0x2 + LEN 0xffffffffffffffff runs past the end of the address space\n");
}

static void test_bad_characters(void)
{
    MALFORMED("read32 0x10\x01\n", "t.scn:1: invalid character 0x01 in column 12\n");
    MALFORMED("read32 0x10\r0\n", "t.scn:1: invalid character 0x0d in column 12\n");
    MALFORMED("read32\f0x10\n", "t.scn:1: invalid character 0x0c in column 7\n");
    MALFORMED("read32 0x10 caf\xc3\xa9\n", "t.scn:1: read32: bad number 'caf\\xc3\\xa9' for VALUE\n");
    fake_tb_init();
    RUN_BIN("read32\0 0x10\n");
    CHECK_RC(2);
    CHECK_ERR("t.scn:1: invalid character 0x00 in column 7\n");
    CHECK(fake_reg_reads == 0);
}

static void test_bad_file(void)
{
    run_file("does-not-exist.scn", false, false);
    CHECK_RC(2);
    CHECK_ERR("does-not-exist.scn: cannot read: No such file or directory\n");
    CHECK_OUT_IS("");
    run_file(".", false, false);
    CHECK_RC(2);
    CHECK_ERR(".: cannot read: ");
    CHECK_OUT_IS("");
}

static void test_every_error_reported_nothing_run(void)
{
    RUN("write32 0x20 1\n"
        "READ32 0x20\n"
        "read32\n"
        "dma.read 1 0 3\n"
        "read32 0x20 1\n"
        "dma.write 1 0 8 0 exec\n"
        "cycles 100\n");
    CHECK_RC(2);
    CHECK_ERR("t.scn:2: unknown command 'READ32'\n"
              "t.scn:3: read32: missing argument OFF\n"
              "t.scn:4: dma.read: SIZE must be 1, 2, 4 or 8, got 3\n"
              "t.scn:6: dma.write: option 'exec' is only for dma.read\n"
              "t.scn: 4 malformed lines, nothing run\n");
    CHECK(count(g_err, "\n") == 5);
    CHECK_OUT_IS("");
    CHECK(fake_reg_writes == 0 && tb_now() == 0);
}

static void test_long_lines(void)
{
    size_t n = 1u << 20;
    char *text = malloc(3u * n + 64u), *p = text;

    /* a 1 MiB number, a 1 MiB comment, 300000 words on one line */
    p += sprintf(p, "cycles ");
    memset(p, '1', n);
    p += n;
    p += sprintf(p, "\nread32 0x20 0 #");
    memset(p, 'x', n);
    p += n;
    p += sprintf(p, "\nread32 0x20");
    for (unsigned i = 0; i < 300000u; i++)
        p += sprintf(p, " 0");
    p += sprintf(p, "\n");
    run_bytes(text, (size_t)(p - text), false, false);
    CHECK_RC(2);
    CHECK_ERR("t.scn:1: cycles: number '111111111111111111111111111111111111111111111111'... "
              "for N does not fit in 64 bits\n");
    CHECK_ERR("t.scn:3: read32: extra argument '0'\n");
    CHECK(strlen(g_err) < 400u);

    /* a valid line far beyond any fixed buffer */
    fake_tb_init();
    p = text;
    memset(p, ' ', n);
    p += n;
    p += sprintf(p, "read32 0x20 0");
    memset(p, '\t', n);
    p += n;
    p += sprintf(p, "# ok\n");
    run_bytes(text, (size_t)(p - text), false, false);
    CHECK_RC(0);
    CHECK_OUT_IS("t.scn: 1 passed, 0 failed\n");
    free(text);
}

static void test_binary_garbage(void)
{
    char junk[4096];
    unsigned seed = 12345;
    for (size_t i = 0; i < sizeof(junk); i++) {
        seed = seed * 1103515245u + 12345u;
        junk[i] = (char)(seed >> 16);
    }
    run_bytes(junk, sizeof(junk), false, false);
    CHECK_RC(2);
    CHECK_OUT_IS("");
    CHECK(fake_reg_reads + fake_reg_writes + fake_dmas == 0);
}

/* ---- main -------------------------------------------------------------------- */

typedef struct {
    const char *name;
    void (*fn)(void);
} test_case_t;

static const test_case_t cases[] = {
#define T(f) { #f, f }
    T(test_fake),
    T(test_spec_example),
    T(test_reset),
    T(test_cycles),
    T(test_write_read),
    T(test_read_outcome_printed),
    T(test_read_failures),
    T(test_resp_option),
    T(test_slverr_write_is_a_note),
    T(test_register_no_response),
    T(test_poll_register),
    T(test_poll_register_timeout),
    T(test_mem_write_check),
    T(test_mem_poll),
    T(test_mem_fill),
    T(test_print),
    T(test_mem_error_ok),
    T(test_dma_outcome_printed),
    T(test_dma_request_fields),
    T(test_dma_burst_and_values),
    T(test_dma_failures),
    T(test_wsi),
    T(test_wsi_poll),
    T(test_numbers),
    T(test_comments_blank_crlf_tabs),
    T(test_keep_going),
    T(test_quiet),
    T(test_path_as_given),
    T(test_bad_unknown_command),
    T(test_bad_missing_argument),
    T(test_bad_extra_argument),
    T(test_bad_number),
    T(test_bad_overflow),
    T(test_bad_option),
    T(test_bad_duplicated_expectation),
    T(test_bad_exec_on_write),
    T(test_bad_size_align_beats),
    T(test_bad_ranges),
    T(test_bad_characters),
    T(test_bad_file),
    T(test_every_error_reported_nothing_run),
    T(test_long_lines),
    T(test_binary_garbage),
#undef T
};

int main(void)
{
    char dir[] = "/tmp/test_scenario.XXXXXX";
    char *cwd = getcwd(NULL, 0);
    unsigned passed = 0, failed = 0;

    if (cwd == NULL || mkdtemp(dir) == NULL || chdir(dir) != 0) {
        perror("test_scenario: temporary directory");
        return 3;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        g_case = cases[i].name;
        g_case_failed = false;
        fake_tb_init();
        cases[i].fn();
        if (g_case_failed)
            failed++;
        else
            passed++;
    }
    fake_tb_init();
    free(g_out);
    free(g_err);
    remove("t.scn");
    if (chdir(cwd) != 0 || rmdir(dir) != 0)
        perror("test_scenario: cleaning up");
    free(cwd);
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0 ? 1 : 0;
}
