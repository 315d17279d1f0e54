// iommu_pkg: constants of the RISC-V IOMMU specification v1.0 that the RTL
// uses in more than one module (modes, fault causes, transaction types) and
// the fault-request record that every fault source hands to the fault queue.
// Register offsets and fields come from the generated iommu_reg_pkg.
`default_nettype none

package iommu_pkg;

  // ddtp.iommu_mode encodings (spec: ddtp register)
  localparam logic [3:0] ModeOff  = 4'd0;
  localparam logic [3:0] ModeBare = 4'd1;
  localparam logic [3:0] Mode1Lvl = 4'd2;
  localparam logic [3:0] Mode2Lvl = 4'd3;
  localparam logic [3:0] Mode3Lvl = 4'd4;

  // iosatp.MODE encodings (SXL = 0)
  localparam logic [3:0] SatpBare = 4'd0;
  localparam logic [3:0] SatpSv39 = 4'd8;
  localparam logic [3:0] SatpSv48 = 4'd9;
  localparam logic [3:0] SatpSv57 = 4'd10;

  // Access type of a request, as the walker and the permission check see it.
  localparam logic [1:0] AccRead  = 2'd0;
  localparam logic [1:0] AccWrite = 2'd1;
  localparam logic [1:0] AccExec  = 2'd2;

  // Page sizes as the IOTLB stores them: the number of low VPN bits a
  // mapping of that size leaves untranslated is 0, 4, 9, 18, 27, 36.
  localparam logic [2:0] Pg4K   = 3'd0;
  localparam logic [2:0] Pg64K  = 3'd1;   // Svnapot
  localparam logic [2:0] Pg2M   = 3'd2;
  localparam logic [2:0] Pg1G   = 3'd3;
  localparam logic [2:0] Pg512G = 3'd4;
  localparam logic [2:0] Pg256T = 3'd5;

  // VPN bits kept in the caches: Sv57 translates IOVA bits 56:12.
  localparam int unsigned VpnW  = 45;
  localparam int unsigned PpnW  = 44;
  localparam int unsigned PscidW = 20;

  // Fault-record CAUSE encodings (spec: fault queue, CAUSE table); each
  // feature adds the causes it reports.
  localparam logic [11:0] CauseInstrAccess   = 12'd1;
  localparam logic [11:0] CauseReadAccess    = 12'd5;
  localparam logic [11:0] CauseWriteAccess   = 12'd7;
  localparam logic [11:0] CauseInstrPage     = 12'd12;
  localparam logic [11:0] CauseReadPage      = 12'd13;
  localparam logic [11:0] CauseWritePage     = 12'd15;
  localparam logic [11:0] CauseAllDisallowed = 12'd256;
  localparam logic [11:0] CauseDdtAccess     = 12'd257;
  localparam logic [11:0] CauseDdtInvalid    = 12'd258;
  localparam logic [11:0] CauseDdtMisconf    = 12'd259;
  localparam logic [11:0] CauseTtypDisallowed = 12'd260;
  // Custom cause (2048..4095 are designated for custom use): an INCR burst
  // whose bytes cross a 4 KiB boundary, which AXI4 forbids; it is refused.
  localparam logic [11:0] CauseBurstCross    = 12'd2048;

  // Fault-record TTYP encodings
  localparam logic [5:0] TtypUntrExec    = 6'd1;
  localparam logic [5:0] TtypUntrRead    = 6'd2;
  localparam logic [5:0] TtypUntrWrite   = 6'd3;

  // One fault to record: the fields of the 32-byte fault record.
  // dword0 = {did, ttyp, priv, pv, pid, cause}; dword2 = iotval; dword3 = iotval2.
  typedef struct packed {
    logic [23:0] did;
    logic [5:0]  ttyp;
    logic        priv;
    logic        pv;
    logic [19:0] pid;
    logic [11:0] cause;
    logic [63:0] iotval;
    logic [63:0] iotval2;
  } fault_req_t;

  localparam int unsigned FaultReqW = 192;

  // The access-fault and page-fault causes of an access type.
  function automatic logic [11:0] access_cause(input logic [1:0] acc);
    access_cause = (acc == AccExec)  ? CauseInstrAccess :
                   (acc == AccWrite) ? CauseWriteAccess : CauseReadAccess;
  endfunction
  function automatic logic [11:0] page_cause(input logic [1:0] acc);
    page_cause = (acc == AccExec)  ? CauseInstrPage :
                 (acc == AccWrite) ? CauseWritePage : CauseReadPage;
  endfunction

  // Whether DC.tc.DTF = 1 suppresses the record of a cause (spec: fault
  // queue, the CAUSE table's "reported if DTF=1" column).
  function automatic logic dtf_suppresses(input logic [11:0] cause);
    dtf_suppresses = (cause <= 12'd255) ||
                     (cause >= 12'd260 && cause <= 12'd267) ||
                     (cause >= 12'd269 && cause <= 12'd271) || (cause == 12'd274);
  endfunction

  // VPN bits compared for a page of size code sz (1 = compare).
  function automatic logic [VpnW-1:0] vpn_cmp_mask(input logic [2:0] sz);
    case (sz)
      Pg64K:   vpn_cmp_mask = {{(VpnW-4){1'b1}}, 4'b0};
      Pg2M:    vpn_cmp_mask = {{(VpnW-9){1'b1}}, 9'b0};
      Pg1G:    vpn_cmp_mask = {{(VpnW-18){1'b1}}, 18'b0};
      Pg512G:  vpn_cmp_mask = {{(VpnW-27){1'b1}}, 27'b0};
      Pg256T:  vpn_cmp_mask = {{(VpnW-36){1'b1}}, 36'b0};
      default: vpn_cmp_mask = '1;
    endcase
  endfunction

  // ---- the device-context cache's payload ------------------------------------
  // {DTF, PDTV, first stage Bare, first-stage mode (0 Sv39, 1 Sv48, 2 Sv57),
  //  PSCID, root PPN}: what a valid DC contributes to translating a request.
  localparam int unsigned DcW = 1 + 1 + 1 + 2 + PscidW + PpnW;

  // ---- rules shared by the hit path and the walker ----------------------------
  // What happens right after the DC is known (spec: translation process,
  // steps after "locate the device-context"):
  //   a process_id with PDTV=0 -> 260 (with PDTV=1 the pdtp is Bare here, as
  //   PD8/PD17/PD20 are not offered, and a Bare pdtp takes any process_id:
  //   riscv-non-isa/riscv-iommu issue 638);
  //   a Bare first stage (iosatp Bare, or PDTV=1) -> the IOVA is the
  //   physical address;
  //   otherwise the IOVA must be canonical for the mode, else a page fault.
  localparam logic [1:0] PostDcWalk     = 2'd0;
  localparam logic [1:0] PostDcIdentity = 2'd1;
  localparam logic [1:0] PostDcFault    = 2'd2;

  // IOVA bits 63:n all equal for Sv39 (n=38), Sv48 (47), Sv57 (56); hi is
  // IOVA bits 63:38.
  function automatic logic canonical(input logic [25:0] hi, input logic [1:0] smode);
    case (smode)
      2'd0:    canonical = (hi == '0) || (hi == '1);
      2'd1:    canonical = (hi[25:9] == '0) || (hi[25:9] == '1);
      default: canonical = (hi[25:18] == '0) || (hi[25:18] == '1);
    endcase
  endfunction

  // An address that the physical address space of paw bits holds.
  function automatic logic pa_fits(input logic [63:0] addr, input int unsigned paw);
    pa_fits = (paw >= 64) || ((addr >> paw) == 64'd0);
  endfunction

  // The index of the one set bit of a one-hot vector of up to 64 entries
  // (zero-extended by the caller; 0 for none): the read address of a LUT RAM
  // that holds a fully associative cache's data, where a match vector names
  // the entry.  Index bit b is the OR of the entries whose index has bit b
  // set (six masked reductions, cheap to simulate too).
  function automatic logic [5:0] oh_index(input logic [63:0] oh);
    oh_index[0] = |(oh & 64'haaaa_aaaa_aaaa_aaaa);
    oh_index[1] = |(oh & 64'hcccc_cccc_cccc_cccc);
    oh_index[2] = |(oh & 64'hf0f0_f0f0_f0f0_f0f0);
    oh_index[3] = |(oh & 64'hff00_ff00_ff00_ff00);
    oh_index[4] = |(oh & 64'hffff_0000_ffff_0000);
    oh_index[5] = |(oh & 64'hffff_ffff_0000_0000);
  endfunction

  // Index mask of a queue of 2^(lsz+1) entries (cqb/fqb.LOG2SZ-1 = lsz): bit i
  // set for i <= lsz, a compare per bit rather than a shift and a subtract.
  function automatic logic [31:0] idx_mask(input logic [4:0] lsz);
    for (int i = 0; i < 32; i++) idx_mask[i] = 5'(i) <= lsz;
  endfunction

  // What post_dc_kind needs of an address, computed where the address is
  // registered (a request stage, a walk context), so that the decision after
  // the DC is not behind 64-bit compares: {PA fits, canonical for Sv57, Sv48,
  // Sv39}.
  function automatic logic [3:0] addr_facts(input logic [63:0] iova, input int unsigned paw);
    addr_facts = {pa_fits(iova, paw), canonical(iova[63:38], 2'd2), canonical(iova[63:38], 2'd1),
                  canonical(iova[63:38], 2'd0)};
  endfunction

  function automatic logic [1:0] post_dc_kind(input logic pv, input logic pdtv,
      input logic s1_bare, input logic [1:0] smode, input logic [3:0] facts);
    post_dc_kind = (pv && !pdtv) ? PostDcFault :
                   s1_bare ? (facts[3] ? PostDcIdentity : PostDcFault) :
                   (smode == 2'd0 ? facts[0] : smode == 2'd1 ? facts[1] : facts[2]) ? PostDcWalk :
                   PostDcFault;
  endfunction

  function automatic logic [11:0] post_dc_cause(input logic pv, input logic pdtv,
      input logic s1_bare, input logic [1:0] acc);
    post_dc_cause = (pv && !pdtv) ? CauseTtypDisallowed :
                    s1_bare ? access_cause(acc) : page_cause(acc);
  endfunction

  // A leaf's permissions {D, U, X, W, R} allow an access: requests carry no
  // supervisor privilege here (PV=0), so U must be 1; A must be 1 (no
  // hardware A/D update), and a write needs D.
  // The IOTLB stores what a leaf allows, {exec, write, read} (perm_allow), so
  // a lookup's check is one 3-way choice by the access (allow_ok).
  function automatic logic [2:0] perm_allow(input logic [4:0] perm);
    perm_allow = {perm[3] && perm[2], perm[3] && perm[1] && perm[4], perm[3] && perm[0]};
  endfunction
  function automatic logic allow_ok(input logic [2:0] allow, input logic [1:0] acc);
    allow_ok = (acc == AccExec) ? allow[2] : (acc == AccWrite) ? allow[1] : allow[0];
  endfunction
  function automatic logic perm_ok(input logic [4:0] perm, input logic [1:0] acc);
    perm_ok = allow_ok(perm_allow(perm), acc);
  endfunction

endpackage

`default_nettype wire
