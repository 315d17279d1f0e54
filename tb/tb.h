/*
 * tb.h - the test bench's blocking API: what scenarios and built-in tests use.
 *
 * Every call here advances simulated time as needed and returns when the
 * operation is complete (or has timed out).  All functions are implemented in
 * tb/sim.c on top of the cycle-level components (memory, AXI models,
 * monitors).  Nothing here knows about the scenario text format.
 */
#ifndef TB_H
#define TB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* AXI response codes. */
enum { AXI_OKAY = 0, AXI_EXOKAY = 1, AXI_SLVERR = 2, AXI_DECERR = 3 };

/* ---- time and reset --------------------------------------------------- */
uint64_t tb_now(void);                /* cycles since the simulation started */
void tb_cycles(uint64_t n);           /* let n clock cycles pass */
void tb_reset(void);                  /* reset >= 8 cycles, then release; memory kept */

/* ---- register port (AXI4-Lite, 64-bit data) --------------------------- */
/* size is 4 or 8.  Returns 0 when the access completed, -1 on a timeout
 * (no response within 10000 cycles).  *resp gets the AXI response. */
int tb_reg_read(uint32_t off, unsigned size, uint64_t *val, unsigned *resp);
int tb_reg_write(uint32_t off, unsigned size, uint64_t val, unsigned *resp);

/* ---- physical memory, backdoor (takes no simulated time) -------------- */
void tb_mem_write(uint64_t addr, const void *buf, size_t n);
void tb_mem_read(uint64_t addr, void *buf, size_t n);
uint64_t tb_mem_load(uint64_t addr, unsigned size);           /* little-endian */
void tb_mem_store(uint64_t addr, unsigned size, uint64_t val);
void tb_mem_fill(uint64_t addr, uint64_t len, uint8_t byte);
/* Accesses of the IOMMU's own (data-structure) port that touch [addr,addr+len)
 * answer SLVERR while marked; err=false unmarks the range. */
void tb_mem_error(uint64_t addr, uint64_t len, bool err);

/* ---- device DMA -------------------------------------------------------- */
typedef struct {
    uint32_t dev;        /* device_id */
    uint64_t iova;
    unsigned size;       /* bytes per beat: 1, 2, 4 or 8 */
    unsigned beats;      /* INCR burst length, 1..256 */
    bool write;
    uint64_t data;       /* write data, the low `size` bytes, every beat */
    bool pv;             /* process_id valid */
    uint32_t pid;
    bool priv;           /* AxPROT[0] */
    bool exec;           /* AxPROT[2], reads only */
    uint32_t id;         /* AXI ID */
} tb_dma_t;

typedef struct {
    bool done;           /* a response arrived */
    unsigned resp;       /* OKAY, or the first non-OKAY response of any beat */
    uint64_t rdata;      /* reads: data of the first beat, low `size` bytes */
    unsigned beats;      /* reads: R beats received */
} tb_dma_result_t;

/* Issue one DMA and wait for its response; returns 0, or -1 when no response
 * came within `timeout` cycles. */
int tb_dma(const tb_dma_t *req, tb_dma_result_t *res, uint64_t timeout);

/* ---- interrupt wires --------------------------------------------------- */
uint32_t tb_wsi(void);                /* bit k = wsi_o[k] */

/* ---- checks -------------------------------------------------------------- */
/* Number of protocol violations the monitors have reported so far. */
unsigned tb_violations(void);

#endif
