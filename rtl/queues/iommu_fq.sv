// iommu_fq: the fault-queue writer.
//
// Fault requests from any source wait in a register and a small FIFO (ReqDepth + 1
// in all); the writer takes them
// one at a time (a cycle to look at the queue's state, FqCheck, then the
// write) and, as the spec's fault-queue section says:
//   * drops the record when the queue is not active (fqon = 0) or an error bit
//     (fqof, fqmf) is set;
//   * when the queue is full (fqt == fqh - 1) sets fqof and drops the record;
//   * otherwise writes the 32-byte record at fqb.PPN * 4096 + fqt * 32 as one
//     4-beat, 8-byte INCR burst on the data-structure port and, when the B
//     response is OKAY, advances fqt (a new record: ipsr.fip if fie); an error
//     response sets fqmf and the record is lost.
// idle_o is 1 when no record write is in progress, for the fqcsr on/busy
// handshake.  Timing: the index mask, "full" and the record's address come
// from registers, computed from the register block's values of the cycle
// before; fqt changes only by this writer's tail_inc_o (which the next
// record's FqCheck follows by two cycles) or by fqen 0->1 (active_i, through
// fqon, follows a cycle later), so they are current when FqCheck uses them; a
// head software moved in the last cycle is seen a cycle late, as if the move
// had come later.  Assumes: base, size, head and tail are stable while a
// record is being written (the register block ignores fqb writes while fqon
// or busy).
`default_nettype none

module iommu_fq #(
  parameter int unsigned PaW       = 56,  /// physical address bits
  parameter int unsigned DsIdW     = 4,   /// data-structure port ID bits
  parameter logic [DsIdW-1:0] AxiId = '0, /// ID used for record writes
  parameter int unsigned ReqDepth  = 4    /// fault requests buffered
) (
  input  wire logic                   clk_i,
  input  wire logic                   rst_ni,
  // fault requests
  input  wire logic                   req_valid_i,
  output      logic                   req_ready_o,
  input  wire iommu_pkg::fault_req_t  req_i,
  // queue state from the register block
  input  wire logic                   active_i,   /// fqon && fqen && !fqof && !fqmf
  input  wire logic [43:0]            base_ppn_i,
  input  wire logic [4:0]             log2szm1_i,
  input  wire logic [31:0]            head_i,
  input  wire logic [31:0]            tail_i,
  // events to the register block
  output      logic                   tail_inc_o, /// a record was written
  output      logic                   of_set_o,   /// queue full: record dropped
  output      logic                   mf_set_o,   /// write error: record dropped
  output      logic                   idle_o,
  // data-structure port, write channels
  output      logic [DsIdW-1:0]       ds_awid_o,
  output      logic [PaW-1:0]         ds_awaddr_o,
  output      logic [7:0]             ds_awlen_o,
  output      logic [2:0]             ds_awsize_o,
  output      logic [1:0]             ds_awburst_o,
  output      logic                   ds_awvalid_o,
  input  wire logic                   ds_awready_i,
  output      logic [63:0]            ds_wdata_o,
  output      logic [7:0]             ds_wstrb_o,
  output      logic                   ds_wlast_o,
  output      logic                   ds_wvalid_o,
  input  wire logic                   ds_wready_i,
  input  wire logic [DsIdW-1:0]       ds_bid_i,
  input  wire logic [1:0]             ds_bresp_i,
  input  wire logic                   ds_bvalid_i,
  output      logic                   ds_bready_o
);
  typedef enum logic [1:0] { FqIdle, FqCheck, FqWrite, FqResp } fq_state_e;

  logic                  pend_valid, pend_ready;
  logic [iommu_pkg::FaultReqW-1:0] pend;
  fq_state_e             st_q, st_d;
  logic [iommu_pkg::FaultReqW-1:0] rec_q, rec_d;
  logic                  aw_done_q, aw_done_d, w_done_q, w_done_d;
  logic [1:0]            beat_q, beat_d;
  logic [31:0]           mask_q;
  logic                  full_q;
  logic [PaW-1:0]        awaddr_q, awaddr_d;

  // A request is registered before the FIFO, so the path from a channel's
  // slot RAM (the refused request) ends at flip-flops beside this writer
  // instead of at the FIFO's RAM: a record is written a cycle later.
  logic                            in_v_q, in_ready;
  logic [iommu_pkg::FaultReqW-1:0] in_q;
  assign req_ready_o = !in_v_q || in_ready;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)          in_v_q <= 1'b0;
    else if (req_ready_o) in_v_q <= req_valid_i;
  end
  always_ff @(posedge clk_i) begin
    if (req_ready_o) in_q <= req_i;
  end
  logic pend_room2;
  iommu_fifo #(.Width(iommu_pkg::FaultReqW), .Depth(ReqDepth)) u_req_fifo (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (in_v_q),
    .in_ready_o  (in_ready),
    .in_data_i   (in_q),
    .out_valid_o (pend_valid),
    .out_ready_i (pend_ready),
    .out_data_o  (pend),
    .room2_o     (pend_room2)
  );

  // Entries = 2^(LOG2SZ-1 + 1); indices wrap at that size.  Full: fqt == fqh - 1.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mask_q <= '0;
      full_q <= 1'b0;
    end else begin
      mask_q <= (32'd2 << log2szm1_i) - 32'd1;
      full_q <= ((tail_i + 32'd1) & mask_q) == (head_i & mask_q);
    end
  end

  // Record dword k: 0 = {did, ttyp, priv, pv, pid, cause}, 1 = 0 (custom and
  // reserved), 2 = iotval, 3 = iotval2.
  always_comb begin
    unique case (beat_q)
      2'd0:    ds_wdata_o = rec_q[191:128];
      2'd1:    ds_wdata_o = 64'd0;
      2'd2:    ds_wdata_o = rec_q[127:64];
      default: ds_wdata_o = rec_q[63:0];
    endcase
  end

  assign ds_awid_o    = AxiId;
  assign ds_awaddr_o  = awaddr_q;
  assign ds_awlen_o   = 8'd3;
  assign ds_awsize_o  = 3'd3;
  assign ds_awburst_o = 2'b01;
  assign ds_awvalid_o = (st_q == FqWrite) && !aw_done_q;
  assign ds_wstrb_o   = 8'hff;
  assign ds_wlast_o   = (beat_q == 2'd3);
  assign ds_wvalid_o  = (st_q == FqWrite) && !w_done_q;
  assign ds_bready_o  = (st_q == FqResp);
  assign idle_o       = (st_q == FqIdle);

  always_comb begin
    st_d       = st_q;
    rec_d      = rec_q;
    aw_done_d  = aw_done_q;
    w_done_d   = w_done_q;
    beat_d     = beat_q;
    awaddr_d   = awaddr_q;
    pend_ready = 1'b0;
    tail_inc_o = 1'b0;
    of_set_o   = 1'b0;
    mf_set_o   = 1'b0;
    unique case (st_q)
      FqIdle: begin
        if (pend_valid) st_d = FqCheck;
      end
      FqCheck: begin
        pend_ready = 1'b1;
        st_d       = FqIdle;
        if (active_i && full_q) begin
          of_set_o = 1'b1;
        end else if (active_i) begin
          rec_d     = pend;
          awaddr_d  = PaW'({base_ppn_i, 12'd0}) + PaW'({tail_i & mask_q, 5'd0});
          aw_done_d = 1'b0;
          w_done_d  = 1'b0;
          beat_d    = 2'd0;
          st_d      = FqWrite;
        end
      end
      FqWrite: begin
        if (ds_awvalid_o && ds_awready_i) aw_done_d = 1'b1;
        if (ds_wvalid_o && ds_wready_i) begin
          beat_d = beat_q + 2'd1;
          if (ds_wlast_o) w_done_d = 1'b1;
        end
        // Leave once the AW and the last beat have both gone.
        if (aw_done_d && w_done_d) st_d = FqResp;
      end
      FqResp: begin
        if (ds_bvalid_i) begin
          if (ds_bresp_i == 2'b00) tail_inc_o = 1'b1;
          else                     mf_set_o   = 1'b1;
          st_d = FqIdle;
        end
      end
      default: st_d = FqIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q      <= FqIdle;
      rec_q     <= '0;
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
      beat_q    <= '0;
      awaddr_q  <= '0;
    end else begin
      st_q      <= st_d;
      rec_q     <= rec_d;
      aw_done_q <= aw_done_d;
      w_done_q  <= w_done_d;
      beat_q    <= beat_d;
      awaddr_q  <= awaddr_d;
    end
  end

  // The B response needs no ID match: the record write is the only write in
  // flight on this port.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_bid;
  assign unused_bid = ^{ds_bid_i, pend_room2};   // the queue is pushed only with in_ready
  /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
