/*
 * ref_xlate.h - reference model of the IOMMU's translation of one untranslated
 * request: the oracle the RTL is compared against.
 *
 * Written from the specifications only (RISC-V IOMMU 1.0, "Process to
 * translate an IOVA", "Process to locate the Device-context",
 * "Device-context configuration checks", "Fault/Event-Queue"; RISC-V
 * privileged specification, "Virtual Address Translation Process", Sv39,
 * Sv48, Sv57, Svnapot, Svpbmt) plus the implementation-defined facts of this
 * IOMMU listed below.  It never looks at the RTL.
 *
 * ref_translate() reads the directory and page tables through a callback
 * (8 bytes at a time, 8-byte aligned; false = the read got an AXI error), so
 * it works on the test bench's memory or on a host fake.  It is a pure
 * function of (cfg, req, memory): no state, no caching.
 *
 * ---- implementation-defined facts (given, not from the spec) ------------
 * F1  capabilities 0x3810000e10: Sv39/Sv48/Sv57, no Sv32, no Svpbmt, no
 *     Svrsw60t59b, no Sv*x4, no AMO_HWAD, ATS, T2GPA, MSI_FLAT, PD8/17/20,
 *     QOSID, END; PAS = 56.  ref_translate takes caps as an input and honours
 *     the Sv39/48/57/Sv32, Svpbmt, Svrsw60t59b and PAS fields; a caps value
 *     that offers a feature whose behaviour is not modelled here (MSI_FLAT,
 *     ATS, T2GPA, AMO_HWAD, END, QOSID, PD8/17/20, any Sv*x4), or fctl.BE=1 or
 *     fctl.GXL=1, or a reserved/custom ddtp.iommu_mode, gives
 *     cause REF_CAUSE_UNMODELLED (4095, never a real IOMMU cause).
 * F2  fctl.BE and fctl.GXL are read-only 0, so DC.tc.SBE and DC.tc.SXL must
 *     be 0 (DC_MISCONFIG: "If fctl.GXL is 0 and is not writable then
 *     DC.tc.SXL must be 0"; "If fctl.BE is not writable then DC.tc.SBE must
 *     be the same as fctl.BE").
 * F3  Requests are untranslated only: TTYP 1 (read with AxPROT[2]=1),
 *     2 (read), 3 (write).  exec is ignored on a write.
 * F4  A final physical address (Bare mode or after translation) at or above
 *     2^PAS is an access fault 1/5/7 by access type.  A DDT/DC address at or
 *     above 2^PAS is like an AXI error (257); a PTE address at or above 2^PAS
 *     is like an AXI error (1/5/7).
 * F5  In 1LVL/2LVL/3LVL modes an INCR burst whose bytes cross a 4 KiB
 *     boundary is refused with custom cause 2048, checked after the Off/Bare
 *     step and before the device_id width check, always recorded (DTF cannot
 *     suppress it), iotval = the burst's start address.  FIXED and WRAP
 *     bursts never cross.  In Bare mode a crossing burst passes.
 * F6  The fault record's PRIV is AxPROT[0] when PV=1, else 0; PID is the
 *     process_id when PV=1, else 0.
 *
 * ---- interpretations of the spec (compare the RTL against these) --------
 * I1  Order: Off (256); Bare (pass, then F4); F5 (2048); device_id width
 *     (260); DDT walk; DC checks; step 7 (260); first stage; F4.  "The
 *     process to translate an IOVA is as follows" steps 1-20.
 * I2  The bytes of an INCR burst are [iova, align(iova, 2^size) +
 *     (len+1)*2^size - 1] (AXI: the first beat of an unaligned INCR burst is
 *     shortened, later beats are aligned).  A burst that runs past 2^64 counts
 *     as crossing.
 * I3  The request's device_id is 24 bits (bits above 23 are ignored); the
 *     process_id 20 bits.
 * I4  The base-format DDI split is used (capabilities.MSI_FLAT=0): "Let
 *     DDI[0] be device_id[6:0], DDI[1] be device_id[15:7], and DDI[2] be
 *     device_id[23:16]."  1LVL with DDI[2] or DDI[1] != 0, 2LVL with
 *     DDI[2] != 0: 260.
 * I5  Non-leaf DDTE: bits 9:1 and 63:54 are reserved -> 259 ("If any bits or
 *     encoding that are reserved for future standard use are set within
 *     ddte"); checked after V ("If ddte.V == 0 ... 258" comes first).
 * I6  The whole 32-byte DC is read before tc.V is looked at: "Let DC be the
 *     value of DC_SIZE bytes ... If accessing DC violates a PMA or PMP check,
 *     then stop and report ... 257" precedes "If DC.tc.V == 0 ... 258".  So an
 *     AXI error on any of the 4 doublewords is 257 even when tc.V=0.
 * I7  DC_MISCONFIG rules that apply with F1/F2 (each -> 259, V=1 only):
 *     tc bits 23:12 and 63:32 set (reserved); tc bits 31:24 are "custom" and
 *     are ignored (this IOMMU defines no custom use); EN_ATS, EN_PRI or PRPR
 *     set (capabilities.ATS=0); T2GPA set (capabilities.T2GPA=0); PDTV=0 and
 *     DPE=1; SADE or GADE set (AMO_HWAD=0); SBE != 0; SXL != 0;
 *     iohgatp.MODE != Bare (1-7, 11-15 reserved, 8-10 unsupported as every
 *     Sv*x4 is 0); with iohgatp.MODE = Bare its PPN and GSCID are ignored
 *     (they are defined fields, not reserved ones); ta bits 11:0 and 39:32
 *     (reserved) and 63:40 (RCID/MCID: "If capabilities.QOSID is 0, these bits
 *     are reserved and must be set to 0"); fsc bits 59:44 (reserved in both
 *     iosatp and pdtp); PDTV=0 and iosatp.MODE not Bare/Sv39/Sv48/Sv57 or
 *     the caps bit of that mode 0 (custom modes 14-15 are not supported by
 *     this IOMMU, so also 259); PDTV=1 and pdtp.MODE != Bare (PD8/17/20
 *     unsupported, 4-13 reserved, 14-15 custom unsupported).  The PPN of a
 *     Bare iosatp/pdtp is ignored.
 * I8  DTF: a fault is recorded unless the DC was located (valid and not
 *     misconfigured) with tc.DTF=1 and the cause is one the FAULT_CAUSE table
 *     marks "No" (1, 4-7, 12, 13, 15, 20, 21, 23, 260-267, 269-271, 274):
 *     "If a fault condition prevents locating a valid device context then the
 *     DTF value assumed for reporting such faults is 0."  Cause 2048: F5.
 * I9  PV=1 with PDTV=0: 260 (step 7 "Transaction has a valid process_id and
 *     DC.tc.PDTV is 0").  PV=1 with PDTV=1 and pdtp.MODE=Bare: no process_id
 *     width limit applies (Bare uses no process_id) and the first stage is
 *     Bare (step 13 "If DC.fsc.pdtp.MODE = Bare then go to step 17 with
 *     iosatp.MODE Bare"); the spec maintainers confirm this reading in
 *     riscv-non-isa/riscv-iommu issue #638.  PDTV=1, PV=0: Bare whether DPE
 *     is 0 (step 12) or 1 (step 11 makes process_id 0, then step 13).
 * I10 Privilege: the transaction requests supervisor privilege only when
 *     PV=1 and AxPROT[0]=1 (the fault record's "If PV is 0, then PID and
 *     PRIV are 0").  Every first-stage walk reachable with F1 has PDTV=0, so
 *     PV=0 and the access is a user access: a leaf with U=0 faults for every
 *     access type ("U-mode software may only access the page when U=1").
 *     (Supervisor rules, SUM=0, are coded but unreachable.)
 * I11 First-stage walk: canonical check first ("must have bits 63-39 all
 *     equal to bit 38, or else a page-fault exception will occur"; 48/57
 *     likewise); then per level: AXI error on the PTE read -> access fault of
 *     the access type; V=0, or R=0 and W=1 (xwr 010, 110; 010 "remains a
 *     reserved encoding for IO transactions"), or reserved bits -> page fault;
 *     reserved bits are 60:54 always, 62:61 without Svpbmt (with Svpbmt:
 *     PBMT=3 on a leaf, PBMT!=0 on a non-leaf), 60:59 not reserved with
 *     Svrsw60t59b; N (bit 63) at level >= 1, leaf or not, is reserved (Svnapot
 *     table: "i >= 1 ... Reserved"); N on a level-0 leaf needs ppn[3:0]=1000
 *     (64 KiB), any other value is reserved.  A non-leaf PTE with D, A or U
 *     set faults ("For non-leaf PTEs, the D, A, and U bits are reserved");
 *     a non-leaf at level 0 faults.  Leaf: exec needs X, read needs R (no
 *     MXR in an IOMMU), write needs W; then U (I10); then superpage alignment
 *     (ppn[i-1:0] != 0 faults); then A=0, or D=0 on a write, faults (no
 *     hardware A/D update: capabilities.AMO_HWAD=0 so DC.tc.SADE=0: "If SADE
 *     is 0, the IOMMU causes a page-fault corresponding to the original access
 *     type if the A bit is 0 or if the memory access is a store and the D bit
 *     is 0").  All of these give the same cause, so their relative order is
 *     not observable.  RSW (9:8) is ignored.
 * I12 Page-fault causes 12/13/15 and access-fault causes 1/5/7 by access type
 *     (exec/read/write).  iotval = the request's IOVA as given (the start
 *     address of the burst, page offset included); iotval2 = 0 (no second
 *     stage).
 * I13 Only the start address of a burst is translated and PAS-checked (F5
 *     keeps translated bursts inside one 4 KiB page, so every byte shares the
 *     translation; in Bare mode only the start address is compared with
 *     2^PAS).
 */
#ifndef REF_XLATE_H
#define REF_XLATE_H

#include <stdbool.h>
#include <stdint.h>

/* Fault causes (fault record CAUSE field). */
enum {
    REF_CAUSE_NONE            = 0,
    REF_CAUSE_INSN_ACCESS     = 1,
    REF_CAUSE_READ_ACCESS     = 5,
    REF_CAUSE_WRITE_ACCESS    = 7,
    REF_CAUSE_INSN_PAGE       = 12,
    REF_CAUSE_READ_PAGE       = 13,
    REF_CAUSE_WRITE_PAGE      = 15,
    REF_CAUSE_ALL_DISALLOWED  = 256,
    REF_CAUSE_DDT_LOAD        = 257,
    REF_CAUSE_DDT_INVALID     = 258,
    REF_CAUSE_DDT_MISCONFIG   = 259,
    REF_CAUSE_TTYP_DISALLOWED = 260,
    REF_CAUSE_BURST_CROSS     = 2048,   /* custom: INCR burst crosses 4 KiB */
    REF_CAUSE_UNMODELLED      = 4095    /* not an IOMMU cause: see F1 */
};

/* Transaction types (fault record TTYP field). */
enum { REF_TTYP_UNTR_EXEC = 1, REF_TTYP_UNTR_READ = 2, REF_TTYP_UNTR_WRITE = 3 };

/* AxBURST encodings. */
enum { REF_BURST_FIXED = 0, REF_BURST_INCR = 1, REF_BURST_WRAP = 2 };

/* ddtp.iommu_mode and iosatp.MODE encodings, for tests that build tables. */
enum { REF_DDTP_OFF = 0, REF_DDTP_BARE = 1, REF_DDTP_1LVL = 2, REF_DDTP_2LVL = 3,
       REF_DDTP_3LVL = 4 };
enum { REF_SATP_BARE = 0, REF_SATP_SV39 = 8, REF_SATP_SV48 = 9, REF_SATP_SV57 = 10 };

/* Device-context tc bits. */
#define REF_TC_V      (1ull << 0)
#define REF_TC_EN_ATS (1ull << 1)
#define REF_TC_EN_PRI (1ull << 2)
#define REF_TC_T2GPA  (1ull << 3)
#define REF_TC_DTF    (1ull << 4)
#define REF_TC_PDTV   (1ull << 5)
#define REF_TC_PRPR   (1ull << 6)
#define REF_TC_GADE   (1ull << 7)
#define REF_TC_SADE   (1ull << 8)
#define REF_TC_DPE    (1ull << 9)
#define REF_TC_SBE    (1ull << 10)
#define REF_TC_SXL    (1ull << 11)

/* PTE bits (Sv39/48/57). */
#define REF_PTE_V (1ull << 0)
#define REF_PTE_R (1ull << 1)
#define REF_PTE_W (1ull << 2)
#define REF_PTE_X (1ull << 3)
#define REF_PTE_U (1ull << 4)
#define REF_PTE_G (1ull << 5)
#define REF_PTE_A (1ull << 6)
#define REF_PTE_D (1ull << 7)
#define REF_PTE_N (1ull << 63)
#define REF_PTE_PPN_SHIFT 10
#define REF_PPN_MASK ((1ull << 44) - 1u)      /* 44-bit PPN fields */

/* This IOMMU's capabilities register (F1). */
#define REF_CAPS_THIS_IOMMU 0x3810000e10ull

/* Read the 8 bytes at pa (8-byte aligned); false = AXI error. */
typedef bool (*ref_read64_fn)(void *ctx, uint64_t pa, uint64_t *val);

typedef struct {
    uint64_t ddtp;      /* raw ddtp: iommu_mode [3:0], PPN [53:10] */
    uint64_t caps;      /* raw capabilities */
    uint32_t fctl;      /* raw fctl: BE [0], GXL [2] */
} ref_cfg_t;

typedef struct {
    uint32_t did;       /* device_id, 24 bits */
    bool pv;            /* process_id valid */
    uint32_t pid;       /* process_id, 20 bits */
    bool priv;          /* AxPROT[0] */
    bool exec;          /* AxPROT[2]; reads only */
    bool write;
    uint64_t iova;      /* AxADDR */
    unsigned len, size, burst;   /* AxLEN, AxSIZE, AxBURST */
} ref_req_t;

typedef struct {
    bool fault;
    unsigned cause;     /* when fault */
    bool record;        /* when fault: a fault record is written (not DTF-suppressed) */
    unsigned ttyp;      /* 1, 2 or 3 */
    uint64_t pa;        /* when !fault: physical address of the start address */
    /* The fault record's fields (when fault && record). */
    uint64_t iotval, iotval2;
    uint32_t rec_did, rec_pid;
    bool rec_pv, rec_priv;
    /* What a correct IOMMU may cache, for tests that reason about caching. */
    unsigned page_shift; /* log2 of the page used: 12, 16, 21, 30, 39, 48;
                            0 = no page table used (Bare mode or Bare first stage) */
    bool dc_valid;      /* the DC was located (valid, not misconfigured) */
    uint32_t pscid;     /* DC.ta.PSCID when a first-stage walk was used, else 0 */
    bool global;        /* G was set in a PTE on the walk (leaf or non-leaf) */
    const char *rule;   /* short text naming the rule that decided (debugging) */
} ref_out_t;

void ref_translate(const ref_cfg_t *cfg, const ref_req_t *req, ref_read64_fn rd, void *ctx,
                   ref_out_t *out);

/* "Read page fault" etc.; "custom" / "reserved" for unnamed codes. */
const char *ref_cause_name(unsigned cause);

/* True when cause is one DC.tc.DTF=1 keeps out of the fault queue (I8). */
bool ref_dtf_suppresses(unsigned cause);

#endif
