// iommu_ds_arbiter: shares the data-structure port between the IOMMU's own
// requesters.
//   AR: the walker (ARID = its walk, below CqArId) and the command fetch
//       (ARID = CqArId, 2 beats per command).  The command fetch has priority (it is
//       rare and everything after it waits for it); a request presented and
//       not yet accepted keeps the grant, so AR never changes under VALID.
//       R beats are registered here (the port's RREADY is 1: both readers
//       take a beat in any cycle) and go by RID, a cycle later: CqArId to
//       the command queue, the rest to the walker.  So no path runs from the
//       port's R inputs into the walker's or the queue's logic.
//   AW/W: fault records (iommu_fq, its own AWID) and fence writes (AWID
//       CqAwId, one beat).  One write at a time owns AW and W from its first
//       VALID until both its AW and its last W beat are accepted, so W beats
//       follow AW order as AXI4 requires.  B goes by BID.
// Assumes: each requester keeps VALID and its payload until READY (AXI), the
// walker's and the fault queue's IDs differ from CqArId and CqAwId, and the
// walker's RREADY is 1 (asserted).
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_ds_arbiter #(
  parameter int unsigned      PaW    = 56,
  parameter int unsigned      DsIdW  = 4,
  parameter logic [DsIdW-1:0] CqArId = '0,   /// ARID of command fetches
  parameter logic [DsIdW-1:0] CqAwId = '0    /// AWID of fence writes
) (
  input  wire logic               clk_i,
  input  wire logic               rst_ni,
  // walker reads
  input  wire logic [DsIdW-1:0]   wk_arid_i,
  input  wire logic [PaW-1:0]     wk_araddr_i,
  input  wire logic [7:0]         wk_arlen_i,
  input  wire logic               wk_arvalid_i,
  output      logic               wk_arready_o,
  output      logic               wk_rvalid_o,
  input  wire logic               wk_rready_i,
  // the registered R beat, to both readers
  output      logic [DsIdW-1:0]   r_id_o,
  output      logic [63:0]        r_data_o,
  output      logic [1:0]         r_resp_o,
  output      logic               r_last_o,
  // command fetches
  input  wire logic [PaW-1:0]     cq_araddr_i,
  input  wire logic [7:0]         cq_arlen_i,
  input  wire logic               cq_arvalid_i,
  output      logic               cq_arready_o,
  output      logic               cq_rvalid_o,
  // fault-record writes
  input  wire logic [DsIdW-1:0]   fq_awid_i,
  input  wire logic [PaW-1:0]     fq_awaddr_i,
  input  wire logic [7:0]         fq_awlen_i,
  input  wire logic [2:0]         fq_awsize_i,
  input  wire logic [1:0]         fq_awburst_i,
  input  wire logic               fq_awvalid_i,
  output      logic               fq_awready_o,
  input  wire logic [63:0]        fq_wdata_i,
  input  wire logic [7:0]         fq_wstrb_i,
  input  wire logic               fq_wlast_i,
  input  wire logic               fq_wvalid_i,
  output      logic               fq_wready_o,
  output      logic               fq_bvalid_o,
  input  wire logic               fq_bready_i,
  // fence writes (one beat)
  input  wire logic [PaW-1:0]     cq_awaddr_i,
  input  wire logic               cq_awvalid_i,
  output      logic               cq_awready_o,
  input  wire logic [63:0]        cq_wdata_i,
  input  wire logic [7:0]         cq_wstrb_i,
  input  wire logic               cq_wvalid_i,
  output      logic               cq_wready_o,
  output      logic               cq_bvalid_o,
  // the port (the fixed attributes are set at the top)
  output      logic [DsIdW-1:0]   ds_arid_o,
  output      logic [PaW-1:0]     ds_araddr_o,
  output      logic [7:0]         ds_arlen_o,
  output      logic               ds_arvalid_o,
  input  wire logic               ds_arready_i,
  input  wire logic [DsIdW-1:0]   ds_rid_i,
  input  wire logic [63:0]        ds_rdata_i,
  input  wire logic [1:0]         ds_rresp_i,
  input  wire logic               ds_rlast_i,
  input  wire logic               ds_rvalid_i,
  output      logic               ds_rready_o,
  output      logic [DsIdW-1:0]   ds_awid_o,
  output      logic [PaW-1:0]     ds_awaddr_o,
  output      logic [7:0]         ds_awlen_o,
  output      logic [2:0]         ds_awsize_o,
  output      logic [1:0]         ds_awburst_o,
  output      logic               ds_awvalid_o,
  input  wire logic               ds_awready_i,
  output      logic [63:0]        ds_wdata_o,
  output      logic [7:0]         ds_wstrb_o,
  output      logic               ds_wlast_o,
  output      logic               ds_wvalid_o,
  input  wire logic               ds_wready_i,
  input  wire logic [DsIdW-1:0]   ds_bid_i,
  input  wire logic               ds_bvalid_i,
  output      logic               ds_bready_o
);
  // ---- AR -----------------------------------------------------------------------
  logic ar_cq, ar_lock_q, ar_cq_q;
  assign ar_cq = ar_lock_q ? ar_cq_q : cq_arvalid_i;

  assign ds_arid_o    = ar_cq ? CqArId : wk_arid_i;
  assign ds_araddr_o  = ar_cq ? cq_araddr_i : wk_araddr_i;
  assign ds_arlen_o   = ar_cq ? cq_arlen_i : wk_arlen_i;
  assign ds_arvalid_o = ar_cq ? cq_arvalid_i : wk_arvalid_i;
  assign cq_arready_o = ar_cq && ds_arready_i;
  assign wk_arready_o = !ar_cq && ds_arready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_lock_q <= 1'b0;
      ar_cq_q   <= 1'b0;
    end else begin
      ar_lock_q <= ds_arvalid_o && !ds_arready_i;
      ar_cq_q   <= ar_cq;
    end
  end

  // ---- R: one register stage, no backpressure ------------------------------------
  logic r_v_q, r_cq_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) r_v_q <= 1'b0;
    else         r_v_q <= ds_rvalid_i;
  end
  always_ff @(posedge clk_i) begin   // payload without enable: read only with r_v_q
    r_cq_q   <= ds_rid_i == CqArId;
    r_id_o   <= ds_rid_i;
    r_data_o <= ds_rdata_i;
    r_resp_o <= ds_rresp_i;
    r_last_o <= ds_rlast_i;
  end
  assign ds_rready_o = 1'b1;
  assign cq_rvalid_o = r_v_q && r_cq_q;
  assign wk_rvalid_o = r_v_q && !r_cq_q;
  `IOMMU_ASSERT(WkRready_A, clk_i, rst_ni, !wk_rvalid_o || wk_rready_i)

  // ---- AW and W -------------------------------------------------------------------
  logic w_busy_q, w_cq_q, aw_done_q, w_done_q, w_cq, w_start, w_end, aw_hs, wlast_hs;
  assign w_start = fq_awvalid_i || fq_wvalid_i || cq_awvalid_i || cq_wvalid_i;
  assign w_cq    = w_busy_q ? w_cq_q : (cq_awvalid_i || cq_wvalid_i);

  assign ds_awid_o    = w_cq ? CqAwId : fq_awid_i;
  assign ds_awaddr_o  = w_cq ? cq_awaddr_i : fq_awaddr_i;
  assign ds_awlen_o   = w_cq ? 8'd0 : fq_awlen_i;
  assign ds_awsize_o  = w_cq ? 3'd2 : fq_awsize_i;
  assign ds_awburst_o = w_cq ? 2'b01 : fq_awburst_i;
  assign ds_awvalid_o = !aw_done_q && (w_cq ? cq_awvalid_i : fq_awvalid_i);
  assign cq_awready_o = w_cq && !aw_done_q && ds_awready_i;
  assign fq_awready_o = !w_cq && !aw_done_q && ds_awready_i;

  assign ds_wdata_o   = w_cq ? cq_wdata_i : fq_wdata_i;
  assign ds_wstrb_o   = w_cq ? cq_wstrb_i : fq_wstrb_i;
  assign ds_wlast_o   = w_cq ? 1'b1 : fq_wlast_i;
  assign ds_wvalid_o  = !w_done_q && (w_cq ? cq_wvalid_i : fq_wvalid_i);
  assign cq_wready_o  = w_cq && !w_done_q && ds_wready_i;
  assign fq_wready_o  = !w_cq && !w_done_q && ds_wready_i;

  assign aw_hs    = ds_awvalid_o && ds_awready_i;
  assign wlast_hs = ds_wvalid_o && ds_wready_i && ds_wlast_o;
  assign w_end    = (aw_done_q || aw_hs) && (w_done_q || wlast_hs);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_busy_q  <= 1'b0;
      w_cq_q    <= 1'b0;
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
    end else if (w_busy_q || w_start) begin
      if (w_end) begin
        w_busy_q  <= 1'b0;
        aw_done_q <= 1'b0;
        w_done_q  <= 1'b0;
      end else begin
        w_busy_q <= 1'b1;
        w_cq_q   <= w_cq;
        if (aw_hs)    aw_done_q <= 1'b1;
        if (wlast_hs) w_done_q  <= 1'b1;
      end
    end
  end

  logic b_cq;
  assign b_cq        = ds_bid_i == CqAwId;
  assign cq_bvalid_o = ds_bvalid_i && b_cq;
  assign fq_bvalid_o = ds_bvalid_i && !b_cq;
  assign ds_bready_o = b_cq || fq_bready_i;

endmodule

`default_nettype wire
