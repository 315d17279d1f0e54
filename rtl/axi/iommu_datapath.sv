// iommu_datapath: the device-to-memory path.  Two channel engines
// (iommu_chan: AR and AW) translate through a DC cache each and the shared IOTLB and
// hand misses to the shared walker (iommu_walker, with the walk cache); this
// module wires them, arbitrates walk and fault requests between the two
// channels (round-robin), routes W beats, and muxes the synthesized SLVERR
// responses into R and B.
// W beats follow AW order (AXI4 has no WID): a route FIFO gets one entry per
// AW that leaves its channel, saying whether its beats go to memory or are
// dropped (refused write); beats that arrive before their AW wait (WREADY
// low) until it leaves, which AXI allows.
// A ddtp write flushes the caches and marks walks in flight stale (no fill);
// settled_o (ddtp.busy) waits for those walks, for the block-RAM arrays'
// wipe (iommu_tlb_sa: Sets + 3 cycles) and, in Off, for everything in flight
// to finish.
// Invalidation commands (from iommu_cq): inv_vma_i (IOTINVAL.VMA, GV=0)
// reaches the IOTLB and the walk cache, inv_ddt_i (IODIR.INVAL_DDT) the DC
// cache and the DCs that waiting requests hold.  Either marks every walk in
// flight stale, so nothing read before the invalidation is cached after it
// (doc/architecture.md, "No stale refill").  IOFENCE.C: hold_i stops intake
// on a channel; idle_o says everything that channel accepted has completed.
// Cost of a hit: two cycles on AR and AW, none on R and B; W beats follow
// their AW's route entry, pushed the cycle after the AW's handshake.
// Assumes: WRouteDepth >= 2.
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_datapath #(
  parameter int unsigned IdW       = 8,    /// AXI ID bits (device and memory port)
  parameter int unsigned IovaW     = 64,   /// device-port address bits
  parameter int unsigned PaW       = 56,   /// memory-port address bits (PAS)
  parameter int unsigned DataW     = 64,   /// data bits
  parameter int unsigned DidW      = 24,   /// device_id bits in AxUSER
  parameter int unsigned PidW      = 20,   /// process_id bits in AxUSER
  parameter int unsigned UserW     = DidW + PidW + 1,
  parameter int unsigned DsIdW     = 4,    /// data-structure port ID bits (>= log2 Walks)
  parameter int unsigned Slots     = 8,    /// waiting requests per channel
  parameter int unsigned Walks     = 8,    /// walks in flight
  parameter int unsigned TlbSets   = 512,  /// IOTLB 4 KiB sets (0: FA only)
  parameter int unsigned TlbWays   = 2,    /// IOTLB 4 KiB ways
  parameter int unsigned TlbSets2M = 16,   /// IOTLB 2 MiB sets (0: 2 MiB pages in FA)
  parameter int unsigned TlbWays2M = 2,    /// IOTLB 2 MiB ways
  parameter int unsigned TlbEntries = 8,   /// IOTLB fully associative entries
  parameter int unsigned DcEntries = 8,    /// DC cache entries (of each channel)
  parameter int unsigned WcSets    = 16,   /// walk cache: sets of level-0 tables
  parameter int unsigned WcSetsUp  = 16,   /// walk cache: sets of each level above
  parameter int unsigned WcWays    = 2,    /// walk cache: ways
  parameter int unsigned WRouteDepth = 8,  /// AWs decided ahead of their W beats
  parameter int unsigned OutW      = 8     /// outstanding-count bits per channel
) (
  input  wire logic              clk_i,
  input  wire logic              rst_ni,
  input  wire logic [3:0]        mode_i,      /// ddtp.iommu_mode
  input  wire logic [43:0]       ddtp_ppn_i,  /// ddtp.PPN
  input  wire logic              ddtp_wr_i,   /// ddtp was written: flush the caches
  output      logic              settled_o,   /// requests decided under an older ddtp are done
  // invalidation commands and fences (iommu_cq)
  input  wire logic              inv_vma_i,   /// IOTINVAL.VMA with GV=0
  input  wire logic              inv_pscv_i,
  input  wire logic [iommu_pkg::PscidW-1:0] inv_pscid_i,
  input  wire logic              inv_av_i,
  input  wire logic [iommu_pkg::VpnW-1:0]   inv_vpn_i,
  output      logic              tlb_busy_o,  /// the IOTLB or walk cache still applies an IOTINVAL
  input  wire logic              inv_ddt_i,   /// IODIR.INVAL_DDT
  input  wire logic              inv_dv_i,
  input  wire logic [DidW-1:0]   inv_did_i,
  input  wire logic [1:0]        hold_i,      /// {AW, AR}: accept no request
  output      logic [1:0]        idle_o,      /// {AW, AR}: all accepted requests completed
  // device port (AXI4 slave)
  input  wire logic [IdW-1:0]    dev_awid_i,
  input  wire logic [IovaW-1:0]  dev_awaddr_i,
  input  wire logic [7:0]        dev_awlen_i,
  input  wire logic [2:0]        dev_awsize_i,
  input  wire logic [1:0]        dev_awburst_i,
  input  wire logic              dev_awlock_i,
  input  wire logic [3:0]        dev_awcache_i,
  input  wire logic [2:0]        dev_awprot_i,
  input  wire logic [3:0]        dev_awqos_i,
  input  wire logic [UserW-1:0]  dev_awuser_i,
  input  wire logic              dev_awvalid_i,
  output      logic              dev_awready_o,
  input  wire logic [DataW-1:0]  dev_wdata_i,
  input  wire logic [DataW/8-1:0] dev_wstrb_i,
  input  wire logic              dev_wlast_i,
  input  wire logic              dev_wvalid_i,
  output      logic              dev_wready_o,
  output      logic [IdW-1:0]    dev_bid_o,
  output      logic [1:0]        dev_bresp_o,
  output      logic              dev_bvalid_o,
  input  wire logic              dev_bready_i,
  input  wire logic [IdW-1:0]    dev_arid_i,
  input  wire logic [IovaW-1:0]  dev_araddr_i,
  input  wire logic [7:0]        dev_arlen_i,
  input  wire logic [2:0]        dev_arsize_i,
  input  wire logic [1:0]        dev_arburst_i,
  input  wire logic              dev_arlock_i,
  input  wire logic [3:0]        dev_arcache_i,
  input  wire logic [2:0]        dev_arprot_i,
  input  wire logic [3:0]        dev_arqos_i,
  input  wire logic [UserW-1:0]  dev_aruser_i,
  input  wire logic              dev_arvalid_i,
  output      logic              dev_arready_o,
  output      logic [IdW-1:0]    dev_rid_o,
  output      logic [DataW-1:0]  dev_rdata_o,
  output      logic [1:0]        dev_rresp_o,
  output      logic              dev_rlast_o,
  output      logic              dev_rvalid_o,
  input  wire logic              dev_rready_i,
  // memory port (AXI4 master)
  output      logic [IdW-1:0]    mem_awid_o,
  output      logic [PaW-1:0]    mem_awaddr_o,
  output      logic [7:0]        mem_awlen_o,
  output      logic [2:0]        mem_awsize_o,
  output      logic [1:0]        mem_awburst_o,
  output      logic              mem_awlock_o,
  output      logic [3:0]        mem_awcache_o,
  output      logic [2:0]        mem_awprot_o,
  output      logic [3:0]        mem_awqos_o,
  output      logic [UserW-1:0]  mem_awuser_o,
  output      logic              mem_awvalid_o,
  input  wire logic              mem_awready_i,
  output      logic [DataW-1:0]  mem_wdata_o,
  output      logic [DataW/8-1:0] mem_wstrb_o,
  output      logic              mem_wlast_o,
  output      logic              mem_wvalid_o,
  input  wire logic              mem_wready_i,
  input  wire logic [IdW-1:0]    mem_bid_i,
  input  wire logic [1:0]        mem_bresp_i,
  input  wire logic              mem_bvalid_i,
  output      logic              mem_bready_o,
  output      logic [IdW-1:0]    mem_arid_o,
  output      logic [PaW-1:0]    mem_araddr_o,
  output      logic [7:0]        mem_arlen_o,
  output      logic [2:0]        mem_arsize_o,
  output      logic [1:0]        mem_arburst_o,
  output      logic              mem_arlock_o,
  output      logic [3:0]        mem_arcache_o,
  output      logic [2:0]        mem_arprot_o,
  output      logic [3:0]        mem_arqos_o,
  output      logic [UserW-1:0]  mem_aruser_o,
  output      logic              mem_arvalid_o,
  input  wire logic              mem_arready_i,
  input  wire logic [IdW-1:0]    mem_rid_i,
  input  wire logic [DataW-1:0]  mem_rdata_i,
  input  wire logic [1:0]        mem_rresp_i,
  input  wire logic              mem_rlast_i,
  input  wire logic              mem_rvalid_i,
  output      logic              mem_rready_o,
  // data-structure port, read channels (walks)
  output      logic [DsIdW-1:0]  ds_arid_o,
  output      logic [PaW-1:0]    ds_araddr_o,
  output      logic [7:0]        ds_arlen_o,
  output      logic              ds_arvalid_o,
  input  wire logic              ds_arready_i,
  input  wire logic [DsIdW-1:0]  ds_rid_i,
  input  wire logic [63:0]       ds_rdata_i,
  input  wire logic [1:0]        ds_rresp_i,
  input  wire logic              ds_rlast_i,
  input  wire logic              ds_rvalid_i,
  output      logic              ds_rready_o,
  // fault requests to the fault queue
  output      logic              fault_valid_o,
  input  wire logic              fault_ready_i,
  output      iommu_pkg::fault_req_t fault_o
);
  localparam logic [1:0] RespSlvErr = 2'b10;
  localparam int unsigned SlotW = (Slots > 1) ? $clog2(Slots) : 1;
  localparam int unsigned TagW  = SlotW + 1;     // {channel (1 = write), slot}
  localparam int unsigned DcW   = iommu_pkg::DcW;
  localparam int unsigned PscidW = iommu_pkg::PscidW;
  localparam int unsigned VpnW  = iommu_pkg::VpnW;
  localparam int unsigned PpnW  = iommu_pkg::PpnW;

  // ---- reset ------------------------------------------------------------------------
  // rst_ni reaches only these registers: each block's reset is a register of
  // its own (iommu_copies, released a cycle after rst_ni), so no one net of
  // the reset reaches every flip-flop.  iommu_top's other blocks take theirs
  // the same way, so every block leaves reset in the same cycle.
  //   0 the data path's own, 1 u_rd, 2 u_wr, 3/4 the DC caches, 5 the IOTLB,
  //   6 the walk cache, 7 the walker, 8 the W route
  logic [8:0] rst_n;
  logic       rst_dp_n;
  iommu_copies #(.W (1), .N (9)) u_rst (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (1'b1),
    .q_o    (rst_n)
  );
  assign rst_dp_n = rst_n[0];

  // ---- channel <-> shared blocks -----------------------------------------------
  logic [1:0]          dc_hit, tlb_hit;
  logic [2*DidW-1:0]   dc_did;
  logic [2*DcW-1:0]    dc_data;
  logic [2*2*PscidW-1:0] tlb_tk_pscid;   // the DC answer's PSCID, a copy per SA array
  logic [2*DcEntries-1:0] tlb_tk_dcm, dc_wr;   // the DC entry answering; the DC entry written
  logic [2*PscidW-1:0]    dc_wr_pscid;
  logic [2*VpnW-1:0]   tlb_vpn, tlb_rd2_vpn, tlb_tk_vpn;
  logic [2*3-1:0]      tlb_adv, lk_hold;   // per channel: copies for the 4 KiB, 2 MiB and FA arrays / DC cache
  logic [2*PpnW-1:0]   tlb_ppn;
  logic [2*2-1:0]      tlb_acc;

  logic [1:0]          wreq_valid, wreq_ready, wreq_dc_hit, wreq_pv, wres_valid;
  logic [2*SlotW-1:0]  wreq_slot;
  logic [2*DidW-1:0]   wreq_did;
  logic [2*IovaW-1:0]  wreq_iova;
  logic [2*2-1:0]      wreq_acc;
  logic [2*DcW-1:0]    wreq_dc;

  logic [1:0]          fault_req, fault_gnt, pending, rf_active, rsp_done;
  logic [2*iommu_pkg::FaultReqW-1:0] fault_vec;
  logic [2*IdW-1:0]    rf_id;
  logic [1:0]          rf_last;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [1:0]          rd_route_unused;   // reads route no W beats
  logic                unused_b_last;     // B has no LAST
  assign unused_b_last = ^{rd_route_unused, rf_last[1]};
  /* verilator lint_on UNUSEDSIGNAL */

  // A ddtp write takes effect here a cycle after the register block's: the
  // new mode and root and the flush of every cache together, from registers
  // (the write's decode fans out to every cache and both channels).  The
  // write's flag and the IODIR.INVAL_DDT of the cycle before come in copies
  // (iommu_copies): one for each channel's and one for the walker's DC
  // invalidation, and one for the caches' flush.
  logic        ddtp_wr, kill;
  logic [2:0]  dc_inval;   // the read channel's, the write channel's, the walker's
  logic [3:0]  ddtp_wr_cp;
  logic [2:0]  inv_ddt_cp;
  logic [3:0]  mode;
  logic [43:0] ddtp_ppn;
  always_ff @(posedge clk_i or negedge rst_dp_n) begin
    if (!rst_dp_n) begin
      mode     <= iommu_pkg::ModeOff;
      ddtp_ppn <= '0;
    end else begin
      mode     <= mode_i;
      ddtp_ppn <= ddtp_ppn_i;
    end
  end
  // The DC cache applies IODIR.INVAL_DDT a cycle after the command, so the
  // DCs it answers in both cycles are stale (inv_ddt_i, then inv_ddt_cp).
  iommu_copies #(.W (1), .N (4)) u_ddtp_wr (
    .clk_i  (clk_i),
    .rst_ni (rst_dp_n),
    .d_i    (ddtp_wr_i),
    .q_o    (ddtp_wr_cp)
  );
  iommu_copies #(.W (1), .N (3)) u_inv_ddt (
    .clk_i  (clk_i),
    .rst_ni (rst_dp_n),
    .d_i    (inv_ddt_i),
    .q_o    (inv_ddt_cp)
  );
  assign ddtp_wr  = ddtp_wr_cp[3];
  assign dc_inval = ddtp_wr_cp[2:0] | {3{inv_ddt_i}} | inv_ddt_cp;
  assign kill     = ddtp_wr_cp[2] || inv_ddt_i || inv_vma_i;

  // The write channel pushes a forwarded AW's route entry the cycle after
  // its handshake, without waiting, so it forwards only with room for two
  // (route_room2): the entry it may push now and the one it decides.
  logic route_in_valid, route_in_ready, route_in_fwd, route_room2;
  logic route_out_valid, route_out_ready, route_out_fwd;
  logic w_last_hs, w_dropped_q;

  logic                res_valid, res_fault, res_record;
  logic [TagW-1:0]     res_tag;
  logic [11:0]         res_cause;
  logic [PpnW-1:0]     res_ppn;

  iommu_chan #(
    .IsWrite (1'b0), .IdW (IdW), .IovaW (IovaW), .PaW (PaW), .DidW (DidW), .PidW (PidW),
    .UserW (UserW), .Slots (Slots), .OutW (OutW)
  ) u_rd (
    .clk_i           (clk_i),
    .rst_ni          (rst_n[1]),
    .mode_next_i     (mode_i),
    .pending_o       (pending[0]),
    .hold_i          (hold_i[0]),
    .idle_o          (idle_o[0]),
    .dc_inval_i      (dc_inval[0]),
    .dev_id_i        (dev_arid_i),
    .dev_addr_i      (dev_araddr_i),
    .dev_len_i       (dev_arlen_i),
    .dev_size_i      (dev_arsize_i),
    .dev_burst_i     (dev_arburst_i),
    .dev_lock_i      (dev_arlock_i),
    .dev_cache_i     (dev_arcache_i),
    .dev_prot_i      (dev_arprot_i),
    .dev_qos_i       (dev_arqos_i),
    .dev_user_i      (dev_aruser_i),
    .dev_valid_i     (dev_arvalid_i),
    .dev_ready_o     (dev_arready_o),
    .mem_id_o        (mem_arid_o),
    .mem_addr_o      (mem_araddr_o),
    .mem_len_o       (mem_arlen_o),
    .mem_size_o      (mem_arsize_o),
    .mem_burst_o     (mem_arburst_o),
    .mem_lock_o      (mem_arlock_o),
    .mem_cache_o     (mem_arcache_o),
    .mem_prot_o      (mem_arprot_o),
    .mem_qos_o       (mem_arqos_o),
    .mem_user_o      (mem_aruser_o),
    .mem_valid_o     (mem_arvalid_o),
    .mem_ready_i     (mem_arready_i),
    .mem_rsp_done_i  (rsp_done[0]),
    .dev_rsp_ready_i (dev_rready_i),
    .rf_active_o     (rf_active[0]),
    .rf_id_o         (rf_id[0 +: IdW]),
    .rf_last_o       (rf_last[0]),
    .lk_hold_o       (lk_hold[0 +: 3]),
    .dc_rd_did_o     (dc_did[0 +: DidW]),
    .dc_lk_hit_i     (dc_hit[0]),
    .dc_lk_data_i    (dc_data[0 +: DcW]),
    .tlb_rd2_vpn_o   (tlb_rd2_vpn[0 +: VpnW]),
    .tlb_adv_o       (tlb_adv[0 +: 3]),
    .tlb_tk_vpn_o    (tlb_tk_vpn[0 +: VpnW]),
    .tlb_tk_acc_o    (tlb_acc[0 +: 2]),
    .tlb_lk_vpn_o    (tlb_vpn[0 +: VpnW]),
    .tlb_lk_hit_i    (tlb_hit[0]),
    .tlb_lk_ppn_i    (tlb_ppn[0 +: PpnW]),
    .wreq_valid_o    (wreq_valid[0]),
    .wreq_ready_i    (wreq_ready[0]),
    .wreq_slot_o     (wreq_slot[0 +: SlotW]),
    .wreq_did_o      (wreq_did[0 +: DidW]),
    .wreq_iova_o     (wreq_iova[0 +: IovaW]),
    .wreq_acc_o      (wreq_acc[0 +: 2]),
    .wreq_pv_o       (wreq_pv[0]),
    .wreq_dc_hit_o   (wreq_dc_hit[0]),
    .wreq_dc_o       (wreq_dc[0 +: DcW]),
    .wres_valid_i    (wres_valid[0]),
    .wres_slot_i     (res_tag[SlotW-1:0]),
    .wres_fault_i    (res_fault),
    .wres_cause_i    (res_cause),
    .wres_record_i   (res_record),
    .wres_ppn_i      (res_ppn),
    .fault_valid_o   (fault_req[0]),
    .fault_ready_i   (fault_gnt[0]),
    .fault_o         (fault_vec[0 +: iommu_pkg::FaultReqW]),
    .route_valid_o   (rd_route_unused[0]),
    .route_fwd_o     (rd_route_unused[1]),
    .route_ready_i   (1'b1),
    .route_room2_i   (1'b1),
    .w_dropped_i     (1'b0)
  );

  iommu_chan #(
    .IsWrite (1'b1), .IdW (IdW), .IovaW (IovaW), .PaW (PaW), .DidW (DidW), .PidW (PidW),
    .UserW (UserW), .Slots (Slots), .OutW (OutW)
  ) u_wr (
    .clk_i           (clk_i),
    .rst_ni          (rst_n[2]),
    .mode_next_i     (mode_i),
    .pending_o       (pending[1]),
    .hold_i          (hold_i[1]),
    .idle_o          (idle_o[1]),
    .dc_inval_i      (dc_inval[1]),
    .dev_id_i        (dev_awid_i),
    .dev_addr_i      (dev_awaddr_i),
    .dev_len_i       (dev_awlen_i),
    .dev_size_i      (dev_awsize_i),
    .dev_burst_i     (dev_awburst_i),
    .dev_lock_i      (dev_awlock_i),
    .dev_cache_i     (dev_awcache_i),
    .dev_prot_i      (dev_awprot_i),
    .dev_qos_i       (dev_awqos_i),
    .dev_user_i      (dev_awuser_i),
    .dev_valid_i     (dev_awvalid_i),
    .dev_ready_o     (dev_awready_o),
    .mem_id_o        (mem_awid_o),
    .mem_addr_o      (mem_awaddr_o),
    .mem_len_o       (mem_awlen_o),
    .mem_size_o      (mem_awsize_o),
    .mem_burst_o     (mem_awburst_o),
    .mem_lock_o      (mem_awlock_o),
    .mem_cache_o     (mem_awcache_o),
    .mem_prot_o      (mem_awprot_o),
    .mem_qos_o       (mem_awqos_o),
    .mem_user_o      (mem_awuser_o),
    .mem_valid_o     (mem_awvalid_o),
    .mem_ready_i     (mem_awready_i),
    .mem_rsp_done_i  (rsp_done[1]),
    .dev_rsp_ready_i (dev_bready_i),
    .rf_active_o     (rf_active[1]),
    .rf_id_o         (rf_id[IdW +: IdW]),
    .rf_last_o       (rf_last[1]),
    .lk_hold_o       (lk_hold[3 +: 3]),
    .dc_rd_did_o     (dc_did[DidW +: DidW]),
    .dc_lk_hit_i     (dc_hit[1]),
    .dc_lk_data_i    (dc_data[DcW +: DcW]),
    .tlb_rd2_vpn_o   (tlb_rd2_vpn[VpnW +: VpnW]),
    .tlb_adv_o       (tlb_adv[3 +: 3]),
    .tlb_tk_vpn_o    (tlb_tk_vpn[VpnW +: VpnW]),
    .tlb_tk_acc_o    (tlb_acc[2 +: 2]),
    .tlb_lk_vpn_o    (tlb_vpn[VpnW +: VpnW]),
    .tlb_lk_hit_i    (tlb_hit[1]),
    .tlb_lk_ppn_i    (tlb_ppn[PpnW +: PpnW]),
    .wreq_valid_o    (wreq_valid[1]),
    .wreq_ready_i    (wreq_ready[1]),
    .wreq_slot_o     (wreq_slot[SlotW +: SlotW]),
    .wreq_did_o      (wreq_did[DidW +: DidW]),
    .wreq_iova_o     (wreq_iova[IovaW +: IovaW]),
    .wreq_acc_o      (wreq_acc[2 +: 2]),
    .wreq_pv_o       (wreq_pv[1]),
    .wreq_dc_hit_o   (wreq_dc_hit[1]),
    .wreq_dc_o       (wreq_dc[DcW +: DcW]),
    .wres_valid_i    (wres_valid[1]),
    .wres_slot_i     (res_tag[SlotW-1:0]),
    .wres_fault_i    (res_fault),
    .wres_cause_i    (res_cause),
    .wres_record_i   (res_record),
    .wres_ppn_i      (res_ppn),
    .fault_valid_o   (fault_req[1]),
    .fault_ready_i   (fault_gnt[1]),
    .fault_o         (fault_vec[iommu_pkg::FaultReqW +: iommu_pkg::FaultReqW]),
    .route_valid_o   (route_in_valid),
    .route_fwd_o     (route_in_fwd),
    .route_ready_i   (route_in_ready),
    .route_room2_i   (route_room2),
    .w_dropped_i     (w_dropped_q)
  );

  // ---- caches --------------------------------------------------------------------
  logic                dc_fill;
  logic [TagW-1:0]     dc_fill_tag;
  logic [DidW-1:0]     dc_fill_did;
  logic [DcW-1:0]      dc_fill_data;
  logic                tlb_fill, tlb_fill_g;
  logic [PscidW-1:0]   tlb_fill_pscid;
  logic [VpnW-1:0]     tlb_fill_vpn;
  logic [2:0]          tlb_fill_size;
  logic [PpnW-1:0]     tlb_fill_ppn;
  logic [4:0]          tlb_fill_perm;
  logic [PscidW-1:0]   wc_lk_pscid, wc_fill_pscid;
  logic [VpnW-1:0]     wc_rd_vpn, wc_lk_vpn, wc_fill_vpn;
  logic                iotlb_busy, wc_busy;
  logic [3:0]          wc_rd_hold, wc_adv;   // copies, one per walk-cache level
  logic                wc_lk_hit, wc_fill;
  logic [1:0]          wc_lk_lvl, wc_fill_lvl;
  logic [PpnW-1:0]     wc_lk_ppn, wc_fill_ppn;

  // A DC cache per channel (0: reads, 1: writes), filled by the walks of its
  // own requests: each channel's lookup, its request stage and the IOTLB
  // compares it feeds stay together, and no DC answer crosses to the other
  // channel.  A device that reads and writes has its DC read once per channel.
  for (genvar ch = 0; ch < 2; ch++) begin : g_dc
    // The PSCID of its answer goes straight to the IOTLB's SA arrays, from
    // two RAM copies of its own (one per array, like tlb_adv); the FA array
    // takes the matching entry instead and keeps its PSCID compares ahead.
    logic [2*PscidW-1:0] pscid;
    iommu_dc_cache #(.Entries (DcEntries), .Ports (1), .DidW (DidW), .DataW (DcW),
                     .FieldLsb (PpnW), .FieldW (PscidW), .FieldN (2)) u_dc_cache (
      .clk_i       (clk_i),
      .rst_ni      (rst_n[3 + ch]),
      .rd_did_i    (dc_did[ch*DidW +: DidW]),
      .rd_hold_i   (lk_hold[ch*3 + 2]),
      .lk_hit_o    (dc_hit[ch]),
      .lk_data_o   (dc_data[ch*DcW +: DcW]),
      .lk_field_o  (pscid),
      .lk_m_o      (tlb_tk_dcm[ch*DcEntries +: DcEntries]),
      .wr_o        (dc_wr[ch*DcEntries +: DcEntries]),
      .wr_field_o  (dc_wr_pscid[ch*PscidW +: PscidW]),
      .fill_i      (dc_fill && dc_fill_tag[TagW-1] == 1'(ch)),
      .fill_did_i  (dc_fill_did),
      .fill_data_i (dc_fill_data),
      .flush_i     (ddtp_wr),
      .inv_i       (inv_ddt_i),
      .inv_dv_i    (inv_dv_i),
      .inv_did_i   (inv_did_i)
    );
    for (genvar k = 0; k < 2; k++) begin : g_pscid
      assign tlb_tk_pscid[(k*2 + ch)*PscidW +: PscidW] = pscid[k*PscidW +: PscidW];
    end
  end
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_fill_slot;   // a DC fill goes to its requester's channel, not to its slot
  assign unused_fill_slot = ^dc_fill_tag[TagW-2:0];
  /* verilator lint_on UNUSEDSIGNAL */

  iommu_iotlb #(.Sets (TlbSets), .Ways (TlbWays), .Sets2M (TlbSets2M), .Ways2M (TlbWays2M),
                .FaEntries (TlbEntries), .Ports (2), .DcN (DcEntries)) u_iotlb (
    .clk_i        (clk_i),
    .rst_ni       (rst_n[5]),
    .rd2_vpn_i    (tlb_rd2_vpn),
    .rd_hold_i    ({lk_hold[4], lk_hold[1], lk_hold[3], lk_hold[0]}),
    .lk_adv_i     ({tlb_adv[5], tlb_adv[2], tlb_adv[4], tlb_adv[1], tlb_adv[3], tlb_adv[0]}),
    .tk_vpn_i     (tlb_tk_vpn),
    .tk_pscid_i   (tlb_tk_pscid),
    .tk_dcm_i     (tlb_tk_dcm),
    .dc_wr_i      (dc_wr),
    .dc_wr_pscid_i(dc_wr_pscid),
    .tk_acc_i     (tlb_acc),
    .lk_vpn_i     (tlb_vpn),
    .lk_hit_o     (tlb_hit),
    .lk_ppn_o     (tlb_ppn),
    .fill_i       (tlb_fill),
    .fill_pscid_i (tlb_fill_pscid),
    .fill_g_i     (tlb_fill_g),
    .fill_vpn_i   (tlb_fill_vpn),
    .fill_size_i  (tlb_fill_size),
    .fill_ppn_i   (tlb_fill_ppn),
    .fill_perm_i  (tlb_fill_perm),
    .flush_i      (ddtp_wr),
    .inv_i        (inv_vma_i),
    .inv_pscv_i   (inv_pscv_i),
    .inv_pscid_i  (inv_pscid_i),
    .inv_av_i     (inv_av_i),
    .inv_vpn_i    (inv_vpn_i),
    .busy_o       (iotlb_busy)
  );

  assign tlb_busy_o = iotlb_busy || wc_busy;

  iommu_walk_cache #(.Sets (WcSets), .SetsUp (WcSetsUp), .Ways (WcWays)) u_walk_cache (
    .clk_i        (clk_i),
    .rst_ni       (rst_n[6]),
    .rd_vpn_i     (wc_rd_vpn),
    .rd_hold_i    (wc_rd_hold),
    .lk_adv_i     (wc_adv),
    .lk_pscid_i   (wc_lk_pscid),
    .lk_vpn_i     (wc_lk_vpn),
    .lk_hit_o     (wc_lk_hit),
    .lk_lvl_o     (wc_lk_lvl),
    .lk_ppn_o     (wc_lk_ppn),
    .fill_i       (wc_fill),
    .fill_pscid_i (wc_fill_pscid),
    .fill_vpn_i   (wc_fill_vpn),
    .fill_lvl_i   (wc_fill_lvl),
    .fill_ppn_i   (wc_fill_ppn),
    .flush_i      (ddtp_wr),
    .inv_i        (inv_vma_i),
    .inv_pscv_i   (inv_pscv_i),
    .inv_pscid_i  (inv_pscid_i),
    .inv_av_i     (inv_av_i),
    .inv_vpn_i    (inv_vpn_i),
    .busy_o       (wc_busy)
  );

  // ---- walker, shared by both channels (round-robin on requests) ---------------------
  logic prio_wr_q, pick_wr, walk_ready, walker_stale;
  assign pick_wr    = wreq_valid[1] && (!wreq_valid[0] || prio_wr_q);
  assign wreq_ready = {pick_wr && walk_ready, !pick_wr && walk_ready};
  assign wres_valid = {res_valid && res_tag[TagW-1], res_valid && !res_tag[TagW-1]};

  always_ff @(posedge clk_i or negedge rst_dp_n) begin
    if (!rst_dp_n)                          prio_wr_q <= 1'b0;
    else if (|wreq_valid && walk_ready)   prio_wr_q <= !pick_wr;
  end

  iommu_walker #(
    .Walks (Walks), .TagW (TagW), .DidW (DidW), .IovaW (IovaW), .PaW (PaW), .DsIdW (DsIdW)
  ) u_walker (
    .clk_i            (clk_i),
    .rst_ni           (rst_n[7]),
    .mode_i           (mode),
    .ddtp_ppn_i       (ddtp_ppn),
    .kill_i           (kill),
    .dc_inval_i       (dc_inval[2]),
    .stale_o          (walker_stale),
    .req_valid_i      (|wreq_valid),
    .req_ready_o      (walk_ready),
    .req_tag_i        ({pick_wr, pick_wr ? wreq_slot[SlotW +: SlotW] : wreq_slot[0 +: SlotW]}),
    .req_did_i        (pick_wr ? wreq_did[DidW +: DidW] : wreq_did[0 +: DidW]),
    .req_iova_i       (pick_wr ? wreq_iova[IovaW +: IovaW] : wreq_iova[0 +: IovaW]),
    .req_acc_i        (pick_wr ? wreq_acc[2 +: 2] : wreq_acc[0 +: 2]),
    .req_pv_i         (pick_wr ? wreq_pv[1] : wreq_pv[0]),
    .req_dc_hit_i     (pick_wr ? wreq_dc_hit[1] : wreq_dc_hit[0]),
    .req_dc_i         (pick_wr ? wreq_dc[DcW +: DcW] : wreq_dc[0 +: DcW]),
    .res_valid_o      (res_valid),
    .res_tag_o        (res_tag),
    .res_fault_o      (res_fault),
    .res_cause_o      (res_cause),
    .res_record_o     (res_record),
    .res_ppn_o        (res_ppn),
    .dc_fill_o        (dc_fill),
    .dc_fill_tag_o    (dc_fill_tag),
    .dc_fill_did_o    (dc_fill_did),
    .dc_fill_data_o   (dc_fill_data),
    .tlb_fill_o       (tlb_fill),
    .tlb_fill_pscid_o (tlb_fill_pscid),
    .tlb_fill_g_o     (tlb_fill_g),
    .tlb_fill_vpn_o   (tlb_fill_vpn),
    .tlb_fill_size_o  (tlb_fill_size),
    .tlb_fill_ppn_o   (tlb_fill_ppn),
    .tlb_fill_perm_o  (tlb_fill_perm),
    .wc_rd_vpn_o      (wc_rd_vpn),
    .wc_rd_hold_o     (wc_rd_hold),
    .wc_adv_o         (wc_adv),
    .wc_lk_pscid_o    (wc_lk_pscid),
    .wc_lk_vpn_o      (wc_lk_vpn),
    .wc_lk_hit_i      (wc_lk_hit),
    .wc_lk_lvl_i      (wc_lk_lvl),
    .wc_lk_ppn_i      (wc_lk_ppn),
    .wc_fill_o        (wc_fill),
    .wc_fill_pscid_o  (wc_fill_pscid),
    .wc_fill_vpn_o    (wc_fill_vpn),
    .wc_fill_lvl_o    (wc_fill_lvl),
    .wc_fill_ppn_o    (wc_fill_ppn),
    .ds_arid_o        (ds_arid_o),
    .ds_araddr_o      (ds_araddr_o),
    .ds_arlen_o       (ds_arlen_o),
    .ds_arvalid_o     (ds_arvalid_o),
    .ds_arready_i     (ds_arready_i),
    .ds_rid_i         (ds_rid_i),
    .ds_rdata_i       (ds_rdata_i),
    .ds_rresp_i       (ds_rresp_i),
    .ds_rlast_i       (ds_rlast_i),
    .ds_rvalid_i      (ds_rvalid_i),
    .ds_rready_o      (ds_rready_o)
  );

  // ---- W routing -------------------------------------------------------------------
  iommu_fifo #(.Width(1), .Depth(WRouteDepth)) u_w_route (
    .clk_i       (clk_i),
    .rst_ni      (rst_n[8]),
    .in_valid_i  (route_in_valid),
    .in_ready_o  (route_in_ready),
    .in_data_i   (route_in_fwd),
    .out_valid_o (route_out_valid),
    .out_ready_i (route_out_ready),
    .out_data_o  (route_out_fwd),
    .room2_o     (route_room2)
  );
  `IOMMU_ASSERT(RoutePush_A, clk_i, rst_dp_n, !(route_in_valid && route_in_fwd) || route_in_ready)

  assign mem_wdata_o     = dev_wdata_i;
  assign mem_wstrb_o     = dev_wstrb_i;
  assign mem_wlast_o     = dev_wlast_i;
  assign mem_wvalid_o    = dev_wvalid_i && route_out_valid && route_out_fwd;
  assign dev_wready_o    = route_out_valid && (route_out_fwd ? mem_wready_i : 1'b1);
  assign w_last_hs       = dev_wvalid_i && dev_wready_o && dev_wlast_i;
  assign route_out_ready = w_last_hs;

  // A refused write waits for its dropped beats: set by their WLAST, cleared
  // when its drop entry is queued (one refusal at a time).
  always_ff @(posedge clk_i or negedge rst_dp_n) begin
    if (!rst_dp_n) w_dropped_q <= 1'b0;
    else if (route_in_valid && route_in_ready && !route_in_fwd) w_dropped_q <= 1'b0;
    else if (w_last_hs && !route_out_fwd) w_dropped_q <= 1'b1;
  end

  // ---- responses: from memory, or a channel's synthesized SLVERR (memory has
  // nothing pending on that channel then) ------------------------------------------------
  always_comb begin
    if (rf_active[0]) begin
      dev_rvalid_o = 1'b1;
      dev_rid_o    = rf_id[0 +: IdW];
      dev_rdata_o  = '0;
      dev_rresp_o  = RespSlvErr;
      dev_rlast_o  = rf_last[0];
      mem_rready_o = 1'b0;
    end else begin
      dev_rvalid_o = mem_rvalid_i;
      dev_rid_o    = mem_rid_i;
      dev_rdata_o  = mem_rdata_i;
      dev_rresp_o  = mem_rresp_i;
      dev_rlast_o  = mem_rlast_i;
      mem_rready_o = dev_rready_i;
    end
    if (rf_active[1]) begin
      dev_bvalid_o = 1'b1;
      dev_bid_o    = rf_id[IdW +: IdW];
      dev_bresp_o  = RespSlvErr;
      mem_bready_o = 1'b0;
    end else begin
      dev_bvalid_o = mem_bvalid_i;
      dev_bid_o    = mem_bid_i;
      dev_bresp_o  = mem_bresp_i;
      mem_bready_o = dev_bready_i;
    end
  end
  assign rsp_done  = {mem_bvalid_i && mem_bready_o,
                      mem_rvalid_i && mem_rready_o && mem_rlast_i};

  // ---- fault requests: round-robin between the channels ----------------------------------
  logic prio_fw_q, pick_fw;
  assign pick_fw       = fault_req[1] && (!fault_req[0] || prio_fw_q);
  assign fault_valid_o = |fault_req;
  assign fault_o       = pick_fw ? fault_vec[iommu_pkg::FaultReqW +: iommu_pkg::FaultReqW] :
                                   fault_vec[0 +: iommu_pkg::FaultReqW];
  assign fault_gnt     = {fault_ready_i && pick_fw, fault_ready_i && fault_req[0] && !pick_fw};

  always_ff @(posedge clk_i or negedge rst_dp_n) begin
    if (!rst_dp_n)                             prio_fw_q <= 1'b0;
    else if (fault_valid_o && fault_ready_i) prio_fw_q <= !pick_fw;
  end

  // ddtp.busy: the write must have reached the data path (ddtp_wr, the
  // cycle after it), walks started under the old ddtp must end; in Off, also
  // every request that may still reach memory.
  assign settled_o = !ddtp_wr && !walker_stale && !tlb_busy_o &&
                     (mode != iommu_pkg::ModeOff || pending == '0);

endmodule

`default_nettype wire
