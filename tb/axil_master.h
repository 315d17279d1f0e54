/*
 * axil_master.h - AXI4-Lite master for the IOMMU's register port (64-bit
 * data).  One access at a time: a 4-byte access uses the byte lanes of its
 * offset (WSTRB 0x0F or 0xF0), an 8-byte access all eight (WSTRB 0xFF); AW
 * and W are offered together and may be accepted in different cycles.
 * axil_master_raw_write() sends any address/strobe pair, for error tests.
 */
#ifndef AXIL_MASTER_H
#define AXIL_MASTER_H

#include <stdbool.h>
#include <stdint.h>

#include "dut.h"

typedef struct {
    bool busy, done;
    unsigned resp;
    uint64_t rdata;          /* reads: the value of the size asked for */
} axil_status_t;

void axil_master_reset(void);
void axil_master_read(uint32_t off, unsigned size);
void axil_master_raw_write(uint32_t addr, uint64_t wdata, uint32_t wstrb);
void axil_master_write(uint32_t off, unsigned size, uint64_t val);
const axil_status_t *axil_master_status(void);
void axil_master_drive(axi_port_t *p);
void axil_master_update(const axi_port_t *p);

#endif
