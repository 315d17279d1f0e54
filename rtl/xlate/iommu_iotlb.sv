// iommu_iotlb: the IOTLB, first-stage leaf translations looked up by Ports
// requests per cycle (one per AXI channel), in two arrays:
//   iommu_tlb_sa  Sets x Ways 4 KiB pages in block RAM (Sets = 0: none);
//   iommu_tlb_fa  FaEntries flip-flop entries, fully associative: the
//                 superpages (64 KiB NAPOT and up), or every page when Sets = 0.
// A lookup takes two cycles in both (rd_vpn_i and rd_pscid_i name, one cycle
// ahead, the VPN and PSCID presented on lk_vpn_i and lk_pscid_i: the FA array
// compares both in the first cycle, the SA array reads the set then and
// compares its tags in the second).  A request hits when exactly one
// entry of the two arrays matches; two matches (a 4 KiB entry and a superpage
// over the same page, left by a driver that changed a mapping without
// invalidating, or duplicates in one array) are a miss, so the request walks.
// lk_ppn_o is the PPN of the request's 4 KiB page, lk_perm_o {D, U, X, W, R}.
// Invalidation: flush_i (ddtp written) empties both at once; inv_i applies
// IOTINVAL.VMA (GV=0) as the spec's table of operands says, in the command's
// cycle in the FA array and in the SA array as iommu_tlb_sa describes; busy_o
// is 1 until the SA array has finished (the command queue waits for it before
// the next IOTINVAL and before any IOFENCE.C).  A fill in an invalidation
// cycle is dropped.
// Assumes: at most one fill per cycle; inv_i only while !busy_o.
`default_nettype none

module iommu_iotlb #(
  parameter int unsigned Sets      = 128,  /// sets of the 4 KiB array (0: FA only)
  parameter int unsigned Ways      = 4,    /// ways of the 4 KiB array
  parameter int unsigned FaEntries = 16,   /// fully associative entries
  parameter int unsigned Ports     = 2
) (
  input  wire logic                                   clk_i,
  input  wire logic                                   rst_ni,
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       rd_vpn_i,
  input  wire logic [Ports*iommu_pkg::PscidW-1:0]     rd_pscid_i,
  input  wire logic [Ports*iommu_pkg::PscidW-1:0]     lk_pscid_i,
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       lk_vpn_i,
  output      logic [Ports-1:0]                       lk_hit_o,
  output      logic [Ports*iommu_pkg::PpnW-1:0]       lk_ppn_o,
  output      logic [Ports*5-1:0]                     lk_perm_o,
  input  wire logic                                   fill_i,
  input  wire logic [iommu_pkg::PscidW-1:0]           fill_pscid_i,
  input  wire logic                                   fill_g_i,
  input  wire logic [iommu_pkg::VpnW-1:0]             fill_vpn_i,
  input  wire logic [2:0]                             fill_size_i,
  input  wire logic [iommu_pkg::PpnW-1:0]             fill_ppn_i,
  input  wire logic [4:0]                             fill_perm_i,
  input  wire logic                                   flush_i,
  input  wire logic                                   inv_i,
  input  wire logic                                   inv_pscv_i,
  input  wire logic [iommu_pkg::PscidW-1:0]           inv_pscid_i,
  input  wire logic                                   inv_av_i,
  input  wire logic [iommu_pkg::VpnW-1:0]             inv_vpn_i,
  output      logic                                   busy_o
);
  localparam int unsigned PpnW = iommu_pkg::PpnW;

  logic                   fill_4k;
  logic [Ports-1:0]       fa_any, fa_hit;
  logic [Ports*PpnW-1:0]  fa_ppn;
  logic [Ports*5-1:0]     fa_perm;
  assign fill_4k = fill_size_i == iommu_pkg::Pg4K;

  iommu_tlb_fa #(.Entries (FaEntries), .Ports (Ports)) u_fa (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .rd_vpn_i     (rd_vpn_i),
    .rd_pscid_i   (rd_pscid_i),
    .lk_vpn_i     (lk_vpn_i),
    .lk_any_o     (fa_any),
    .lk_hit_o     (fa_hit),
    .lk_ppn_o     (fa_ppn),
    .lk_perm_o    (fa_perm),
    .fill_i       (fill_i && (Sets == 0 || !fill_4k)),
    .fill_pscid_i (fill_pscid_i),
    .fill_g_i     (fill_g_i),
    .fill_vpn_i   (fill_vpn_i),
    .fill_size_i  (fill_size_i),
    .fill_ppn_i   (fill_ppn_i),
    .fill_perm_i  (fill_perm_i),
    .flush_i      (flush_i),
    .inv_i        (inv_i),
    .inv_pscv_i   (inv_pscv_i),
    .inv_pscid_i  (inv_pscid_i),
    .inv_av_i     (inv_av_i),
    .inv_vpn_i    (inv_vpn_i)
  );

  if (Sets == 0) begin : g_fa_only
    assign lk_hit_o  = fa_hit;
    assign lk_ppn_o  = fa_ppn;
    assign lk_perm_o = fa_perm;
    assign busy_o    = 1'b0;
  end else begin : g_sa
    logic [Ports-1:0]      sa_any, sa_multi;
    logic [Ports*PpnW-1:0] sa_ppn;
    logic [Ports*5-1:0]    sa_perm;
    iommu_tlb_sa #(.Sets (Sets), .Ways (Ways), .Ports (Ports)) u_sa (
      .clk_i        (clk_i),
      .rst_ni       (rst_ni),
      .rd_vpn_i     (rd_vpn_i),
      .lk_pscid_i   (lk_pscid_i),
      .lk_vpn_i     (lk_vpn_i),
      .lk_any_o     (sa_any),
      .lk_multi_o   (sa_multi),
      .lk_ppn_o     (sa_ppn),
      .lk_perm_o    (sa_perm),
      .fill_i       (fill_i && fill_4k),
      .fill_pscid_i (fill_pscid_i),
      .fill_g_i     (fill_g_i),
      .fill_vpn_i   (fill_vpn_i),
      .fill_ppn_i   (fill_ppn_i),
      .fill_perm_i  (fill_perm_i),
      .flush_i      (flush_i),
      .inv_i        (inv_i),
      .inv_pscv_i   (inv_pscv_i),
      .inv_pscid_i  (inv_pscid_i),
      .inv_av_i     (inv_av_i),
      .inv_vpn_i    (inv_vpn_i),
      .busy_o       (busy_o)
    );
    for (genvar p = 0; p < Ports; p++) begin : g_port
      logic sa_hit;
      assign sa_hit      = sa_any[p] && !sa_multi[p];
      assign lk_hit_o[p] = (sa_hit && !fa_any[p]) || (fa_hit[p] && !sa_any[p]);
      assign lk_ppn_o[p*PpnW +: PpnW] = sa_any[p] ? sa_ppn[p*PpnW +: PpnW] : fa_ppn[p*PpnW +: PpnW];
      assign lk_perm_o[p*5 +: 5]      = sa_any[p] ? sa_perm[p*5 +: 5] : fa_perm[p*5 +: 5];
    end
  end

endmodule

`default_nettype wire
