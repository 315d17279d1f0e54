/*
 * iommu_drv.h - the RISC-V IOMMU driver library: include this one header.
 *
 * Layers, bottom up (doc/driver.md has the whole picture):
 *   iommu_platform.h  platform operations and the sim / bare-metal / Linux backends
 *   iommu_hw.h        hardware: bring-up, command and fault queues, directory, page tables
 *   this header       domains (the shape of Linux's IOMMU API) and the DMA layer
 *
 * Domain layer (sw/domain.c).  A domain is what a device is attached to:
 *   PAGING    its own Sv39/Sv48/Sv57 table and PSCID; map/unmap change it
 *   IDENTITY  a valid DC with iosatp Bare: DMA passes untranslated
 *   BLOCKED   the DC is not valid: every DMA of the device faults (cause 258)
 * A device is attached to at most one domain; attaching it elsewhere moves it
 * in the spec's safe order (see iommu_attach_device).
 *
 * DMA layer (sw/iova.c, sw/dma.c).  An IOVA allocator and a DMA mapping API
 * over one paging domain, with pin/unpin callbacks for the buffers.
 */
#ifndef IOMMU_DRV_H
#define IOMMU_DRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu_hw.h"

/* ===================================================================== */
/* Domains (sw/domain.c)                                                 */
/* ===================================================================== */

typedef struct iommu_domain iommu_domain_t; /* opaque */

typedef enum iommu_domain_type {
    IOMMU_DOMAIN_BLOCKED = 0,
    IOMMU_DOMAIN_IDENTITY = 1,
    IOMMU_DOMAIN_PAGING = 2,
} iommu_domain_type_t;

typedef struct iommu_domain_info {
    iommu_domain_type_t type;
    uint32_t atp_mode;   /* paging: IOMMU_ATP_MODE_SV39/48/57, else 0 */
    uint32_t pscid;      /* paging: its PSCID, else 0 */
    uint64_t root;       /* paging: physical address of the root table */
    uint64_t pgsizes;    /* paging: OR of the IOMMU_PGSIZE_* map may use */
    uint64_t va_bits;    /* paging: 39, 48 or 57 */
    uint32_t ndevices;   /* devices attached */
} iommu_domain_info_t;

/* Allocate a domain.  For PAGING, atp_mode is IOMMU_ATP_MODE_SV39/48/57 or 0
 * for the smallest the hardware supports; a PSCID is allocated and a root
 * table.  Other types take atp_mode 0.  IOMMU_ENOTSUP for an unsupported
 * mode, IOMMU_ENOSPC when PSCIDs run out, IOMMU_ENOMEM. */
IOMMU_MUST_CHECK int iommu_domain_alloc(iommu_t *h, iommu_domain_type_t type, uint32_t atp_mode,
                                        iommu_domain_t **out);

/* Free a domain with no devices attached (IOMMU_EBUSY otherwise) and no DMA
 * context (IOMMU_EBUSY).  No command is needed: the last detach already
 * invalidated the PSCID, and no DC refers to it since. */
IOMMU_MUST_CHECK int iommu_domain_free(iommu_domain_t *dom);

IOMMU_MUST_CHECK int iommu_domain_get_info(const iommu_domain_t *dom, iommu_domain_info_t *info);

/* Attach device `did` to dom (detaching it from its current domain).
 * Invalid -> valid DC: write the DC body, wmb, tc with V=1; then
 * IODIR.INVAL_DDT(did) and IOFENCE.C.  Valid -> other DC (the spec's
 * guideline for changing a leaf DDT entry, made safe for a multi-dword DC):
 * store tc.V = 0; IODIR.INVAL_DDT(did) + IOTINVAL.VMA (PSCV=1, the old PSCID)
 * when the old DC translated + IOFENCE.C; then write the new DC as above.
 * Attaching to a BLOCKED domain stops after the V = 0 step.
 * Errors: IOMMU_ENODEV (ddtp is not a directory mode), IOMMU_ERANGE (did too
 * wide), IOMMU_ENOMEM, command-queue errors.  When the final fence fails the
 * DC is written and the device counts as attached; when the invalidation of
 * the old DC fails the device stays with its old domain (DC not valid). */
IOMMU_MUST_CHECK int iommu_attach_device(iommu_domain_t *dom, uint32_t did);

/* Detach did from dom: its DC is made not valid (blocked), invalidated as
 * above.  IOMMU_ENOENT when did is not attached to dom. */
IOMMU_MUST_CHECK int iommu_detach_device(iommu_domain_t *dom, uint32_t did);

/* Map [iova, iova + size) -> [phys, phys + size) in a PAGING domain with prot
 * (OR of IOMMU_PROT_*).  iova, phys and size 4-KiB aligned; the range is cut
 * into the largest pages (512 GiB, 1 GiB, 2 MiB, 64 KiB, 4 KiB) that the
 * alignment of both addresses allows.  No invalidation is needed (the IOMMU
 * does not cache invalid entries).  IOMMU_EEXIST if any part is mapped;
 * on any error nothing of the range stays mapped. */
IOMMU_MUST_CHECK int iommu_map(iommu_domain_t *dom, uint64_t iova, uint64_t phys, uint64_t size,
                               unsigned prot);

/* Unmap [iova, iova + size) (4-KiB aligned; holes are allowed) in a PAGING
 * domain, then invalidate exactly what changed and fence: with devices
 * attached, IOTINVAL.VMA (AV=1, PSCV=1) per 4-KiB page of a NAPOT leaf and
 * per larger leaf while that is at most iommu_config_t.inval_threshold
 * commands and no table page was freed, else one IOTINVAL.VMA (PSCV=1) for
 * the PSCID; then IOFENCE.C (PR, PW), and only then are emptied table pages
 * freed.  IOMMU_EINVAL (nothing changed) when a leaf crosses a range end. */
IOMMU_MUST_CHECK int iommu_unmap(iommu_domain_t *dom, uint64_t iova, uint64_t size);

/* Translate iova through a PAGING domain (identity: phys = iova).
 * IOMMU_ENOENT when unmapped, IOMMU_EINVAL for a BLOCKED domain. */
IOMMU_MUST_CHECK int iommu_iova_to_phys(const iommu_domain_t *dom, uint64_t iova, uint64_t *phys);

/* ===================================================================== */
/* IOVA allocator (sw/iova.c)                                            */
/* ===================================================================== */

typedef struct iommu_iova iommu_iova_t; /* opaque */

/* An allocator over [base, base + size) (4-KiB aligned, size > 0).  Its nodes
 * come from the platform's host_alloc. */
IOMMU_MUST_CHECK int iommu_iova_create(iommu_t *h, uint64_t base, uint64_t size,
                                       iommu_iova_t **out);
/* Free the allocator and every node (outstanding ranges are forgotten). */
void iommu_iova_destroy(iommu_iova_t *ia);
/* Allocate size bytes (rounded up to 4 KiB) at an address aligned to align (a
 * power of two, or 0; below 4 KiB means 4 KiB), lowest fit first.  Never overlaps an
 * allocated or reserved range.  IOMMU_ENOSPC when nothing fits. */
IOMMU_MUST_CHECK int iommu_iova_alloc(iommu_iova_t *ia, uint64_t size, uint64_t align,
                                      uint64_t *iova);
/* Reserve [base, base + size) so alloc never returns it.  IOMMU_EEXIST if it
 * overlaps something allocated, IOMMU_ERANGE outside the allocator. */
IOMMU_MUST_CHECK int iommu_iova_reserve(iommu_iova_t *ia, uint64_t base, uint64_t size);
/* Free the range that starts at iova (allocated or reserved); IOMMU_ENOENT if
 * no range starts there. */
IOMMU_MUST_CHECK int iommu_iova_free(iommu_iova_t *ia, uint64_t iova);

/* ===================================================================== */
/* DMA API (sw/dma.c)                                                    */
/* ===================================================================== */

typedef struct iommu_dma iommu_dma_t; /* opaque */

/* Pin/unpin callbacks for CPU buffers given to iommu_dma_map: pin keeps the
 * buffer's pages resident and at fixed physical addresses (mlock,
 * get_user_pages, or nothing on bare metal); unpin undoes it.  Either may be
 * NULL. */
typedef struct iommu_dma_pin_ops {
    int (*pin)(void *arg, void *cpu_addr, size_t len);
    void (*unpin)(void *arg, void *cpu_addr, size_t len);
    void *arg;
} iommu_dma_pin_ops_t;

/* A DMA context over a PAGING domain, handing out IOVAs from
 * [iova_base, iova_base + iova_size).  pin may be NULL. */
IOMMU_MUST_CHECK int iommu_dma_create(iommu_domain_t *dom, uint64_t iova_base, uint64_t iova_size,
                                      const iommu_dma_pin_ops_t *pin, iommu_dma_t **out);
/* Free the context; IOMMU_EBUSY while mappings remain. */
IOMMU_MUST_CHECK int iommu_dma_destroy(iommu_dma_t *dma);

/* Map a CPU buffer for the device: pin it, find each page's physical address
 * (platform virt_to_phys: pages need not be physically contiguous), allocate
 * an IOVA range, map it with prot.  *iova gets the device address of
 * cpu_addr (same offset within the page).  On error everything is undone
 * (unmapped, unpinned, IOVA freed).  IOMMU_ENOTSUP when the platform has no
 * virt_to_phys. */
IOMMU_MUST_CHECK int iommu_dma_map(iommu_dma_t *dma, void *cpu_addr, size_t len, unsigned prot,
                                   uint64_t *iova);
/* Map physically contiguous memory [phys, phys + len) (no pinning). */
IOMMU_MUST_CHECK int iommu_dma_map_phys(iommu_dma_t *dma, uint64_t phys, size_t len, unsigned prot,
                                        uint64_t *iova);
/* Unmap what iommu_dma_map(_phys) returned as *iova.  The caller has
 * quiesced the device's DMA to the buffer.  Order: unmap the range,
 * invalidate, IOFENCE.C with PR/PW, and only after the fence completed unpin
 * the buffer and free the IOVA range.  If the invalidation fails the mapping
 * is removed from the table but the buffer stays pinned and its IOVA range
 * held (the error is returned): the memory may still be reachable. */
IOMMU_MUST_CHECK int iommu_dma_unmap(iommu_dma_t *dma, uint64_t iova);

#endif /* IOMMU_DRV_H */
