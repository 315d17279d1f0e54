/*
 * iommu_platform.h - what the driver library needs from the platform, and the
 * three backends that provide it (simulator, bare metal, Linux user space).
 *
 * The library never calls malloc, an OS function or a compiler runtime
 * function; everything goes through one iommu_platform_t: a table of function
 * pointers plus an opaque context pointer handed back to each of them.
 *
 * Design: memory the IOMMU reads or writes is addressed by PHYSICAL address.
 * ---------------------------------------------------------------------------
 * The device directory, page tables, command queue, fault queue and the fence
 * completion word live in "DMA memory" that the IOMMU reaches by physical
 * address.  The library reads and writes them only through mem_read64() and
 * mem_write64() with a physical address, never through a C pointer:
 *
 *   - bare metal implements them as a volatile 64-bit load/store (identity
 *     mapping: the physical address is the pointer);
 *   - Linux user space adds the offset of its mmap of the reserved region;
 *   - the simulator calls the test bench's memory backdoor (tb_mem_load /
 *     tb_mem_store), so there is no host copy to keep coherent and nothing to
 *     flush: the IOMMU model sees each store at once.
 *
 * This keeps the library free of shadow buffers and cache-flush calls, and it
 * makes every structure update a single 64-bit store (the spec requires PTEs
 * and other entries to be written with stores no narrower than the entry).
 * mem_write64() MUST be one single-copy-atomic 64-bit store.
 *
 * Ordering: the library calls wmb() between its structure stores and the MMIO
 * write that hands them to the IOMMU (the cqt doorbell, ddtp), and between the
 * body of a device context and the store that sets its valid bit; it calls
 * mb() after it observes an IOMMU index register (fqt, cqh) and before it reads
 * the memory that index covers.
 *
 * The library's own bookkeeping (handles, domains, IOVA allocator nodes, DMA
 * mapping records) is ordinary CPU memory the IOMMU never sees; it comes from
 * host_alloc()/host_free().
 *
 * dma_alloc() may return *virt = NULL when DMA memory has no CPU mapping in
 * this process (the simulator).  The library itself never uses virt; it is
 * for callers that want to fill DMA buffers through a pointer.
 *
 * Register accesses return a status: a backend reports a bus error (SLVERR,
 * DECERR) or a missing response as IOMMU_EIO and the library passes it up.
 * Offsets are into the 4-KiB register page; 8-byte accesses are 8-byte
 * aligned, 4-byte accesses 4-byte aligned (the library never does anything
 * else).
 */
#ifndef IOMMU_PLATFORM_H
#define IOMMU_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu_pool.h"
#include "iommu_status.h"

typedef struct iommu_platform_ops {
    /* ---- register page (offset into the 4-KiB page) ---- */
    int (*read32)(void *ctx, uint32_t off, uint32_t *val);
    int (*read64)(void *ctx, uint32_t off, uint64_t *val);
    int (*write32)(void *ctx, uint32_t off, uint32_t val);
    int (*write64)(void *ctx, uint32_t off, uint64_t val);

    /* ---- DMA memory (seen by the IOMMU) ---- */
    /* Allocate `size` bytes (a multiple of 4 KiB) aligned to `align` (a power
     * of two >= 4 KiB), ZEROED.  Returns IOMMU_OK with *phys (and *virt, or
     * NULL) set, or IOMMU_ENOMEM. */
    int (*dma_alloc)(void *ctx, size_t size, size_t align, void **virt, uint64_t *phys);
    /* Free what dma_alloc returned; size is the size that was allocated.  The
     * library passes virt = NULL (it keeps physical addresses only). */
    void (*dma_free)(void *ctx, void *virt, uint64_t phys, size_t size);
    /* One single-copy-atomic little-endian 64-bit load/store at a physical
     * address (8-byte aligned) inside memory dma_alloc returned. */
    uint64_t (*mem_read64)(void *ctx, uint64_t phys);
    void (*mem_write64)(void *ctx, uint64_t phys, uint64_t val);
    /* Physical address of a CPU address (for iommu_dma_map of a CPU buffer).
     * May be NULL, or return IOMMU_ENOTSUP, where there is no such mapping. */
    int (*virt_to_phys)(void *ctx, const void *virt, uint64_t *phys);

    /* ---- host memory (library bookkeeping, never seen by the IOMMU) ---- */
    void *(*host_alloc)(void *ctx, size_t size); /* zeroed; NULL on failure */
    void (*host_free)(void *ctx, void *p, size_t size);

    /* ---- ordering and time ---- */
    void (*wmb)(void *ctx);   /* memory stores before later stores and MMIO writes */
    void (*mb)(void *ctx);    /* full barrier: memory and MMIO, loads and stores */
    void (*delay_us)(void *ctx, uint32_t us);
} iommu_platform_ops_t;

typedef struct iommu_platform {
    const iommu_platform_ops_t *ops;
    void *ctx;
} iommu_platform_t;

/* True when every operation the library calls is present (virt_to_phys may be
 * NULL). */
bool iommu_platform_valid(const iommu_platform_t *plat);

/* ===================================================================== */
/* Bare-metal backend (sw/platform/baremetal.c)                          */
/* ===================================================================== */
/* MMIO through volatile pointers at `mmio_base`; DMA memory from a fixed pool
 * [dma_mem, dma_mem + dma_size) with an identity virtual-to-physical mapping;
 * host memory from a first-fit heap over [heap_mem, heap_mem + heap_size)
 * (it also holds the page pool's bitmap, one bit per 4 KiB of the DMA pool).
 * Barriers are RISC-V fence instructions (a compiler barrier elsewhere).
 * delay_us calls `delay` when given, else spins `loops_per_us` iterations per
 * microsecond. */
typedef struct iommu_bm {
    uintptr_t mmio_base;
    iommu_pagepool_t pool;
    iommu_heap_t heap;
    void (*delay)(uint32_t us);
    uint32_t loops_per_us;
} iommu_bm_t;

/* Fill *bm and *plat.  dma_mem must be 4-KiB aligned and dma_size a multiple
 * of 4 KiB; heap_mem 16-byte aligned.  IOMMU_EINVAL on a bad argument,
 * IOMMU_ENOMEM when the heap cannot hold the pool's bitmap. */
IOMMU_MUST_CHECK int iommu_bm_init(iommu_bm_t *bm, uintptr_t mmio_base, void *dma_mem,
                                   size_t dma_size, void *heap_mem, size_t heap_size,
                                   void (*delay)(uint32_t us), uint32_t loops_per_us,
                                   iommu_platform_t *plat);

/* ===================================================================== */
/* Simulator backend (sw/platform/sim.c, linked into the Verilator bench)   */
/* ===================================================================== */
/* Registers through tb_reg_read/tb_reg_write (a missing response or a non-OKAY
 * response is IOMMU_EIO); DMA memory is a page pool over the physical window
 * [win_base, win_base + win_size) of the test bench's memory, read and written
 * through the backdoor (tb_mem_load/tb_mem_store/tb_mem_fill); dma_alloc sets
 * *virt = NULL and virt_to_phys is absent (use iommu_dma_map_phys).  Host
 * memory is calloc/free.  delay_us lets `cycles_per_us` clock cycles pass per
 * microsecond (tb_cycles). */
typedef struct iommu_sim {
    iommu_pagepool_t pool;
    uint64_t *bitmap;
    uint32_t cycles_per_us;
} iommu_sim_t;

IOMMU_MUST_CHECK int iommu_sim_init(iommu_sim_t *sim, uint64_t win_base, uint64_t win_size,
                                    uint32_t cycles_per_us, iommu_platform_t *plat);
void iommu_sim_fini(iommu_sim_t *sim);

/* ===================================================================== */
/* Linux user-space backend (sw/platform/linux.c)                        */
/* ===================================================================== */
/* MMIO: mmap of `mmio_path` ("/dev/mem", or a UIO device "/dev/uioN") at file
 * offset `mmio_off` (the register page's physical address for /dev/mem; N *
 * page size for UIO map N), 4 KiB long.  DMA memory: mmap of `mem_path`
 * (normally "/dev/mem") at file offset `dma_phys`, `dma_size` bytes: a
 * physical region reserved for this purpose (e.g. by a reserved-memory node or
 * mem= on the kernel command line), managed as a page pool;
 * physical address = dma_phys + offset in the region.  Host memory is
 * calloc/free, delay is nanosleep.  Any ordinary file works in place of the
 * device files, which is how the host unit tests exercise this backend. */
typedef struct iommu_linux {
    int mmio_fd, mem_fd;
    volatile uint8_t *regs;
    uint8_t *dma_va;
    uint64_t dma_phys;
    size_t dma_size;
    iommu_pagepool_t pool;
    uint64_t *bitmap;
} iommu_linux_t;

IOMMU_MUST_CHECK int iommu_linux_open(iommu_linux_t *lx, const char *mmio_path, uint64_t mmio_off,
                                      const char *mem_path, uint64_t dma_phys, size_t dma_size,
                                      iommu_platform_t *plat);
void iommu_linux_close(iommu_linux_t *lx);

#endif /* IOMMU_PLATFORM_H */
