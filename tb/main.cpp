// main.cpp - the only C++ in the test bench: wraps the Verilated model of
// iommu_top behind the C functions of dut.h.  Everything else is C.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "Viommu_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include "dut.h"

extern "C" int tb_main(int argc, char **argv);

static std::unique_ptr<VerilatedContext> ctx;
static std::unique_ptr<Viommu_top> top;
static std::unique_ptr<VerilatedFstC> tfp;
static uint64_t cycle, trace_from, trace_to;
static bool stopped;

// $stop (a failed assertion) ends the test instead of aborting the process.
void vl_stop(const char *filename, int linenum, const char *hier) {
    std::fprintf(stderr, "%s:%d: simulation stopped (%s)\n", filename, linenum,
                 hier ? hier : "");
    stopped = true;
    ctx->gotFinish(true);
}

extern "C" {

bool dut_stopped(void) { return stopped || ctx->gotFinish(); }

void dut_open(void) {
    ctx.reset(new VerilatedContext);
    ctx->traceEverOn(true);
    ctx->assertOn(true);
    top.reset(new Viommu_top(ctx.get(), "TOP"));
    top->clk_i = 0;
    top->rst_ni = 0;
    top->eval();
}

void dut_close(void) {
    if (tfp) tfp->close();
    tfp.reset();
    if (top) top->final();
    top.reset();
    ctx.reset();
}

void dut_cfg(dut_cfg_t *c) {
    c->id_w = TB_ID_W;
    c->iova_w = 64;
    c->pa_w = TB_PA_W;
    c->data_w = 64;
    c->did_w = TB_DID_W;
    c->pid_w = TB_PID_W;
    c->ds_id_w = TB_DS_ID_W;
    c->num_irq = TB_NUM_IRQ;
    c->tlb_sets = TB_TLB_SETS;
    c->tlb_ways = TB_TLB_WAYS;
    c->tlb_sets2m = TB_TLB_SETS2M;
    c->tlb_ways2m = TB_TLB_WAYS2M;
    c->tlb_fa = TB_TLB_FA;
}

int dut_trace(const char *path, uint64_t from, uint64_t to) {
    tfp.reset(new VerilatedFstC);
    top->trace(tfp.get(), 99);
    tfp->open(path);
    if (!tfp->isOpen()) {
        tfp.reset();
        return -1;
    }
    trace_from = from;
    trace_to = to;
    return 0;
}

#define IN_AX(p, ch)                              \
    top->p##_##ch##id_i = io->p.ch##id;           \
    top->p##_##ch##addr_i = io->p.ch##addr;       \
    top->p##_##ch##len_i = io->p.ch##len;         \
    top->p##_##ch##size_i = io->p.ch##size;       \
    top->p##_##ch##burst_i = io->p.ch##burst;     \
    top->p##_##ch##lock_i = io->p.ch##lock;       \
    top->p##_##ch##cache_i = io->p.ch##cache;     \
    top->p##_##ch##prot_i = io->p.ch##prot;       \
    top->p##_##ch##qos_i = io->p.ch##qos;         \
    top->p##_##ch##valid_i = io->p.ch##valid;

#define OUT_AX(p, ch)                             \
    io->p.ch##id = top->p##_##ch##id_o;           \
    io->p.ch##addr = top->p##_##ch##addr_o;       \
    io->p.ch##len = top->p##_##ch##len_o;         \
    io->p.ch##size = top->p##_##ch##size_o;       \
    io->p.ch##burst = top->p##_##ch##burst_o;     \
    io->p.ch##lock = top->p##_##ch##lock_o;       \
    io->p.ch##cache = top->p##_##ch##cache_o;     \
    io->p.ch##prot = top->p##_##ch##prot_o;       \
    io->p.ch##qos = top->p##_##ch##qos_o;         \
    io->p.ch##valid = top->p##_##ch##valid_o;     \
    top->p##_##ch##ready_i = io->p.ch##ready;

// A memory-side master port of the model (mem, ds): requests out, responses in.
#define SLAVE_SIDE(p)                             \
    top->p##_wready_i = io->p.wready;             \
    top->p##_bid_i = io->p.bid;                   \
    top->p##_bresp_i = io->p.bresp;               \
    top->p##_bvalid_i = io->p.bvalid;             \
    top->p##_rid_i = io->p.rid;                   \
    top->p##_rdata_i = io->p.rdata;               \
    top->p##_rresp_i = io->p.rresp;               \
    top->p##_rlast_i = io->p.rlast;               \
    top->p##_rvalid_i = io->p.rvalid;

#define SLAVE_SIDE_OUT(p)                         \
    OUT_AX(p, aw)                                 \
    OUT_AX(p, ar)                                 \
    io->p.wdata = top->p##_wdata_o;               \
    io->p.wstrb = top->p##_wstrb_o;               \
    io->p.wlast = top->p##_wlast_o;               \
    io->p.wvalid = top->p##_wvalid_o;             \
    io->p.bready = top->p##_bready_o;             \
    io->p.rready = top->p##_rready_o;

void dut_eval(dut_io_t *io) {
    top->rst_ni = io->rst_n;
    /* device port: the test bench drives requests */
    IN_AX(dev, aw)
    IN_AX(dev, ar)
    top->dev_awuser_i = io->dev.awuser;
    top->dev_aruser_i = io->dev.aruser;
    top->dev_wdata_i = io->dev.wdata;
    top->dev_wstrb_i = io->dev.wstrb;
    top->dev_wlast_i = io->dev.wlast;
    top->dev_wvalid_i = io->dev.wvalid;
    top->dev_bready_i = io->dev.bready;
    top->dev_rready_i = io->dev.rready;
    SLAVE_SIDE(mem)
    SLAVE_SIDE(ds)
    top->reg_awaddr_i = io->reg.awaddr;
    top->reg_awvalid_i = io->reg.awvalid;
    top->reg_wdata_i = io->reg.wdata;
    top->reg_wstrb_i = io->reg.wstrb;
    top->reg_wvalid_i = io->reg.wvalid;
    top->reg_bready_i = io->reg.bready;
    top->reg_araddr_i = io->reg.araddr;
    top->reg_arvalid_i = io->reg.arvalid;
    top->reg_rready_i = io->reg.rready;
    /* mem/ds ready signals come from the test bench too */
    top->mem_awready_i = io->mem.awready;
    top->mem_arready_i = io->mem.arready;
    top->ds_awready_i = io->ds.awready;
    top->ds_arready_i = io->ds.arready;

    top->eval();

    io->dev.awready = top->dev_awready_o;
    io->dev.arready = top->dev_arready_o;
    io->dev.wready = top->dev_wready_o;
    io->dev.bid = top->dev_bid_o;
    io->dev.bresp = top->dev_bresp_o;
    io->dev.bvalid = top->dev_bvalid_o;
    io->dev.rid = top->dev_rid_o;
    io->dev.rdata = top->dev_rdata_o;
    io->dev.rresp = top->dev_rresp_o;
    io->dev.rlast = top->dev_rlast_o;
    io->dev.rvalid = top->dev_rvalid_o;
    {
        uint8_t mem_awready = io->mem.awready, mem_arready = io->mem.arready;
        uint8_t ds_awready = io->ds.awready, ds_arready = io->ds.arready;
        SLAVE_SIDE_OUT(mem)
        SLAVE_SIDE_OUT(ds)
        io->mem.awuser = top->mem_awuser_o;
        io->mem.aruser = top->mem_aruser_o;
        io->mem.awready = mem_awready;
        io->mem.arready = mem_arready;
        io->ds.awready = ds_awready;
        io->ds.arready = ds_arready;
    }
    io->reg.awready = top->reg_awready_o;
    io->reg.wready = top->reg_wready_o;
    io->reg.bresp = top->reg_bresp_o;
    io->reg.bvalid = top->reg_bvalid_o;
    io->reg.arready = top->reg_arready_o;
    io->reg.rdata = top->reg_rdata_o;
    io->reg.rresp = top->reg_rresp_o;
    io->reg.rvalid = top->reg_rvalid_o;
    io->wsi = top->wsi_o;
}

// Two evaluations a cycle: the rising edge here (registers take the inputs
// dut_eval applied), and dut_eval's with the next cycle's inputs.  The falling
// edge is only recorded in clk_i: nothing in the design uses it, so the next
// dut_eval evaluates it together with the new inputs (what the design and
// the trace see is the same as with an evaluation of its own).
void dut_tick(void) {
    bool dump = tfp && cycle >= trace_from && (trace_to == 0 || cycle <= trace_to);
    if (dump) tfp->dump(2 * cycle);   // values before the edge
    top->clk_i = 1;
    top->eval();
    ctx->timeInc(1);
    if (dump) tfp->dump(2 * cycle + 1);
    top->clk_i = 0;
    ctx->timeInc(1);
    cycle++;
}

} // extern "C"

int main(int argc, char **argv) {
    return tb_main(argc, argv);
}
