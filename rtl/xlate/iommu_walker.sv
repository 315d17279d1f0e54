// iommu_walker: Walks translation walks in flight at once, sharing the
// data-structure port's read channels (one read outstanding per walk, ARID =
// walk index) and one response processor.
//
// A walk is allocated for a request that missed (req_*).  When the device
// context was not in the DC cache the walk reads the directory (ddtp mode
// 1LVL/2LVL/3LVL: non-leaf DDT entries, then the 32-byte base-format DC as one
// 4-beat burst) and checks each entry as the spec's "locate the
// device-context" steps say (257 on a read error, 258 not valid, 259
// misconfigured), fills the DC cache, applies the post-DC rules
// (iommu_pkg::post_dc_kind), then walks the first-stage table from its root.
// When the DC was cached it starts at the deepest table the walk cache knows.
// Each PTE is checked as the privileged spec's walk does (V, reserved
// encodings and bits, PBMT and N where not offered, non-leaf at level 0,
// non-leaf D/A/U, Svnapot 64 KiB, superpage alignment, permissions, A, D on
// a write): a failure is a page fault 12/13/15, a read error an access fault
// 1/5/7.  A valid non-leaf PTE fills the walk cache; a successful leaf fills
// the IOTLB.  The result (translated 4 KiB PPN, or a fault with its cause and
// whether DTF suppresses its record) goes back to the requester's tag.
//
// Intake is a three-register pipeline: a request is registered (q0; the
// requesters present theirs from registers); the walk cache's RAMs read the
// set of the request entering q0, its ways are compared with q0 and the
// matches held into q1, whose answer is registered with the request (q2),
// and a walk context is allocated from q2; a DC invalidation drops the
// DC a request in the pipeline carries (it reads the directory again), and
// kill_i drops its walk-cache answer.  R beats are registered before the
// response processor sees them.  A miss pays 3 cycles for the intake and 1
// per read for these registers; in return no path runs from a requester's
// slot into the walk cache, from the walk cache into a walk context, or from
// the R channel into a context.
// The response processor handles one R beat per cycle, so results and fills
// come at most one per cycle.  A table address beyond PAS is answered like a
// read error without reading (a "synthetic" error beat when the R channel is
// idle).  kill_i marks every walk in flight stale, including one starting in
// that cycle: a stale walk still answers its requester but fills no cache
// (caches were flushed, or their contents invalidated, after it started), and
// no fill happens in the kill cycle itself.
// Assumes: ds R beats of one read arrive in order (AXI), rready is always 1.
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_walker #(
  parameter int unsigned Walks = 8,     /// walks in flight
  parameter int unsigned TagW  = 4,     /// requester tag bits
  parameter int unsigned DidW  = 24,    /// device_id bits
  parameter int unsigned IovaW = 64,    /// IOVA bits
  parameter int unsigned PaW   = 56,    /// physical address bits
  parameter int unsigned DsIdW = 4      /// data-structure port ID bits (>= log2 Walks)
) (
  input  wire logic                          clk_i,
  input  wire logic                          rst_ni,
  input  wire logic [3:0]                    mode_i,      /// ddtp.iommu_mode
  input  wire logic [43:0]                   ddtp_ppn_i,
  input  wire logic                          kill_i,
  input  wire logic                          dc_inval_i,  /// DCs carried by requests are stale
  output      logic                          stale_o,     /// a stale walk is in flight
  // walk requests
  input  wire logic                          req_valid_i,
  output      logic                          req_ready_o,
  input  wire logic [TagW-1:0]               req_tag_i,
  input  wire logic [DidW-1:0]               req_did_i,
  input  wire logic [IovaW-1:0]              req_iova_i,
  input  wire logic [1:0]                    req_acc_i,
  input  wire logic                          req_pv_i,
  input  wire logic                          req_dc_hit_i,
  input  wire logic [iommu_pkg::DcW-1:0]     req_dc_i,
  // results
  output      logic                          res_valid_o,
  output      logic [TagW-1:0]               res_tag_o,
  output      logic                          res_fault_o,
  output      logic [11:0]                   res_cause_o,
  output      logic                          res_record_o,
  output      logic [iommu_pkg::PpnW-1:0]    res_ppn_o,
  // DC cache fill
  output      logic                          dc_fill_o,
  output      logic [TagW-1:0]               dc_fill_tag_o,  /// the requester whose walk read the DC
  output      logic [DidW-1:0]               dc_fill_did_o,
  output      logic [iommu_pkg::DcW-1:0]     dc_fill_data_o,
  // IOTLB fill
  output      logic                          tlb_fill_o,
  output      logic [iommu_pkg::PscidW-1:0]  tlb_fill_pscid_o,
  output      logic                          tlb_fill_g_o,
  output      logic [iommu_pkg::VpnW-1:0]    tlb_fill_vpn_o,
  output      logic [2:0]                    tlb_fill_size_o,
  output      logic [iommu_pkg::PpnW-1:0]    tlb_fill_ppn_o,
  output      logic [4:0]                    tlb_fill_perm_o,
  // walk cache (iommu_walk_cache: read for the request entering q0, compared
  // in q0, answered in q1)
  output      logic [iommu_pkg::VpnW-1:0]    wc_rd_vpn_o,
  output      logic [3:0]                    wc_rd_hold_o,   /// copies, one per walk-cache level
  output      logic [3:0]                    wc_adv_o,       /// copies, one per walk-cache level
  output      logic [iommu_pkg::PscidW-1:0]  wc_lk_pscid_o,
  output      logic [iommu_pkg::VpnW-1:0]    wc_lk_vpn_o,
  input  wire logic                          wc_lk_hit_i,
  input  wire logic [1:0]                    wc_lk_lvl_i,
  input  wire logic [iommu_pkg::PpnW-1:0]    wc_lk_ppn_i,
  output      logic                          wc_fill_o,
  output      logic [iommu_pkg::PscidW-1:0]  wc_fill_pscid_o,
  output      logic [iommu_pkg::VpnW-1:0]    wc_fill_vpn_o,
  output      logic [1:0]                    wc_fill_lvl_o,
  output      logic [iommu_pkg::PpnW-1:0]    wc_fill_ppn_o,
  // data-structure port, read channels
  output      logic [DsIdW-1:0]              ds_arid_o,
  output      logic [PaW-1:0]                ds_araddr_o,
  output      logic [7:0]                    ds_arlen_o,
  output      logic                          ds_arvalid_o,
  input  wire logic                          ds_arready_i,
  input  wire logic [DsIdW-1:0]              ds_rid_i,
  input  wire logic [63:0]                   ds_rdata_i,
  input  wire logic [1:0]                    ds_rresp_i,
  input  wire logic                          ds_rlast_i,
  input  wire logic                          ds_rvalid_i,
  output      logic                          ds_rready_o
);
  localparam int unsigned PscidW = iommu_pkg::PscidW;
  localparam int unsigned VpnW   = iommu_pkg::VpnW;
  localparam int unsigned PpnW   = iommu_pkg::PpnW;
  localparam int unsigned WIdxW  = (Walks > 1) ? $clog2(Walks) : 1;

  // Context states and walk phases.
  localparam logic [1:0] CIdle = 2'd0;   // free
  localparam logic [1:0] CIssue = 2'd1;  // next read ready to go out
  localparam logic [1:0] CWait = 2'd2;   // read outstanding
  localparam logic [1:0] CErr = 2'd3;    // next address beyond PAS: answer as an error
  localparam logic [1:0] PhDdt = 2'd0;   // non-leaf DDT entry
  localparam logic [1:0] PhDc  = 2'd1;   // device context, 4 beats
  localparam logic [1:0] PhPt  = 2'd2;   // first-stage PTE

  // ---- helpers (no local variables: see doc/architecture.md, "Traps") ------
  function automatic logic ppn_fits(input logic [PpnW-1:0] ppn);
    ppn_fits = iommu_pkg::pa_fits({8'd0, ppn, 12'd0}, PaW);
  endfunction
  // 9-bit VPN field of level l (0..4).
  function automatic logic [8:0] vpn_at(input logic [VpnW-1:0] vpn, input logic [2:0] l);
    case (l)
      3'd0:    vpn_at = vpn[8:0];
      3'd1:    vpn_at = vpn[17:9];
      3'd2:    vpn_at = vpn[26:18];
      3'd3:    vpn_at = vpn[35:27];
      default: vpn_at = vpn[44:36];
    endcase
  endfunction
  function automatic logic [PaW-1:0] pte_addr(input logic [PpnW-1:0] ppn, input logic [8:0] idx);
    pte_addr = PaW'({ppn, idx, 3'b000});
  endfunction
  // Device-directory index i of a device_id (base-format DC).
  function automatic logic [8:0] ddi(input logic [23:0] did, input logic [1:0] i);
    case (i)
      2'd0:    ddi = {2'b00, did[6:0]};
      2'd1:    ddi = did[15:7];
      default: ddi = {1'b0, did[23:16]};
    endcase
  endfunction
  function automatic logic [PaW-1:0] dc_addr(input logic [PpnW-1:0] ppn, input logic [6:0] ddi0);
    dc_addr = PaW'({ppn, ddi0, 5'b00000});
  endfunction
  // Root level of a first-stage mode: Sv39 2, Sv48 3, Sv57 4.
  function automatic logic [2:0] top_lvl(input logic [1:0] smode);
    top_lvl = 3'(smode) + 3'd2;
  endfunction

  // ---- contexts -------------------------------------------------------------
  logic [1:0]        st_q    [Walks];
  logic [1:0]        ph_q    [Walks];
  logic [2:0]        lvl_q   [Walks];
  logic [1:0]        beat_q  [Walks];
  logic [PaW-1:0]    addr_q  [Walks];
  logic [Walks-1:0]  stale_q, g_q, dc_ok_q;
  // DC being read / known
  logic [Walks-1:0]  dc_err_q, dc_v_q, dc_bad_q, dtf_q, pdtv_q;
  logic [PscidW-1:0] pscid_q [Walks];

  logic [Walks-1:0] is_idle, is_issue, is_err;
  for (genvar k = 0; k < Walks; k++) begin : g_st
    assign is_idle[k]  = st_q[k] == CIdle;
    assign is_issue[k] = st_q[k] == CIssue;
    assign is_err[k]   = st_q[k] == CErr;
  end

  // Lowest set bit of a vector.
  logic            err_any_q;
  logic [WIdxW-1:0] err_idx_q;

  logic res_stale_q;   // the result in the output register is of a stale walk
  assign stale_o = |(stale_q & ~is_idle) || res_stale_q;

  // ---- intake pipeline --------------------------------------------------------
  localparam int unsigned ReqW = TagW + DidW + IovaW + 2 + 1 + iommu_pkg::DcW;
  logic            q0_v_q, q1_v_q, q2_v_q, q0_dc_hit_q, q1_dc_hit_q, q2_dc_hit_q, q2_wc_hit_q;
  logic            q0_move, q1_move, alloc;
  logic [ReqW-1:0] q0_q, q1_q, q2_q;
  logic [1:0]      q2_wc_lvl_q;
  logic [PpnW-1:0] q2_wc_ppn_q;
  assign q1_move     = !q2_v_q || alloc;
  assign q0_move     = !q1_v_q || q1_move;
  assign req_ready_o = !q0_v_q || q0_move;

  // The moves in copies.  They are a LUT or two of four registers (the
  // stages' valid bits and al_q) but reach about a thousand loads: the
  // stage registers' enables and the walk cache's holds and takes.  Each
  // group of loads gets its own copy of the registers (iommu_copies), so no
  // one net spans them all; the originals drive the valid
  // bits, the allocation and req_ready_o.
  localparam int unsigned CpQ0 = 0, CpQ1 = 1, CpQ2 = 2, CpAdv = 3, CpHold = 7, CpN = 11;
  logic [CpN-1:0] cp_al, cp_q1m, cp_q0m, cp_rdy;
  logic           q0_v_d, q1_v_d, q2_v_d;
  assign q0_v_d = req_ready_o ? req_valid_i : q0_v_q;
  assign q1_v_d = q0_move ? q0_v_q : q1_v_q;
  assign q2_v_d = q1_move ? q1_v_q : q2_v_q;
  logic [3*CpN-1:0] cp_v;   // per copy {q0_v_q, q1_v_q, q2_v_q}
  iommu_copies #(.W (3), .N (CpN)) u_cp_v (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    ({q0_v_d, q1_v_d, q2_v_d}),
    .q_o    (cp_v)
  );
  for (genvar i = 0; i < CpN; i++) begin : g_cp
    logic v0_q, v1_q, v2_q;
    assign {v0_q, v1_q, v2_q} = cp_v[i*3 +: 3];
    assign cp_q1m[i] = !v2_q || cp_al[i];
    assign cp_q0m[i] = !v1_q || cp_q1m[i];
    assign cp_rdy[i] = !v0_q || cp_q0m[i];
  end
  `IOMMU_ASSERT(MoveCopies_A, clk_i, rst_ni,
                cp_q1m == {CpN{q1_move}} && cp_q0m == {CpN{q0_move}} && cp_rdy == {CpN{req_ready_o}})

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      q0_v_q      <= 1'b0;
      q1_v_q      <= 1'b0;
      q2_v_q      <= 1'b0;
      q0_dc_hit_q <= 1'b0;
      q1_dc_hit_q <= 1'b0;
      q2_dc_hit_q <= 1'b0;
      q2_wc_hit_q <= 1'b0;
    end else begin
      q0_v_q <= q0_v_d;
      q1_v_q <= q1_v_d;
      q2_v_q <= q2_v_d;
      if (req_ready_o) begin
        q0_dc_hit_q <= req_dc_hit_i && !dc_inval_i;
      end else if (dc_inval_i) begin
        q0_dc_hit_q <= 1'b0;
      end
      if (q0_move) begin
        q1_dc_hit_q <= q0_dc_hit_q && !dc_inval_i;
      end else if (dc_inval_i) begin
        q1_dc_hit_q <= 1'b0;
      end
      if (q1_move) begin
        q2_dc_hit_q <= q1_dc_hit_q && !dc_inval_i;
        q2_wc_hit_q <= wc_lk_hit_i && !kill_i;
      end else begin
        if (dc_inval_i) q2_dc_hit_q <= 1'b0;
        if (kill_i)     q2_wc_hit_q <= 1'b0;
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (cp_rdy[CpQ0]) q0_q <= {req_tag_i, req_did_i, req_iova_i, req_acc_i, req_pv_i, req_dc_i};
    if (cp_q0m[CpQ1]) q1_q <= q0_q;
    if (cp_q1m[CpQ2]) begin
      q2_q        <= q1_q;
      q2_wc_lvl_q <= wc_lk_lvl_i;
      q2_wc_ppn_q <= wc_lk_ppn_i;
    end
  end

  // ---- allocation -----------------------------------------------------------
  // Unpack the request in q2 (the walk cache sees q1's).
  logic [TagW-1:0]  rq_tag;
  logic [DidW-1:0]  rq_did_w;
  logic [IovaW-1:0] rq_iova;
  logic [1:0]       rq_acc;
  logic             rq_pv;
  logic [iommu_pkg::DcW-1:0] rq_dc;
  assign {rq_tag, rq_did_w, rq_iova, rq_acc, rq_pv, rq_dc} = q2_q;
  logic             rq_dtf, rq_pdtv, rq_s1_bare;
  logic [1:0]       rq_smode;
  logic [PscidW-1:0] rq_pscid;
  logic [PpnW-1:0]  rq_root;
  logic [23:0]      rq_did;
  logic [VpnW-1:0]  rq_vpn;
  assign {rq_dtf, rq_pdtv, rq_s1_bare, rq_smode, rq_pscid, rq_root} = rq_dc;
  assign rq_did = 24'(rq_did_w);
  assign rq_vpn = rq_iova[12 +: VpnW];

  // The walk cache reads the set of the request entering q0 (or q0's again
  // while it stays), compares q0's PSCID (in its DC) and VPN, keeps the
  // matches as q0 moves into q1 and answers for q1
  assign wc_lk_pscid_o = q0_q[PpnW +: PscidW];
  assign wc_lk_vpn_o   = q0_q[iommu_pkg::DcW + 3 + 12 +: VpnW];
  assign wc_rd_vpn_o   = req_iova_i[12 +: VpnW];
  for (genvar l = 0; l < 4; l++) begin : g_wc
    assign wc_rd_hold_o[l] = !cp_rdy[CpHold + l];
    assign wc_adv_o[l]     = cp_q0m[CpAdv + l];
  end

  // First read of a new walk.
  logic            wc_use;
  logic [1:0]      a_ph;
  logic [2:0]      a_lvl;
  logic [PpnW-1:0] a_table;
  logic [PaW-1:0]  a_addr;
  assign wc_use = q2_wc_hit_q && (3'(q2_wc_lvl_q) < top_lvl(rq_smode));
  always_comb begin
    if (q2_dc_hit_q) begin
      a_ph    = PhPt;
      a_lvl   = wc_use ? 3'(q2_wc_lvl_q) : top_lvl(rq_smode);
      a_table = wc_use ? q2_wc_ppn_q : rq_root;
      a_addr  = pte_addr(a_table, vpn_at(rq_vpn, a_lvl));
    end else begin
      a_table = ddtp_ppn_i;
      if (mode_i == iommu_pkg::Mode1Lvl) begin
        a_ph   = PhDc;
        a_lvl  = 3'd0;
        a_addr = dc_addr(a_table, rq_did[6:0]);
      end else begin
        a_ph   = PhDdt;
        a_lvl  = (mode_i == iommu_pkg::Mode3Lvl) ? 3'd2 : 3'd1;
        a_addr = pte_addr(a_table, ddi(rq_did, a_lvl[1:0]));
      end
    end
  end

  // The context a walk is allocated in is chosen a cycle ahead (al_q,
  // al_oh_q: the first idle context; after an allocation the first
  // idle one but that; a context whose walk ends is offered from the cycle
  // after), so the intake's moves and the contexts' enables are registers.
  logic             al_q;
  logic [Walks-1:0] al_oh_q;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [WIdxW-1:0] al_idx_q;   // the contexts' enables use the one-hot form
  /* verilator lint_on UNUSEDSIGNAL */
  // Each context's enable has its own copies of q2's valid bit and the
  // offer's (alloc_k), so no one net reaches every context's registers.
  logic [Walks-1:0] al_k, v2_k, alloc_k;
  iommu_offer #(.N (Walks), .IdxW (WIdxW), .Copies (1 + CpN + Walks)) u_al (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .free_i  (is_idle),
    .take_i  (alloc),
    .valid_o ({al_k, cp_al, al_q}),
    .oh_o    (al_oh_q),
    .idx_o   (al_idx_q)
  );
  iommu_copies #(.W (1), .N (Walks)) u_v2_k (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (q2_v_d),
    .q_o    (v2_k)
  );
  assign alloc   = q2_v_q && al_q;
  assign alloc_k = v2_k & al_k & al_oh_q;
  `IOMMU_ASSERT(AllocK_A, clk_i, rst_ni, alloc_k == (alloc ? al_oh_q : '0))
  `IOMMU_ASSERT(AlIdle_A, clk_i, rst_ni, !al_q || ((al_oh_q & ~is_idle) == '0 && $onehot(al_oh_q)))

  // ---- read issue -------------------------------------------------------------
  // The lowest walk with a read to send, chosen a cycle ahead and read then
  // into registers (iss_*_q; a walk stays in CIssue until its read goes,
  // with its address), so the port's address and ID come from registers; a
  // read presented without ARREADY stays presented (AXI, ar_lock_*_q) even if
  // a lower walk becomes ready meanwhile.  The choice leaves out both walks
  // the registers name (the locked read's and the last choice, one-hot:
  // ar_lock_oh_q, iss_oh_q), whichever of them is presented, so the port's
  // handshake and lock reach no choice (a choice left waiting behind a lock
  // is made again the cycle after).
  logic             ar_lock_q, iss_any_q, iss_any_d;
  logic [WIdxW-1:0] ar_lock_idx_q, ar_idx, iss_idx_q, iss_idx_d;
  logic [PaW-1:0]   ar_lock_addr_q, iss_addr_q;
  logic [7:0]       ar_lock_len_q, iss_len_q;
  logic [Walks-1:0] ar_lock_oh_q, iss_oh_q, iss_oh_d;
  iommu_first #(.N (Walks), .IdxW (WIdxW)) u_issue (.vec_i (is_issue & ~ar_lock_oh_q & ~iss_oh_q),
                                                    .any_o (iss_any_d), .idx_o (iss_idx_d));
  for (genvar k = 0; k < Walks; k++) begin : g_iss_oh
    assign iss_oh_d[k] = iss_any_d && iss_idx_d == WIdxW'(k);
  end
  assign ar_idx       = ar_lock_q ? ar_lock_idx_q : iss_idx_q;
  assign ds_arvalid_o = ar_lock_q || iss_any_q;
  assign ds_arid_o    = DsIdW'(ar_idx);
  assign ds_araddr_o  = ar_lock_q ? ar_lock_addr_q : iss_addr_q;
  assign ds_arlen_o   = ar_lock_q ? ar_lock_len_q  : iss_len_q;
  assign ds_rready_o  = 1'b1;

  logic issue_hs;
  assign issue_hs = ds_arvalid_o && ds_arready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_lock_q     <= 1'b0;
      ar_lock_idx_q <= '0;
      iss_any_q     <= 1'b0;
      iss_idx_q     <= '0;
      ar_lock_oh_q  <= '0;
      iss_oh_q      <= '0;
    end else begin
      ar_lock_q     <= ds_arvalid_o && !ds_arready_i;
      ar_lock_idx_q <= ar_idx;
      iss_any_q     <= iss_any_d;
      iss_idx_q     <= iss_idx_d;
      ar_lock_oh_q  <= (ds_arvalid_o && !ds_arready_i) ? Walks'(1) << ar_idx : '0;
      iss_oh_q      <= iss_oh_d;
    end
  end
  always_ff @(posedge clk_i) begin
    ar_lock_addr_q <= ds_araddr_o;
    ar_lock_len_q  <= ds_arlen_o;
    iss_addr_q     <= addr_q[iss_idx_d];
    iss_len_q      <= (ph_q[iss_idx_d] == PhDc) ? 8'd3 : 8'd0;
  end
  `IOMMU_ASSERT(ArIssue_A, clk_i, rst_ni, !ds_arvalid_o || is_issue[ar_idx])
  `IOMMU_ASSERT(IssOh_A, clk_i, rst_ni, iss_oh_q == (iss_any_q ? Walks'(1) << iss_idx_q : '0) &&
                                        ar_lock_oh_q == (ar_lock_q ? Walks'(1) << ar_lock_idx_q : '0))

  // ---- response processor -------------------------------------------------------
  // Input: a registered R beat, else the synthetic error of a walk in CErr.
  // With the beat, what depends on its data alone: whether the PPN of a PTE
  // (53:10) or of a DC's fsc (43:0) fits in PAS, and whether a leaf at level
  // l = 1..4 would be a misaligned superpage (PPN bits below 9*l set).
  logic             rb_v_q, rb_err_q, rb_last_q, rb_fit_pte_q, rb_fit_dc_q;
  logic [4:1]       rb_mis_q;
  logic [WIdxW-1:0] rb_id_q;
  logic [63:0]      rb_data_q;
  // A walk in CErr (its next address is beyond PAS) gets a synthetic error
  // beat in a cycle without an R beat.  The walk to give it is chosen a cycle
  // ahead (err_any_q, err_idx_q), so the beat's walk index (cap_id, which
  // selects every walk's state) comes from registers: a walk is not chosen
  // again while its beat is injected (err_inject) or waits in the register.
  logic             rb_synth_q, err_inject, err_any_d;
  logic [WIdxW-1:0] err_idx_d;
  logic [Walks-1:0] err_cand;
  assign err_inject = !ds_rvalid_i && err_any_q;
  for (genvar k = 0; k < Walks; k++) begin : g_err
    assign err_cand[k] = is_err[k] && !(rb_v_q && rb_synth_q && rb_id_q == WIdxW'(k)) &&
                         !(err_inject && err_idx_q == WIdxW'(k));
  end
  iommu_first #(.N (Walks), .IdxW (WIdxW)) u_err (.vec_i (err_cand), .any_o (err_any_d), .idx_o (err_idx_d));
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rb_v_q     <= 1'b0;
      rb_synth_q <= 1'b0;
      err_any_q  <= 1'b0;
      err_idx_q  <= '0;
    end else begin
      rb_v_q     <= ds_rvalid_i || err_any_q;
      rb_synth_q <= !ds_rvalid_i;
      err_any_q  <= err_any_d;
      err_idx_q  <= err_idx_d;
    end
  end
  `IOMMU_ASSERT(ErrInject_A, clk_i, rst_ni, !err_inject || is_err[err_idx_q])
  // With the beat, the state of its walk, selected by the beat's ID (so the
  // processor starts at registers, not at a Walks-way multiplexer): as the
  // context holds it, or, for the next beat of the DC burst the processor
  // handles now, as that beat leaves it (only a DC burst's beats come in
  // consecutive cycles for one walk: any other read is issued after its
  // walk's last beat was processed).
  logic [WIdxW-1:0]  cap_id;
  logic              cap_fwd;
  logic [1:0]        rb_ph_q, rb_beat_q, rb_acc_q;
  logic [2:0]        rb_lvl_q;
  logic [TagW-1:0]   rb_tag_q;
  logic [23:0]       rb_did_q;
  logic [VpnW-1:0]   rb_vpn_q;
  logic [3:0]        rb_facts_q;
  logic              rb_pv_q, rb_stale_q, rb_g_q, rb_dc_ok_q;
  logic              rb_dc_err_q, rb_dc_v_q, rb_dc_bad_q, rb_dtf_q, rb_pdtv_q;
  logic [PscidW-1:0] rb_pscid_q;
  logic              dc_err_n, dc_v_n, dc_bad_n, dtf_n, pdtv_n;
  logic              p_v, p_last;
  logic [WIdxW-1:0]  c;
  logic [63:0]       d;
  assign cap_id  = ds_rvalid_i ? WIdxW'(ds_rid_i) : err_idx_q;
  assign cap_fwd = p_v && cap_id == c;
  `IOMMU_ASSERT(CapFwd_A, clk_i, rst_ni, !(cap_fwd && (ds_rvalid_i || err_any_q)) || (rb_ph_q == PhDc && !p_last))
  // What a walk's request says (its tag, DID, VPN, the IOVA's
  // iommu_pkg::addr_facts, the access, PV) is written once, when the walk is
  // allocated, and read only here: LUT RAM read at cap_id, not flip-flops
  // per context behind a multiplexer.
  localparam int unsigned CtxW = TagW + 24 + VpnW + 4 + 2 + 1;
  logic [CtxW-1:0] ctx_word;
  iommu_ram #(.Depth (Walks), .Width (CtxW), .Block (1'b0), .Comb (1'b1)) u_ctx (
    .clk_i   (clk_i),
    .we_i    (alloc),
    .waddr_i (al_idx_q),
    .wdata_i ({rq_tag, rq_did, rq_vpn, iommu_pkg::addr_facts(64'(rq_iova), PaW), rq_acc, rq_pv}),
    .re_i    (1'b1),
    .raddr_i (cap_id),
    .rdata_o (ctx_word)
  );
  always_ff @(posedge clk_i) begin
    rb_ph_q    <= ph_q[cap_id];
    rb_lvl_q   <= lvl_q[cap_id];
    {rb_tag_q, rb_did_q, rb_vpn_q, rb_facts_q, rb_acc_q, rb_pv_q} <= ctx_word;
    rb_stale_q <= stale_q[cap_id] || kill_i;
    rb_g_q     <= g_q[cap_id];
    rb_dc_ok_q <= dc_ok_q[cap_id];
    if (cap_fwd) begin
      rb_beat_q   <= rb_beat_q + 2'd1;
      rb_dc_err_q <= dc_err_n;
      rb_dc_v_q   <= dc_v_n;
      rb_dc_bad_q <= dc_bad_n;
      rb_dtf_q    <= dtf_n;
      rb_pdtv_q   <= pdtv_n;
      rb_pscid_q  <= (rb_beat_q == 2'd2) ? d[31:12] : rb_pscid_q;
    end else begin
      rb_beat_q   <= beat_q[cap_id];
      rb_dc_err_q <= dc_err_q[cap_id];
      rb_dc_v_q   <= dc_v_q[cap_id];
      rb_dc_bad_q <= dc_bad_q[cap_id];
      rb_dtf_q    <= dtf_q[cap_id];
      rb_pdtv_q   <= pdtv_q[cap_id];
      rb_pscid_q  <= pscid_q[cap_id];
    end
  end
  always_ff @(posedge clk_i) begin
    if (!ds_rvalid_i) begin
      rb_id_q   <= err_idx_q;
      rb_data_q <= '0;
      rb_err_q  <= 1'b1;
      rb_last_q <= 1'b1;
    end else begin
      rb_id_q   <= WIdxW'(ds_rid_i);
      rb_data_q <= ds_rdata_i;
      rb_err_q  <= ds_rresp_i[1];
      rb_last_q <= ds_rlast_i;
      rb_fit_pte_q <= ppn_fits(ds_rdata_i[53:10]);
      rb_fit_dc_q  <= ppn_fits(ds_rdata_i[43:0]);
      rb_mis_q     <= {ds_rdata_i[45:10] != '0, ds_rdata_i[36:10] != '0,
                       ds_rdata_i[27:10] != '0, ds_rdata_i[18:10] != '0};
    end
  end

  logic             p_err;
  assign p_v    = rb_v_q;
  assign c      = rb_id_q;
  assign d      = rb_data_q;
  assign p_err  = rb_err_q;
  assign p_last = rb_last_q;

  // The walk's request and DC, as known before this beat.
  logic [VpnW-1:0] c_vpn;
  logic [1:0]      c_acc;
  logic [2:0]      c_lvl;
  assign c_vpn = rb_vpn_q;
  assign c_acc = rb_acc_q;
  assign c_lvl = rb_lvl_q;

  // DC beat decode: what this beat adds.
  logic       dcb_v, dcb_bad, dcb_dtf, dcb_pdtv;
  logic [3:0] fsc_mode;
  always_comb begin
    dcb_v    = rb_dc_v_q;
    dcb_dtf  = rb_dtf_q;
    dcb_pdtv = rb_pdtv_q;
    dcb_bad  = 1'b0;
    fsc_mode = d[63:60];
    case (rb_beat_q)
      2'd0: begin  // tc
        dcb_v    = d[0];
        dcb_dtf  = d[4];
        dcb_pdtv = d[5];
        // EN_ATS, EN_PRI, T2GPA, PRPR (ATS=0); GADE, SADE (AMO_HWAD=0); SBE
        // (END=0, fctl.BE=0); SXL (fctl.GXL=0, not writable); DPE without
        // PDTV; reserved 23:12 and 63:32 (31:24 are custom and ignored).
        dcb_bad  = d[1] | d[2] | d[3] | d[6] | d[7] | d[8] | d[10] | d[11] |
                   (d[9] & ~d[5]) | (d[23:12] != '0) | (d[63:32] != '0);
      end
      2'd1: dcb_bad = d[63:60] != 4'd0;   // iohgatp: only Bare (no second stage)
      2'd2: dcb_bad = (d[11:0] != '0) || (d[63:32] != '0);  // ta: reserved, RCID/MCID (QOSID=0)
      default: begin  // fsc
        dcb_bad = (d[59:44] != '0) ||
                  (dcb_pdtv ? (fsc_mode != 4'd0) :           // no PD8/PD17/PD20
                   !(fsc_mode == iommu_pkg::SatpBare || fsc_mode == iommu_pkg::SatpSv39 ||
                     fsc_mode == iommu_pkg::SatpSv48 || fsc_mode == iommu_pkg::SatpSv57));
      end
    endcase
    dc_err_n = rb_dc_err_q | p_err;
    dc_v_n   = dcb_v;
    dc_bad_n = rb_dc_bad_q | dcb_bad;
    dtf_n    = dcb_dtf;
    pdtv_n   = dcb_pdtv;
  end

  // PTE decode.
  logic            pte_v, pte_r, pte_w, pte_x, pte_u, pte_g, pte_a, pte_d, pte_n;
  logic [PpnW-1:0] pte_ppn, keep_ppn, leaf_ppn;
  logic [VpnW-1:0] keep_vpn;
  logic            pte_leaf, pte_bad, pte_ok, pa_ok;
  logic [2:0]      leaf_size;
  assign {pte_d, pte_a, pte_g, pte_u, pte_x, pte_w, pte_r, pte_v} = d[7:0];
  assign pte_n    = d[63];
  assign pte_ppn  = d[53:10];
  assign pte_leaf = pte_r | pte_x;
  assign leaf_size = (c_lvl == 3'd0) ? (pte_n ? iommu_pkg::Pg64K : iommu_pkg::Pg4K) :
                     (c_lvl + 3'd1);
  assign keep_vpn = iommu_pkg::vpn_cmp_mask(leaf_size);
  assign keep_ppn = keep_vpn[PpnW-1:0];
  assign leaf_ppn = (pte_ppn & keep_ppn) | (c_vpn[PpnW-1:0] & ~keep_ppn);
  always_comb begin
    // V, W without R, reserved bits 60:54, PBMT (no Svpbmt).
    pte_bad = !pte_v || (!pte_r && pte_w) || (d[62:54] != '0);
    if (pte_leaf) begin
      pte_bad = pte_bad ||
                (pte_n && (c_lvl != 3'd0 || pte_ppn[3:0] != 4'b1000)) ||   // Svnapot 64 KiB only
                ((c_lvl == 3'd1 && rb_mis_q[1]) || (c_lvl == 3'd2 && rb_mis_q[2]) ||
                 (c_lvl == 3'd3 && rb_mis_q[3]) || (c_lvl == 3'd4 && rb_mis_q[4])) ||  // misaligned superpage
                !pte_a ||
                !iommu_pkg::perm_ok({pte_d, pte_u, pte_x, pte_w, pte_r}, c_acc);
    end else begin
      // Non-leaf: none at level 0; D, A, U and N are reserved.
      pte_bad = pte_bad || (c_lvl == 3'd0) || pte_d || pte_a || pte_u || pte_n;
    end
    pte_ok = !pte_bad;
  end
  assign pa_ok = ppn_fits(leaf_ppn);
  // the next table's PPN fits (o_next: the DC's root when leaving PhDc, else a PTE's)
  logic n_fits;
  assign n_fits = (rb_ph_q == PhDc) ? rb_fit_dc_q : rb_fit_pte_q;

  // Outcome of this beat for walk c.
  logic            o_done, o_fault, o_dtf, o_next, o_fill_dc, o_fill_tlb, o_fill_wc;
  logic [11:0]     o_cause;
  logic [PpnW-1:0] o_ppn;
  logic [1:0]      n_ph;
  logic [2:0]      n_lvl;
  logic [PaW-1:0]  n_addr;
  logic [1:0]      pd_kind;
  logic [1:0]      n_smode;
  logic            n_s1_bare;
  assign n_smode   = fsc_mode[1:0];   // Sv39 8 -> 0, Sv48 9 -> 1, Sv57 10 -> 2
  assign n_s1_bare = pdtv_n || fsc_mode == iommu_pkg::SatpBare;
  assign pd_kind   = iommu_pkg::post_dc_kind(rb_pv_q, pdtv_n, n_s1_bare, n_smode, rb_facts_q);

  // Where the walk reads next if it goes on (o_next), from the beat and the
  // walk's phase alone, so that no check result steers the address: the
  // context takes these on every beat it processes (when it does not go on
  // it ends, or waits for the rest of its DC, and reads nothing meanwhile).
  always_comb begin
    n_ph   = rb_ph_q;
    n_lvl  = c_lvl;
    n_addr = '0;
    unique case (rb_ph_q)
      PhDdt: begin
        if (c_lvl == 3'd1) begin
          n_ph   = PhDc;
          n_lvl  = 3'd0;
          n_addr = dc_addr(pte_ppn, rb_did_q[6:0]);
        end else begin
          n_lvl  = c_lvl - 3'd1;
          n_addr = pte_addr(pte_ppn, ddi(rb_did_q, n_lvl[1:0]));
        end
      end
      PhDc: begin
        if (p_last) begin
          n_ph   = PhPt;
          n_lvl  = top_lvl(n_smode);
          n_addr = pte_addr(d[43:0], vpn_at(c_vpn, top_lvl(n_smode)));
        end
      end
      default: begin
        n_lvl  = c_lvl - 3'd1;
        n_addr = pte_addr(pte_ppn, vpn_at(c_vpn, c_lvl - 3'd1));
      end
    endcase
  end

  always_comb begin
    o_done     = 1'b0;
    o_fault    = 1'b0;
    o_cause    = '0;
    o_ppn      = '0;
    o_next     = 1'b0;
    o_fill_dc  = 1'b0;
    o_fill_tlb = 1'b0;
    o_fill_wc  = 1'b0;
    if (p_v) begin
      unique case (rb_ph_q)
        PhDdt: begin
          if (p_err || !d[0] || d[9:1] != '0 || d[63:54] != '0) begin
            o_done  = 1'b1;
            o_fault = 1'b1;
            o_cause = p_err ? iommu_pkg::CauseDdtAccess :
                      !d[0] ? iommu_pkg::CauseDdtInvalid : iommu_pkg::CauseDdtMisconf;
          end else begin
            o_next = 1'b1;
          end
        end
        PhDc: begin
          if (p_last) begin
            o_done = 1'b1;
            if (dc_err_n || !dc_v_n || dc_bad_n) begin
              o_fault = 1'b1;
              o_cause = dc_err_n ? iommu_pkg::CauseDdtAccess :
                        !dc_v_n  ? iommu_pkg::CauseDdtInvalid : iommu_pkg::CauseDdtMisconf;
            end else begin
              o_fill_dc = 1'b1;
              if (pd_kind == iommu_pkg::PostDcFault) begin
                o_fault = 1'b1;
                o_cause = iommu_pkg::post_dc_cause(rb_pv_q, pdtv_n, n_s1_bare, c_acc);
              end else if (pd_kind == iommu_pkg::PostDcIdentity) begin
                o_ppn = c_vpn[PpnW-1:0];
              end else begin
                o_done  = 1'b0;
                o_next  = 1'b1;
              end
            end
          end
        end
        default: begin  // PhPt
          if (p_err) begin
            o_done  = 1'b1;
            o_fault = 1'b1;
            o_cause = iommu_pkg::access_cause(c_acc);
          end else if (!pte_ok) begin
            o_done  = 1'b1;
            o_fault = 1'b1;
            o_cause = iommu_pkg::page_cause(c_acc);
          end else if (pte_leaf) begin
            o_done     = 1'b1;
            o_fault    = !pa_ok;
            o_cause    = iommu_pkg::access_cause(c_acc);
            o_ppn      = leaf_ppn;
            o_fill_tlb = pa_ok;
          end else begin
            o_next    = 1'b1;
            o_fill_wc = 1'b1;
          end
        end
      endcase
    end
    // The DTF bit of a DC read in this very beat counts once the DC is valid.
    // Whether it suppresses the cause is decided after the result register
    // (res_record_o), not behind the cause's multiplexers.
    o_dtf = (rb_ph_q == PhDc) ? (o_fill_dc && dtf_n) : (rb_dc_ok_q && rb_dtf_q);
  end

  // Results and fills leave through registers; a fill is dropped when an
  // invalidation comes in the cycle it was computed or the cycle it is
  // applied, so no fill from before an invalidation lands after it.
  localparam int unsigned DcFillW  = TagW + DidW + iommu_pkg::DcW;
  localparam int unsigned TlbFillW = PscidW + 1 + VpnW + 3 + PpnW + 5;
  localparam int unsigned WcFillW  = PscidW + VpnW + 2 + PpnW;
  logic                res_v_q, dcf_v_q, tf_v_q, wf_v_q;
  logic [TagW+1+12+1+PpnW-1:0] res_q;
  logic [DcFillW-1:0]  dcf_q;
  logic [TlbFillW-1:0] tf_q;
  logic [WcFillW-1:0]  wf_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      res_v_q <= 1'b0;
      res_stale_q <= 1'b0;
      dcf_v_q <= 1'b0;
      tf_v_q  <= 1'b0;
      wf_v_q  <= 1'b0;
    end else begin
      res_v_q <= p_v && o_done;
      res_stale_q <= p_v && o_done && (rb_stale_q || kill_i);
      dcf_v_q <= p_v && o_fill_dc && !rb_stale_q && !kill_i;
      tf_v_q  <= p_v && o_fill_tlb && !rb_stale_q && !kill_i;
      wf_v_q  <= p_v && o_fill_wc && !rb_stale_q && !kill_i;
    end
  end
  always_ff @(posedge clk_i) begin
    res_q <= {rb_tag_q, o_fault, o_cause, o_dtf, o_ppn};
    dcf_q <= {rb_tag_q, DidW'(rb_did_q), dtf_n, pdtv_n, n_s1_bare, n_smode, rb_pscid_q, d[43:0]};
    tf_q  <= {rb_pscid_q, rb_g_q | pte_g, c_vpn, leaf_size, pte_ppn,
              pte_d, pte_u, pte_x, pte_w, pte_r};
    // a non-leaf PTE at level l (1..4) points to a level l-1 table (0..3)
    wf_q  <= {rb_pscid_q, c_vpn, 2'(c_lvl - 3'd1), pte_ppn};
  end

  assign res_valid_o = res_v_q;
  logic res_dtf;
  assign {res_tag_o, res_fault_o, res_cause_o, res_dtf, res_ppn_o} = res_q;
  assign res_record_o = !(res_dtf && iommu_pkg::dtf_suppresses(res_cause_o));
  assign dc_fill_o   = dcf_v_q && !kill_i;
  assign {dc_fill_tag_o, dc_fill_did_o, dc_fill_data_o} = dcf_q;
  assign tlb_fill_o  = tf_v_q && !kill_i;
  assign {tlb_fill_pscid_o, tlb_fill_g_o, tlb_fill_vpn_o, tlb_fill_size_o, tlb_fill_ppn_o,
          tlb_fill_perm_o} = tf_q;
  assign wc_fill_o   = wf_v_q && !kill_i;
  assign {wc_fill_pscid_o, wc_fill_vpn_o, wc_fill_lvl_o, wc_fill_ppn_o} = wf_q;

  // ---- context registers --------------------------------------------------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int k = 0; k < Walks; k++) st_q[k] <= CIdle;
      stale_q <= '0;
    end else begin
      for (int k = 0; k < Walks; k++) begin
        if (alloc_k[k]) begin
          st_q[k]    <= ppn_fits(a_table) ? CIssue : CErr;
          stale_q[k] <= kill_i;
        end else begin
          if (kill_i) stale_q[k] <= 1'b1;
          if (issue_hs && ar_idx == WIdxW'(k)) st_q[k] <= CWait;
          if (p_v && c == WIdxW'(k)) begin
            if (o_done)      st_q[k] <= CIdle;
            else if (o_next) st_q[k] <= n_fits ? CIssue : CErr;
          end
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    for (int k = 0; k < Walks; k++) begin
      if (alloc_k[k]) begin
        ph_q[k]      <= a_ph;
        lvl_q[k]     <= a_lvl;
        beat_q[k]    <= 2'd0;
        addr_q[k]    <= a_addr;
        g_q[k]       <= 1'b0;
        dc_ok_q[k]   <= q2_dc_hit_q;
        dc_err_q[k]  <= 1'b0;
        dc_v_q[k]    <= 1'b0;
        dc_bad_q[k]  <= 1'b0;
        dtf_q[k]     <= q2_dc_hit_q & rq_dtf;
        pdtv_q[k]    <= 1'b0;
        pscid_q[k]   <= rq_pscid;
      end else if (p_v && c == WIdxW'(k)) begin
        if (rb_ph_q == PhDc) begin
          beat_q[k]   <= rb_beat_q + 2'd1;
          dc_err_q[k] <= dc_err_n;
          dc_v_q[k]   <= dc_v_n;
          dc_bad_q[k] <= dc_bad_n;
          dtf_q[k]    <= dtf_n;
          pdtv_q[k]   <= pdtv_n;
          if (rb_beat_q == 2'd2) pscid_q[k] <= d[31:12];
          if (p_last) begin
            dc_ok_q[k]   <= o_fill_dc;
          end
        end
        if (rb_ph_q == PhPt && !pte_leaf) g_q[k] <= rb_g_q | pte_g;
        ph_q[k]   <= n_ph;
        lvl_q[k]  <= n_lvl;
        addr_q[k] <= n_addr;
      end
    end
  end

  /* verilator lint_off UNUSEDSIGNAL */
  logic unused;
  assign unused = ^{ds_rid_i, ds_rresp_i[0], rq_pdtv, rq_s1_bare, keep_vpn[VpnW-1]};  // ARID = walk index; OKAY/EXOKAY alike; chan handles s1 Bare
  /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
