// iommu_walk_cache: a cache of non-leaf first-stage PTEs, so that a walk can
// start below the root.  An entry says "in address space PSCID, the IOVAs
// whose VPN bits above level LVL are VPN point to the level-LVL table at
// PPN"; it is filled each time a walk follows a valid non-leaf PTE.
//
// A lookup returns the deepest matching entry (lowest LVL: fewest reads
// left), combinationally: every entry is compared at once, each level's
// matches select its PPN (iommu_sel; a level has at most one match, as a fill
// replaces the entry with the same tag, and two would count as none), and
// the deepest level with a match wins, so the depth grows with
// log2(Entries), not with Entries.
// LVL is 0..3 (Sv57's root has level 4 and is never cached: it comes
// from the DC).  Fully associative; fill replaces the same tag, else the
// first invalid entry, else round-robin; flush_i empties it.
// inv_i applies IOTINVAL.VMA with GV=0: PSCV=1 selects the entries of PSCID
// (there is no G bit here: a global subtree's entries go too, which the spec
// allows), AV=1 the entries on the path to the IOVA (the spec requires only
// leaves for AV=1; dropping the path as well keeps software that frees
// page-table pages under an AV=1 invalidation safe).  A fill in the cycle of
// an invalidation is dropped.
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_walk_cache #(
  parameter int unsigned Entries = 32
) (
  input  wire logic                           clk_i,
  input  wire logic                           rst_ni,
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
  input  wire logic [iommu_pkg::VpnW-1:0]     inv_vpn_i
);
  localparam int unsigned PscidW = iommu_pkg::PscidW;
  localparam int unsigned VpnW   = iommu_pkg::VpnW;
  localparam int unsigned PpnW   = iommu_pkg::PpnW;

  // VPN bits that select a level-lvl table: all bits above 9*(lvl+1).
  function automatic logic [VpnW-1:0] prefix_mask(input logic [1:0] lvl);
    case (lvl)
      2'd0:    prefix_mask = {{(VpnW-9){1'b1}}, 9'b0};
      2'd1:    prefix_mask = {{(VpnW-18){1'b1}}, 18'b0};
      2'd2:    prefix_mask = {{(VpnW-27){1'b1}}, 27'b0};
      default: prefix_mask = {{(VpnW-36){1'b1}}, 36'b0};
    endcase
  endfunction

  logic [Entries-1:0] valid_q;
  logic [PscidW-1:0]  pscid_q [Entries];
  logic [VpnW-1:0]    vpn_q   [Entries];
  logic [1:0]         lvl_q   [Entries];
  logic [PpnW-1:0]    ppn_q   [Entries];

  // Deepest match: the matches of each level, then the lowest level that has one.
  logic [Entries-1:0]      match;
  logic [Entries*PpnW-1:0] ppn_flat;
  logic [Entries-1:0]      lvl_match [4];
  logic [3:0]              lvl_hit;
  logic [PpnW-1:0]         lvl_ppn [4];
  for (genvar e = 0; e < Entries; e++) begin : g_match
    assign match[e] = valid_q[e] && pscid_q[e] == lk_pscid_i &&
                      ((vpn_q[e] ^ lk_vpn_i) & prefix_mask(lvl_q[e])) == '0;
    assign ppn_flat[e*PpnW +: PpnW] = ppn_q[e];
  end
  for (genvar l = 0; l < 4; l++) begin : g_lvl
    logic any, multi;
    for (genvar e = 0; e < Entries; e++) begin : g_e
      assign lvl_match[l][e] = match[e] && lvl_q[e] == 2'(l);
    end
    iommu_sel #(.N (Entries), .W (PpnW)) u_sel (
      .match_i (lvl_match[l]),
      .data_i  (ppn_flat),
      .any_o   (any),
      .multi_o (multi),
      .data_o  (lvl_ppn[l])
    );
    assign lvl_hit[l] = any && !multi;
    `IOMMU_ASSERT(OneMatchPerLevel_A, clk_i, rst_ni, !multi)
  end
  assign lk_hit_o = |lvl_hit;
  assign lk_lvl_o = lvl_hit[0] ? 2'd0 : lvl_hit[1] ? 2'd1 : lvl_hit[2] ? 2'd2 : 2'd3;
  assign lk_ppn_o = lvl_hit[0] ? lvl_ppn[0] : lvl_hit[1] ? lvl_ppn[1] :
                    lvl_hit[2] ? lvl_ppn[2] : lvl_ppn[3];

  logic [Entries-1:0] same, inval, write;
  for (genvar e = 0; e < Entries; e++) begin : g_same
    assign inval[e] = flush_i ||
                      (inv_i && (!inv_pscv_i || pscid_q[e] == inv_pscid_i) &&
                       (!inv_av_i || ((vpn_q[e] ^ inv_vpn_i) & prefix_mask(lvl_q[e])) == '0));
    assign same[e] = valid_q[e] && pscid_q[e] == fill_pscid_i && lvl_q[e] == fill_lvl_i &&
                     ((vpn_q[e] ^ fill_vpn_i) & prefix_mask(fill_lvl_i)) == '0;
  end
  iommu_victim #(.Entries(Entries)) u_victim (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .same_i   (same),
    .fill_i   (fill_i),
    .kill_i   (flush_i || inv_i),
    .inval_i  (inval),
    .write_o  (write),
    .valid_o  (valid_q)
  );


  always_ff @(posedge clk_i) begin
    for (int e = 0; e < Entries; e++) begin
      if (write[e]) begin
        pscid_q[e] <= fill_pscid_i;
        vpn_q[e]   <= fill_vpn_i & prefix_mask(fill_lvl_i);
        lvl_q[e]   <= fill_lvl_i;
        ppn_q[e]   <= fill_ppn_i;
      end
    end
  end

endmodule

`default_nettype wire
