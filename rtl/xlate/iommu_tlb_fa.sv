// iommu_tlb_fa: the IOTLB's fully associative array of first-stage leaf
// translations of every page size, looked up by Ports requests per cycle
// (one per AXI channel).  iommu_iotlb uses it for superpages beside the
// set-associative array of 4 KiB pages, or alone (TlbSets = 0).
//
// An entry is tagged as the spec's IOTINVAL.VMA needs: PSCID, the G bit of
// the mapping (global: matches every PSCID), the VPN and the page size.  A
// superpage is one entry: the VPN bits below its size are not compared and
// the translated PPN takes them from the request.  The data is the leaf's
// PPN and what its R/W/X/U/D bits allow (iommu_pkg::perm_allow); every entry
// checks the access of the request taken (tk_acc_i) against its own in the
// first cycle, beside the tag compare, and registers the answer (lk_ok_o),
// so the check waits for no selected data (the caller handles a failed check
// as a miss, so every fault comes from a walk).
// GSCID is always 0 here (no second stage), so it is not stored.  The tags,
// sizes and permissions are flip-flops (every lookup, fill and invalidation
// compares them all); the PPNs, each with a copy of its entry's size, are
// in LUT RAM, one copy per lookup port, read at the index of the match
// vector (a duplicate's PPN is garbage: a miss),
// and written a cycle after the entry's tag, before any lookup can read it.
//
// A lookup takes two cycles.  In the first, the cycle the lookup stage takes
// its request (lk_adv_i), tk_vpn_i is compared with every entry's VPN under
// the entry's page size, and the request's PSCID with the entry's (or its G
// bit), and the match vector is registered, with the index of its match.
// The request's PSCID is that of the entry of its channel's DC cache that
// answers (tk_dcm_i): every entry keeps, per port, which DC entries hold its
// PSCID (a matrix of registered compares, updated from the DC caches'
// writes, dc_wr_i, and the entries' own), so the PSCID match is the AND of
// two registered vectors and the DC's payload read stays off the path; while
// the stage holds its request the vector is held, and an entry written by a
// fill or invalidated drops out of it (an entry filled meanwhile is not
// seen: the request walks).  A fill that finds its
// tag and permissions in an entry already changes nothing and writes nothing (the
// entry keeps its PPN), so the refills of a hot page (one per walk of a burst of
// misses) do not keep dropping its lookups.  In the second, the PPN is read at the
// registered index, with the size (an entry cannot change while it matches:
// its write drops it), and the matches give hit and miss (iommu_sel);
// two matches (entries of different sizes or G bits that cover the same page,
// left by a driver that changed a mapping without invalidating) count as a
// miss, so a duplicate can never corrupt a translation: the request walks.
// An invalidation in the first cycle drops its entries from the match, which
// the second cycle sees.  A fill overwrites the entry with the same tag, else the first
// invalid entry, else a round-robin victim (iommu_victim); it takes three
// cycles (the inputs registered, the compares, the write), and a lookup sees
// it from the second cycle after its third (the entry's row of PSCID
// compares is written in the cycle between).  flush_i empties the cache in one cycle.
// inv_i applies IOTINVAL.VMA with GV=0 two cycles after inv_i: its operands
// are registered, compared with every entry in the cycle after inv_i, and
// the selection registered and applied in the next (spec table "IOTINVAL.VMA
// operands and operations"): PSCV=0 selects every address space, global
// entries included; PSCV=1 the entries of PSCID, global entries kept; AV=1
// only the entries whose page (of its own size) holds the IOVA.  A fill with
// any of the three cycles in either of its cycles is dropped.  Lookups in
// between may still hit an entry about to go, as the RAM arrays' do: busy_o
// covers the cycle between, and the command queue counts inv_i's cycle and
// the next as busy itself, so no IOFENCE.C passes first.
// Assumes: at most one fill per cycle; Entries <= 64.
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_tlb_fa #(
  parameter int unsigned Entries = 32,  /// entries (fully associative)
  parameter int unsigned Ports   = 2,   /// lookups per cycle
  parameter int unsigned DcN     = 8    /// entries of each port's DC cache
) (
  input  wire logic                                   clk_i,
  input  wire logic                                   rst_ni,
  // lookups: at lk_adv_i the stage takes the request whose VPN is tk_vpn_i
  // and whose PSCID is that of the DC entry tk_dcm_i names (its DC cache's
  // registered match); it presents that VPN on lk_vpn_i from the next cycle
  input  wire logic [Ports-1:0]                       lk_adv_i,
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       tk_vpn_i,
  input  wire logic [Ports*DcN-1:0]                   tk_dcm_i,
  // the DC caches' PSCID writes: the entries written this cycle (one-hot) and the PSCID
  input  wire logic [Ports*DcN-1:0]                   dc_wr_i,
  input  wire logic [Ports*iommu_pkg::PscidW-1:0]     dc_wr_pscid_i,
  input  wire logic [Ports*2-1:0]                     tk_acc_i,   /// its access (iommu_pkg::Acc*)
  input  wire logic [Ports*iommu_pkg::VpnW-1:0]       lk_vpn_i,
  output      logic [Ports-1:0]                       lk_any_o,   /// some entry matches
  output      logic [Ports-1:0]                       lk_ok_o,    /// a matching entry allows the access
  output      logic [Ports-1:0]                       lk_hit_o,   /// exactly one does
  output      logic [Ports*iommu_pkg::PpnW-1:0]       lk_ppn_o,   /// PPN of the 4 KiB page
  // fill from the walker
  input  wire logic                                   fill_i,
  input  wire logic [iommu_pkg::PscidW-1:0]           fill_pscid_i,
  input  wire logic                                   fill_g_i,
  input  wire logic [iommu_pkg::VpnW-1:0]             fill_vpn_i,
  input  wire logic [2:0]                             fill_size_i,
  input  wire logic [iommu_pkg::PpnW-1:0]             fill_ppn_i,
  input  wire logic [2:0]                             fill_allow_i, /// iommu_pkg::perm_allow of the leaf
  // invalidation
  input  wire logic                                   flush_i,
  input  wire logic                                   inv_i,
  input  wire logic                                   inv_pscv_i,
  input  wire logic [iommu_pkg::PscidW-1:0]           inv_pscid_i,
  input  wire logic                                   inv_av_i,
  input  wire logic [iommu_pkg::VpnW-1:0]             inv_vpn_i,
  output      logic                                   busy_o   /// an invalidation is not yet applied
);
  localparam int unsigned PscidW = iommu_pkg::PscidW;
  localparam int unsigned VpnW   = iommu_pkg::VpnW;
  localparam int unsigned PpnW   = iommu_pkg::PpnW;

  logic [Entries-1:0] valid_q, g_q;
  logic [PscidW-1:0]  pscid_q [Entries];
  logic [VpnW-1:0]    vpn_q   [Entries];
  logic [2:0]         size_q [Entries];
  logic [2:0]         allow_q [Entries];
  localparam int unsigned IdxW = (Entries > 1) ? $clog2(Entries) : 1;

  logic [Entries-1:0] write;   // the entry a fill writes (one-hot)
  logic [Entries-1:0] valid_d;   // the valid bits of the next cycle, registered with the matches

  // A fill's first cycle compares its tag with the entries' and with the
  // fill written now (f_*_q, the fill inputs of the cycle before); the
  // second writes f_*_q into the entry iommu_victim chose.
  logic               f_g_q;
  logic [PscidW-1:0]  f_pscid_q;
  logic [VpnW-1:0]    f_vpn_q;
  logic [2:0]         f_size_q;
  logic [PpnW-1:0]    f_ppn_q;
  logic [2:0]         f_allow_q;
  // The fill inputs are registered first (i_*_q, kept apart from any equal
  // register elsewhere, keep: the walker is far), so a fill takes three cycles:
  // the input register, the compares, the write.  The VPN is registered
  // already masked to the page size, with the mask.
  logic               i_v_q, i_g_q;
  logic [PscidW-1:0]  i_pscid_q;
  logic [VpnW-1:0]    i_vpn_q, i_mask_q;
  logic [2:0]         i_size_q, i_allow_q;
  logic [PpnW-1:0]    i_ppn_q;
  logic               kill;   // an invalidation or flush in this cycle
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) i_v_q <= 1'b0;
    else         i_v_q <= fill_i && !kill;
  end
  (* keep *) always_ff @(posedge clk_i) begin
    i_g_q     <= fill_g_i;
    i_pscid_q <= fill_pscid_i;
    i_vpn_q   <= fill_vpn_i & iommu_pkg::vpn_cmp_mask(fill_size_i);
    i_mask_q  <= iommu_pkg::vpn_cmp_mask(fill_size_i);
    i_size_q  <= fill_size_i;
    i_ppn_q   <= fill_ppn_i;
    i_allow_q <= fill_allow_i;
  end
  always_ff @(posedge clk_i) begin
    f_g_q     <= i_g_q;
    f_pscid_q <= i_pscid_q;
    f_vpn_q   <= i_vpn_q;
    f_size_q  <= i_size_q;
    f_ppn_q   <= i_ppn_q;
    f_allow_q <= i_allow_q;
  end

  // The PPN RAMs (the PPN and a copy of the size) are written a cycle after
  // the entry's tag, from registers (pw_*_q), so the victim choice reaches no
  // RAM write port.  No lookup reads
  // the PPN earlier: one that compares in the tag's write cycle leaves the
  // entry out, and one that compares after reads a cycle later still.
  logic               pw_q;      // |pw_oh_q, a register of its own for the RAMs' write enable
  logic [IdxW-1:0]    pw_idx_q;
  logic [Entries-1:0] pw_oh_q;   // the entry written, one-hot
  logic [PpnW-1:0]    pw_ppn_q;
  logic [PscidW-1:0]  pw_pscid_q;
  logic [2:0]         pw_size_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pw_q    <= 1'b0;
      pw_oh_q <= '0;
    end else begin
      pw_q    <= write != '0;
      pw_oh_q <= write;
    end
  end
  always_ff @(posedge clk_i) begin
    pw_idx_q   <= IdxW'(iommu_pkg::oh_index(64'(write)));
    pw_ppn_q   <= f_ppn_q;
    pw_pscid_q <= f_pscid_q;
    pw_size_q  <= f_size_q;
  end

  // ---- lookups ----------------------------------------------------------
  for (genvar p = 0; p < Ports; p++) begin : g_port
    logic [DcN-1:0]     tk_dcm, dcw;
    logic [1:0]         tk_acc;
    logic [PscidW-1:0]  dcw_pscid;
    logic [VpnW-1:0]    vpn, tk_vpn, keep;
    logic [Entries-1:0] vm_d, vm_q;
    logic [Entries-1:0] m;
    logic               any, multi;
    logic [2:0]         size;
    logic [PpnW-1:0]    ppn;
    assign tk_dcm    = tk_dcm_i[p*DcN +: DcN];
    assign dcw       = dc_wr_i[p*DcN +: DcN];
    assign dcw_pscid = dc_wr_pscid_i[p*PscidW +: PscidW];
    assign vpn       = lk_vpn_i[p*VpnW +: VpnW];
    assign tk_vpn    = tk_vpn_i[p*VpnW +: VpnW];
    assign tk_acc    = tk_acc_i[p*2 +: 2];

    // The PSCID compare is done ahead and kept: pm_q[e][d] is 1 when entry
    // e's PSCID equals that of the port's DC entry d (dcp_q mirrors the DC
    // entries' PSCIDs from their writes).  A row is compared in the cycle
    // after its entry is written, from registers (pw_oh_q, pw_pscid_q: the
    // victim choice reaches no row), against the DC PSCIDs of the next
    // cycle, and no lookup takes the entry in that cycle; a column is
    // compared when its DC entry is written (the row's compare wins when
    // both come at once: it sees the DC write too).  So the matrix follows
    // the tags it compares: a lookup compares the DC entry the DC cache
    // matched in its cycle (tk_dcm: that entry's PSCID is the request's)
    // with the rows, and never waits for the DC's payload read.
    logic [PscidW-1:0]  dcp_q [DcN];
    logic [DcN-1:0]     pm_q  [Entries];
    logic [DcN-1:0]     row_eq;     // pw_pscid_q (the entry written a cycle ago) against the DC PSCIDs of the next cycle
    logic [Entries-1:0] col_eq;     // every entry's PSCID against the DC's written one
    logic               wr_eq;      // pw_pscid_q against the DC's written PSCID
    assign wr_eq = pw_pscid_q == dcw_pscid;
    for (genvar d = 0; d < DcN; d++) begin : g_dcp
      assign row_eq[d] = dcw[d] ? wr_eq : pw_pscid_q == dcp_q[d];
      always_ff @(posedge clk_i) if (dcw[d]) dcp_q[d] <= dcw_pscid;
    end
    for (genvar e = 0; e < Entries; e++) begin : g_pm
      assign col_eq[e] = pscid_q[e] == dcw_pscid;
      always_ff @(posedge clk_i) begin
        for (int d = 0; d < DcN; d++) begin
          if (pw_oh_q[e])  pm_q[e][d] <= row_eq[d];
          else if (dcw[d]) pm_q[e][d] <= col_eq[e];
        end
      end
    end

    // The match vector and its index are registered with the valid bits of
    // the next cycle (an entry invalidated or written meanwhile drops out),
    // both outcomes formed in full, the new request's (vm_new) and the held
    // one's (vm_held), and lk_adv_i picks between them at the registers; so
    // the second cycle reads the PPN and the size at a registered index.
    // The PSCID match (the matrix row ANDed with the DC's match, or G) is a
    // net of its own (keep), joined at the VPN match's last LUT.
    logic [Entries-1:0] vm_new, vm_held, vm_early;
    (* keep *) logic [Entries-1:0] vm_pscid;
    logic [IdxW-1:0]    idx_q;
    for (genvar e = 0; e < Entries; e++) begin : g_vm
      assign vm_early[e] = ((vpn_q[e] ^ tk_vpn) & iommu_pkg::vpn_cmp_mask(size_q[e])) == '0 &&
                           !write[e] && !pw_oh_q[e] && valid_d[e];
      assign vm_pscid[e] = g_q[e] || (pm_q[e] & tk_dcm) != '0;
      assign vm_new[e]   = vm_early[e] && vm_pscid[e];
      assign vm_held[e] = vm_q[e] && !write[e] && valid_d[e];
    end
    assign vm_d = lk_adv_i[p] ? vm_new : vm_held;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) vm_q <= '0;
      else         vm_q <= vm_d;
    end
    always_ff @(posedge clk_i) idx_q <= lk_adv_i[p] ? IdxW'(iommu_pkg::oh_index(64'(vm_new))) :
                                                     IdxW'(iommu_pkg::oh_index(64'(vm_held)));
    `IOMMU_ASSERT(VmValid_A, clk_i, rst_ni, (vm_q & ~valid_q) == '0)

    // Whether each entry allows the access, checked at lk_adv_i and held
    // with the matches (an entry written meanwhile drops out of vm_q).
    logic [Entries-1:0] okp_q, ok;
    for (genvar e = 0; e < Entries; e++) begin : g_m
      always_ff @(posedge clk_i) if (lk_adv_i[p]) okp_q[e] <= iommu_pkg::allow_ok(allow_q[e], tk_acc);
      assign m[e]  = vm_q[e];
      assign ok[e] = m[e] && okp_q[e];
    end
    assign lk_ok_o[p] = |ok;
    /* verilator lint_off UNUSEDSIGNAL */
    logic sel_or;   // iommu_sel for any and multi only: the data is read at idx_q
    /* verilator lint_on UNUSEDSIGNAL */
    iommu_sel #(.N (Entries), .W (1)) u_sel (
      .match_i (m),
      .data_i  ('0),
      .any_o   (any),
      .multi_o (multi),
      .data_o  (sel_or)
    );
    iommu_ram #(.Depth (Entries), .Width (PpnW + 3), .Block (1'b0), .Comb (1'b1)) u_ppn (
      .clk_i   (clk_i),
      .we_i    (pw_q),
      .waddr_i (pw_idx_q),
      .wdata_i ({pw_size_q, pw_ppn_q}),
      .re_i    (1'b1),
      .raddr_i (idx_q),
      .rdata_o ({size, ppn})
    );

    // PPN of the 4 KiB page: the entry's PPN above the page size, the
    // request's VPN below it.
    assign keep = iommu_pkg::vpn_cmp_mask(size);
    assign lk_any_o[p]                 = any;
    assign lk_hit_o[p]                 = any && !multi;
    // 0 without a match (iommu_iotlb ORs its arrays' PPNs; the RAM word read then is entry 0's)
    assign lk_ppn_o[p*PpnW +: PpnW]    = {PpnW{any}} &
                                         ((ppn & keep[PpnW-1:0]) | (vpn[PpnW-1:0] & ~keep[PpnW-1:0]));
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_keep;
    assign unused_keep = ^{keep[VpnW-1], vpn[VpnW-1]};   // no PPN bit above 43
    /* verilator lint_on UNUSEDSIGNAL */
  end

  // ---- invalidation and fill -----------------------------------------------
  // An IOTINVAL.VMA is compared the cycle after inv_i, from registers
  // (inv_*_q: the command queue is far from the entries), and applied the
  // cycle after that from the registered selection (inv_m_q), so no compare
  // reaches the valid bits the lookups register; busy_o covers the cycle
  // between, and a fill is dropped when any of the three cycles meets it.  A
  // flush is applied at once.
  logic                    inv_q, inv2_q, inv_pscv_q, inv_av_q;
  logic [PscidW-1:0]       inv_pscid_q;
  logic [VpnW-1:0]         inv_vpn_q;
  logic [Entries-1:0]      inv_m_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      inv_q  <= 1'b0;
      inv2_q <= 1'b0;
    end else begin
      inv_q  <= inv_i;
      inv2_q <= inv_q;
    end
  end
  always_ff @(posedge clk_i) begin
    inv_pscv_q  <= inv_pscv_i;
    inv_pscid_q <= inv_pscid_i;
    inv_av_q    <= inv_av_i;
    inv_vpn_q   <= inv_vpn_i;
  end
  assign busy_o = inv_q;
  assign kill   = flush_i || inv_i || inv_q || inv2_q;
  logic [Entries-1:0] same, inval, unch;
  logic               eq, f_unch;
  for (genvar e = 0; e < Entries; e++) begin : g_same
    always_ff @(posedge clk_i) begin
      inv_m_q[e] <= inv_q && (!inv_pscv_q || (pscid_q[e] == inv_pscid_q && !g_q[e])) &&
                    (!inv_av_q ||
                     ((vpn_q[e] ^ inv_vpn_q) & iommu_pkg::vpn_cmp_mask(size_q[e])) == '0);
    end
    assign inval[e] = flush_i || inv_m_q[e];
    assign same[e] = valid_q[e] && g_q[e] == i_g_q && pscid_q[e] == i_pscid_q &&
                     size_q[e] == i_size_q && ((vpn_q[e] ^ i_vpn_q) & i_mask_q) == '0;
    // the entry with the fill's tag keeps its PPN when it allows the same:
    // the PPN can differ only if software changed the leaf without
    // IOTINVAL.VMA, and the spec lets the old translation be used until then
    assign unch[e] = same[e] && !write[e] && allow_q[e] == i_allow_q;
  end
  assign eq = f_g_q == i_g_q && f_pscid_q == i_pscid_q && f_size_q == i_size_q &&
              ((f_vpn_q ^ i_vpn_q) & i_mask_q) == '0;
  // the fill changes nothing: an entry holds its tag and permissions and keeps
  // them (not written now), or the fill written now has them; found in the
  // fill's first cycle, applied from registers in its second (u_victim's drop_i)
  logic [Entries-1:0] unch_q;
  logic               unch_eq_q;
  always_ff @(posedge clk_i) begin
    unch_q    <= unch;
    unch_eq_q <= eq && write != '0 && f_allow_q == i_allow_q;
  end
  assign f_unch = (unch_q != '0) || unch_eq_q;
  iommu_victim #(.Entries(Entries)) u_victim (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .same_i   (same),
    .eq_i     (eq),
    .fill_i   (i_v_q),
    .drop_i   (f_unch),
    .kill_i   (kill),
    .inval_i  (inval),
    .write_o  (write),
    .valid_o  (valid_q),
    .valid_d_o(valid_d)
  );

  // Tag and data arrays need no reset: valid_q guards them.
  always_ff @(posedge clk_i) begin
    for (int e = 0; e < Entries; e++) begin
      if (write[e]) begin
        g_q[e]     <= f_g_q;
        pscid_q[e] <= f_pscid_q;
        vpn_q[e]   <= f_vpn_q;
        size_q[e] <= f_size_q;
        allow_q[e] <= f_allow_q;
      end
    end
  end

endmodule

`default_nettype wire
