// iommu_iotlb: the IOTLB, first-stage leaf translations looked up by Ports
// requests per cycle (one per AXI channel), in three arrays:
//   iommu_tlb_sa  Sets x Ways 4 KiB pages (Sets = 0: none);
//   iommu_tlb_sa  Sets2M x Ways2M 2 MiB pages (Sets2M = 0: none);
//                 each in block RAM from 64 sets, LUT RAM below (iommu_tlb_sa);
//   iommu_tlb_fa  FaEntries flip-flop entries, fully associative: the other
//                 sizes (64 KiB NAPOT, 1 GiB and up) and those of an absent array.
// rd_hold_i, lk_adv_i and tk_pscid_i come per array (copies of the same
// bits, so that no one net of the channel's stall or of the DC cache's
// answer reaches every array); the FA array takes the request's PSCID as the
// DC entry that answers (tk_dcm_i) and the DC caches' writes (dc_wr_i,
// dc_wr_pscid_i) instead: it keeps its PSCID compares ahead (iommu_tlb_fa).
// A lookup takes two cycles in each: every array compares its tags with
// tk_vpn_i and the PSCID of the request the lookup stage takes, in the cycle
// it takes it (lk_adv_i), and holds the result (so which request that is
// never steers the compare; the SA arrays read the set named by rd2_vpn_i
// two cycles ahead, or the same set again while rd_hold_i); in the second cycle every array selects its one match's
// data for the request on lk_vpn_i.
// A request hits when exactly one entry of the arrays matches; two matches (a 4 KiB entry and a superpage
// over the same page, left by a driver that changed a mapping without
// invalidating, or duplicates in one array) are a miss, so the request walks.
// lk_hit_o also needs the entry's permissions {D, U, X, W, R} to allow the
// access tk_acc_i (stored as what they allow, iommu_pkg::perm_allow, and
// checked with iommu_pkg::allow_ok in every entry in the first cycle, beside
// the tag compares, and registered with them: a refused hit is a miss, so
// the request walks and the walk faults);
// lk_ppn_o is the PPN of the request's 4 KiB page.
// Invalidation: flush_i (ddtp written) empties the FA array at once and wipes
// the SA arrays (iommu_tlb_sa: no hit there until the wipe ends); inv_i applies
// IOTINVAL.VMA (GV=0) as the spec's table of operands says, two cycles after
// the command in the FA array (iommu_tlb_fa) and in the SA arrays as
// iommu_tlb_sa describes; busy_o is 1 until every array has finished (the
// command queue waits for it before the next IOTINVAL and before any
// IOFENCE.C).  A fill in an invalidation cycle is dropped.
// Assumes: at most one fill per cycle; inv_i only while !busy_o.
`default_nettype none

module iommu_iotlb #(
  parameter int unsigned Sets      = 512,  /// sets of the 4 KiB array (0: FA only)
  parameter int unsigned Ways      = 2,    /// ways of the 4 KiB array
  parameter int unsigned Sets2M    = 16,   /// sets of the 2 MiB array (0: 2 MiB pages in FA)
  parameter int unsigned Ways2M    = 2,    /// ways of the 2 MiB array
  parameter int unsigned FaEntries = 8,    /// fully associative entries
  parameter int unsigned Ports     = 2,
  parameter int unsigned DcN       = 8     /// entries of each port's DC cache
) (
  input  wire logic                                   clk_i,
  input  wire logic                                   rst_ni,
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       rd2_vpn_i,   /// the SA arrays' read, two cycles ahead
  input  wire logic [2*Ports-1:0]                     rd_hold_i,   /// the SA arrays read their last set again (4 KiB's, then 2 MiB's)
  input  wire logic [3*Ports-1:0]                     lk_adv_i,    /// per array: 4 KiB, 2 MiB, FA
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       tk_vpn_i,    /// the VPN and PSCID taken at lk_adv_i
  input  wire logic [2*Ports*iommu_pkg::PscidW-1:0]   tk_pscid_i,  /// per SA array, like lk_adv_i
  input  wire logic [Ports*DcN-1:0]                   tk_dcm_i,    /// the FA array's PSCID: the DC entry matched
  input  wire logic [Ports*DcN-1:0]                   dc_wr_i,     /// the DC caches' PSCID writes (iommu_tlb_fa)
  input  wire logic [Ports*iommu_pkg::PscidW-1:0]     dc_wr_pscid_i,
  input  wire logic [Ports*2-1:0]                     tk_acc_i,    /// the access of the request taken at lk_adv_i
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       lk_vpn_i,
  output      logic [Ports-1:0]                       lk_hit_o,
  output      logic [Ports*iommu_pkg::PpnW-1:0]       lk_ppn_o,
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
  localparam int unsigned VpnW = iommu_pkg::VpnW;
  localparam int unsigned N    = 3;   // arrays: 4 KiB, 2 MiB, FA

  // What the leaf allows, stored instead of its bits (iommu_pkg::perm_allow).
  logic [2:0] fill_allow;
  assign fill_allow = iommu_pkg::perm_allow(fill_perm_i);

  // Which array a fill goes to.
  logic fill_sa4k, fill_sa2m;
  assign fill_sa4k = Sets != 0 && fill_size_i == iommu_pkg::Pg4K;
  assign fill_sa2m = Sets2M != 0 && fill_size_i == iommu_pkg::Pg2M;

  // Every array's answer for every port; an absent array answers 0.  With no
  // match an array's PPN is 0, so the hit's is the OR.
  logic [Ports-1:0]      any   [N];
  logic [Ports-1:0]      multi [N];
  logic [Ports*PpnW-1:0] ppn   [N];
  logic [Ports-1:0]      ok    [N];
  logic [N-1:0]          busy;

  logic [Ports-1:0] fa_hit;
  iommu_tlb_fa #(.Entries (FaEntries), .Ports (Ports), .DcN (DcN)) u_fa (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .lk_adv_i     (lk_adv_i[2*Ports +: Ports]),
    .tk_vpn_i     (tk_vpn_i),
    .tk_dcm_i     (tk_dcm_i),
    .dc_wr_i      (dc_wr_i),
    .dc_wr_pscid_i(dc_wr_pscid_i),
    .tk_acc_i     (tk_acc_i),
    .lk_vpn_i     (lk_vpn_i),
    .lk_any_o     (any[2]),
    .lk_ok_o      (ok[2]),
    .lk_hit_o     (fa_hit),
    .lk_ppn_o     (ppn[2]),
    .fill_i       (fill_i && !fill_sa4k && !fill_sa2m),
    .fill_pscid_i (fill_pscid_i),
    .fill_g_i     (fill_g_i),
    .fill_vpn_i   (fill_vpn_i),
    .fill_size_i  (fill_size_i),
    .fill_ppn_i   (fill_ppn_i),
    .fill_allow_i (fill_allow),
    .flush_i      (flush_i),
    .inv_i        (inv_i),
    .inv_pscv_i   (inv_pscv_i),
    .inv_pscid_i  (inv_pscid_i),
    .inv_av_i     (inv_av_i),
    .inv_vpn_i    (inv_vpn_i),
    .busy_o       (busy[2])
  );
  assign multi[2] = any[2] & ~fa_hit;

  for (genvar k = 0; k < 2; k++) begin : g_sa
    localparam int unsigned S = (k == 0) ? Sets : Sets2M;
    localparam int unsigned W = (k == 0) ? Ways : Ways2M;
    if (S == 0) begin : g_none
      assign any[k]   = '0;
      assign multi[k] = '0;
      assign ppn[k]   = '0;
      assign ok[k]    = '0;
      assign busy[k]  = 1'b0;
    end else begin : g_arr
      // data: the PPN above the page size and what the leaf allows; the PPN of the
      // request's 4 KiB page takes the bits below the page size from the VPN
      localparam int unsigned LoW = 9 * k;
      localparam int unsigned DW  = PpnW - LoW + 3;
      logic [Ports*DW-1:0]   data;
      logic [Ports*W-1:0]    m;
      logic [Ports*W*DW-1:0] rd_ways;
      for (genvar p = 0; p < Ports; p++) begin : g_port
        logic [PpnW-LoW-1:0] hi;
        logic [W-1:0]        way_ok, okp_d, okp_q;
        assign hi = data[p*DW + 3 +: PpnW - LoW];
        // whether each way's permissions allow the access, checked on the
        // words read and registered with the tag matches (held like them)
        for (genvar w = 0; w < W; w++) begin : g_ok
          assign okp_d[w]  = iommu_pkg::allow_ok(rd_ways[(p*W + w)*DW +: 3], tk_acc_i[p*2 +: 2]);
          assign way_ok[w] = m[p*W + w] && okp_q[w];
          /* verilator lint_off UNUSEDSIGNAL */
          logic unused_ppn;   // a way's PPN comes through the select
          assign unused_ppn = ^rd_ways[(p*W + w)*DW + 3 +: DW - 3];
          /* verilator lint_on UNUSEDSIGNAL */
        end
        always_ff @(posedge clk_i) if (lk_adv_i[k*Ports + p]) okp_q <= okp_d;
        assign ok[k][p] = |way_ok;
        /* verilator lint_off UNUSEDSIGNAL */
        logic unused_perm;   // every way checks its own permissions; the select's are not needed
        assign unused_perm = ^data[p*DW +: 3];
        /* verilator lint_on UNUSEDSIGNAL */
        if (k == 0) begin : g_4k
          assign ppn[k][p*PpnW +: PpnW] = hi;
        end else begin : g_super
          assign ppn[k][p*PpnW +: PpnW] = {hi, any[k][p] ? lk_vpn_i[p*VpnW +: LoW] : LoW'(0)};
        end
      end
      iommu_tlb_sa #(.Sets (S), .Ways (W), .Level (k), .DataW (DW), .KeepW (3), .Ports (Ports),
                   .Ahead (1'b1)) u_sa (
        .clk_i        (clk_i),
        .rst_ni       (rst_ni),
        .rd_vpn_i     (rd2_vpn_i),
        .rd_hold_i    (rd_hold_i[k*Ports +: Ports]),
        .lk_adv_i     (lk_adv_i[k*Ports +: Ports]),
        .lk_pscid_i   (tk_pscid_i[k*Ports*iommu_pkg::PscidW +: Ports*iommu_pkg::PscidW]),
        .lk_vpn_i     (tk_vpn_i),
        .lk_any_o     (any[k]),
        .lk_multi_o   (multi[k]),
        .lk_data_o    (data),
        .lk_m_o       (m),
        .rd_ways_o    (rd_ways),
        .fill_i       (fill_i && ((k == 0) ? fill_sa4k : fill_sa2m)),
        .fill_pscid_i (fill_pscid_i),
        .fill_g_i     (fill_g_i),
        .fill_vpn_i   (fill_vpn_i),
        .fill_data_i  ({fill_ppn_i[PpnW-1:LoW], fill_allow}),
        .flush_i      (flush_i),
        .inv_i        (inv_i),
        .inv_pscv_i   (inv_pscv_i),
        .inv_pscid_i  (inv_pscid_i),
        .inv_av_i     (inv_av_i),
        .inv_vpn_i    (inv_vpn_i),
        .busy_o       (busy[k])
      );
    end
  end
  assign busy_o = |busy;

  // Exactly one array matches, with one entry, and that entry allows the access.
  assign lk_hit_o  = (any[0] ^ any[1] ^ any[2]) & ~(any[0] & any[1] & any[2]) &
                     ~(multi[0] | multi[1] | multi[2]) & (ok[0] | ok[1] | ok[2]);
  assign lk_ppn_o  = ppn[0] | ppn[1] | ppn[2];

endmodule

`default_nettype wire
