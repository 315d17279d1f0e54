// iommu_dc_cache: the device-context cache, fully associative, tagged by
// device_id, looked up by Ports requests per cycle.
//
// It holds only what the translation needs of a valid, well-formed device
// context (the walker never fills a faulting one): a payload of DataW bits
// that the walker packs and the channels unpack (see iommu_walker).
// A lookup takes two cycles: rd_did_i names, one cycle ahead, the device_id
// whose answer lk_hit_o and lk_data_o give.  In the first cycle it is compared
// with every entry's device_id and the match vector is registered (an entry
// a fill writes in that cycle does not match: its payload is written a cycle
// later, from registers, so that no victim choice reaches a RAM's write
// port), with the valid bits of the next cycle
// (so an entry invalidated meanwhile drops out); in the second the payload
// is read at the match's index (a fill for a device_id held writes nothing,
// so there is never more than one match, and two, found by
// iommu_sel, count as a miss; lk_data_o is garbage without a hit).  So the compare's path
// starts at the channel's request as it is accepted and the select's at
// registers.  The payloads are in LUT RAM (one copy per lookup port, read at
// the match's index, registered with the match vector), the device_ids and
// valid bits in flip-flops (every lookup compares them all): a payload read
// is one LUT RAM read from a register, and a fill's payload goes to one RAM
// word instead of every entry's flip-flops.  One field of the payload
// (FieldLsb, FieldW: the PSCID, which the IOTLB's arrays compare in the
// cycle it is read) is also kept in FieldN RAMs of its own, each read at its
// own copy of the index, so each group of its loads gets a read of its own
// (lk_field_o).  For a caller that keeps compares of that field ahead (the
// IOTLB's FA array), lk_m_o is the registered match vector and wr_o,
// wr_field_o the entry whose payload is written and its field.
// While rd_hold_i (the lookup stage stalls) the match vector
// is kept instead of compared again, less the entries fills write, so the
// stall never steers the compare.
// A fill for a device_id held writes nothing; any other takes the first
// invalid entry, else a round-robin victim, in three cycles (the inputs
// registered, then iommu_victim's compares and write); flush_i empties it (a ddtp write), inv_i applies IODIR.INVAL_DDT (DV=1: the entry
// of DID; DV=0: all) the cycle after (its compare is registered), so a
// lookup answered in the cycle after inv_i may still hit an entry it
// removes.  A fill with an invalidation in any of its cycles is dropped.
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_dc_cache #(
  parameter int unsigned Entries = 8,   /// entries (fully associative)
  parameter int unsigned Ports   = 2,   /// lookups per cycle
  parameter int unsigned DidW    = 24,  /// device_id bits
  parameter int unsigned DataW   = 68,  /// payload bits
  parameter int unsigned FieldLsb = 0,  /// a payload field also read from copies of its own:
  parameter int unsigned FieldW   = 1,  ///   bits [FieldLsb +: FieldW]
  parameter int unsigned FieldN   = 0   ///   copies (lk_field_o)
) (
  input  wire logic                    clk_i,
  input  wire logic                    rst_ni,
  input  wire logic [Ports*DidW-1:0]   rd_did_i,   /// the device_id looked up next cycle
  input  wire logic [Ports-1:0]        rd_hold_i,  /// keep the last lookup's matches instead
  output      logic [Ports-1:0]        lk_hit_o,
  output      logic [Ports*DataW-1:0]  lk_data_o,
  output      logic [Ports*(FieldN > 0 ? FieldN : 1)*FieldW-1:0] lk_field_o,  /// port p's copy c at (p*FieldN + c)*FieldW
  output      logic [Ports*Entries-1:0] lk_m_o,  /// the entry that answers (the registered match, 0 without)
  output      logic [Entries-1:0]  wr_o,        /// the entry whose payload is written this cycle (one-hot)
  output      logic [FieldW-1:0]   wr_field_o,  /// its field
  input  wire logic                    fill_i,
  input  wire logic [DidW-1:0]         fill_did_i,
  input  wire logic [DataW-1:0]        fill_data_i,
  input  wire logic                    flush_i,
  input  wire logic                    inv_i,
  input  wire logic                    inv_dv_i,
  input  wire logic [DidW-1:0]         inv_did_i
);

  localparam int unsigned IdxW = (Entries > 1) ? $clog2(Entries) : 1;

  logic [Entries-1:0] valid_q, valid_d;
  logic [DidW-1:0]    did_q  [Entries];
  // The fill inputs are registered first (i_*_q, kept apart from equal
  // registers elsewhere, keep: the walker is far), so a fill takes three
  // cycles.  Its second compares i_did_q with the entries' device_ids and
  // with the fill written now (f_*_q, the fill of the cycle before); the
  // third writes f_*_q into the entry iommu_victim chose.
  logic               i_v_q, kill;
  logic [DidW-1:0]    i_did_q;
  logic [DataW-1:0]   i_data_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) i_v_q <= 1'b0;
    else         i_v_q <= fill_i && !kill;
  end
  (* keep *) always_ff @(posedge clk_i) begin
    i_did_q  <= fill_did_i;
    i_data_q <= fill_data_i;
  end
  logic [DidW-1:0]    f_did_q;
  logic [DataW-1:0]   f_data_q;
  always_ff @(posedge clk_i) begin
    f_did_q  <= i_did_q;
    f_data_q <= i_data_q;
  end
  logic [Entries-1:0] same, inval, write;
  // The payload RAMs are written the cycle after the entry's device_id, from
  // registers: the write's enable and index in a copy per RAM (iommu_copies:
  // {enable, index}), the payload in one register.
  localparam int unsigned RamN = Ports * (1 + FieldN);
  logic [RamN*(1+IdxW)-1:0] pw_cp;
  logic [IdxW-1:0]          w_idx;
  logic [DataW-1:0]         pw_data_q;
  assign w_idx = IdxW'(iommu_pkg::oh_index(64'(write)));
  iommu_copies #(.W (1 + IdxW), .N (RamN)) u_pw (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    ({write != '0, w_idx}),
    .q_o    (pw_cp)
  );
  always_ff @(posedge clk_i) pw_data_q <= f_data_q;
  // the write, for a caller that mirrors the field (wr_o, wr_field_o)
  logic [Entries-1:0] pw_oh_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) pw_oh_q <= '0;
    else         pw_oh_q <= write;
  end
  assign wr_o       = pw_oh_q;
  assign wr_field_o = pw_data_q[FieldLsb +: FieldW];
  for (genvar p = 0; p < Ports; p++) begin : g_port
    logic [Entries-1:0] m_d, m_q;
    logic [IdxW-1:0]    idx_q;   // the index of m_q's entry, for the payload RAM's read
    logic               any, multi;
    /* verilator lint_off UNUSEDSIGNAL */
    logic               sel_or;   // the OR of the matches, which any_o already is
    /* verilator lint_on UNUSEDSIGNAL */
    // Both outcomes are formed in full, the new lookup's (mn) and the held
    // one's (mh), and the stall only picks between them at the registers,
    // so it reaches no compare, valid bit or index encoder.  An entry written
    // now matches neither: its payload is written next cycle.
    logic [Entries-1:0] mn, mh;
    for (genvar e = 0; e < Entries; e++) begin : g_m
      assign mn[e] = !write[e] && did_q[e] == rd_did_i[p*DidW +: DidW] && valid_d[e];
      assign mh[e] = !write[e] && m_q[e] && valid_d[e];
    end
    assign m_d = rd_hold_i[p] ? mh : mn;
    // registered with the valid bits of the next cycle, so the select needs
    // no valid bit (the same as m_q & valid_q a cycle later)
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) m_q <= '0;
      else         m_q <= m_d;
    end
    assign lk_m_o[p*Entries +: Entries] = m_q;
    // idx_q in a copy per payload RAM (iommu_copies), so each RAM's read
    // address is a net of its own: the field's copies sit by their loads.
    logic [(1+FieldN)*IdxW-1:0] idx_cp;
    logic [IdxW-1:0]            idx_d;
    assign idx_d = rd_hold_i[p] ? IdxW'(iommu_pkg::oh_index(64'(mh))) :
                                  IdxW'(iommu_pkg::oh_index(64'(mn)));
    iommu_copies #(.W (IdxW), .N (1 + FieldN)) u_idx (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .d_i    (idx_d),
      .q_o    (idx_cp)
    );
    assign idx_q = idx_cp[IdxW-1:0];
    `IOMMU_ASSERT(MValid_A, clk_i, rst_ni, (m_q & ~valid_q) == '0)
    // any and multi from the match vector (iommu_sel without data); the
    // payload read at the matching entry (garbage with two: a miss).
    iommu_sel #(.N (Entries), .W (1)) u_sel (
      .match_i (m_q),
      .data_i  (m_q),
      .any_o   (any),
      .multi_o (multi),
      .data_o  (sel_or)
    );
    assign lk_hit_o[p] = any && !multi;
    iommu_ram #(.Depth (Entries), .Width (DataW), .Block (1'b0), .Comb (1'b1)) u_data (
      .clk_i   (clk_i),
      .we_i    (pw_cp[(p*(1 + FieldN))*(1 + IdxW) + IdxW]),
      .waddr_i (pw_cp[(p*(1 + FieldN))*(1 + IdxW) +: IdxW]),
      .wdata_i (pw_data_q),
      .re_i    (1'b1),
      .raddr_i (idx_q),
      .rdata_o (lk_data_o[p*DataW +: DataW])
    );
    // The field's copies: the same writes, each read at its own idx copy.
    for (genvar c = 0; c < FieldN; c++) begin : g_field
      iommu_ram #(.Depth (Entries), .Width (FieldW), .Block (1'b0), .Comb (1'b1)) u_field (
        .clk_i   (clk_i),
        .we_i    (pw_cp[(p*(1 + FieldN) + 1 + c)*(1 + IdxW) + IdxW]),
        .waddr_i (pw_cp[(p*(1 + FieldN) + 1 + c)*(1 + IdxW) +: IdxW]),
        .wdata_i (pw_data_q[FieldLsb +: FieldW]),
        .re_i    (1'b1),
        .raddr_i (idx_cp[(1 + c)*IdxW +: IdxW]),
        .rdata_o (lk_field_o[(p*FieldN + c)*FieldW +: FieldW])
      );
    end
  end
  if (FieldN == 0) begin : g_nofield
    assign lk_field_o = '0;
  end

  // IODIR.INVAL_DDT takes effect a cycle after its command: the entries it
  // selects are registered (inv_m_q), so its device_id compare feeds no
  // lookup's match; a fill in either cycle is dropped (kill), and the
  // lookups answered in the cycle between are the data path's to drop (it
  // treats DCs looked up then as stale: dc_inval there).  A flush (ddtp
  // write) needs no compare and applies at once.
  logic               inv_q;
  logic [Entries-1:0] inv_m_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) inv_q <= 1'b0;
    else         inv_q <= inv_i;
  end
  for (genvar e = 0; e < Entries; e++) begin : g_same
    always_ff @(posedge clk_i) inv_m_q[e] <= inv_i && (!inv_dv_i || did_q[e] == inv_did_i);
    assign inval[e] = flush_i || inv_m_q[e];
    assign same[e] = valid_q[e] && did_q[e] == i_did_q;
  end
  // A fill for a device_id the cache holds writes nothing (iommu_victim's
  // drop): the entry keeps its payload, which differs only if software
  // changed the DC without IODIR.INVAL_DDT (the spec lets the old one be used
  // until then).  So the refills of a burst of misses do not keep making the
  // lookups that meet their writes miss, walk and refill it again.
  logic refill_q;
  always_ff @(posedge clk_i) refill_q <= (same & ~write) != '0 || (i_did_q == f_did_q && write != '0);
  assign kill = flush_i || inv_i || inv_q;
  iommu_victim #(.Entries(Entries)) u_victim (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .same_i   (same),
    .eq_i     (i_did_q == f_did_q),
    .fill_i   (i_v_q),
    .drop_i   (refill_q),
    .kill_i   (kill),
    .inval_i  (inval),
    .write_o  (write),
    .valid_o  (valid_q),
    .valid_d_o(valid_d)
  );


  always_ff @(posedge clk_i) begin
    for (int e = 0; e < Entries; e++) begin
      if (write[e]) begin
        did_q[e] <= f_did_q;
      end
    end
  end

endmodule

`default_nettype wire
