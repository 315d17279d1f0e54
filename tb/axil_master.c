/* axil_master.c - AXI4-Lite master (see axil_master.h). */
#include "axil_master.h"

#include <string.h>

static struct {
    axil_status_t st;
    bool is_write, aw_pending, w_pending, ar_pending, resp_pending;
    uint32_t addr, strb;
    uint64_t wdata;
    unsigned size;
} m;

void axil_master_reset(void) { memset(&m, 0, sizeof m); }

const axil_status_t *axil_master_status(void) { return &m.st; }

void axil_master_raw_write(uint32_t addr, uint64_t wdata, uint32_t wstrb) {
    memset(&m, 0, sizeof m);
    m.st.busy = true;
    m.is_write = true;
    m.aw_pending = m.w_pending = true;
    m.addr = addr;
    m.wdata = wdata;
    m.strb = wstrb;
}

void axil_master_write(uint32_t off, unsigned size, uint64_t val) {
    unsigned lane = off & 4;
    if (size == 8) axil_master_raw_write(off, val, 0xff);
    else axil_master_raw_write(off, (val & 0xffffffffull) << (8 * lane), 0x0fu << lane);
}

void axil_master_read(uint32_t off, unsigned size) {
    memset(&m, 0, sizeof m);
    m.st.busy = true;
    m.ar_pending = true;
    m.addr = off;
    m.size = size;
}

void axil_master_drive(axi_port_t *p) {
    p->awvalid = m.aw_pending;
    p->awaddr = m.aw_pending ? m.addr : 0;
    p->wvalid = m.w_pending;
    p->wdata = m.w_pending ? m.wdata : 0;
    p->wstrb = m.w_pending ? m.strb : 0;
    p->wlast = m.w_pending;
    p->arvalid = m.ar_pending;
    p->araddr = m.ar_pending ? m.addr : 0;
    p->bready = 1;
    p->rready = 1;
}

void axil_master_update(const axi_port_t *p) {
    if (p->awvalid && p->awready) m.aw_pending = false;
    if (p->wvalid && p->wready) m.w_pending = false;
    if (p->arvalid && p->arready) m.ar_pending = false;
    if (p->bvalid && p->bready && m.st.busy && m.is_write) {
        m.st.resp = p->bresp;
        m.st.busy = false;
        m.st.done = true;
    }
    if (p->rvalid && p->rready && m.st.busy && !m.is_write) {
        uint64_t v = p->rdata;
        if (m.size == 4) v = (v >> (8 * (m.addr & 4))) & 0xffffffffull;
        m.st.rdata = v;
        m.st.resp = p->rresp;
        m.st.busy = false;
        m.st.done = true;
    }
}
