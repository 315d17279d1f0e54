// iommu_chan: one address channel of the device port (AR when IsWrite = 0,
// AW when IsWrite = 1): intake, translation by the caches, hand-off of misses
// to the walker, and release to the memory port in AXI order.
//
// Intake: two one-entry stages (doc/pipeline.md).  The request stage (r_*)
// takes the device's request (the DC cache compares its device_id in the
// handshake cycle); in its cycle the DC cache answers and the
// IOTLB compares its tags with the request's VPN (tlb_tk_vpn_o) and the DC
// answer's PSCID (which the data path takes from the DC cache's own copies
// of that field, for the arrays) when the decision stage takes it
// (tlb_adv_o); the RAM arrays read its set a cycle earlier (tlb_rd2_vpn_o,
// from the handshake; while the stage stalls, lk_hold_o, the caches keep
// their lookup).  The decision stage (s_*)
// holds the request with its registered DC; in its cycle the IOTLB answers
// and, when a slot is free (else it waits), the request either
//   * leaves for the memory port with its physical address, when it hits,
//     nothing older with its ordering key waits in a slot and the port takes
//     it (+2 cycles in all);
//   * or moves into the free slot: misses (to walk), refusals, hits that must
//     wait behind an older request with the same key, and hits the port did
//     not take (a hit presented without READY keeps its AXI lock from the
//     slot).
// r moves into s whenever s is empty or a slot is free (s then leaves for
// sure), so no enable of the wide stage registers depends on a lookup.
// The ordering key is the AXI ID for reads; writes are kept in arrival order
// because AXI4 W beats carry no ID and follow AW order (no write-data buffer
// here), so a write miss holds later writes but never a read.
// Slots (Slots of them): each holds a request, its cached DC (for its walk
// request), its result, and a link to the older slot it must follow (same
// key).  What is written once when a slot is taken (the request, the DC) is
// kept in LUT RAMs read by slot index, one per reader; the state, the result
// and the links are flip-flops.  A slot asks the walker for a walk; the
// result makes it ready.  A ready slot with no link leaves for memory (priority over the stage), or,
// if it faults, is refused: its fault request goes to the fault queue (unless
// DTF suppresses it), forwarding on this channel pauses until every request
// forwarded earlier has completed (so same-ID order holds for the SLVERR),
// then reads answer SLVERR on every beat and writes drain their W beats and
// answer one SLVERR.
// The decisions (spec: translation process): Off -> 256.  Bare -> pass, or an
// access fault above PAS.  1/2/3LVL -> an INCR burst crossing 4 KiB is refused
// (custom cause 2048, always recorded); a device_id wider than the mode ->
// 260; DC miss -> walk; DC hit -> iommu_pkg::post_dc_kind (of the address facts
// registered with the request); IOTLB hit whose
// permissions allow the access -> pass; anything else -> walk (so every
// page fault and every permission decision comes from a walk).
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_chan #(
  parameter bit          IsWrite = 1'b0,
  parameter int unsigned IdW     = 8,
  parameter int unsigned IovaW   = 64,
  parameter int unsigned PaW     = 56,
  parameter int unsigned DidW    = 24,
  parameter int unsigned PidW    = 20,
  parameter int unsigned UserW   = DidW + PidW + 1,
  parameter int unsigned Slots   = 8,    /// requests waiting for a walk or for order
  parameter int unsigned OutW    = 8,    /// outstanding-count bits (2^OutW - 2 forwards at most)
  parameter int unsigned SlotW   = (Slots > 1) ? $clog2(Slots) : 1
) (
  input  wire logic                         clk_i,
  input  wire logic                         rst_ni,
  input  wire logic [3:0]                   mode_next_i, /// ddtp.iommu_mode from the next cycle on
  output      logic                         pending_o,   /// a request may still reach memory
  input  wire logic                         hold_i,      /// accept no request (a fence drains)
  output      logic                         idle_o,      /// nothing accepted may still reach memory
  input  wire logic                         dc_inval_i,  /// DCs held in slots are stale
  // device address channel
  input  wire logic [IdW-1:0]               dev_id_i,
  input  wire logic [IovaW-1:0]             dev_addr_i,
  input  wire logic [7:0]                   dev_len_i,
  input  wire logic [2:0]                   dev_size_i,
  input  wire logic [1:0]                   dev_burst_i,
  input  wire logic                         dev_lock_i,
  input  wire logic [3:0]                   dev_cache_i,
  input  wire logic [2:0]                   dev_prot_i,
  input  wire logic [3:0]                   dev_qos_i,
  input  wire logic [UserW-1:0]             dev_user_i,
  input  wire logic                         dev_valid_i,
  output      logic                         dev_ready_o,
  // memory address channel
  output      logic [IdW-1:0]               mem_id_o,
  output      logic [PaW-1:0]               mem_addr_o,
  output      logic [7:0]                   mem_len_o,
  output      logic [2:0]                   mem_size_o,
  output      logic [1:0]                   mem_burst_o,
  output      logic                         mem_lock_o,
  output      logic [3:0]                   mem_cache_o,
  output      logic [2:0]                   mem_prot_o,
  output      logic [3:0]                   mem_qos_o,
  output      logic [UserW-1:0]             mem_user_o,
  output      logic                         mem_valid_o,
  input  wire logic                         mem_ready_i,
  // responses (R or B): memory's last beat completes a forwarded request;
  // while refusing, the device's response comes from here instead
  input  wire logic                         mem_rsp_done_i,  /// last beat handshake
  input  wire logic                         dev_rsp_ready_i,
  output      logic                         rf_active_o,     /// refusal response on the device port
  output      logic [IdW-1:0]               rf_id_o,
  output      logic                         rf_last_o,
  // cache lookups
  output      logic [2:0]                   lk_hold_o,       /// the request stage stalls: the caches keep their lookup (copies: 4 KiB array, 2 MiB array, DC cache)
  output      logic [DidW-1:0]              dc_rd_did_o,     /// device_id looked up next cycle (unless lk_hold_o)
  input  wire logic                         dc_lk_hit_i,
  input  wire logic [iommu_pkg::DcW-1:0]    dc_lk_data_i,
  output      logic [iommu_pkg::VpnW-1:0]   tlb_rd2_vpn_o,   /// VPN looked up in two cycles (RAM arrays; unless lk_hold_o)
  output      logic [2:0]                   tlb_adv_o,       /// the decision stage takes the next request (copies: 4 KiB, 2 MiB, FA array)
  output      logic [iommu_pkg::VpnW-1:0]   tlb_tk_vpn_o,    /// its VPN (used only with tlb_adv_o)
  output      logic [1:0]                   tlb_tk_acc_o,    /// its access, checked by every entry
  output      logic [iommu_pkg::VpnW-1:0]   tlb_lk_vpn_o,
  input  wire logic                         tlb_lk_hit_i,    /// one entry matches and allows it
  input  wire logic [iommu_pkg::PpnW-1:0]   tlb_lk_ppn_i,
  // walk requests and results
  output      logic                         wreq_valid_o,
  input  wire logic                         wreq_ready_i,
  output      logic [SlotW-1:0]             wreq_slot_o,
  output      logic [DidW-1:0]              wreq_did_o,
  output      logic [IovaW-1:0]             wreq_iova_o,
  output      logic [1:0]                   wreq_acc_o,
  output      logic                         wreq_pv_o,
  output      logic                         wreq_dc_hit_o,
  output      logic [iommu_pkg::DcW-1:0]    wreq_dc_o,
  input  wire logic                         wres_valid_i,
  input  wire logic [SlotW-1:0]             wres_slot_i,
  input  wire logic                         wres_fault_i,
  input  wire logic [11:0]                  wres_cause_i,
  input  wire logic                         wres_record_i,
  input  wire logic [iommu_pkg::PpnW-1:0]   wres_ppn_i,
  // fault requests
  output      logic                         fault_valid_o,
  input  wire logic                         fault_ready_i,
  output      logic [iommu_pkg::FaultReqW-1:0] fault_o,
  // W routing (writes only): one entry per AW that leaves, 1 = to memory;
  // a forward's entry comes the cycle after its handshake without waiting
  // for READY, so a write forwards only while route_room2_i (room for two)
  output      logic                         route_valid_o,
  output      logic                         route_fwd_o,
  input  wire logic                         route_ready_i,
  input  wire logic                         route_room2_i,
  input  wire logic                         w_dropped_i    /// a dropped burst's WLAST went by
);
  // A request as stored: {ID, ADDR, LEN, SIZE, BURST, LOCK, CACHE, PROT, QOS,
  // USER}; the fields' LSBs.
  localparam int unsigned QosLsb   = UserW;
  localparam int unsigned ProtLsb  = QosLsb + 4;
  localparam int unsigned AddrLsb  = ProtLsb + 3 + 4 + 1 + 2 + 3 + 8;
  localparam int unsigned IdLsb    = AddrLsb + IovaW;
  localparam int unsigned AxW      = IdLsb + IdW;
  localparam int unsigned DcW = iommu_pkg::DcW;

  // Refusal sequence.
  typedef enum logic [2:0] { RfIdle, RfFault, RfRoute, RfDrain, RfResp } refuse_e;
  // Slot states.
  localparam logic [1:0] SWalkReq  = 2'd0;   // wants a walk
  localparam logic [1:0] SWalkWait = 2'd1;   // in the walk-request register (wq_*) or walking
  localparam logic [1:0] SReady    = 2'd2;   // result known

  // The fault record of a request, laid out as iommu_pkg::fault_req_t (PID
  // and PRIV are 0 when PV is 0).  No locals: see doc/architecture.md.
  function automatic logic [iommu_pkg::FaultReqW-1:0] fault_of(
      input logic [UserW-1:0] user, input logic priv, input logic exec,
      input logic [IovaW-1:0] addr, input logic [11:0] cause);
    fault_of = {24'(user[DidW-1:0]),
                IsWrite ? iommu_pkg::TtypUntrWrite :
                exec ? iommu_pkg::TtypUntrExec : iommu_pkg::TtypUntrRead,
                user[DidW+PidW] & priv, user[DidW+PidW],
                user[DidW+PidW] ? 20'(user[DidW+PidW-1:DidW]) : 20'd0, cause, 64'(addr), 64'd0};
  endfunction

  // ---- request stage (r): DC lookup ------------------------------------------
  // r_move and its copies (mv, below u_fr), one per group of loads: the
  // request register, the decision stage's request and its lookups, the
  // IOTLB arrays' takes, the caches' holds.
  localparam int unsigned MvR = 0, MvS = 1, MvSdc = 2, MvAdv = 3, MvHold = 6, MvN = 9;
  logic           r_v_q, r_move;
  logic [MvN-1:0] mv, mv_fr;
  logic [AxW-1:0] r_q;

  assign dev_ready_o = (!r_v_q || r_move) && !hold_i;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)                r_v_q <= 1'b0;
    else if (!r_v_q || r_move) r_v_q <= dev_valid_i && dev_ready_o;
  end
  // The request register loads whenever the stage does not stall, whether or
  // not a request comes (r_v_q says which): its wide enable is the stall
  // alone, not the handshake.  What it holds while r_v_q is 0 is not used.
  always_ff @(posedge clk_i) begin
    if (!r_v_q || mv[MvR])
      r_q <= {dev_id_i, dev_addr_i, dev_len_i, dev_size_i, dev_burst_i, dev_lock_i,
              dev_cache_i, dev_prot_i, dev_qos_i, dev_user_i};
  end
  // The caches read for the request the request stage holds next cycle:
  // the device's, unless the stage stalls (lk_hold_o), when they keep their
  // lookup of the request it holds (the RAM arrays read the same set again,
  // the DC cache keeps its matches), so the stall, which depends on the
  // slots, only selects between registers.  When the stage takes nothing,
  // what they read is not used.
  assign dc_rd_did_o = dev_user_i[DidW-1:0];

  // ---- decision stage (s): IOTLB lookup and decision ---------------------------
  // The request, its DC lookup (dropped by a DC invalidation, so the request
  // walks and reads the DC again) and whether its INCR burst crosses 4 KiB.
  logic             s_v_q;
  logic [AxW-1:0]   s_q;
  logic             s_dc_hit_q, s_cross_q;
  logic [DcW-1:0]   s_dc_q;
  logic             s_fits_q;    // the address fits in PAS (Bare)
  logic [1:0]       s_wd_q;      // the device_id is too wide for 2LVL, 1LVL
  logic [1:0]       s_pdk_q;     // iommu_pkg::post_dc_kind of the request and its DC
  /* verilator lint_off UNUSEDSIGNAL */
  logic [15:0]      r_end;       // only its 4 KiB page is used
  /* verilator lint_on UNUSEDSIGNAL */
  logic [IovaW-1:0] r_addr;
  logic [2:0]       r_size;
  assign r_addr = r_q[AddrLsb +: IovaW];
  assign r_size = r_q[AddrLsb-11 +: 3];
  // The last byte of an INCR burst, from the start of its first beat's
  // container: that start plus (len + 1) << size, less one, which is
  // len << size with the size's low bits set (no carry), so one adder.
  assign r_end  = (16'(r_addr[11:0]) & (16'hffff << r_size)) +
                  ((16'(r_q[AddrLsb-8 +: 8]) << r_size) | ~(16'hffff << r_size));
  assign r_move = !s_v_q || fr_q;

  // What the decision needs of the request and its DC that depends on no
  // IOTLB answer, worked out here and registered with the request: the
  // address's facts, the device_id's width, post_dc_kind.
  logic [3:0]  r_facts;
  logic [23:0] r_did;
  logic        r_pv, r_dc_pdtv, r_dc_s1_bare;
  logic [1:0]  r_dc_smode;
  assign r_facts = iommu_pkg::addr_facts(64'(r_addr), PaW);
  assign r_did   = 24'(r_q[DidW-1:0]);
  assign r_pv    = r_q[DidW+PidW];
  assign {r_dc_pdtv, r_dc_s1_bare, r_dc_smode} = dc_lk_data_i[DcW-2 -: 4];

  // The mode, decoded into this channel's own registers, which take the
  // value the datapath's mode register takes: the decision reads flags, not
  // a compare on a net shared with every other user of the mode.
  // With them the device_id width check of the decision stage's request is
  // one register too (s_wide_q: the request's and the mode's of the cycle
  // it is used in, whichever changes).
  logic       m_off_q, m_bare_q, s_wide_q;
  logic [1:0] wd_d;
  assign wd_d = mv[MvSdc] ? {r_did[23:16] != '0, r_did[23:7] != '0} : s_wd_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      m_off_q  <= 1'b1;
      m_bare_q <= 1'b0;
      s_wide_q <= 1'b0;
    end else begin
      m_off_q  <= mode_next_i == iommu_pkg::ModeOff;
      m_bare_q <= mode_next_i == iommu_pkg::ModeBare;
      s_wide_q <= (mode_next_i == iommu_pkg::Mode1Lvl && wd_d[0]) ||
                  (mode_next_i == iommu_pkg::Mode2Lvl && wd_d[1]);
    end
  end

  logic s_v_d;
  assign s_v_d = r_move ? r_v_q : s_v_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s_v_q      <= 1'b0;
      s_dc_hit_q <= 1'b0;
    end else begin
      s_v_q <= s_v_d;
      if (r_move)          s_dc_hit_q <= dc_lk_hit_i && !dc_inval_i;
      else if (dc_inval_i) s_dc_hit_q <= 1'b0;
    end
  end
  always_ff @(posedge clk_i) begin
    if (mv[MvS]) s_q <= r_q;
  end
  always_ff @(posedge clk_i) begin
    if (mv[MvSdc]) begin
      s_dc_q    <= dc_lk_data_i;
      s_cross_q <= (r_q[AddrLsb-13 +: 2] == 2'b01) && (r_end[15:12] != '0);
      s_fits_q  <= r_facts[3];
      s_wd_q    <= wd_d;
      s_pdk_q   <= iommu_pkg::post_dc_kind(r_pv, r_dc_pdtv, r_dc_s1_bare, r_dc_smode, r_facts);
    end
  end

  logic [IdW-1:0]   s_id;
  logic [IovaW-1:0] s_addr;
  logic [2:0]       s_prot;
  logic [UserW-1:0] s_user;
  assign s_id    = s_q[IdLsb +: IdW];
  assign s_addr  = s_q[AddrLsb +: IovaW];
  assign s_prot  = s_q[ProtLsb +: 3];
  assign s_user  = s_q[0 +: UserW];

  // What the request is.
  logic        s_pv;
  logic [1:0]  s_acc;
  assign s_pv  = s_user[DidW+PidW];
  assign s_acc = IsWrite ? iommu_pkg::AccWrite :
                 s_prot[2] ? iommu_pkg::AccExec : iommu_pkg::AccRead;

  // Lookups.
  logic              dc_dtf, dc_pdtv, dc_s1_bare;
  logic [1:0]        dc_smode;
  logic [iommu_pkg::PpnW-1:0]   dc_root;
  logic [1:0]        pd_kind;
  logic [iommu_pkg::PscidW-1:0] dc_pscid;
  assign {dc_dtf, dc_pdtv, dc_s1_bare, dc_smode, dc_pscid, dc_root} = s_dc_q;
  // the request the request stage holds next cycle, which the decision stage
  // takes (tlb_adv_o) the cycle after or later
  assign tlb_rd2_vpn_o  = dev_addr_i[12 +: iommu_pkg::VpnW];
  for (genvar k = 0; k < 3; k++) begin : g_lk
    assign lk_hold_o[k] = r_v_q && !mv[MvHold + k];
    assign tlb_adv_o[k] = mv[MvAdv + k];
  end
  assign tlb_tk_vpn_o   = r_addr[12 +: iommu_pkg::VpnW];
  assign tlb_tk_acc_o   = IsWrite ? iommu_pkg::AccWrite :
                          r_q[ProtLsb + 2] ? iommu_pkg::AccExec : iommu_pkg::AccRead;
  assign tlb_lk_vpn_o   = s_addr[12 +: iommu_pkg::VpnW];
  assign pd_kind = s_pdk_q;

  // Outcome: hit (with PA), fault (with cause and record), or walk.
  logic             o_hit, o_fault, o_record;
  logic [11:0]      o_cause;
  logic [PaW-1:0]   o_pa;
  always_comb begin
    o_hit    = 1'b0;
    o_fault  = 1'b0;
    o_record = 1'b1;
    o_cause  = iommu_pkg::access_cause(s_acc);
    if (m_off_q) begin
      o_fault = 1'b1;
      o_cause = iommu_pkg::CauseAllDisallowed;
    end else if (m_bare_q) begin
      o_hit   = s_fits_q;   // the address fits in PAS
      o_fault = !o_hit;
    end else if (s_cross_q) begin
      o_fault = 1'b1;
      o_cause = iommu_pkg::CauseBurstCross;
    end else if (s_wide_q) begin
      o_fault = 1'b1;
      o_cause = iommu_pkg::CauseTtypDisallowed;
    end else if (s_dc_hit_q) begin
      if (pd_kind == iommu_pkg::PostDcFault) begin
        o_fault  = 1'b1;
        o_cause  = iommu_pkg::post_dc_cause(s_pv, dc_pdtv, dc_s1_bare, s_acc);
        o_record = !(dc_dtf && iommu_pkg::dtf_suppresses(o_cause));
      end else if (pd_kind == iommu_pkg::PostDcIdentity) begin
        o_hit = 1'b1;
      end else begin
        o_hit = tlb_lk_hit_i;
      end
    end
  end
  // The PA, used only when the request hits: its own address (Bare, or a
  // Bare first stage), else the IOTLB's; the checks above do not steer it.
  assign o_pa = (m_bare_q || pd_kind == iommu_pkg::PostDcIdentity) ?
                PaW'(s_addr) : PaW'({tlb_lk_ppn_i, s_addr[11:0]});

  // ---- slots ------------------------------------------------------------------
  logic [Slots-1:0]  sl_v_q, sl_fault_q, sl_record_q, sl_dep_v_q, sl_dc_hit_q;
  logic [1:0]        sl_st_q     [Slots];
  logic [11:0]       sl_cause_q  [Slots];
  logic [PaW-13:0]   sl_pa_q     [Slots];   // the PA above the page offset
  logic [Slots-1:0]  sl_dep_q    [Slots];   // the slot it follows, one-hot
  logic [Slots-1:0]  sl_has_dep_q;           // a valid slot follows it
  logic [IdW-1:0]    sl_id_q     [Slots];

  // The rest of a slot's request and its DC are written once, when the slot
  // is taken, and read by index only: LUT RAMs with combinational reads, one
  // per reader (release, walk request, refusal), each with the fields it needs.
  localparam int unsigned RelW  = IdW + 12 + AddrLsb;          // {ID, offset, LEN..USER}
  localparam int unsigned WalkW = IovaW + UserW + 1 + DcW;      // {ADDR, USER, PROT[2], DC}
  logic [RelW-1:0]  rel_word;
  logic [WalkW-1:0] walk_word;
  logic [AxW-1:0]   r_req;

  // The outcome of the request the stage moved into a slot is written there
  // a cycle later, from registers (d_*_q), so the lookup's answer reaches
  // one set of registers and not every slot's: in that cycle the slot
  // (d_pend) is neither ready nor walking (a free slot's state is SWalkWait,
  // which asks for nothing), and if the request left for
  // memory in the cycle it moved in (d_fwd_q) the slot is dropped (d_cancel:
  // it counts as no slot at all, and is free from the next cycle).
  logic             d_v_q, d_fwd_q, d_fault_q, d_record_q, d_ready_q;
  logic [Slots-1:0] d_oh_q, d_pend, d_cancel;
  logic [11:0]      d_cause_q;
  logic [PaW-13:0]  d_pa_q;
  assign d_pend   = d_v_q ? d_oh_q : '0;
  assign d_cancel = d_fwd_q ? d_pend : '0;

  // Per-slot views.
  logic [Slots-1:0] key_match, go, refuse, want_walk;
  for (genvar k = 0; k < Slots; k++) begin : g_view
    assign key_match[k] = sl_v_q[k] && !d_cancel[k] && (IsWrite || sl_id_q[k] == s_id);
    assign go[k]        = sl_v_q[k] && sl_st_q[k] == SReady && !sl_fault_q[k] && !sl_dep_v_q[k];
    assign refuse[k]    = sl_v_q[k] && sl_st_q[k] == SReady &&  sl_fault_q[k] && !sl_dep_v_q[k];
    assign want_walk[k] = sl_v_q[k] && sl_st_q[k] == SWalkReq;
  end

  // Lowest index of each set.
  logic             go_any_q, refuse_any, walk_any_d, walk_any_q;
  logic [SlotW-1:0] go_idx_q, refuse_idx, walk_idx_d, walk_idx_q;
  iommu_first #(.N (Slots), .IdxW (SlotW)) u_refuse (.vec_i (refuse), .any_o (refuse_any), .idx_o (refuse_idx));
  // The slot to ask a walk for is chosen a cycle ahead (walk_*_q; the one
  // moving into the walk-request register now is left out), so the walk
  // RAM's read address is a register.
  logic [Slots-1:0] wl_oh;
  logic             wq_load;   // the chosen slot moves into the walk-request register
  for (genvar k = 0; k < Slots; k++) begin : g_wl
    assign wl_oh[k] = wq_load && walk_idx_q == SlotW'(k);
  end
  iommu_first #(.N (Slots), .IdxW (SlotW)) u_walk (.vec_i (want_walk & ~wl_oh), .any_o (walk_any_d), .idx_o (walk_idx_d));
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      walk_any_q <= 1'b0;
      walk_idx_q <= '0;
    end else begin
      walk_any_q <= walk_any_d;
      walk_idx_q <= walk_idx_d;
    end
  end
  `IOMMU_ASSERT(WalkChoice_A, clk_i, rst_ni, !wq_load || want_walk[walk_idx_q])
  // The tail of the stage's key: the valid slot with its key that no slot
  // follows.  The slots of one key form one chain (each new one follows the
  // tail), so there is one tail at most and the vector is already one-hot.
  logic [Slots-1:0] tail_oh;
  assign tail_oh  = key_match & ~sl_has_dep_q;

  // ---- release to memory ---------------------------------------------------------
  refuse_e          rf_st_q, rf_st_d;
  logic [SlotW-1:0] rf_idx_q;
  logic [7:0]       rf_beat_q, rf_beat_d;
  logic             rf_last_q;   // rf_beat_q == rf_len_q (RfResp), registered
  logic [OutW-1:0]  out_q, out_inc, out_dec;
  logic             can_fwd, s_dep, s_fwd, mem_hs, hs_q, rt_v_q, rf_done;

  // out_q counts the forwarded requests not complete; a forward is counted
  // from the cycle after its handshake (hs_q), so no lookup result reaches the
  // counter.  Both neighbours of the count come from the register alone.
  assign out_inc = out_q + 1'b1;
  assign out_dec = out_q - 1'b1;
  assign s_dep   = |key_match;
  // A refusal ready to start goes first: nothing new is presented then, so a
  // refusal never overlaps a forward (it waits for a locked one to go).
  // Which slot can be refused is taken from registers (rf_any_q, rf_cand_q:
  // the refusable slots of the cycle before, while no refusal was running or
  // starting; such a slot stays refusable until it is refused), so the slots'
  // states reach no forward through the choice.
  logic             rf_any_q, rf_start;
  logic [SlotW-1:0] rf_cand_q;
  assign rf_start = rf_st_q == RfIdle && rf_any_q && !lock_q;
  assign can_fwd = (rf_st_q == RfIdle) && !rf_any_q && (out_q[OutW-1:1] != '1) &&
                   (!IsWrite || route_room2_i);
  assign s_fwd   = s_v_q && o_hit && !s_dep && !go_any_q && fr_q;

  // AXI: once AxVALID is up the request must stay until AxREADY.  A request
  // presented without READY is locked (its slot and the request itself, in
  // lock_*_q) until it goes, whatever happens meanwhile to the mode, the
  // caches or the other slots.  It is always in a slot: a stage request
  // presented without READY moved into the slot it took.
  logic             lock_q, f_slot;
  assign f_slot = lock_q || go_any_q;

  // The ready slot to release is chosen a cycle ahead (go_any_q, go_idx_q: the
  // lowest ready slot of the cycle before but the one presented in it, f_oh,
  // whether or not it went, so no READY reaches the choice: one that did not
  // go is locked, or chosen again a cycle later; a ready slot stays ready
  // until it leaves); its PA above the page offset is read then into a
  // register (go_ppn_q) and the release RAM is read at go_idx_q, so the
  // memory port's select between slot and stage, and what it selects, come
  // from registers (and a RAM read at a registered address) and no slot
  // state reaches them.  A slot becomes ready a cycle before it can leave;
  // what it releases does not change while it is ready.
  logic                   go_any_d;
  logic [SlotW-1:0]       go_idx_d;
  logic [IdW+AddrLsb-1:0] lock_req_q, f_req;   // {ID, LEN..USER}
  logic [PaW-1:0]         lock_pa_q, f_pa;
  logic [PaW-13:0]        go_ppn_q;
  // f_oh: the slot presented, one-hot, from one-hot registers of the locked
  // slot and the chosen one (no index decode before the choice)
  logic [Slots-1:0]       f_oh, go_oh_q, lock_oh_q;
  assign f_oh = lock_q ? lock_oh_q : go_any_q ? go_oh_q : '0;
  iommu_first #(.N (Slots), .IdxW (SlotW)) u_go (.vec_i (go & ~f_oh), .any_o (go_any_d), .idx_o (go_idx_d));
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      go_any_q  <= 1'b0;
      go_idx_q  <= '0;
      go_oh_q   <= '0;
      lock_oh_q <= '0;
    end else begin
      go_any_q  <= go_any_d;
      go_idx_q  <= go_idx_d;
      for (int k = 0; k < Slots; k++) go_oh_q[k] <= go_idx_d == SlotW'(k);
      lock_oh_q <= f_slot ? f_oh : fr_oh_q;
    end
  end
  `IOMMU_ASSERT(FOh_A, clk_i, rst_ni, $onehot0(f_oh) && ((f_oh != '0) == f_slot) &&
                                      (!(go_any_q && !lock_q) || f_oh == Slots'(1) << go_idx_q))
  always_ff @(posedge clk_i) go_ppn_q <= sl_pa_q[go_idx_d];

  assign f_req = lock_q   ? lock_req_q :
                 go_any_q ? {rel_word[AddrLsb + 12 +: IdW], rel_word[AddrLsb-1:0]} :
                            {s_id, s_q[AddrLsb-1:0]};
  assign f_pa  = lock_q ? lock_pa_q : go_any_q ? {go_ppn_q, rel_word[AddrLsb +: 12]} : o_pa;
  assign {mem_len_o, mem_size_o, mem_burst_o, mem_lock_o, mem_cache_o, mem_prot_o, mem_qos_o,
          mem_user_o} = f_req[AddrLsb-1:0];
  assign mem_id_o    = f_req[AddrLsb +: IdW];
  assign mem_addr_o  = f_pa;
  assign mem_valid_o = lock_q || (can_fwd && (go_any_q || s_fwd));
  assign mem_hs      = mem_valid_o && mem_ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lock_q     <= 1'b0;
    end else begin
      // a stage request presented without READY moves into the slot it
      // takes (s_take) and stays presented from there
      lock_q     <= mem_valid_o && !mem_ready_i;
    end
  end
  always_ff @(posedge clk_i) begin
    lock_req_q <= f_req;
    lock_pa_q  <= f_pa;
  end

  // Stage: it leaves only while a slot is free (fr_q), to memory or into the
  // slot fr_* names, so it never waits on the memory port outside a slot.
  // The slot is chosen a cycle ahead, so the stall (r_move), the slot
  // writes' enables and the RAMs' write address are registers: fr_q says a
  // slot is free, fr_oh_q / fr_idx_q which one (the first free one; after a
  // take, the first free one but that).  A slot that frees as it leaves for
  // memory or completes its refusal is offered from the cycle after next, so
  // the memory port's READY reaches no choice; one dropped (d_cancel) counts
  // at once: it is a register.
  // The stage takes the offered slot whenever it holds a request (s_take,
  // registers alone), and the slot becomes valid; if the request left for
  // memory in the same cycle (stage_hs) it is dropped the cycle after
  // (d_cancel), so no slot register waits for the lookup.
  logic             s_take, stage_hs, fr_q;
  logic [Slots-1:0] fr_oh_q;
  logic [SlotW-1:0] fr_idx_q;
  assign s_take   = s_v_q && fr_q;
  assign stage_hs = mem_hs && !f_slot;
  iommu_offer #(.N (Slots), .IdxW (SlotW), .Copies (1 + MvN)) u_fr (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .free_i  (~sl_v_q | d_cancel),
    .take_i  (s_take),
    .valid_o ({mv_fr, fr_q}),
    .oh_o    (fr_oh_q),
    .idx_o   (fr_idx_q)
  );

  // The stall in copies.  r_move is one LUT of two registers (s_v_q, fr_q)
  // but reaches about a thousand loads across the chip: the stage registers'
  // enables, the IOTLB arrays' takes (tlb_adv_o) and the caches' holds
  // (lk_hold_o: the block RAMs' read addresses, the DC cache's matches).
  // Each group of loads gets its own copy of both registers (iommu_copies),
  // so no one net spans them all; the originals drive the rest (the valid
  // bits, READY, the slots).
  logic [MvN-1:0] sv_cp;   // copies of s_v_q
  iommu_copies #(.W (1), .N (MvN)) u_mv_cp (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (s_v_d),
    .q_o    (sv_cp)
  );
  for (genvar i = 0; i < MvN; i++) begin : g_mv
    assign mv[i] = !sv_cp[i] || mv_fr[i];
  end
  `IOMMU_ASSERT(MoveCopies_A, clk_i, rst_ni, mv == {MvN{r_move}})

  // ---- walk requests ---------------------------------------------------------------
  // The lowest slot that wants a walk (chosen a cycle ahead) moves into an
  // output register (wq_*) whenever it is empty, and the slot waits from
  // then on (SWalkWait), so
  // the walker's intake starts at this register and not at the slots' choice
  // and RAM read.  The register loads only when empty, not in the cycle the
  // walker takes its request, so its wide enable comes from registers and not
  // through the walker's intake and the channels' arbitration (wreq_ready_i):
  // one walk request every two cycles at most.  A DC invalidation drops the
  // DC the register holds, as it does the slots'.
  logic             wq_v_q, wq_dc_hit_q;
  logic [SlotW-1:0] wq_slot_q;
  logic [WalkW-1:0] wq_word_q;
  assign wq_load = walk_any_q && !wq_v_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wq_v_q      <= 1'b0;
      wq_dc_hit_q <= 1'b0;
    end else begin
      if (wq_load)           wq_v_q <= 1'b1;
      else if (wreq_ready_i) wq_v_q <= 1'b0;
      if (wq_load) wq_dc_hit_q <= sl_dc_hit_q[walk_idx_q] && !dc_inval_i;
      else if (dc_inval_i) wq_dc_hit_q <= 1'b0;
    end
  end
  always_ff @(posedge clk_i) begin
    if (wq_load) begin
      wq_slot_q <= walk_idx_q;
      wq_word_q <= walk_word;
    end
  end
  logic [UserW-1:0] w_user;
  logic             w_exec;
  assign {wreq_iova_o, w_user, w_exec, wreq_dc_o} = wq_word_q;
  assign wreq_valid_o  = wq_v_q;
  assign wreq_slot_o   = wq_slot_q;
  assign wreq_did_o    = w_user[DidW-1:0];
  assign wreq_pv_o     = w_user[DidW+PidW];
  assign wreq_acc_o    = IsWrite ? iommu_pkg::AccWrite :
                         w_exec ? iommu_pkg::AccExec : iommu_pkg::AccRead;
  assign wreq_dc_hit_o = wq_dc_hit_q;

  // ---- refusal ----------------------------------------------------------------------
  // The refused request's fault record and LEN, from registers: the refusal
  // RAM is read at the candidate while idle and at the refused slot from
  // then on (rf_ridx; rf_idx_q takes the candidate when the refusal starts),
  // so the record is registered in the cycle the refusal starts and stays
  // (RfFault offers it), and the LEN at least two cycles before RfResp counts
  // beats against it: no path runs from the slot RAM's read into the fault
  // queue or the slot registers a completed refusal frees.
  logic [SlotW-1:0]                rf_ridx;
  logic [7:0]                      rf_len_q;
  logic [iommu_pkg::FaultReqW-1:0] rf_fault_q;
  assign rf_ridx = (rf_st_q == RfIdle) ? rf_cand_q : rf_idx_q;
  always_ff @(posedge clk_i) begin
    rf_len_q   <= r_req[AddrLsb-8 +: 8];
    rf_fault_q <= fault_of(r_req[0 +: UserW], r_req[ProtLsb], r_req[ProtLsb+2],
                           r_req[AddrLsb +: IovaW], sl_cause_q[rf_ridx]);
  end

  always_comb begin
    rf_st_d       = rf_st_q;
    rf_beat_d     = rf_beat_q;
    rf_done       = 1'b0;
    fault_valid_o = 1'b0;
    route_valid_o = rt_v_q;   // a forward's entry, the cycle after its handshake
    route_fwd_o   = 1'b1;
    unique case (rf_st_q)
      RfIdle: begin
        if (rf_start) rf_st_d = RfFault;
      end
      RfFault: begin
        fault_valid_o = sl_record_q[rf_idx_q];
        if (fault_ready_i || !sl_record_q[rf_idx_q]) rf_st_d = IsWrite ? RfRoute : RfDrain;
      end
      RfRoute: begin
        route_valid_o = 1'b1;
        route_fwd_o   = 1'b0;
        if (route_ready_i) rf_st_d = RfDrain;
      end
      RfDrain: begin
        rf_beat_d = '0;
        if (out_q == '0 && !hs_q && (!IsWrite || w_dropped_i)) rf_st_d = RfResp;
      end
      RfResp: begin
        if (dev_rsp_ready_i) begin
          rf_beat_d = rf_beat_q + 8'd1;
          if (IsWrite || rf_last_q) begin
            rf_done = 1'b1;
            rf_st_d = RfIdle;
          end
        end
      end
      default: rf_st_d = RfIdle;
    endcase
  end
  assign fault_o     = rf_fault_q;
  assign rf_active_o = rf_st_q == RfResp;
  assign rf_id_o     = r_req[IdLsb +: IdW];
  assign rf_last_o   = IsWrite || rf_last_q;

  // ---- slot and counter registers -------------------------------------------------------
  // A slot frees when it leaves for memory or its refusal completes.
  // A slot's handshake, from registers and READY alone (a slot presents
  // when locked from one or when one is ready: s_fwd needs !go_any_q).
  // The slot freeing, one-hot: the presented one (f_oh, from registers) or
  // the refused one (never both: OneFree_A).
  logic             slot_hs;
  logic [Slots-1:0] free_oh, rf_oh;
  assign slot_hs = mem_ready_i && (lock_q || (can_fwd && go_any_q));
  for (genvar k = 0; k < Slots; k++) begin : g_free
    assign rf_oh[k] = rf_idx_q == SlotW'(k);
  end
  assign free_oh = (slot_hs ? f_oh : '0) | (rf_done ? rf_oh : '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sl_v_q     <= '0;
      sl_dep_v_q <= '0;
      sl_has_dep_q <= '0;
      rf_st_q    <= RfIdle;
      rf_idx_q   <= '0;
      rf_any_q   <= 1'b0;
      rf_cand_q  <= '0;
      rf_beat_q  <= '0;
      rf_last_q  <= 1'b0;
      out_q      <= '0;
      hs_q       <= 1'b0;
      rt_v_q     <= 1'b0;
      d_v_q      <= 1'b0;
    end else begin
      rf_st_q   <= rf_st_d;
      rf_beat_q <= rf_beat_d;
      rf_last_q <= rf_beat_d == rf_len_q;
      rf_any_q  <= refuse_any && rf_st_q == RfIdle && !rf_start;
      rf_cand_q <= refuse_idx;
      if (rf_start) rf_idx_q <= rf_cand_q;
      hs_q <= mem_hs;
      rt_v_q <= IsWrite && mem_hs;
      d_v_q <= s_take;
      if (hs_q && !mem_rsp_done_i)      out_q <= out_inc;
      else if (!hs_q && mem_rsp_done_i) out_q <= out_dec;
      for (int k = 0; k < Slots; k++) begin
        if (free_oh[k] || d_cancel[k]) sl_v_q[k] <= 1'b0;
        if ((sl_dep_q[k] & free_oh) != '0) sl_dep_v_q[k] <= 1'b0;
        if (s_take && fr_oh_q[k]) begin
          sl_v_q[k]     <= 1'b1;
          sl_dep_v_q[k] <= (tail_oh & ~free_oh) != '0;
        end
        // the tail gets a follower when the stage's request moves in behind
        // it (s_take with a tail never forwards: s_fwd needs no key match)
        if (free_oh[k])                        sl_has_dep_q[k] <= 1'b0;
        else if (s_take && tail_oh[k])         sl_has_dep_q[k] <= 1'b1;
      end
    end
  end

  // The stage's request is written into the offered slot in every cycle
  // there is one (fr_q, fr_oh_q: registers alone, no logic on the wide
  // enables), whether or not the stage holds a request that may take it: the
  // slot is free, so nothing reads it, and it becomes valid only in the cycle
  // the stage's request moves in (s_take, above), whose write is that
  // request's; its outcome follows a cycle later (d_pend).  A free slot has
  // no walk or result in flight, so nothing else writes it.
  iommu_ram #(.Depth (Slots), .Width (RelW), .Block (1'b0), .Comb (1'b1)) u_rel_ram (
    .clk_i   (clk_i),
    .we_i    (fr_q),
    .waddr_i (fr_idx_q),
    .wdata_i ({s_id, s_addr[11:0], s_q[AddrLsb-1:0]}),
    .re_i    (1'b1),
    .raddr_i (go_idx_q),
    .rdata_o (rel_word)
  );
  iommu_ram #(.Depth (Slots), .Width (WalkW), .Block (1'b0), .Comb (1'b1)) u_walk_ram (
    .clk_i   (clk_i),
    .we_i    (fr_q),
    .waddr_i (fr_idx_q),
    .wdata_i ({s_addr, s_user, s_prot[2], s_dc_q}),
    .re_i    (1'b1),
    .raddr_i (walk_idx_q),
    .rdata_o (walk_word)
  );
  iommu_ram #(.Depth (Slots), .Width (AxW), .Block (1'b0), .Comb (1'b1)) u_rf_ram (
    .clk_i   (clk_i),
    .we_i    (fr_q),
    .waddr_i (fr_idx_q),
    .wdata_i (s_q),
    .re_i    (1'b1),
    .raddr_i (rf_ridx),
    .rdata_o (r_req)
  );
  always_ff @(posedge clk_i) begin
    d_oh_q     <= fr_oh_q;
    d_fwd_q    <= stage_hs;
    d_ready_q  <= o_hit || o_fault;
    d_fault_q  <= o_fault;
    d_cause_q  <= o_cause;
    d_record_q <= o_record;
    d_pa_q     <= o_pa[PaW-1:12];
  end
  // A slot's state: SWalkWait while free (from reset, and set as it frees,
  // which wins over its outcome's write in the cycle a locked stage request
  // leaves or a forwarded one's slot is dropped).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int k = 0; k < Slots; k++) sl_st_q[k] <= SWalkWait;
    end else begin
      for (int k = 0; k < Slots; k++) begin
        if (free_oh[k] || d_cancel[k])             sl_st_q[k] <= SWalkWait;
        else if (d_pend[k])                        sl_st_q[k] <= d_ready_q ? SReady : SWalkReq;
        else if (wl_oh[k])                         sl_st_q[k] <= SWalkWait;
        else if (wres_valid_i && wres_slot_i == SlotW'(k)) sl_st_q[k] <= SReady;
      end
    end
  end
  always_ff @(posedge clk_i) begin
    for (int k = 0; k < Slots; k++) begin
      if (fr_oh_q[k]) begin
        sl_id_q[k]     <= s_id;
        sl_dep_q[k]    <= tail_oh;
        sl_dc_hit_q[k] <= s_dc_hit_q && !dc_inval_i;
      end else if (dc_inval_i) begin
        sl_dc_hit_q[k] <= 1'b0;
      end
      if (d_pend[k]) begin
        sl_fault_q[k]  <= d_fault_q;
        sl_cause_q[k]  <= d_cause_q;
        sl_record_q[k] <= d_record_q;
        sl_pa_q[k]     <= d_pa_q;
      end else begin
        if (wres_valid_i && wres_slot_i == SlotW'(k)) begin
          sl_fault_q[k]  <= wres_fault_i;
          sl_cause_q[k]  <= wres_cause_i;
          sl_record_q[k] <= wres_record_i;
          sl_pa_q[k]     <= (PaW-12)'(wres_ppn_i);
        end
      end
    end
  end

  // Forwarded and not complete, or held with a result other than a refusal.
  logic [Slots-1:0] may_pass;
  for (genvar k = 0; k < Slots; k++) begin : g_pass
    assign may_pass[k] = sl_v_q[k] && !(sl_st_q[k] == SReady && sl_fault_q[k]);
  end
  assign pending_o = (out_q != '0) || hs_q || (may_pass != '0) || lock_q;
  // idle_o from a register (the command queue's fence waits for it): idle a
  // cycle ago with no request taken then means idle now (only a new request
  // ends idleness), so it is never 1 while something is pending, and at
  // most a cycle late to rise.
  logic idle_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) idle_q <= 1'b1;
    else         idle_q <= !r_v_q && !s_v_q && !pending_o && !(dev_valid_i && dev_ready_o);
  end
  assign idle_o = idle_q;
  `IOMMU_ASSERT(IdleReg_A, clk_i, rst_ni, !idle_q || (!r_v_q && !s_v_q && !pending_o))

  /* verilator lint_off UNUSEDSIGNAL */
  logic unused;
  // the root is for the walker, the PSCID for the IOTLB (from the DC answer);
  // the address leaves translated (f_pa)
  // the request stage checks the device_id's high bits and the address's
  // (the facts), the decision stage takes the results; the DC's mode is in
  // post_dc_kind, worked out in the request stage
  assign unused = ^{dc_root, dc_pscid, dc_smode, s_prot[1:0], r_did[6:0], s_addr[IovaW-1:57]};
  /* verilator lint_on UNUSEDSIGNAL */

  // The offered slot is free, and named one-hot.
  `IOMMU_ASSERT(FrFree_A, clk_i, rst_ni, !fr_q || ((sl_v_q & fr_oh_q) == '0 && $onehot(fr_oh_q)))
  `IOMMU_ASSERT(SlotHs_A, clk_i, rst_ni, slot_hs == (mem_hs && f_slot))
  `IOMMU_ASSERT(OutNoUnderflow_A, clk_i, rst_ni, !(mem_rsp_done_i && out_q == '0 && !hs_q))
  // One slot frees per cycle: a forward and the end of a refusal never meet.
  `IOMMU_ASSERT(OneFree_A, clk_i, rst_ni, !(mem_hs && f_slot && rf_done))
  // A refusal's answer never overlaps a forward on the same channel.
  `IOMMU_ASSERT(RefuseAlone_A, clk_i, rst_ni, !(mem_valid_o && rf_st_q != RfIdle))
  `IOMMU_ASSERT(OneTail_A, clk_i, rst_ni, $onehot0(tail_oh))
  // A forward's route entry never meets a refusal (which starts no earlier
  // than the cycle after a forward, while nothing is presented).
  `IOMMU_ASSERT(RouteIdle_A, clk_i, rst_ni, !rt_v_q || rf_st_q == RfIdle)
  `IOMMU_ASSERT(RfCand_A, clk_i, rst_ni, !rf_start || refuse[rf_cand_q])

endmodule

`default_nettype wire
