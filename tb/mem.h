/*
 * mem.h - sparse physical memory covering the whole 64-bit address space.
 * Never-written bytes read as zero.  Storage grows in 4 KiB pages.
 * Also holds, per slave port, the address ranges marked as "error"
 * (mem.error marks the data-structure port): the AXI slave models consult
 * them; the memory itself never fails.
 */
#ifndef MEM_H
#define MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void mem_reset_all(void);                       /* forget everything */
void mem_write(uint64_t addr, const void *buf, size_t n);
void mem_read(uint64_t addr, void *buf, size_t n);
uint64_t mem_load(uint64_t addr, unsigned size);          /* little-endian */
void mem_store(uint64_t addr, unsigned size, uint64_t val);
/* Store only the bytes whose bit is set in strb (bit k = addr + k). */
void mem_store_strb(uint64_t addr, uint64_t data, uint32_t strb, unsigned nbytes);

/* Which AXI slave model an error range applies to. */
typedef enum { MEM_PORT_DS = 0, MEM_PORT_MEM = 1, MEM_NPORTS = 2 } mem_port_t;
void mem_set_error(mem_port_t port, uint64_t addr, uint64_t len, bool err);
bool mem_is_error(mem_port_t port, uint64_t addr, uint64_t len);  /* any byte in a range */

#endif
