/*
 * iommu_formats.h - in-memory data-structure formats of the RISC-V IOMMU
 * specification v1.0, and the Sv39/Sv48/Sv57 page-table entry of the RISC-V
 * privileged specification (with Svnapot).
 *
 * Registers are in the generated iommu_regs.h; this header covers what lives
 * in memory, chapter by chapter of the spec: device-directory entries and the
 * device context (iommu_data_structures.adoc), commands and fault records
 * (iommu_in_memory_queues.adoc).  Fields follow the iommu_regs.h convention
 * (<PREFIX>_SHIFT, _WIDTH, _MASK in place) so IOMMU_FIELD_GET/PREP work on
 * them.  Values are little-endian 64-bit doublewords.
 */
#ifndef IOMMU_FORMATS_H
#define IOMMU_FORMATS_H

#include <stdint.h>

#include "iommu_regs.h"

#define IOMMU_F(shift, width) (((width) >= 64 ? ~0ULL : ((1ULL << (width)) - 1ULL)) << (shift))

/* ---- ddtp.iommu_mode values ---------------------------------------------- */
#define IOMMU_DDTP_MODE_OFF  0u
#define IOMMU_DDTP_MODE_BARE 1u
#define IOMMU_DDTP_MODE_1LVL 2u
#define IOMMU_DDTP_MODE_2LVL 3u
#define IOMMU_DDTP_MODE_3LVL 4u

/* ---- non-leaf device-directory entry (8 bytes) ---------------------------- */
#define IOMMU_DDTE_V_SHIFT   0u
#define IOMMU_DDTE_V_WIDTH   1u
#define IOMMU_DDTE_V_MASK    IOMMU_F(0, 1)
#define IOMMU_DDTE_PPN_SHIFT 10u
#define IOMMU_DDTE_PPN_WIDTH 44u
#define IOMMU_DDTE_PPN_MASK  IOMMU_F(10, 44)

/* ---- device context: base format 32 bytes (dwords 0-3), extended 64 -------- */
#define IOMMU_DC_BASE_SIZE 32u
#define IOMMU_DC_EXT_SIZE  64u
/* dword 0: tc */
#define IOMMU_DC_TC_V_SHIFT       0u
#define IOMMU_DC_TC_V_WIDTH       1u
#define IOMMU_DC_TC_V_MASK        IOMMU_F(0, 1)
#define IOMMU_DC_TC_EN_ATS_MASK   IOMMU_F(1, 1)
#define IOMMU_DC_TC_EN_PRI_MASK   IOMMU_F(2, 1)
#define IOMMU_DC_TC_T2GPA_MASK    IOMMU_F(3, 1)
#define IOMMU_DC_TC_DTF_SHIFT     4u
#define IOMMU_DC_TC_DTF_WIDTH     1u
#define IOMMU_DC_TC_DTF_MASK      IOMMU_F(4, 1)
#define IOMMU_DC_TC_PDTV_SHIFT    5u
#define IOMMU_DC_TC_PDTV_WIDTH    1u
#define IOMMU_DC_TC_PDTV_MASK     IOMMU_F(5, 1)
#define IOMMU_DC_TC_PRPR_MASK     IOMMU_F(6, 1)
#define IOMMU_DC_TC_GADE_MASK     IOMMU_F(7, 1)
#define IOMMU_DC_TC_SADE_MASK     IOMMU_F(8, 1)
#define IOMMU_DC_TC_DPE_MASK      IOMMU_F(9, 1)
#define IOMMU_DC_TC_SBE_MASK      IOMMU_F(10, 1)
#define IOMMU_DC_TC_SXL_MASK      IOMMU_F(11, 1)
/* dword 1: iohgatp */
#define IOMMU_DC_IOHGATP_PPN_SHIFT   0u
#define IOMMU_DC_IOHGATP_PPN_WIDTH   44u
#define IOMMU_DC_IOHGATP_PPN_MASK    IOMMU_F(0, 44)
#define IOMMU_DC_IOHGATP_GSCID_SHIFT 44u
#define IOMMU_DC_IOHGATP_GSCID_WIDTH 16u
#define IOMMU_DC_IOHGATP_GSCID_MASK  IOMMU_F(44, 16)
#define IOMMU_DC_IOHGATP_MODE_SHIFT  60u
#define IOMMU_DC_IOHGATP_MODE_WIDTH  4u
#define IOMMU_DC_IOHGATP_MODE_MASK   IOMMU_F(60, 4)
/* dword 2: ta */
#define IOMMU_DC_TA_PSCID_SHIFT 12u
#define IOMMU_DC_TA_PSCID_WIDTH 20u
#define IOMMU_DC_TA_PSCID_MASK  IOMMU_F(12, 20)
/* dword 3: fsc (iosatp when tc.PDTV = 0) */
#define IOMMU_DC_FSC_PPN_SHIFT  0u
#define IOMMU_DC_FSC_PPN_WIDTH  44u
#define IOMMU_DC_FSC_PPN_MASK   IOMMU_F(0, 44)
#define IOMMU_DC_FSC_MODE_SHIFT 60u
#define IOMMU_DC_FSC_MODE_WIDTH 4u
#define IOMMU_DC_FSC_MODE_MASK  IOMMU_F(60, 4)

/* iosatp.MODE / iohgatp.MODE values (SXL = GXL = 0) */
#define IOMMU_ATP_MODE_BARE 0u
#define IOMMU_ATP_MODE_SV39 8u
#define IOMMU_ATP_MODE_SV48 9u
#define IOMMU_ATP_MODE_SV57 10u

/* ---- commands (16 bytes = dword 0, dword 1) ------------------------------- */
#define IOMMU_CMD_OPCODE_SHIFT 0u
#define IOMMU_CMD_OPCODE_WIDTH 7u
#define IOMMU_CMD_OPCODE_MASK  IOMMU_F(0, 7)
#define IOMMU_CMD_FUNC3_SHIFT  7u
#define IOMMU_CMD_FUNC3_WIDTH  3u
#define IOMMU_CMD_FUNC3_MASK   IOMMU_F(7, 3)

#define IOMMU_CMD_OP_IOTINVAL 1u
#define IOMMU_CMD_OP_IOFENCE  2u
#define IOMMU_CMD_OP_IODIR    3u
#define IOMMU_CMD_OP_ATS      4u
#define IOMMU_CMD_F3_IOTINVAL_VMA  0u
#define IOMMU_CMD_F3_IOTINVAL_GVMA 1u
#define IOMMU_CMD_F3_IOFENCE_C     0u
#define IOMMU_CMD_F3_IODIR_DDT     0u
#define IOMMU_CMD_F3_IODIR_PDT     1u

/* IOTINVAL.VMA / .GVMA, dword 0 */
#define IOMMU_CMD_IOTINVAL_AV_SHIFT    10u
#define IOMMU_CMD_IOTINVAL_AV_WIDTH    1u
#define IOMMU_CMD_IOTINVAL_AV_MASK     IOMMU_F(10, 1)
#define IOMMU_CMD_IOTINVAL_PSCID_SHIFT 12u
#define IOMMU_CMD_IOTINVAL_PSCID_WIDTH 20u
#define IOMMU_CMD_IOTINVAL_PSCID_MASK  IOMMU_F(12, 20)
#define IOMMU_CMD_IOTINVAL_PSCV_SHIFT  32u
#define IOMMU_CMD_IOTINVAL_PSCV_WIDTH  1u
#define IOMMU_CMD_IOTINVAL_PSCV_MASK   IOMMU_F(32, 1)
#define IOMMU_CMD_IOTINVAL_GV_SHIFT    33u
#define IOMMU_CMD_IOTINVAL_GV_WIDTH    1u
#define IOMMU_CMD_IOTINVAL_GV_MASK     IOMMU_F(33, 1)
#define IOMMU_CMD_IOTINVAL_GSCID_SHIFT 44u
#define IOMMU_CMD_IOTINVAL_GSCID_WIDTH 16u
#define IOMMU_CMD_IOTINVAL_GSCID_MASK  IOMMU_F(44, 16)
/* IOTINVAL, dword 1: ADDR[63:12] in bits 61:10 */
#define IOMMU_CMD_IOTINVAL_ADDR_SHIFT  10u
#define IOMMU_CMD_IOTINVAL_ADDR_WIDTH  52u
#define IOMMU_CMD_IOTINVAL_ADDR_MASK   IOMMU_F(10, 52)

/* IOFENCE.C, dword 0 */
#define IOMMU_CMD_IOFENCE_AV_SHIFT   10u
#define IOMMU_CMD_IOFENCE_AV_WIDTH   1u
#define IOMMU_CMD_IOFENCE_AV_MASK    IOMMU_F(10, 1)
#define IOMMU_CMD_IOFENCE_WSI_SHIFT  11u
#define IOMMU_CMD_IOFENCE_WSI_WIDTH  1u
#define IOMMU_CMD_IOFENCE_WSI_MASK   IOMMU_F(11, 1)
#define IOMMU_CMD_IOFENCE_PR_SHIFT   12u
#define IOMMU_CMD_IOFENCE_PR_WIDTH   1u
#define IOMMU_CMD_IOFENCE_PR_MASK    IOMMU_F(12, 1)
#define IOMMU_CMD_IOFENCE_PW_SHIFT   13u
#define IOMMU_CMD_IOFENCE_PW_WIDTH   1u
#define IOMMU_CMD_IOFENCE_PW_MASK    IOMMU_F(13, 1)
#define IOMMU_CMD_IOFENCE_DATA_SHIFT 32u
#define IOMMU_CMD_IOFENCE_DATA_WIDTH 32u
#define IOMMU_CMD_IOFENCE_DATA_MASK  IOMMU_F(32, 32)
/* IOFENCE.C, dword 1: ADDR[63:2] in bits 61:0 */
#define IOMMU_CMD_IOFENCE_ADDR_SHIFT 0u
#define IOMMU_CMD_IOFENCE_ADDR_WIDTH 62u
#define IOMMU_CMD_IOFENCE_ADDR_MASK  IOMMU_F(0, 62)

/* IODIR.INVAL_DDT / INVAL_PDT, dword 0 */
#define IOMMU_CMD_IODIR_PID_SHIFT 12u
#define IOMMU_CMD_IODIR_PID_WIDTH 20u
#define IOMMU_CMD_IODIR_PID_MASK  IOMMU_F(12, 20)
#define IOMMU_CMD_IODIR_DV_SHIFT  33u
#define IOMMU_CMD_IODIR_DV_WIDTH  1u
#define IOMMU_CMD_IODIR_DV_MASK   IOMMU_F(33, 1)
#define IOMMU_CMD_IODIR_DID_SHIFT 40u
#define IOMMU_CMD_IODIR_DID_WIDTH 24u
#define IOMMU_CMD_IODIR_DID_MASK  IOMMU_F(40, 24)

/* ---- fault record (32 bytes = dwords 0-3) --------------------------------- */
#define IOMMU_FAULT_REC_SIZE 32u
#define IOMMU_FAULT_CAUSE_SHIFT 0u
#define IOMMU_FAULT_CAUSE_WIDTH 12u
#define IOMMU_FAULT_CAUSE_MASK  IOMMU_F(0, 12)
#define IOMMU_FAULT_PID_SHIFT   12u
#define IOMMU_FAULT_PID_WIDTH   20u
#define IOMMU_FAULT_PID_MASK    IOMMU_F(12, 20)
#define IOMMU_FAULT_PV_SHIFT    32u
#define IOMMU_FAULT_PV_WIDTH    1u
#define IOMMU_FAULT_PV_MASK     IOMMU_F(32, 1)
#define IOMMU_FAULT_PRIV_SHIFT  33u
#define IOMMU_FAULT_PRIV_WIDTH  1u
#define IOMMU_FAULT_PRIV_MASK   IOMMU_F(33, 1)
#define IOMMU_FAULT_TTYP_SHIFT  34u
#define IOMMU_FAULT_TTYP_WIDTH  6u
#define IOMMU_FAULT_TTYP_MASK   IOMMU_F(34, 6)
#define IOMMU_FAULT_DID_SHIFT   40u
#define IOMMU_FAULT_DID_WIDTH   24u
#define IOMMU_FAULT_DID_MASK    IOMMU_F(40, 24)
/* dword 1: bits 31:0 custom, 63:32 reserved */
#define IOMMU_FAULT_CUSTOM_SHIFT 0u
#define IOMMU_FAULT_CUSTOM_WIDTH 32u
#define IOMMU_FAULT_CUSTOM_MASK  IOMMU_F(0, 32)

/* ---- Sv39/Sv48/Sv57 page-table entry (privileged spec) -------------------- */
#define IOMMU_PTE_V (1ULL << 0)
#define IOMMU_PTE_R (1ULL << 1)
#define IOMMU_PTE_W (1ULL << 2)
#define IOMMU_PTE_X (1ULL << 3)
#define IOMMU_PTE_U (1ULL << 4)
#define IOMMU_PTE_G (1ULL << 5)
#define IOMMU_PTE_A (1ULL << 6)
#define IOMMU_PTE_D (1ULL << 7)
#define IOMMU_PTE_RSW_SHIFT  8u
#define IOMMU_PTE_RSW_WIDTH  2u
#define IOMMU_PTE_RSW_MASK   IOMMU_F(8, 2)
#define IOMMU_PTE_PPN_SHIFT  10u
#define IOMMU_PTE_PPN_WIDTH  44u
#define IOMMU_PTE_PPN_MASK   IOMMU_F(10, 44)
#define IOMMU_PTE_PBMT_SHIFT 61u
#define IOMMU_PTE_PBMT_WIDTH 2u
#define IOMMU_PTE_PBMT_MASK  IOMMU_F(61, 2)
#define IOMMU_PTE_N (1ULL << 63)
/* Svnapot 64 KiB: N = 1 in a level-0 leaf, ppn[3:0] = 0b1000 */
#define IOMMU_PTE_NAPOT64K_PPN_LOW 0x8u

#endif /* IOMMU_FORMATS_H */
