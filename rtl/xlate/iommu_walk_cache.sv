// iommu_walk_cache: a cache of non-leaf first-stage PTEs, so that a walk can
// start below the root.  An entry says "in address space PSCID, the IOVAs
// whose VPN bits above level LVL are VPN point to the level-LVL table at
// PPN"; it is filled each time a walk follows a valid non-leaf PTE.
//
// One iommu_tlb_sa array per level (LVL 0..3; Sv57's root has level 4 and is
// never cached: it comes from the DC): Sets x Ways entries of level-0 tables
// (each covers 2 MiB of IOVA), SetsUp x Ways of each level above.  A lookup
// takes three cycles like the IOTLB's (iommu_tlb_sa, Ahead; rd_hold_i and
// lk_adv_i come in a copy per level, all equal): rd_vpn_i names
// the request that comes next (rd_hold_i: the last one's set is read again),
// the cycle after every level compares its ways with lk_vpn_i and lk_pscid_i
// and keeps the matches at lk_adv_i, and the cycle after that the held
// matches answer: the deepest level with one match wins (lowest LVL: fewest
// reads left).  An answer held across an invalidation or flush, or compared
// while one was applied (busy_o), is a miss.  Two matches in a level (a
// fill replaces the entry with the same tag, so only after a race) count as
// none there.  Fills take four cycles and replace the same tag, else a free
// way, else a rotating one (iommu_tlb_sa); flush_i empties every level.
// inv_i applies IOTINVAL.VMA with GV=0: PSCV=1 selects the entries of PSCID
// (there is no G bit here: a global subtree's entries go too, which the spec
// allows), AV=1 the entries on the path to the IOVA (the spec requires only
// leaves for AV=1; dropping the path as well keeps software that frees
// page-table pages under an AV=1 invalidation safe), AV=0 PSCV=1 scans the
// sets.  busy_o is 1 until every level has finished; while it is, lookups
// miss (an entry not yet scanned must not start a walk the invalidation
// should have seen: the walker kills only the walks in flight at inv_i) and
// fills are dropped.  A fill in the cycle of an invalidation is dropped.
// Assumes: Sets and SetsUp powers of two >= 2; inv_i only while !busy_o.
`default_nettype none

module iommu_walk_cache #(
  parameter int unsigned Sets   = 16,  /// sets of level-0 tables
  parameter int unsigned SetsUp = 8,   /// sets of each level above
  parameter int unsigned Ways   = 2
) (
  input  wire logic                           clk_i,
  input  wire logic                           rst_ni,
  input  wire logic [iommu_pkg::VpnW-1:0]     rd_vpn_i,   /// lk_vpn_i of the next cycle
  input  wire logic [3:0]                     rd_hold_i,  /// read the last read's set again (a copy per level)
  input  wire logic [3:0]                     lk_adv_i,   /// keep this cycle's compares for the answer (a copy per level)
  input  wire logic [iommu_pkg::PscidW-1:0]   lk_pscid_i,
  input  wire logic [iommu_pkg::VpnW-1:0]     lk_vpn_i,
  output      logic                           lk_hit_o,
  output      logic [1:0]                     lk_lvl_o,   /// level of the table found
  output      logic [iommu_pkg::PpnW-1:0]     lk_ppn_o,   /// its PPN
  input  wire logic                           fill_i,
  input  wire logic [iommu_pkg::PscidW-1:0]   fill_pscid_i,
  input  wire logic [iommu_pkg::VpnW-1:0]     fill_vpn_i,
  input  wire logic [1:0]                     fill_lvl_i,
  input  wire logic [iommu_pkg::PpnW-1:0]     fill_ppn_i,
  input  wire logic                           flush_i,
  input  wire logic                           inv_i,
  input  wire logic                           inv_pscv_i,
  input  wire logic [iommu_pkg::PscidW-1:0]   inv_pscid_i,
  input  wire logic                           inv_av_i,
  input  wire logic [iommu_pkg::VpnW-1:0]     inv_vpn_i,
  output      logic                           busy_o
);
  localparam int unsigned PpnW = iommu_pkg::PpnW;

  logic [3:0]      any, multi, busy, lvl_hit;
  logic [PpnW-1:0] ppn [4];
  for (genvar l = 0; l < 4; l++) begin : g_lvl
    /* verilator lint_off UNUSEDSIGNAL */
    logic [Ways-1:0]      m;      // the one-match select is enough here
    logic [Ways*PpnW-1:0] rd_ways;
    /* verilator lint_on UNUSEDSIGNAL */
    iommu_tlb_sa #(.Sets ((l == 0) ? Sets : SetsUp), .Ways (Ways), .Level (l + 1), .DataW (PpnW),
                   .Ports (1), .Ahead (1'b1)) u_sa (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .rd_vpn_i     (rd_vpn_i),
      .rd_hold_i    (rd_hold_i[l]),
      .lk_adv_i     (lk_adv_i[l]),
      .lk_pscid_i   (lk_pscid_i),
      .lk_vpn_i     (lk_vpn_i),
      .lk_any_o     (any[l]),
      .lk_multi_o   (multi[l]),
      .lk_data_o    (ppn[l]),
      .lk_m_o       (m),
      .rd_ways_o    (rd_ways),
      .fill_i       (fill_i && fill_lvl_i == 2'(l)),
      .fill_pscid_i (fill_pscid_i),
      .fill_g_i     (1'b0),
      .fill_vpn_i   (fill_vpn_i),
      .fill_data_i  (fill_ppn_i),
      .flush_i      (flush_i),
      .inv_i        (inv_i),
      .inv_pscv_i   (inv_pscv_i),
      .inv_pscid_i  (inv_pscid_i),
      .inv_av_i     (inv_av_i),
      .inv_vpn_i    (inv_vpn_i),
      .busy_o       (busy[l])
    );
    assign lvl_hit[l] = any[l] && !multi[l];
  end
  assign busy_o   = |busy;
  logic held_ok_q;   // the held compares saw no invalidation
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)                            held_ok_q <= 1'b0;
    else if (lk_adv_i[0])                   held_ok_q <= !busy_o && !inv_i && !flush_i;
    else if (busy_o || inv_i || flush_i)    held_ok_q <= 1'b0;
  end
  assign lk_hit_o = |lvl_hit && !busy_o && held_ok_q;
  assign lk_lvl_o = lvl_hit[0] ? 2'd0 : lvl_hit[1] ? 2'd1 : lvl_hit[2] ? 2'd2 : 2'd3;
  assign lk_ppn_o = lvl_hit[0] ? ppn[0] : lvl_hit[1] ? ppn[1] : lvl_hit[2] ? ppn[2] : ppn[3];

endmodule

`default_nettype wire
