/*
 * example_mock.c - the platform glue sw/examples/quickstart.c needs, on the
 * host's mock IOMMU.  The "device" checks each DMA against the page table the
 * way the IOMMU would (directory, then the Sv39/48/57 walk) and, when there is
 * no mapping, writes the fault record the hardware would write.
 */
#include "mock.h"

static mock_t *mock;

int example_platform(iommu_platform_t *plat) {
    mock = mock_new();
    *plat = mock_platform(mock);
    return IOMMU_OK;
}

void example_platform_done(void) {
    mock_free(mock);
    mock = NULL;
}

/* Translate one address as the IOMMU would; false when it would fault. */
static bool translate(uint32_t did, uint64_t iova) {
    uint64_t ddtp = mock->ddtp, table = (ddtp >> 10) << 12;
    unsigned mode = ddtp & 0xf;
    if (mode < 2) return mode == 1;
    for (int lvl = (int)mode - 2; lvl >= 1; lvl--) { /* DDI[2], DDI[1] */
        unsigned shift = lvl == 2 ? 16 : 7, bits = lvl == 2 ? 0xff : 0x1ff;
        uint64_t e = mock_rd64(mock, table + 8 * ((did >> shift) & bits));
        if (!(e & 1)) return false;
        table = (e >> 10) << 12;
    }
    uint64_t dc = table + 32 * (did & 0x7f), tc = mock_rd64(mock, dc),
             fsc = mock_rd64(mock, dc + 24);
    if (!(tc & 1)) return false;
    unsigned atp = (unsigned)(fsc >> 60), levels = atp - 5; /* Sv39 = 8 -> 3 levels */
    if (atp == 0) return true;
    table = (fsc & ((1ULL << 44) - 1)) << 12;
    for (int i = (int)levels - 1; i >= 0; i--) {
        uint64_t e = mock_rd64(mock, table + 8 * ((iova >> (12 + 9 * i)) & 0x1ff));
        if (!(e & 1)) return false;
        if (e & 0xe) return (e & 2) && (e & 0x40) && (e & 0x10); /* R, A, U */
        table = ((e >> 10) & ((1ULL << 44) - 1)) << 12;
    }
    return false;
}

void example_device_dma(uint32_t did, uint64_t iova, size_t len) {
    for (uint64_t a = iova & ~4095ULL; a < iova + len; a += 4096) {
        if (translate(did, a)) continue;
        /* read page fault (13), untranslated read (TTYP 2) */
        uint64_t rec[4] = {13 | 2ULL << 34 | (uint64_t)did << 40, 0, a, 0};
        mock_inject_fault(mock, rec);
        return;
    }
}
