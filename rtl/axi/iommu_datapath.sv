// iommu_datapath: the device-to-memory path for the Off and Bare modes.
//
// Every AR and AW from the device port enters a one-entry stage where the
// decision is taken with the mode of that cycle:
//   * Bare and an address that fits the physical address space: the request
//     goes to the memory port unchanged (ID, burst, attributes), its R and B
//     come back combinationally, and W beats are routed to memory.
//   * Otherwise (Off, or an address above PAS in Bare): the request is refused.
//     A fault request is handed to the fault queue (cause 256 in Off; an access
//     fault 1/5/7 for an address the memory port cannot carry), then, once
//     every earlier forwarded request of that channel has completed, reads
//     answer SLVERR on every beat (RLAST on the last) and writes have their W
//     beats drained and answer one SLVERR.
// W beats follow AW order (AXI4 has no WID): a route FIFO gets one entry per
// decided AW saying where its beats go; beats that arrive before their AW
// wait (WREADY low) until the AW is decided.
// Cost in Bare: one cycle on AR and AW, none on R, W and B; one beat per cycle.
// Assumes: the memory port obeys AXI4 (one RLAST per AR, one B per AW).
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
  parameter int unsigned WRouteDepth = 8,  /// AWs decided ahead of their W beats
  parameter int unsigned OutW      = 8     /// outstanding-count bits per channel
) (
  input  wire logic              clk_i,
  input  wire logic              rst_ni,
  input  wire logic [3:0]        mode_i,      /// ddtp.iommu_mode
  output      logic              settled_o,   /// requests decided under an older mode are done
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
  output      logic              mem_arvalid_o,
  input  wire logic              mem_arready_i,
  input  wire logic [IdW-1:0]    mem_rid_i,
  input  wire logic [DataW-1:0]  mem_rdata_i,
  input  wire logic [1:0]        mem_rresp_i,
  input  wire logic              mem_rlast_i,
  input  wire logic              mem_rvalid_i,
  output      logic              mem_rready_o,
  // fault requests to the fault queue
  output      logic              fault_valid_o,
  input  wire logic              fault_ready_i,
  output      iommu_pkg::fault_req_t fault_o
);
  localparam logic [1:0] RespSlvErr = 2'b10;
  // The stage payload: everything of AxADDR..AxUSER, as one vector.
  localparam int unsigned AxW = IdW + IovaW + 8 + 3 + 2 + 1 + 4 + 3 + 4 + UserW;

  // Refusal sequence of one channel.
  typedef enum logic [2:0] {
    RfIdle,    // nothing refused (stage empty, or forwarding)
    RfFault,   // handing the fault request over
    RfRoute,   // (writes) queueing the drop entry for the W beats
    RfDrain,   // waiting for earlier forwarded requests and (writes) the W beats
    RfResp     // sending the SLVERR response
  } refuse_e;

  // ---------------------------------------------------------------------
  // Decision taken when a request enters the stage.
  // ---------------------------------------------------------------------
  function automatic logic addr_fits(input logic [IovaW-1:0] addr);
    if (IovaW > PaW) addr_fits = (addr >> PaW) == '0;
    else             addr_fits = 1'b1;
  endfunction

  // The fault record of a refused request, laid out as iommu_pkg::fault_req_t
  // (a plain vector: Yosys 0.23 takes no struct return values).
  function automatic logic [iommu_pkg::FaultReqW-1:0] fault_of(
      input logic [UserW-1:0] user, input logic priv,
      input logic [IovaW-1:0] addr, input logic [11:0] cause, input logic [5:0] ttyp);
    // PID and PRIV are 0 when PV is 0 (spec: fault record).
    fault_of = {24'(user[DidW-1:0]), ttyp, user[DidW+PidW] & priv, user[DidW+PidW],
                user[DidW+PidW] ? 20'(user[DidW+PidW-1:DidW]) : 20'd0, cause, 64'(addr), 64'd0};
  endfunction

  // ---------------------------------------------------------------------
  // Read side
  // ---------------------------------------------------------------------
  logic            ar_v_q, ar_pass_q;
  logic [AxW-1:0]  ar_q;
  logic [11:0]     ar_cause_q;
  refuse_e         ar_st_q, ar_st_d;
  logic [7:0]      ar_beat_q, ar_beat_d;
  logic [OutW-1:0] rd_out_q;
  logic            ar_leave, mem_ar_hs, mem_r_last_hs, ar_fault_req, ar_fault_hs;

  logic [IdW-1:0]   ar_id;
  logic [IovaW-1:0] ar_addr;
  logic [7:0]       ar_len;
  logic [2:0]       ar_size;
  logic [1:0]       ar_burst;
  logic             ar_lock;
  logic [3:0]       ar_cache;
  logic [2:0]       ar_prot;
  logic [3:0]       ar_qos;
  logic [UserW-1:0] ar_user;
  assign {ar_id, ar_addr, ar_len, ar_size, ar_burst, ar_lock, ar_cache, ar_prot, ar_qos,
          ar_user} = ar_q;

  assign dev_arready_o = !ar_v_q || ar_leave;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_v_q     <= 1'b0;
      ar_pass_q  <= 1'b0;
      ar_cause_q <= '0;
      ar_q       <= '0;
    end else if (dev_arready_o) begin
      ar_v_q <= dev_arvalid_i;
      if (dev_arvalid_i) begin
        ar_q <= {dev_arid_i, dev_araddr_i, dev_arlen_i, dev_arsize_i, dev_arburst_i,
                 dev_arlock_i, dev_arcache_i, dev_arprot_i, dev_arqos_i, dev_aruser_i};
        ar_pass_q  <= (mode_i == iommu_pkg::ModeBare) && addr_fits(dev_araddr_i);
        ar_cause_q <= (mode_i != iommu_pkg::ModeBare) ? iommu_pkg::CauseAllDisallowed :
                      dev_arprot_i[2] ? iommu_pkg::CauseInstrAccess : iommu_pkg::CauseReadAccess;
      end
    end
  end

  assign mem_arvalid_o = ar_v_q && ar_pass_q && (rd_out_q != '1);
  assign mem_arid_o    = ar_id;
  assign mem_araddr_o  = PaW'(ar_addr);
  assign mem_arlen_o   = ar_len;
  assign mem_arsize_o  = ar_size;
  assign mem_arburst_o = ar_burst;
  assign mem_arlock_o  = ar_lock;
  assign mem_arcache_o = ar_cache;
  assign mem_arprot_o  = ar_prot;
  assign mem_arqos_o   = ar_qos;
  assign mem_ar_hs     = mem_arvalid_o && mem_arready_i;
  assign mem_r_last_hs = mem_rvalid_i && mem_rready_o && mem_rlast_i;

  // Refusal FSM of the read stage.
  always_comb begin
    ar_st_d      = ar_st_q;
    ar_beat_d    = ar_beat_q;
    ar_leave     = 1'b0;
    ar_fault_req = 1'b0;
    unique case (ar_st_q)
      RfIdle: begin
        if (ar_v_q && ar_pass_q) ar_leave = mem_ar_hs;
        else if (ar_v_q)         ar_st_d  = RfFault;
      end
      RfFault: begin
        ar_fault_req = 1'b1;
        if (ar_fault_hs) ar_st_d = RfDrain;
      end
      RfDrain: begin
        ar_beat_d = '0;
        if (rd_out_q == '0) ar_st_d = RfResp;
      end
      RfResp: begin
        if (dev_rready_i) begin
          ar_beat_d = ar_beat_q + 1'b1;
          if (ar_beat_q == ar_len) begin
            ar_leave = 1'b1;
            ar_st_d  = RfIdle;
          end
        end
      end
      default: ar_st_d = RfIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_st_q   <= RfIdle;
      ar_beat_q <= '0;
      rd_out_q  <= '0;
    end else begin
      ar_st_q   <= ar_st_d;
      ar_beat_q <= ar_beat_d;
      if (mem_ar_hs && !mem_r_last_hs)      rd_out_q <= rd_out_q + 1'b1;
      else if (!mem_ar_hs && mem_r_last_hs) rd_out_q <= rd_out_q - 1'b1;
    end
  end

  // R: from memory, or the synthesized SLVERR beats (memory is idle then).
  always_comb begin
    if (ar_st_q == RfResp) begin
      dev_rvalid_o = 1'b1;
      dev_rid_o    = ar_id;
      dev_rdata_o  = '0;
      dev_rresp_o  = RespSlvErr;
      dev_rlast_o  = (ar_beat_q == ar_len);
      mem_rready_o = 1'b0;
    end else begin
      dev_rvalid_o = mem_rvalid_i;
      dev_rid_o    = mem_rid_i;
      dev_rdata_o  = mem_rdata_i;
      dev_rresp_o  = mem_rresp_i;
      dev_rlast_o  = mem_rlast_i;
      mem_rready_o = dev_rready_i;
    end
  end

  // ---------------------------------------------------------------------
  // Write side
  // ---------------------------------------------------------------------
  logic            aw_v_q, aw_pass_q;
  logic [AxW-1:0]  aw_q;
  logic [11:0]     aw_cause_q;
  refuse_e         aw_st_q, aw_st_d;
  logic [OutW-1:0] wr_out_q;
  logic            aw_leave, mem_aw_hs, mem_b_hs, aw_fault_req, aw_fault_hs;
  logic            w_dropped_q, w_dropped_d;

  logic [IdW-1:0]   aw_id;
  logic [IovaW-1:0] aw_addr;
  logic [7:0]       aw_len;
  logic [2:0]       aw_size;
  logic [1:0]       aw_burst;
  logic             aw_lock;
  logic [3:0]       aw_cache;
  logic [2:0]       aw_prot;
  logic [3:0]       aw_qos;
  logic [UserW-1:0] aw_user;
  assign {aw_id, aw_addr, aw_len, aw_size, aw_burst, aw_lock, aw_cache, aw_prot, aw_qos,
          aw_user} = aw_q;

  // W route FIFO: 1 = beats go to memory, 0 = beats are dropped.
  logic route_in_valid, route_in_ready, route_in_fwd;
  logic route_out_valid, route_out_ready, route_out_fwd;
  logic w_last_hs;

  iommu_fifo #(.Width(1), .Depth(WRouteDepth)) u_w_route (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (route_in_valid),
    .in_ready_o  (route_in_ready),
    .in_data_i   (route_in_fwd),
    .out_valid_o (route_out_valid),
    .out_ready_i (route_out_ready),
    .out_data_o  (route_out_fwd)
  );

  assign dev_awready_o = !aw_v_q || aw_leave;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_v_q     <= 1'b0;
      aw_pass_q  <= 1'b0;
      aw_cause_q <= '0;
      aw_q       <= '0;
    end else if (dev_awready_o) begin
      aw_v_q <= dev_awvalid_i;
      if (dev_awvalid_i) begin
        aw_q <= {dev_awid_i, dev_awaddr_i, dev_awlen_i, dev_awsize_i, dev_awburst_i,
                 dev_awlock_i, dev_awcache_i, dev_awprot_i, dev_awqos_i, dev_awuser_i};
        aw_pass_q  <= (mode_i == iommu_pkg::ModeBare) && addr_fits(dev_awaddr_i);
        aw_cause_q <= (mode_i != iommu_pkg::ModeBare) ? iommu_pkg::CauseAllDisallowed :
                      iommu_pkg::CauseWriteAccess;
      end
    end
  end

  // A forwarded AW leaves together with its route entry.
  assign mem_awvalid_o = aw_v_q && aw_pass_q && route_in_ready && (wr_out_q != '1);
  assign mem_awid_o    = aw_id;
  assign mem_awaddr_o  = PaW'(aw_addr);
  assign mem_awlen_o   = aw_len;
  assign mem_awsize_o  = aw_size;
  assign mem_awburst_o = aw_burst;
  assign mem_awlock_o  = aw_lock;
  assign mem_awcache_o = aw_cache;
  assign mem_awprot_o  = aw_prot;
  assign mem_awqos_o   = aw_qos;
  assign mem_aw_hs     = mem_awvalid_o && mem_awready_i;
  assign mem_b_hs      = mem_bvalid_i && mem_bready_o;

  always_comb begin
    aw_st_d        = aw_st_q;
    aw_leave       = 1'b0;
    aw_fault_req   = 1'b0;
    route_in_valid = 1'b0;
    route_in_fwd   = 1'b0;
    w_dropped_d    = w_dropped_q;
    if (w_last_hs && !route_out_fwd) w_dropped_d = 1'b1;
    unique case (aw_st_q)
      RfIdle: begin
        if (aw_v_q && aw_pass_q) begin
          route_in_valid = mem_aw_hs;
          route_in_fwd   = 1'b1;
          aw_leave       = mem_aw_hs;
        end else if (aw_v_q) begin
          aw_st_d = RfFault;
        end
      end
      RfFault: begin
        aw_fault_req = 1'b1;
        if (aw_fault_hs) aw_st_d = RfRoute;
      end
      RfRoute: begin
        route_in_valid = 1'b1;
        w_dropped_d    = 1'b0;
        if (route_in_ready) aw_st_d = RfDrain;
      end
      RfDrain: begin
        if (w_dropped_q && wr_out_q == '0) aw_st_d = RfResp;
      end
      RfResp: begin
        if (dev_bready_i) begin
          aw_leave = 1'b1;
          aw_st_d  = RfIdle;
        end
      end
      default: aw_st_d = RfIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_st_q     <= RfIdle;
      wr_out_q    <= '0;
      w_dropped_q <= 1'b0;
    end else begin
      aw_st_q     <= aw_st_d;
      w_dropped_q <= w_dropped_d;
      if (mem_aw_hs && !mem_b_hs)      wr_out_q <= wr_out_q + 1'b1;
      else if (!mem_aw_hs && mem_b_hs) wr_out_q <= wr_out_q - 1'b1;
    end
  end

  // W: routed by the oldest decided AW; no decided AW, no WREADY.
  assign mem_wdata_o     = dev_wdata_i;
  assign mem_wstrb_o     = dev_wstrb_i;
  assign mem_wlast_o     = dev_wlast_i;
  assign mem_wvalid_o    = dev_wvalid_i && route_out_valid && route_out_fwd;
  assign dev_wready_o    = route_out_valid && (route_out_fwd ? mem_wready_i : 1'b1);
  assign w_last_hs       = dev_wvalid_i && dev_wready_o && dev_wlast_i;
  assign route_out_ready = w_last_hs;

  // B: from memory, or the synthesized SLVERR (memory has none pending then).
  always_comb begin
    if (aw_st_q == RfResp) begin
      dev_bvalid_o = 1'b1;
      dev_bid_o    = aw_id;
      dev_bresp_o  = RespSlvErr;
      mem_bready_o = 1'b0;
    end else begin
      dev_bvalid_o = mem_bvalid_i;
      dev_bid_o    = mem_bid_i;
      dev_bresp_o  = mem_bresp_i;
      mem_bready_o = dev_bready_i;
    end
  end

  // ---------------------------------------------------------------------
  // Fault requests: round-robin between the read and the write stage.
  // ---------------------------------------------------------------------
  logic prio_w_q;   // 1: the write stage wins a tie
  logic pick_w;
  assign pick_w        = aw_fault_req && (!ar_fault_req || prio_w_q);
  assign fault_valid_o = ar_fault_req || aw_fault_req;
  assign fault_o       = pick_w ?
      fault_of(aw_user, aw_prot[0], aw_addr, aw_cause_q, iommu_pkg::TtypUntrWrite) :
      fault_of(ar_user, ar_prot[0], ar_addr, ar_cause_q,
               ar_prot[2] ? iommu_pkg::TtypUntrExec : iommu_pkg::TtypUntrRead);
  assign ar_fault_hs   = fault_ready_i && ar_fault_req && !pick_w;
  assign aw_fault_hs   = fault_ready_i && pick_w;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)                            prio_w_q <= 1'b0;
    else if (fault_valid_o && fault_ready_i) prio_w_q <= !pick_w;
  end

  // Requests decided under an older mode are done when nothing forwarded is
  // in flight; only leaving Bare for Off needs that.
  assign settled_o = (mode_i != iommu_pkg::ModeOff) ||
                     (rd_out_q == '0 && wr_out_q == '0 && !(ar_v_q && ar_pass_q) &&
                      !(aw_v_q && aw_pass_q));

  // Memory must not answer more than was asked.
  `IOMMU_ASSERT(RdOutNoUnderflow_A, clk_i, rst_ni, !(mem_r_last_hs && rd_out_q == '0))
  `IOMMU_ASSERT(WrOutNoUnderflow_A, clk_i, rst_ni, !(mem_b_hs && wr_out_q == '0))

endmodule

`default_nettype wire
