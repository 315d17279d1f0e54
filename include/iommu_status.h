/*
 * iommu_status.h - status codes of the RISC-V IOMMU driver library.
 *
 * Every library function that can fail returns an int that is one of the
 * iommu_status_t values: IOMMU_OK (0) or a negative code.  The generic codes
 * use the Linux errno numbers so they read familiarly in logs; the codes
 * below -200 report a command-queue error the hardware signalled in cqcsr.
 *
 * Rules every function follows:
 *  - a bad argument (IOMMU_EINVAL) is detected before any register or
 *    in-memory structure is touched;
 *  - a wait is bounded (iommu_config_t.timeout_us) and ends in
 *    IOMMU_ETIMEDOUT, never in a hang;
 *  - an error path frees whatever the call allocated.
 */
#ifndef IOMMU_STATUS_H
#define IOMMU_STATUS_H

#if defined(__GNUC__) || defined(__clang__)
#define IOMMU_MUST_CHECK __attribute__((warn_unused_result))
#else
#define IOMMU_MUST_CHECK
#endif

typedef enum iommu_status {
    IOMMU_OK = 0,
    IOMMU_ENOENT = -2,      /* no such mapping, device attachment or allocation */
    IOMMU_EIO = -5,         /* a register access failed, or a register read back wrong */
    IOMMU_ENOMEM = -12,     /* the platform allocator failed */
    IOMMU_EBUSY = -16,      /* still in use (domain with devices, handle with domains) */
    IOMMU_EEXIST = -17,     /* part of the range is already mapped */
    IOMMU_ENODEV = -19,     /* the needed unit is not enabled (no command queue, no DDT) */
    IOMMU_EINVAL = -22,     /* bad argument: nothing was changed */
    IOMMU_ENOSPC = -28,     /* no room: queue, IOVA space, PSCIDs, free list */
    IOMMU_ERANGE = -34,     /* address or ID wider than the hardware or mode supports */
    IOMMU_ENOTSUP = -95,    /* the hardware lacks a capability the request needs */
    IOMMU_ETIMEDOUT = -110, /* a bounded wait expired */
    IOMMU_ECMDILL = -200,   /* cqcsr.cmd_ill: the command queue stopped on an illegal command */
    IOMMU_ECQMF = -201,     /* cqcsr.cqmf: command fetch or fence write got a memory fault */
    IOMMU_ECMDTO = -202,    /* cqcsr.cmd_to: a command timed out */
} iommu_status_t;

/* A short English description of a status code ("unknown status" for other
 * values).  Never returns NULL. */
const char *iommu_strerror(int status);

#endif /* IOMMU_STATUS_H */
