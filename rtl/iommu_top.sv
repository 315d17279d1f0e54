// iommu_top: the RISC-V IOMMU (spec v1.0) with flat ports, wiring only.
//
// Ports (README.md, "Ports", documents each one):
//   dev_*  AXI4 slave: DMA from devices with I/O virtual addresses.  AxUSER =
//          {PV, process_id[PidW-1:0], device_id[DidW-1:0]}; AxPROT[0] = privileged,
//          AxPROT[2] = instruction fetch.
//   mem_*  AXI4 master: translated DMA to memory (same IDs, bursts, attributes;
//          AxUSER repeats the device's {PV, process_id, device_id}).
//   ds_*   AXI4 master, 64-bit data: the IOMMU's own memory accesses: directory
//          and page-table walks (ARID = walk, 0..Walks-1), command fetches
//          (ARID = Walks, up to 4 commands per burst), fault records (AWID 0)
//          and IOFENCE.C writes (AWID 1).
//   reg_*  AXI4-Lite slave, 64-bit data: the 4 KiB register page.
//   wsi_o  wired interrupts; icvec selects the wire of each cause.
// Modules: iommu_regs (register page), iommu_datapath (translation: two
// channel engines, DC cache, IOTLB, walk cache, walker), iommu_cq (command
// queue: invalidations and fences), iommu_fq (fault-queue writer),
// iommu_ds_arbiter (shares the ds port), iommu_irq (ipsr/icvec to wires).
`default_nettype none

module iommu_top #(
  parameter int unsigned IdW    = 8,    /// AXI ID bits, device and memory port
  parameter int unsigned IovaW  = 64,   /// device-port address bits (IOVA)
  parameter int unsigned PaW    = 56,   /// physical address bits (capabilities.PAS)
  parameter int unsigned DataW  = 64,   /// device and memory port data bits
  parameter int unsigned DidW   = 24,   /// device_id bits in AxUSER (at most 24)
  parameter int unsigned PidW   = 20,   /// process_id bits in AxUSER (at most 20)
  parameter int unsigned DsIdW  = 4,    /// data-structure port ID bits
  parameter int unsigned NumIrq = 4,    /// interrupt wires (2, 4, 8 or 16)
  parameter int unsigned Slots  = 8,    /// requests per channel waiting for a walk or for order
  parameter int unsigned Walks  = 8,    /// translation walks in flight (< 2^DsIdW)
  parameter int unsigned TlbSets    = 512, /// IOTLB 4 KiB array: sets in block RAM (0: none)
  parameter int unsigned TlbWays    = 2,  /// IOTLB 4 KiB array: ways
  parameter int unsigned TlbSets2M  = 16, /// IOTLB 2 MiB array: sets (block RAM from 64, else LUT RAM; 0: none)
  parameter int unsigned TlbWays2M  = 2,  /// IOTLB 2 MiB array: ways
  parameter int unsigned TlbEntries = 8,  /// IOTLB fully associative entries (64 KiB, 1 GiB and up; the sizes of an absent array)
  parameter int unsigned DcEntries  = 8,  /// device-context cache entries (of each channel)
  parameter int unsigned WcSets     = 16, /// walk cache: sets of level-0 tables (2 MiB of IOVA each)
  parameter int unsigned WcSetsUp   = 16, /// walk cache: sets of each level above (16: one LUT RAM deep)
  parameter int unsigned WcWays     = 2,  /// walk cache: ways
  parameter int unsigned UserW  = DidW + PidW + 1
) (
  input  wire logic                  clk_i,
  input  wire logic                  rst_ni,
  // ---- device port (AXI4 slave) ----
  input  wire logic [IdW-1:0]        dev_awid_i,
  input  wire logic [IovaW-1:0]      dev_awaddr_i,
  input  wire logic [7:0]            dev_awlen_i,
  input  wire logic [2:0]            dev_awsize_i,
  input  wire logic [1:0]            dev_awburst_i,
  input  wire logic                  dev_awlock_i,
  input  wire logic [3:0]            dev_awcache_i,
  input  wire logic [2:0]            dev_awprot_i,
  input  wire logic [3:0]            dev_awqos_i,
  input  wire logic [UserW-1:0]      dev_awuser_i,
  input  wire logic                  dev_awvalid_i,
  output      logic                  dev_awready_o,
  input  wire logic [DataW-1:0]      dev_wdata_i,
  input  wire logic [DataW/8-1:0]    dev_wstrb_i,
  input  wire logic                  dev_wlast_i,
  input  wire logic                  dev_wvalid_i,
  output      logic                  dev_wready_o,
  output      logic [IdW-1:0]        dev_bid_o,
  output      logic [1:0]            dev_bresp_o,
  output      logic                  dev_bvalid_o,
  input  wire logic                  dev_bready_i,
  input  wire logic [IdW-1:0]        dev_arid_i,
  input  wire logic [IovaW-1:0]      dev_araddr_i,
  input  wire logic [7:0]            dev_arlen_i,
  input  wire logic [2:0]            dev_arsize_i,
  input  wire logic [1:0]            dev_arburst_i,
  input  wire logic                  dev_arlock_i,
  input  wire logic [3:0]            dev_arcache_i,
  input  wire logic [2:0]            dev_arprot_i,
  input  wire logic [3:0]            dev_arqos_i,
  input  wire logic [UserW-1:0]      dev_aruser_i,
  input  wire logic                  dev_arvalid_i,
  output      logic                  dev_arready_o,
  output      logic [IdW-1:0]        dev_rid_o,
  output      logic [DataW-1:0]      dev_rdata_o,
  output      logic [1:0]            dev_rresp_o,
  output      logic                  dev_rlast_o,
  output      logic                  dev_rvalid_o,
  input  wire logic                  dev_rready_i,
  // ---- memory port (AXI4 master) ----
  output      logic [IdW-1:0]        mem_awid_o,
  output      logic [PaW-1:0]        mem_awaddr_o,
  output      logic [7:0]            mem_awlen_o,
  output      logic [2:0]            mem_awsize_o,
  output      logic [1:0]            mem_awburst_o,
  output      logic                  mem_awlock_o,
  output      logic [3:0]            mem_awcache_o,
  output      logic [2:0]            mem_awprot_o,
  output      logic [3:0]            mem_awqos_o,
  output      logic [UserW-1:0]      mem_awuser_o,
  output      logic                  mem_awvalid_o,
  input  wire logic                  mem_awready_i,
  output      logic [DataW-1:0]      mem_wdata_o,
  output      logic [DataW/8-1:0]    mem_wstrb_o,
  output      logic                  mem_wlast_o,
  output      logic                  mem_wvalid_o,
  input  wire logic                  mem_wready_i,
  input  wire logic [IdW-1:0]        mem_bid_i,
  input  wire logic [1:0]            mem_bresp_i,
  input  wire logic                  mem_bvalid_i,
  output      logic                  mem_bready_o,
  output      logic [IdW-1:0]        mem_arid_o,
  output      logic [PaW-1:0]        mem_araddr_o,
  output      logic [7:0]            mem_arlen_o,
  output      logic [2:0]            mem_arsize_o,
  output      logic [1:0]            mem_arburst_o,
  output      logic                  mem_arlock_o,
  output      logic [3:0]            mem_arcache_o,
  output      logic [2:0]            mem_arprot_o,
  output      logic [3:0]            mem_arqos_o,
  output      logic [UserW-1:0]      mem_aruser_o,
  output      logic                  mem_arvalid_o,
  input  wire logic                  mem_arready_i,
  input  wire logic [IdW-1:0]        mem_rid_i,
  input  wire logic [DataW-1:0]      mem_rdata_i,
  input  wire logic [1:0]            mem_rresp_i,
  input  wire logic                  mem_rlast_i,
  input  wire logic                  mem_rvalid_i,
  output      logic                  mem_rready_o,
  // ---- data-structure port (AXI4 master) ----
  output      logic [DsIdW-1:0]      ds_awid_o,
  output      logic [PaW-1:0]        ds_awaddr_o,
  output      logic [7:0]            ds_awlen_o,
  output      logic [2:0]            ds_awsize_o,
  output      logic [1:0]            ds_awburst_o,
  output      logic                  ds_awlock_o,
  output      logic [3:0]            ds_awcache_o,
  output      logic [2:0]            ds_awprot_o,
  output      logic [3:0]            ds_awqos_o,
  output      logic                  ds_awvalid_o,
  input  wire logic                  ds_awready_i,
  output      logic [63:0]           ds_wdata_o,
  output      logic [7:0]            ds_wstrb_o,
  output      logic                  ds_wlast_o,
  output      logic                  ds_wvalid_o,
  input  wire logic                  ds_wready_i,
  input  wire logic [DsIdW-1:0]      ds_bid_i,
  input  wire logic [1:0]            ds_bresp_i,
  input  wire logic                  ds_bvalid_i,
  output      logic                  ds_bready_o,
  output      logic [DsIdW-1:0]      ds_arid_o,
  output      logic [PaW-1:0]        ds_araddr_o,
  output      logic [7:0]            ds_arlen_o,
  output      logic [2:0]            ds_arsize_o,
  output      logic [1:0]            ds_arburst_o,
  output      logic                  ds_arlock_o,
  output      logic [3:0]            ds_arcache_o,
  output      logic [2:0]            ds_arprot_o,
  output      logic [3:0]            ds_arqos_o,
  output      logic                  ds_arvalid_o,
  input  wire logic                  ds_arready_i,
  input  wire logic [DsIdW-1:0]      ds_rid_i,
  input  wire logic [63:0]           ds_rdata_i,
  input  wire logic [1:0]            ds_rresp_i,
  input  wire logic                  ds_rlast_i,
  input  wire logic                  ds_rvalid_i,
  output      logic                  ds_rready_o,
  // ---- register port (AXI4-Lite slave) ----
  input  wire logic [11:0]           reg_awaddr_i,
  input  wire logic                  reg_awvalid_i,
  output      logic                  reg_awready_o,
  input  wire logic [63:0]           reg_wdata_i,
  input  wire logic [7:0]            reg_wstrb_i,
  input  wire logic                  reg_wvalid_i,
  output      logic                  reg_wready_o,
  output      logic [1:0]            reg_bresp_o,
  output      logic                  reg_bvalid_o,
  input  wire logic                  reg_bready_i,
  input  wire logic [11:0]           reg_araddr_i,
  input  wire logic                  reg_arvalid_i,
  output      logic                  reg_arready_o,
  output      logic [63:0]           reg_rdata_o,
  output      logic [1:0]            reg_rresp_o,
  output      logic                  reg_rvalid_o,
  input  wire logic                  reg_rready_i,
  // ---- interrupts ----
  output      logic [NumIrq-1:0]     wsi_o
);

  // The reset: rst_ni may be asserted asynchronously; each block's reset is a
  // register of its own, released the cycle after rst_ni (iommu_copies: the
  // register block, the fault queue, the command queue, the data-structure
  // port's arbiter here, and iommu_datapath's blocks there, from rst_ni too),
  // so every block leaves reset in the same cycle and rst_ni itself reaches
  // only those registers.
  logic [3:0]  rst_n;
  iommu_copies #(.W (1), .N (4)) u_rst (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (1'b1),
    .q_o    (rst_n)
  );

  logic [3:0]  ddtp_mode;
  logic [43:0] ddtp_ppn;
  logic        ddtp_wr, dp_settled;
  logic        fault_valid, fault_ready;
  iommu_pkg::fault_req_t fault;
  logic        fq_active, fq_tail_inc, fq_of_set, fq_mf_set, fq_idle;
  logic [43:0] fq_ppn;
  logic [4:0]  fq_log2szm1;
  logic [31:0] fq_head, fq_tail;
  logic [3:0]  ipsr;
  logic [15:0] icvec;
  // command queue
  logic        cq_run, wsi_en, cq_head_inc, cq_ill_set, cq_mf_set, cq_fwip_set, cq_idle;
  logic [43:0] cq_ppn;
  logic [4:0]  cq_log2szm1;
  logic [7:0]  cq_arlen;
  logic [31:0] cq_head, cq_tail;
  logic        inv_vma, inv_pscv, inv_av, inv_ddt, inv_dv;
  logic [iommu_pkg::PscidW-1:0] inv_pscid;
  logic [iommu_pkg::VpnW-1:0]   inv_vpn;
  logic                         tlb_busy;
  logic [DidW-1:0]              inv_did;
  logic [1:0]  fence_hold, chan_idle;
  // data-structure port requesters
  logic [DsIdW-1:0] wk_arid;
  logic [PaW-1:0]   wk_araddr, cq_araddr, fq_awaddr, cq_awaddr;
  logic [7:0]       wk_arlen, fq_awlen;
  logic             wk_arvalid, wk_arready, wk_rvalid, wk_rready;
  // the data-structure port's R beat, registered by the arbiter
  logic [DsIdW-1:0] dsr_id;
  logic [63:0]      dsr_data;
  logic [1:0]       dsr_resp;
  logic             dsr_last;
  logic             cq_arvalid, cq_arready, cq_rvalid;
  logic [DsIdW-1:0] fq_awid;
  logic [2:0]       fq_awsize;
  logic [1:0]       fq_awburst;
  logic             fq_awvalid, fq_awready, fq_wlast, fq_wvalid, fq_wready, fq_bvalid, fq_bready;
  logic [63:0]      fq_wdata, cq_wdata;
  logic [7:0]       fq_wstrb, cq_wstrb;
  logic             cq_awvalid, cq_awready, cq_wvalid, cq_wready, cq_bvalid;

  iommu_regs #(
    .NumIrq (NumIrq)
  ) u_regs (
    .clk_i         (clk_i),
    .rst_ni        (rst_n[0]),
    .s_awaddr_i    (reg_awaddr_i),
    .s_awvalid_i   (reg_awvalid_i),
    .s_awready_o   (reg_awready_o),
    .s_wdata_i     (reg_wdata_i),
    .s_wstrb_i     (reg_wstrb_i),
    .s_wvalid_i    (reg_wvalid_i),
    .s_wready_o    (reg_wready_o),
    .s_bresp_o     (reg_bresp_o),
    .s_bvalid_o    (reg_bvalid_o),
    .s_bready_i    (reg_bready_i),
    .s_araddr_i    (reg_araddr_i),
    .s_arvalid_i   (reg_arvalid_i),
    .s_arready_o   (reg_arready_o),
    .s_rdata_o     (reg_rdata_o),
    .s_rresp_o     (reg_rresp_o),
    .s_rvalid_o    (reg_rvalid_o),
    .s_rready_i    (reg_rready_i),
    .ddtp_mode_o   (ddtp_mode),
    .ddtp_ppn_o    (ddtp_ppn),
    .ddtp_wr_o     (ddtp_wr),
    .dp_settled_i  (dp_settled),
    .cq_run_o      (cq_run),
    .cq_ppn_o      (cq_ppn),
    .cq_log2szm1_o (cq_log2szm1),
    .cq_head_o     (cq_head),
    .cq_tail_o     (cq_tail),
    .wsi_en_o      (wsi_en),
    .cq_head_inc_i (cq_head_inc),
    .cq_ill_set_i  (cq_ill_set),
    .cq_mf_set_i   (cq_mf_set),
    .cq_fence_w_ip_set_i (cq_fwip_set),
    .cq_idle_i     (cq_idle),
    .fq_active_o   (fq_active),
    .fq_ppn_o      (fq_ppn),
    .fq_log2szm1_o (fq_log2szm1),
    .fq_head_o     (fq_head),
    .fq_tail_o     (fq_tail),
    .fq_tail_inc_i (fq_tail_inc),
    .fq_of_set_i   (fq_of_set),
    .fq_mf_set_i   (fq_mf_set),
    .fq_idle_i     (fq_idle),
    .ipsr_o        (ipsr),
    .icvec_o       (icvec)
  );

  iommu_datapath #(
    .IdW   (IdW),
    .IovaW (IovaW),
    .PaW   (PaW),
    .DataW (DataW),
    .DidW  (DidW),
    .PidW  (PidW),
    .DsIdW (DsIdW),
    .Slots (Slots),
    .Walks (Walks),
    .TlbSets    (TlbSets),
    .TlbWays    (TlbWays),
    .TlbSets2M  (TlbSets2M),
    .TlbWays2M  (TlbWays2M),
    .TlbEntries (TlbEntries),
    .DcEntries  (DcEntries),
    .WcSets     (WcSets),
    .WcSetsUp   (WcSetsUp),
    .WcWays     (WcWays)
  ) u_datapath (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .mode_i          (ddtp_mode),
    .ddtp_ppn_i      (ddtp_ppn),
    .ddtp_wr_i       (ddtp_wr),
    .settled_o       (dp_settled),
    .inv_vma_i       (inv_vma),
    .inv_pscv_i      (inv_pscv),
    .inv_pscid_i     (inv_pscid),
    .inv_av_i        (inv_av),
    .inv_vpn_i       (inv_vpn),
    .tlb_busy_o      (tlb_busy),
    .inv_ddt_i       (inv_ddt),
    .inv_dv_i        (inv_dv),
    .inv_did_i       (inv_did),
    .hold_i          (fence_hold),
    .idle_o          (chan_idle),
    .dev_awid_i      (dev_awid_i),
    .dev_awaddr_i    (dev_awaddr_i),
    .dev_awlen_i     (dev_awlen_i),
    .dev_awsize_i    (dev_awsize_i),
    .dev_awburst_i   (dev_awburst_i),
    .dev_awlock_i    (dev_awlock_i),
    .dev_awcache_i   (dev_awcache_i),
    .dev_awprot_i    (dev_awprot_i),
    .dev_awqos_i     (dev_awqos_i),
    .dev_awuser_i    (dev_awuser_i),
    .dev_awvalid_i   (dev_awvalid_i),
    .dev_awready_o   (dev_awready_o),
    .dev_wdata_i     (dev_wdata_i),
    .dev_wstrb_i     (dev_wstrb_i),
    .dev_wlast_i     (dev_wlast_i),
    .dev_wvalid_i    (dev_wvalid_i),
    .dev_wready_o    (dev_wready_o),
    .dev_bid_o       (dev_bid_o),
    .dev_bresp_o     (dev_bresp_o),
    .dev_bvalid_o    (dev_bvalid_o),
    .dev_bready_i    (dev_bready_i),
    .dev_arid_i      (dev_arid_i),
    .dev_araddr_i    (dev_araddr_i),
    .dev_arlen_i     (dev_arlen_i),
    .dev_arsize_i    (dev_arsize_i),
    .dev_arburst_i   (dev_arburst_i),
    .dev_arlock_i    (dev_arlock_i),
    .dev_arcache_i   (dev_arcache_i),
    .dev_arprot_i    (dev_arprot_i),
    .dev_arqos_i     (dev_arqos_i),
    .dev_aruser_i    (dev_aruser_i),
    .dev_arvalid_i   (dev_arvalid_i),
    .dev_arready_o   (dev_arready_o),
    .dev_rid_o       (dev_rid_o),
    .dev_rdata_o     (dev_rdata_o),
    .dev_rresp_o     (dev_rresp_o),
    .dev_rlast_o     (dev_rlast_o),
    .dev_rvalid_o    (dev_rvalid_o),
    .dev_rready_i    (dev_rready_i),
    .mem_awid_o      (mem_awid_o),
    .mem_awaddr_o    (mem_awaddr_o),
    .mem_awlen_o     (mem_awlen_o),
    .mem_awsize_o    (mem_awsize_o),
    .mem_awburst_o   (mem_awburst_o),
    .mem_awlock_o    (mem_awlock_o),
    .mem_awcache_o   (mem_awcache_o),
    .mem_awprot_o    (mem_awprot_o),
    .mem_awqos_o     (mem_awqos_o),
    .mem_awuser_o    (mem_awuser_o),
    .mem_awvalid_o   (mem_awvalid_o),
    .mem_awready_i   (mem_awready_i),
    .mem_wdata_o     (mem_wdata_o),
    .mem_wstrb_o     (mem_wstrb_o),
    .mem_wlast_o     (mem_wlast_o),
    .mem_wvalid_o    (mem_wvalid_o),
    .mem_wready_i    (mem_wready_i),
    .mem_bid_i       (mem_bid_i),
    .mem_bresp_i     (mem_bresp_i),
    .mem_bvalid_i    (mem_bvalid_i),
    .mem_bready_o    (mem_bready_o),
    .mem_arid_o      (mem_arid_o),
    .mem_araddr_o    (mem_araddr_o),
    .mem_arlen_o     (mem_arlen_o),
    .mem_arsize_o    (mem_arsize_o),
    .mem_arburst_o   (mem_arburst_o),
    .mem_arlock_o    (mem_arlock_o),
    .mem_arcache_o   (mem_arcache_o),
    .mem_arprot_o    (mem_arprot_o),
    .mem_arqos_o     (mem_arqos_o),
    .mem_aruser_o    (mem_aruser_o),
    .mem_arvalid_o   (mem_arvalid_o),
    .mem_arready_i   (mem_arready_i),
    .mem_rid_i       (mem_rid_i),
    .mem_rdata_i     (mem_rdata_i),
    .mem_rresp_i     (mem_rresp_i),
    .mem_rlast_i     (mem_rlast_i),
    .mem_rvalid_i    (mem_rvalid_i),
    .mem_rready_o    (mem_rready_o),
    .ds_arid_o       (wk_arid),
    .ds_araddr_o     (wk_araddr),
    .ds_arlen_o      (wk_arlen),
    .ds_arvalid_o    (wk_arvalid),
    .ds_arready_i    (wk_arready),
    .ds_rid_i        (dsr_id),
    .ds_rdata_i      (dsr_data),
    .ds_rresp_i      (dsr_resp),
    .ds_rlast_i      (dsr_last),
    .ds_rvalid_i     (wk_rvalid),
    .ds_rready_o     (wk_rready),
    .fault_valid_o   (fault_valid),
    .fault_ready_i   (fault_ready),
    .fault_o         (fault)
  );

  iommu_fq #(
    .PaW   (PaW),
    .DsIdW (DsIdW)
  ) u_fq (
    .clk_i        (clk_i),
    .rst_ni       (rst_n[1]),
    .req_valid_i  (fault_valid),
    .req_ready_o  (fault_ready),
    .req_i        (fault),
    .active_i     (fq_active),
    .base_ppn_i   (fq_ppn),
    .log2szm1_i   (fq_log2szm1),
    .head_i       (fq_head),
    .tail_i       (fq_tail),
    .tail_inc_o   (fq_tail_inc),
    .of_set_o     (fq_of_set),
    .mf_set_o     (fq_mf_set),
    .idle_o       (fq_idle),
    .ds_awid_o    (fq_awid),
    .ds_awaddr_o  (fq_awaddr),
    .ds_awlen_o   (fq_awlen),
    .ds_awsize_o  (fq_awsize),
    .ds_awburst_o (fq_awburst),
    .ds_awvalid_o (fq_awvalid),
    .ds_awready_i (fq_awready),
    .ds_wdata_o   (fq_wdata),
    .ds_wstrb_o   (fq_wstrb),
    .ds_wlast_o   (fq_wlast),
    .ds_wvalid_o  (fq_wvalid),
    .ds_wready_i  (fq_wready),
    .ds_bid_i     (ds_bid_i),
    .ds_bresp_i   (ds_bresp_i),
    .ds_bvalid_i  (fq_bvalid),
    .ds_bready_o  (fq_bready)
  );

  iommu_cq #(
    .PaW  (PaW),
    .DidW (DidW)
  ) u_cq (
    .clk_i            (clk_i),
    .rst_ni           (rst_n[2]),
    .run_i            (cq_run),
    .base_ppn_i       (cq_ppn),
    .log2szm1_i       (cq_log2szm1),
    .head_i           (cq_head),
    .tail_i           (cq_tail),
    .wsi_en_i         (wsi_en),
    .head_inc_o       (cq_head_inc),
    .ill_set_o        (cq_ill_set),
    .mf_set_o         (cq_mf_set),
    .fence_w_ip_set_o (cq_fwip_set),
    .idle_o           (cq_idle),
    .inv_vma_o        (inv_vma),
    .tlb_busy_i       (tlb_busy),
    .inv_pscv_o       (inv_pscv),
    .inv_pscid_o      (inv_pscid),
    .inv_av_o         (inv_av),
    .inv_vpn_o        (inv_vpn),
    .inv_ddt_o        (inv_ddt),
    .inv_dv_o         (inv_dv),
    .inv_did_o        (inv_did),
    .hold_o           (fence_hold),
    .idle_i           (chan_idle),
    .ar_valid_o       (cq_arvalid),
    .ar_ready_i       (cq_arready),
    .ar_addr_o        (cq_araddr),
    .ar_len_o         (cq_arlen),
    .r_valid_i        (cq_rvalid),
    .r_data_i         (dsr_data),
    .r_err_i          (dsr_resp[1]),
    .r_last_i         (dsr_last),
    .aw_valid_o       (cq_awvalid),
    .aw_ready_i       (cq_awready),
    .aw_addr_o        (cq_awaddr),
    .w_valid_o        (cq_wvalid),
    .w_ready_i        (cq_wready),
    .w_data_o         (cq_wdata),
    .w_strb_o         (cq_wstrb),
    .b_valid_i        (cq_bvalid),
    .b_err_i          (ds_bresp_i[1])
  );

  iommu_ds_arbiter #(
    .PaW    (PaW),
    .DsIdW  (DsIdW),
    .CqArId (DsIdW'(Walks)),
    .CqAwId (DsIdW'(1))
  ) u_ds_arb (
    .clk_i        (clk_i),
    .rst_ni       (rst_n[3]),
    .wk_arid_i    (wk_arid),
    .wk_araddr_i  (wk_araddr),
    .wk_arlen_i   (wk_arlen),
    .wk_arvalid_i (wk_arvalid),
    .wk_arready_o (wk_arready),
    .wk_rvalid_o  (wk_rvalid),
    .wk_rready_i  (wk_rready),
    .r_id_o       (dsr_id),
    .r_data_o     (dsr_data),
    .r_resp_o     (dsr_resp),
    .r_last_o     (dsr_last),
    .cq_araddr_i  (cq_araddr),
    .cq_arlen_i   (cq_arlen),
    .cq_arvalid_i (cq_arvalid),
    .cq_arready_o (cq_arready),
    .cq_rvalid_o  (cq_rvalid),
    .fq_awid_i    (fq_awid),
    .fq_awaddr_i  (fq_awaddr),
    .fq_awlen_i   (fq_awlen),
    .fq_awsize_i  (fq_awsize),
    .fq_awburst_i (fq_awburst),
    .fq_awvalid_i (fq_awvalid),
    .fq_awready_o (fq_awready),
    .fq_wdata_i   (fq_wdata),
    .fq_wstrb_i   (fq_wstrb),
    .fq_wlast_i   (fq_wlast),
    .fq_wvalid_i  (fq_wvalid),
    .fq_wready_o  (fq_wready),
    .fq_bvalid_o  (fq_bvalid),
    .fq_bready_i  (fq_bready),
    .cq_awaddr_i  (cq_awaddr),
    .cq_awvalid_i (cq_awvalid),
    .cq_awready_o (cq_awready),
    .cq_wdata_i   (cq_wdata),
    .cq_wstrb_i   (cq_wstrb),
    .cq_wvalid_i  (cq_wvalid),
    .cq_wready_o  (cq_wready),
    .cq_bvalid_o  (cq_bvalid),
    .ds_arid_o    (ds_arid_o),
    .ds_araddr_o  (ds_araddr_o),
    .ds_arlen_o   (ds_arlen_o),
    .ds_arvalid_o (ds_arvalid_o),
    .ds_arready_i (ds_arready_i),
    .ds_rid_i     (ds_rid_i),
    .ds_rdata_i   (ds_rdata_i),
    .ds_rresp_i   (ds_rresp_i),
    .ds_rlast_i   (ds_rlast_i),
    .ds_rvalid_i  (ds_rvalid_i),
    .ds_rready_o  (ds_rready_o),
    .ds_awid_o    (ds_awid_o),
    .ds_awaddr_o  (ds_awaddr_o),
    .ds_awlen_o   (ds_awlen_o),
    .ds_awsize_o  (ds_awsize_o),
    .ds_awburst_o (ds_awburst_o),
    .ds_awvalid_o (ds_awvalid_o),
    .ds_awready_i (ds_awready_i),
    .ds_wdata_o   (ds_wdata_o),
    .ds_wstrb_o   (ds_wstrb_o),
    .ds_wlast_o   (ds_wlast_o),
    .ds_wvalid_o  (ds_wvalid_o),
    .ds_wready_i  (ds_wready_i),
    .ds_bid_i     (ds_bid_i),
    .ds_bvalid_i  (ds_bvalid_i),
    .ds_bready_o  (ds_bready_o)
  );

  // Record and fence writes are plain, unprivileged, normal non-cacheable data accesses.
  assign ds_awlock_o  = 1'b0;
  assign ds_awcache_o = 4'b0010;
  assign ds_awprot_o  = 3'b000;
  assign ds_awqos_o   = 4'd0;

  // Walk and command reads: 8-byte beats (DC: one 4-beat INCR burst; a
  // command: 2 beats), plain data accesses.
  assign ds_arsize_o  = 3'd3;
  assign ds_arburst_o = 2'b01;
  assign ds_arlock_o  = 1'b0;
  assign ds_arcache_o = 4'b0010;
  assign ds_arprot_o  = 3'b000;
  assign ds_arqos_o   = 4'd0;

  iommu_irq #(
    .NumIrq (NumIrq)
  ) u_irq (
    .ipsr_i  (ipsr),
    .icvec_i (icvec),
    .wsi_o   (wsi_o)
  );

endmodule

`default_nettype wire
