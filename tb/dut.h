/*
 * dut.h - the Verilated IOMMU seen from C: one struct of port values and the
 * functions of tb/main.cpp (the only C++ file) that move them in and out of
 * the model.  Every port of the default configuration fits in 64 bits.
 *
 * One cycle, as tb/sim.c runs it:
 *   1. the test-bench components set their outputs in `io` from their state;
 *   2. dut_eval(io): inputs into the model, evaluate, outputs back into io;
 *   3. monitors look at io, components see which handshakes happened;
 *   4. dut_tick(): rising clock edge (and the trace dump), then falling edge
 *      (evaluated by the next dut_eval, with the next inputs).
 */
#ifndef DUT_H
#define DUT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One AXI4 port.  Fields a port does not have stay 0 (AXI4-Lite: only
 * addr, valid/ready, data, strb and resp are used). */
typedef struct {
    /* AW */
    uint64_t awid, awaddr, awuser;
    uint32_t awlen, awsize, awburst, awlock, awcache, awprot, awqos;
    uint8_t awvalid, awready;
    /* W */
    uint64_t wdata;
    uint32_t wstrb;
    uint8_t wlast, wvalid, wready;
    /* B */
    uint64_t bid;
    uint32_t bresp;
    uint8_t bvalid, bready;
    /* AR */
    uint64_t arid, araddr, aruser;
    uint32_t arlen, arsize, arburst, arlock, arcache, arprot, arqos;
    uint8_t arvalid, arready;
    /* R */
    uint64_t rid, rdata;
    uint32_t rresp;
    uint8_t rlast, rvalid, rready;
} axi_port_t;

typedef struct {
    uint8_t rst_n;
    axi_port_t dev;   /* device port: the test bench is the master */
    axi_port_t mem;   /* memory port: the test bench is the slave */
    axi_port_t ds;    /* data-structure port: the test bench is the slave */
    axi_port_t reg;   /* register port (AXI4-Lite): the test bench is the master */
    uint32_t wsi;
} dut_io_t;

/* Widths the model was built with (from the RTL parameters), and the
 * IOTLB's shape: tlb_sets x tlb_ways 4 KiB entries (tlb_sets 0: none),
 * tlb_sets2m x tlb_ways2m 2 MiB entries (tlb_sets2m 0: none) and tlb_fa fully
 * associative ones (the other sizes and those of an absent array). */
typedef struct {
    unsigned id_w, iova_w, pa_w, data_w, did_w, pid_w, ds_id_w, num_irq;
    unsigned tlb_sets, tlb_ways, tlb_sets2m, tlb_ways2m, tlb_fa;
} dut_cfg_t;

void dut_open(void);                       /* build the model */
void dut_close(void);                      /* finish (flushes the trace) */
void dut_cfg(dut_cfg_t *cfg);
void dut_eval(dut_io_t *io);
void dut_tick(void);
/* Trace to an FST file from cycle `from` to cycle `to` (inclusive; to = 0
 * means to the end).  Returns 0, or -1 when tracing was not built in. */
int dut_trace(const char *path, uint64_t from, uint64_t to);
/* True when the model stopped itself ($stop / $finish / a failed assertion). */
bool dut_stopped(void);

#ifdef __cplusplus
}
#endif
#endif
