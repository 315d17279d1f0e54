// iommu_tlb_sa: a set-associative array in RAM (Sets x Ways entries) of
// translations of one size, looked up by Ports requests per cycle: the
// IOTLB's arrays of 4 KiB (Level 0) and 2 MiB (Level 1) leaves, and the walk
// cache's arrays of non-leaf PTEs (a level-l table covers 4 KiB << 9*(l+1)).
// Sets >= 64 are block RAM, fewer LUT RAM.
//
// An entry is {valid, G, PSCID, VPN above the set index} and DataW bits of
// data (the IOTLB: the PPN above the page size and the permissions; the walk
// cache: the table's PPN).  The set is the log2(Sets) VPN bits just above the
// 4 KiB << 9*Level the entry covers.  Every way is one iommu_ram per lookup
// port (a read port each) plus one more copy read by fills and
// invalidations; all of them share one write: a fill's entry, or an
// invalidation's cleared valid bit.  Nothing but the write port touches the
// valid bits, so there is no per-entry logic at all.
//
// Lookup, two cycles, as iommu_iotlb describes: in the first, rd_vpn_i's
// set is read from the RAMs, and the ways written in that cycle are noted
// (their RAM word is unknown: iommu_ram), all of them during a wipe (with
// rd_hold_i the set of the last read is read again: the stall selects
// between two registers, it computes no address); in the
// second, the valid ways not noted whose tag matches lk_vpn_i and lk_pscid_i
// (or G) select the data (iommu_sel: two matches are a miss).  With Ahead = 1
// the read comes one cycle earlier still: rd_vpn_i names the lookup of two
// cycles later, and in the cycle between, the RAM's words are compared with
// lk_vpn_i and lk_pscid_i, which then name the request the lookup stage takes
// at lk_adv_i; the tag matches and the data are registered then and held
// otherwise, so the lookup's second cycle starts at registers (the tag
// matches with the noted ways, the wipe, the select).  lk_m_o is every
// way's match and rd_ways_o every way's data as read, for a caller's own
// check of each way, registered at lk_adv_i.  The words held may
// miss writes made after their read: an entry filled since then misses, one
// replaced or invalidated since then may still hit, which the spec allows a
// request accepted before the invalidation (the IOFENCE.C drains it).
//
// Fill, four cycles: the first reads the set's entries from the tag RAM (a
// copy of the entries for fills and invalidations), the second registers
// them as the RAM returns them, the third compares them with the fill's tag
// (the ways the three fills before it wrote since that read are taken from
// registers: the RAM has not returned them) and registers the
// way with the same tag and the way to take without one (the first invalid
// way, else the way of a rotating pointer shared by all sets), the fourth
// writes the one or the other, so that only registers feed the RAMs' write
// port.  A fill whose way already holds its tag and the low KeepW bits of its data (the
// IOTLB: the permissions) writes nothing: the entry keeps the rest of its data,
// which can differ only if software changed the PTE without IOTINVAL.VMA (the
// spec lets the old translation be used until then).  So the tag RAM stores
// {valid, tag} and those KeepW bits only.
// A fill is dropped when an invalidation or flush takes
// effect in any of the four cycles, and while busy_o.
//
// Invalidation (IOTINVAL.VMA, GV=0; the spec's table of operands) takes
// effect a cycle after its command (the inputs are registered, so no
// command decode reaches a RAM's write enable; busy_o and the wipe cover
// that cycle): it reads a set of the tag RAM, registers the word, compares
// its ways the cycle after and clears those it selects in the cycle after
// that (from registers):
//   AV=1          the IOVA's set (PSCV=1: entries of PSCID only, G kept);
//   PSCV=1, AV=0  a scan: one set a cycle, Sets + 3 cycles in all;
//   PSCV=0, AV=0  a wipe: the same scan clearing every way;
// flush_i (and reset) start a wipe, whatever is in progress.  busy_o is 1
// from the cycle after the command until its last set is cleared; the
// command queue starts no other IOTINVAL and passes no IOFENCE.C before it
// falls.  Lookups go on during an AV=1 or PSCID invalidation (it completes
// only at the fence, which drains them), but miss during a wipe: after a
// flush nothing cached before it may hit.
// With no match lk_data_o is 0 (callers OR the arrays).
// Assumes: Sets a power of two >= 2; a VPN tag of 2 bits or more; inv_i only while !busy_o.
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_tlb_sa #(
  parameter int unsigned Sets  = 128,
  parameter int unsigned Ways  = 4,
  parameter int unsigned Level = 0,    /// an entry covers 4 KiB << (9 * Level)
  parameter int unsigned DataW = 49,
  parameter int unsigned KeepW = 0,    /// low data bits a fill must find unchanged to write nothing
  parameter int unsigned Ports = 2,
  parameter bit          Ahead = 1'b0   /// rd_vpn_i two cycles ahead, tags compared at lk_adv_i
) (
  input  wire logic                                   clk_i,
  input  wire logic                                   rst_ni,
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       rd_vpn_i,
  input  wire logic [Ports-1:0]                       rd_hold_i,  /// read the last read's set again
  input  wire logic [Ports-1:0]                       lk_adv_i,   /// Ahead: compare and hold the words read
  input  wire logic [Ports*iommu_pkg::PscidW-1:0]     lk_pscid_i,
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       lk_vpn_i,
  output      logic [Ports-1:0]                       lk_any_o,
  output      logic [Ports-1:0]                       lk_multi_o,
  output      logic [Ports*DataW-1:0]                 lk_data_o,
  output      logic [Ports*Ways-1:0]                  lk_m_o,     /// which ways match
  output      logic [Ports*Ways*DataW-1:0]            rd_ways_o,  /// Ahead: every way's data as read, for lk_adv_i
  input  wire logic                                   fill_i,     /// an entry of this size
  input  wire logic [iommu_pkg::PscidW-1:0]           fill_pscid_i,
  input  wire logic                                   fill_g_i,
  input  wire logic [iommu_pkg::VpnW-1:0]             fill_vpn_i,
  input  wire logic [DataW-1:0]                       fill_data_i,
  input  wire logic                                   flush_i,
  input  wire logic                                   inv_i,
  input  wire logic                                   inv_pscv_i,
  input  wire logic [iommu_pkg::PscidW-1:0]           inv_pscid_i,
  input  wire logic                                   inv_av_i,
  input  wire logic [iommu_pkg::VpnW-1:0]             inv_vpn_i,
  output      logic                                   busy_o
);
  localparam int unsigned PscidW = iommu_pkg::PscidW;
  localparam int unsigned VpnW   = iommu_pkg::VpnW;
  localparam int unsigned LoW    = 9 * Level;             // VPN bits inside an entry
  localparam int unsigned SetW   = $clog2(Sets);
  localparam int unsigned VtagW  = VpnW - LoW - SetW;
  localparam int unsigned TagW   = 1 + PscidW + VtagW;    // {G, PSCID, VPN tag}
  localparam int unsigned VTagW  = 1 + TagW;              // {valid, tag}
  localparam bit          Block  = Sets >= 64;
  localparam int unsigned WordW  = VTagW + DataW;
  localparam int unsigned TWordW = VTagW + KeepW;         // the tag RAM's word: {valid, tag, keep}

  // ---- the write port ----------------------------------------------------------------
  // A fill's entry (wr_valid 1) or an invalidation's clear (wr_valid 0) of
  // the ways wr_way of set wr_set; never both in one cycle (a clear comes
  // only while busy_o or with a kill, both of which drop fills).
  logic             wr_en, wr_valid, fill_en, clr_en;
  logic [SetW-1:0]  wr_set, fill_set, clr_set;
  logic [Ways-1:0]  wr_way, fill_way, clr_way;
  logic [TagW-1:0]  wr_tag;
  logic [DataW-1:0] wr_data;
  assign wr_en    = fill_en || clr_en;
  assign wr_valid = !clr_en;
  assign wr_set   = clr_en ? clr_set : fill_set;
  assign wr_way   = clr_en ? clr_way : fill_way;

  // The write's set reaches every RAM of the array: a register per RAM
  // (iommu_copies; one for block RAM, whose few RAMs share it), loaded a
  // cycle ahead from the clear and fill stages' registers (cl_* and f3_*
  // load from ic_* and f2_*), so a net of its own, from a register, reaches
  // each RAM's write address.
  localparam int unsigned WrN = Block ? 1 : Ways * (Ports + 1);
  logic [WrN*SetW-1:0] wr_set_cp;

  // A wipe is clearing every entry: lookups miss.  wipe_cp holds it in a
  // copy per lookup port (each gates that port's matches) and one more.
  logic               wipe;
  logic [Ports:0]     wipe_cp;

  // The write and the wipe of the cycle before (pw_*), for the reads made in
  // that cycle: the lookups' (which ways to drop) and a fill's (which ways to
  // take from pw_tag_q instead).
  // The write of two cycles before (pw2_*) is a fill's forward too.
  logic            pw_q, pw_wipe_q, pw2_q;
  logic [SetW-1:0] pw_set_q, pw2_set_q;
  logic [Ways-1:0] pw_way_q, pw2_way_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pw_q      <= 1'b0;
      pw_wipe_q <= 1'b1;
      pw2_q     <= 1'b0;
    end else begin
      pw_q      <= wr_en;
      pw_wipe_q <= wipe;
      pw2_q     <= pw_q;
    end
  end
  always_ff @(posedge clk_i) begin
    pw_set_q  <= wr_set;
    pw_way_q  <= wr_way;
    pw2_set_q <= pw_set_q;
    pw2_way_q <= pw_way_q;
  end

  // ---- lookups ---------------------------------------------------------------------
  for (genvar p = 0; p < Ports; p++) begin : g_port
    logic [SetW-1:0]       rd_set;
    logic [Ways-1:0]       keep_rd, tm_vl_rd, tm_vh_rd, tm_p_rd, tm, m;
    logic [Ways*WordW-1:0] word_rd;
    logic [Ways*DataW-1:0] data_rd, data;
    logic [VtagW-1:0]      vtag;
    logic [PscidW-1:0]     pscid;
    assign rd_set = rd_vpn_i[p*VpnW + LoW +: SetW];
    assign vtag   = lk_vpn_i[p*VpnW + LoW + SetW +: VtagW];
    assign pscid  = lk_pscid_i[p*PscidW +: PscidW];
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_vpn;   // the set is read from rd_vpn, the tag compared from lk_vpn
    assign unused_vpn = ^{rd_vpn_i[p*VpnW +: VpnW], lk_vpn_i[p*VpnW +: LoW + SetW]};
    /* verilator lint_on UNUSEDSIGNAL */

    // The ways whose word the read returns: all but those written in the
    // read's cycle (none during a wipe: sets not yet wiped still hold what
    // the wipe removes), found the cycle after from registers (pw_*), in
    // parallel with the tag compare.  While rd_hold_i the RAMs read the set
    // of the last read again (raddr from rd_set_q), so a held lookup sees
    // every write: a refill of its own entry during the stall still hits.
    logic [SetW-1:0] raddr, rd_set_q;
    assign raddr = rd_hold_i[p] ? rd_set_q : rd_set;
    always_ff @(posedge clk_i) rd_set_q <= raddr;
    assign keep_rd = pw_wipe_q ? '0 : ~((pw_q && pw_set_q == rd_set_q) ? pw_way_q : '0);

    // Every way's tag compared with the lookup's, on the word the RAM returns,
    // in three parts: the valid bit and the VPN tag's low half (tm_vl_rd),
    // its high half (tm_vh_rd), and the PSCID or G with keep (tm_p_rd), so
    // that with Ahead each is registered as it is (no compare tree is deeper
    // than half the VPN tag after the RAM's clock-to-output) and the three are
    // ANDed with the wipe at the select.
    for (genvar w = 0; w < Ways; w++) begin : g_way
      logic              v, g;
      logic [PscidW-1:0] e_pscid;
      logic [VtagW-1:0]  e_vtag;
      iommu_ram #(.Depth (Sets), .Width (WordW), .Block (Block)) u_ram (
        .clk_i   (clk_i),
        .we_i    (we[w]),
        .waddr_i (wr_set_cp[(Block ? 0 : Ways + p * Ways + w) * SetW +: SetW]),
        .wdata_i ({wr_valid, wr_tag, wr_data}),
        .re_i    (1'b1),
        .raddr_i (raddr),
        .rdata_o (word_rd[w*WordW +: WordW])
      );
      assign {v, g, e_pscid, e_vtag} = word_rd[w*WordW + DataW +: VTagW];
      assign data_rd[w*DataW +: DataW] = word_rd[w*WordW +: DataW];
      assign tm_vl_rd[w] = v && e_vtag[VtagW/2-1:0] == vtag[VtagW/2-1:0];
      assign tm_vh_rd[w] = e_vtag[VtagW-1:VtagW/2] == vtag[VtagW-1:VtagW/2];
      assign tm_p_rd[w]  = keep_rd[w] && (g || e_pscid == pscid);
    end
    assign rd_ways_o[p*Ways*DataW +: Ways*DataW] = data_rd;

    if (Ahead) begin : g_ahead
      // The request taken at lk_adv_i: its tag matches and the data, held.
      logic [Ways-1:0]       tm_vl_q, tm_vh_q, tm_p_q;
      logic [Ways*DataW-1:0] data_q;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          tm_vl_q <= '0;
          tm_vh_q <= '0;
          tm_p_q  <= '0;
        end else if (lk_adv_i[p]) begin
          tm_vl_q <= tm_vl_rd;
          tm_vh_q <= tm_vh_rd;
          tm_p_q  <= tm_p_rd;
        end
      end
      always_ff @(posedge clk_i) begin
        if (lk_adv_i[p]) data_q <= data_rd;
      end
      assign tm   = tm_vl_q & tm_vh_q & tm_p_q;
      assign data = data_q;
    end else begin : g_now
      assign tm   = tm_vl_rd & tm_vh_rd & tm_p_rd;
      assign data = data_rd;
      /* verilator lint_off UNUSEDSIGNAL */
      logic unused_adv;
      assign unused_adv = lk_adv_i[p];
      /* verilator lint_on UNUSEDSIGNAL */
    end
    assign m = tm & {Ways{!wipe_cp[p]}};
    assign lk_m_o[p*Ways +: Ways]                = m;

    iommu_sel #(.N (Ways), .W (DataW)) u_sel (
      .match_i (m),
      .data_i  (data),
      .any_o   (lk_any_o[p]),
      .multi_o (lk_multi_o[p]),
      .data_o  (lk_data_o[p*DataW +: DataW])
    );
  end

  // ---- the invalidation inputs, registered --------------------------------------
  // A flush or an invalidation takes effect a cycle after its command, so the
  // command's decode (the register port, the command queue) feeds registers
  // only, never the RAMs' write enables; busy_o and the wipe cover that cycle.
  // A fill writing in the command's cycle is then seen by the invalidation's
  // read of its set, one in a later cycle is dropped.  The operands load with
  // the command and hold until the next (inv_i comes only while !busy_o), so
  // the compare stage uses them directly.
  logic                  flush_q, inv_q, inv_pscv_q, inv_av_q;
  logic [PscidW-1:0]     inv_pscid_q;
  logic [VpnW-1:0]       inv_vpn_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      flush_q <= 1'b0;
      inv_q   <= 1'b0;
    end else begin
      flush_q <= flush_i;
      inv_q   <= inv_i;
    end
  end
  always_ff @(posedge clk_i) begin
    if (inv_i) begin
      inv_pscv_q  <= inv_pscv_i;
      inv_pscid_q <= inv_pscid_i;
      inv_av_q    <= inv_av_i;
      inv_vpn_q   <= inv_vpn_i;
    end
  end

  // ---- the tag RAM: fills and invalidations --------------------------------------
  // One read a cycle: an invalidation's (its command cycle, then the scan),
  // else a fill's.  The word read is registered as it arrives (t_word_q) and
  // compared the cycle after, so the compares start at flip-flops, not at a
  // RAM's output.
  logic                  scan_q, all_q, ir_v_q, ir_all_q, ic_v_q, ic_all_q;
  logic [SetW-1:0]       scan_set_q, ir_set_q, ic_set_q;
  logic [SetW-1:0]       t_set;
  logic [Ways*TWordW-1:0] t_word, t_word_q;
  always_ff @(posedge clk_i) t_word_q <= t_word;
  logic                  kill, start, start_all;
  assign kill      = flush_q || inv_q;
  // a scan from set 0: a flush, or AV=0 (PSCV=1: a PSCID's, else a wipe)
  assign start     = flush_q || (inv_q && !inv_av_q);
  assign start_all = flush_q || !inv_pscv_q;
  assign t_set     = start              ? '0 :
                     (inv_q && inv_av_q) ? inv_vpn_q[LoW +: SetW] :
                     scan_q             ? scan_set_q : fill_vpn_i[LoW +: SetW];
  logic [TWordW-1:0] t_wdata;
  if (KeepW > 0) begin : g_twd
    assign t_wdata = {wr_valid, wr_tag, wr_data[KeepW-1:0]};
  end else begin : g_twd0
    assign t_wdata = {wr_valid, wr_tag};
  end
  for (genvar w = 0; w < Ways; w++) begin : g_tag
    iommu_ram #(.Depth (Sets), .Width (TWordW), .Block (Block)) u_ram (
      .clk_i   (clk_i),
      .we_i    (we[w]),
      .waddr_i (wr_set_cp[(Block ? 0 : w) * SetW +: SetW]),
      .wdata_i (t_wdata),
      .re_i    (1'b1),
      .raddr_i (t_set),
      .rdata_o (t_word[w*TWordW +: TWordW])
    );
  end

  // ---- invalidation: the compare stage (ic_*) of the set read a cycle before ----
  // Reset starts a wipe: the RAMs' contents are unknown until then.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      scan_q     <= 1'b1;
      all_q      <= 1'b1;
      scan_set_q <= '0;
      ir_v_q     <= 1'b0;
      ir_all_q   <= 1'b0;
      ir_set_q   <= '0;
      ic_v_q     <= 1'b0;
      ic_all_q   <= 1'b0;
      ic_set_q   <= '0;
    end else begin
      ir_v_q   <= start || (inv_q && inv_av_q) || scan_q;
      ir_set_q <= t_set;
      if (start) begin
        ir_all_q <= start_all;
        all_q    <= start_all;
      end else if (inv_q) begin
        ir_all_q <= 1'b0;
      end else if (scan_q) begin
        ir_all_q <= all_q;
      end
      ic_v_q   <= ir_v_q;
      ic_set_q <= ir_set_q;
      ic_all_q <= ir_all_q;
      if (start) begin
        scan_q     <= 1'b1;
        scan_set_q <= SetW'(1);
      end else if (scan_q) begin
        scan_q     <= scan_set_q != SetW'(Sets - 1);
        scan_set_q <= scan_set_q + 1'b1;
      end
    end
  end
  // The clear stage (cl_*): the ways the compare selected, written a cycle
  // later from registers (the RAM's output feeds only the compare).
  logic            cl_v_q, cl_all_q;
  logic [SetW-1:0] cl_set_q;
  logic [Ways-1:0] cl_way_q, ic_way;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cl_v_q   <= 1'b0;
      cl_all_q <= 1'b0;
    end else begin
      cl_v_q   <= ic_v_q;
      cl_all_q <= ic_all_q;
    end
  end
  always_ff @(posedge clk_i) begin
    cl_set_q <= ic_set_q;
    cl_way_q <= ic_way;
  end
  // busy_o = inv_q || flush_q || scan_q || ir_v_q || ic_v_q || cl_v_q, from a register
  // of its own (the command queue's next step waits for it).
  logic busy_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) busy_q <= 1'b1;
    else         busy_q <= inv_i || flush_i || kill || scan_q || ir_v_q || ic_v_q;
  end
  assign busy_o = busy_q;
  `IOMMU_ASSERT(BusyReg_A, clk_i, rst_ni, busy_q == (inv_q || flush_q || scan_q || ir_v_q || ic_v_q || cl_v_q))
  // wipe = flush_q || (scan_q && all_q) || (ir_v_q && ir_all_q) || (ic_v_q && ic_all_q) ||
  // (cl_v_q && cl_all_q), kept in registers of their own (a copy per port:
  // it gates every lookup's match), set by the flush input itself: a wipe starts with a
  // flush (the cycle after it) or an AV=0 PSCV=0 command and lasts until its
  // scan's last clear.
  iommu_copies #(.W (1), .N (Ports + 1), .Rst (1'b1)) u_wipe (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (flush_i || (start ? start_all : ((!inv_q && scan_q && all_q) || (ir_v_q && ir_all_q) ||
                                              (ic_v_q && ic_all_q)))),
    .q_o    (wipe_cp)
  );
  assign wipe = wipe_cp[Ports];
  `IOMMU_ASSERT(WipeReg_A, clk_i, rst_ni,
                wipe == (flush_q || (scan_q && all_q) || (ir_v_q && ir_all_q) || (ic_v_q && ic_all_q) ||
                           (cl_v_q && cl_all_q)))
  `IOMMU_ASSERT(InvIdle_A, clk_i, rst_ni, !(inv_i && busy_o))

  for (genvar w = 0; w < Ways; w++) begin : g_ic
    logic              g;
    logic [PscidW-1:0] e_pscid;
    logic [VtagW-1:0]  e_vtag;
    assign {g, e_pscid, e_vtag} = t_word_q[w*TWordW + KeepW +: TagW];
    assign ic_way[w] = ic_all_q ||
                        ((!inv_av_q || e_vtag == inv_vpn_q[LoW + SetW +: VtagW]) &&
                         (!inv_pscv_q || (!g && e_pscid == inv_pscid_q)));
  end
  assign clr_en  = cl_v_q;
  assign clr_set = cl_set_q;
  assign clr_way = cl_way_q;

  // ---- fill: f1 reads the set's tags, fw registers them, f2 compares, f3 writes ---
  // f2 sees the tag RAM's word as it was before f1's cycle: the ways the
  // three fills ahead of it wrote since (the one in f3 now, the ones that
  // wrote in fw's and f1's cycles: pw_*, pw2_*) are taken from registers
  // instead, the newer first.  Clears need no forward: one comes only in the
  // three cycles after an invalidation or a flush, whose kill drops every
  // fill in f1, fw, f2 or f3, and while busy_o, which stops fills entering fw.
  logic                 fw_v_q, f2_v_q, f3_v_q;
  logic [SetW-1:0]      fw_set_q, f2_set_q, f3_set_q;
  logic [TagW-1:0]      fw_tag_q, f2_tag_q, f3_tag_q, pw_tag_q, pw2_tag_q;
  logic [DataW-1:0]     fw_data_q, f2_data_q, f3_data_q;
  logic [Ways-1:0]      f3_same_q, f3_deq_q, f3_alt_q, rr_q, same, deq, f_valid, fwd_new, fwd_old;
  logic                 f3_unch, f3_rr_q;
  logic [Ways-1:0]      rr_next, rr_d, first_free, we;
  logic                 free_any;
  if (Ways > 1) begin : g_rr
    assign rr_next = {rr_q[Ways-2:0], rr_q[Ways-1]};
  end else begin : g_rr1
    assign rr_next = rr_q;
  end
  localparam int unsigned FreeW = (Ways > 1) ? $clog2(Ways) : 1;
  logic [FreeW-1:0]     free_idx;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fw_v_q  <= 1'b0;
      f2_v_q  <= 1'b0;
      f3_v_q  <= 1'b0;
      rr_q    <= Ways'(1);
    end else begin
      fw_v_q  <= fill_i && !kill && !busy_o;
      f2_v_q  <= fw_v_q && !kill;
      // a kill in f3's cycle is the flush or invalidation input of this one
      f3_v_q  <= f2_v_q && !kill && !flush_i && !inv_i;
      rr_q    <= rr_d;
    end
  end
  always_ff @(posedge clk_i) begin
    fw_set_q  <= fill_vpn_i[LoW +: SetW];
    fw_tag_q  <= {fill_g_i, fill_pscid_i, fill_vpn_i[LoW + SetW +: VtagW]};
    fw_data_q <= fill_data_i;
    f2_set_q  <= fw_set_q;
    f2_tag_q  <= fw_tag_q;
    f2_data_q <= fw_data_q;
    f3_set_q  <= f2_set_q;
    f3_tag_q  <= f2_tag_q;
    f3_data_q <= f2_data_q;
    f3_same_q <= same;
    f3_deq_q  <= deq;
    f3_alt_q  <= free_any ? first_free : rr_d;
    f3_rr_q   <= !free_any;
    pw_tag_q  <= wr_tag;
    pw2_tag_q <= pw_tag_q;
  end

  // f2: the set's valid bits, the way holding the fill's tag, and the ways
  // holding the fill's KeepW data bits (deq).  When the way with the tag holds
  // them too (f3_unch, from those registers) the fill changes nothing and writes
  // nothing, so a page's refills, one per walk of a burst of misses, do not
  // keep making the lookups that read its set in the write's cycle miss, walk
  // and refill it again.  The compares run in parallel;
  // the forwards only choose between them (a forwarded fill that wrote
  // nothing left the same word in its way).
  logic new_hit, old_hit, old2_hit, new_same, old_same, old2_same;
  logic [Ways-1:0] fwd_old2;
  assign new_hit   = f3_v_q && f3_set_q == f2_set_q;
  assign old_hit   = pw_q && pw_set_q == f2_set_q;    // fills' writes: no clear precedes f2
  assign old2_hit  = pw2_q && pw2_set_q == f2_set_q;
  assign new_same  = f3_tag_q == f2_tag_q;
  assign old_same  = pw_tag_q == f2_tag_q;
  assign old2_same = pw2_tag_q == f2_tag_q;
  for (genvar w = 0; w < Ways; w++) begin : g_same
    assign fwd_new[w]  = new_hit && fill_way[w];
    assign fwd_old[w]  = old_hit && pw_way_q[w];
    assign fwd_old2[w] = old2_hit && pw2_way_q[w];
    assign f_valid[w]  = fwd_new[w] || fwd_old[w] || fwd_old2[w] || t_word_q[w*TWordW + KeepW + TagW];
    assign same[w]     = f_valid[w] && (fwd_new[w]  ? new_same :
                                        fwd_old[w]  ? old_same :
                                        fwd_old2[w] ? old2_same :
                                        t_word_q[w*TWordW + KeepW +: TagW] == f2_tag_q);
    assign first_free[w] = free_idx == FreeW'(w);
  end
  if (KeepW > 0) begin : g_keep
    logic [KeepW-1:0] pw_keep_q, pw2_keep_q;   // the KeepW bits of the writes of fw's and f1's cycles
    logic             new_dsame, old_dsame, old2_dsame;
    always_ff @(posedge clk_i) begin
      pw_keep_q  <= wr_data[KeepW-1:0];
      pw2_keep_q <= pw_keep_q;
    end
    assign new_dsame  = f3_data_q[KeepW-1:0] == f2_data_q[KeepW-1:0];
    assign old_dsame  = pw_keep_q == f2_data_q[KeepW-1:0];
    assign old2_dsame = pw2_keep_q == f2_data_q[KeepW-1:0];
    for (genvar w = 0; w < Ways; w++) begin : g_deq
      assign deq[w] = fwd_new[w] ? new_dsame : fwd_old[w] ? old_dsame : fwd_old2[w] ? old2_dsame :
                      t_word_q[w*TWordW +: KeepW] == f2_data_q[KeepW-1:0];
    end
  end else begin : g_keep0
    assign deq = '1;   // the tag alone decides
  end

  // f3 owns the write port unless an invalidation clears: the way with the
  // same tag, else the way chosen in f2 (f3_alt_q: the first free one, else
  // the rotating pointer's as it will be in f3, which moves on each such
  // eviction), so only registers decide the RAMs' write enables.
  iommu_first #(.N (Ways), .IdxW (FreeW)) u_free (
    .vec_i (~f_valid),
    .any_o (free_any),
    .idx_o (free_idx)
  );
  assign f3_unch  = (f3_same_q & f3_deq_q) != '0;   // the way with the tag holds the data too
  assign fill_en  = f3_v_q && !f3_unch;
  assign fill_set = f3_set_q;
  assign fill_way = (f3_same_q != '0) ? f3_same_q : f3_alt_q;
  assign rr_d     = (fill_en && f3_same_q == '0 && f3_rr_q) ? rr_next : rr_q;
  // each way's write enable, in the form that needs no fill_en: a fill
  // writes the way with its tag when that way's data differs, else its
  // chosen way when no way has the tag
  for (genvar w = 0; w < Ways; w++) begin : g_we
    assign we[w] = clr_en ? clr_way[w] :
                   f3_v_q && (f3_same_q[w] ? !f3_deq_q[w] : (f3_same_q == '0) && f3_alt_q[w]);
  end
  `IOMMU_ASSERT(We_A, clk_i, rst_ni, we == (wr_en ? wr_way : '0))
  assign wr_tag   = f3_tag_q;
  assign wr_data  = f3_data_q;
  iommu_copies #(.W (SetW), .N (WrN)) u_wr_set (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (ic_v_q ? ic_set_q : f2_set_q),
    .q_o    (wr_set_cp)
  );
  `IOMMU_ASSERT(WrSet_A, clk_i, rst_ni, !wr_en || wr_set_cp[SetW-1:0] == wr_set)

  if (Level > 0) begin : g_unused_lo
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_lo;   // inside the page: not part of the set, tag or stored PPN
    assign unused_lo = ^{fill_vpn_i[LoW-1:0], inv_vpn_q[LoW-1:0]};
    /* verilator lint_on UNUSEDSIGNAL */
  end

  `IOMMU_ASSERT(SameOnce_A, clk_i, rst_ni, !f2_v_q || $onehot0(same))
  `IOMMU_ASSERT(OneWrite_A, clk_i, rst_ni, !(fill_en && clr_en))

endmodule

`default_nettype wire
