// iommu_cq: the command-queue engine (spec: "Command-Queue (CQ)" and the
// command sections of the in-memory queue chapter).
//
// While run_i (cqon, cqen, and no cqmf/cmd_ill/cmd_to) and cqh != cqt, it
// reads the 16-byte command at cqb.PPN * 4096 + cqh * 16 as one 2-beat read on
// the data-structure port, decodes it, executes it, and asks the register
// block to advance cqh (head_inc_o).  One command at a time, in order:
//   IOTINVAL.VMA, GV=0  inv_vma_o for one cycle (IOTLB and walk cache, see
//                       iommu_iotlb / iommu_walk_cache for the scopes);
//   IOTINVAL.VMA, GV=1, IOTINVAL.GVMA
//                       nothing: without a second stage nothing cached
//                       belongs to a VM address space or to a G-stage table;
//   IODIR.INVAL_DDT     inv_ddt_o for one cycle (DV=1 the DC of DID, DV=0 all);
//   IODIR.INVAL_PDT     nothing: no process contexts, so no PDT cache;
//   IOFENCE.C           hold_o stops intake on the read (PR) and write (PW)
//                       channels until idle_i says everything they accepted
//                       has completed at memory; then, with AV, the 4-byte
//                       DATA is written to ADDR[63:2] * 4; then WSI sets
//                       fence_w_ip.  Only then does cqh pass the fence.
// Errors (cqh stays on the command; run_i falls once the register block has
// set the bit): an illegal or unsupported command (reserved encoding or bit,
// ATS.* with ATS = 0, NL or S bits, IOTINVAL.GVMA with PSCV, INVAL_DDT with a
// PID, INVAL_PDT without DV, WSI with fctl.WSI = 0) -> ill_set_o; an error
// response or an address beyond PAS on the fetch or the fence write ->
// mf_set_o.
// Every invalidation also makes in-flight walks stale in the data path, so no
// fill from before it survives it.  idle_o is 1 between commands (cqon/busy).
// Assumes: base, size and cqh are stable while a command is in progress (the
// register block ignores cqb writes while the queue is on and changes cqh
// only on head_inc_o or an enable, which waits for idle_o).
`default_nettype none

module iommu_cq #(
  parameter int unsigned PaW  = 56,   /// physical address bits
  parameter int unsigned DidW = 24    /// device_id bits of the data path
) (
  input  wire logic                          clk_i,
  input  wire logic                          rst_ni,
  // queue state from the register block
  input  wire logic                          run_i,       /// cqon && cqen && no error bit
  input  wire logic [43:0]                   base_ppn_i,
  input  wire logic [31:0]                   head_i,
  input  wire logic [31:0]                   tail_i,
  input  wire logic                          wsi_en_i,    /// fctl.WSI
  // events to the register block
  output      logic                          head_inc_o,  /// a command completed
  output      logic                          ill_set_o,   /// cqcsr.cmd_ill
  output      logic                          mf_set_o,    /// cqcsr.cqmf
  output      logic                          fence_w_ip_set_o,
  output      logic                          idle_o,
  // to the data path
  output      logic                          inv_vma_o,
  output      logic                          inv_pscv_o,
  output      logic [iommu_pkg::PscidW-1:0]  inv_pscid_o,
  output      logic                          inv_av_o,
  output      logic [iommu_pkg::VpnW-1:0]    inv_vpn_o,
  output      logic                          inv_ddt_o,
  output      logic                          inv_dv_o,
  output      logic [DidW-1:0]               inv_did_o,
  output      logic [1:0]                    hold_o,      /// {AW, AR}
  input  wire logic [1:0]                    idle_i,      /// {AW, AR}
  // data-structure port: command fetch (2 beats of 8 bytes)
  output      logic                          ar_valid_o,
  input  wire logic                          ar_ready_i,
  output      logic [PaW-1:0]                ar_addr_o,
  input  wire logic                          r_valid_i,
  input  wire logic [63:0]                   r_data_i,
  input  wire logic                          r_err_i,     /// RRESP is SLVERR or DECERR
  input  wire logic                          r_last_i,
  // data-structure port: fence write (one 4-byte beat)
  output      logic                          aw_valid_o,
  input  wire logic                          aw_ready_i,
  output      logic [PaW-1:0]                aw_addr_o,
  output      logic                          w_valid_o,
  input  wire logic                          w_ready_i,
  output      logic [63:0]                   w_data_o,
  output      logic [7:0]                    w_strb_o,
  input  wire logic                          b_valid_i,
  input  wire logic                          b_err_i      /// BRESP is SLVERR or DECERR
);
  localparam logic [6:0] OpIotinval = 7'd1;
  localparam logic [6:0] OpIofence  = 7'd2;
  localparam logic [6:0] OpIodir    = 7'd3;

  typedef enum logic [2:0] { CqIdle, CqAr, CqR, CqExec, CqFence, CqWrite, CqB } cq_state_e;
  cq_state_e st_q, st_d;

  logic [63:0] dw0_q, dw1_q;
  logic        beat_q, err_q, aw_done_q, w_done_q;

  // ---- fetch address ------------------------------------------------------------
  // cqb.PPN * 4096 + cqh * 16; a base beyond PAS is a memory fault without a read.
  logic [57:0] fetch_addr;
  logic        fetch_fits;
  assign fetch_addr = {2'b00, base_ppn_i, 12'd0} + {22'd0, head_i, 4'd0};
  assign fetch_fits = (fetch_addr >> PaW) == '0;
  assign ar_addr_o  = fetch_addr[PaW-1:0];

  // ---- decode -------------------------------------------------------------------
  logic [6:0]  op;
  logic [2:0]  f3;
  logic        ill;
  assign op = dw0_q[6:0];
  assign f3 = dw0_q[9:7];

  always_comb begin
    unique case (op)
      // IOTINVAL: bit 11, 43:34 (34 is NL: NL = 0), 63:60; ADDR word 9:0 (9 is
      // S: S = 0) and 63:62; GVMA takes no PSCV.
      OpIotinval: ill = (f3 > 3'd1) || dw0_q[11] || dw0_q[43:34] != '0 || dw0_q[63:60] != '0 ||
                        dw1_q[9:0] != '0 || dw1_q[63:62] != '0 || (f3 == 3'd1 && dw0_q[32]);
      // IOFENCE.C: bits 31:14 and ADDR word 63:62; WSI only with fctl.WSI.
      OpIofence:  ill = (f3 != 3'd0) || dw0_q[31:14] != '0 || dw1_q[63:62] != '0 ||
                        (dw0_q[11] && !wsi_en_i);
      // IODIR: bits 11:10, 32, 39:34 and the whole second word; INVAL_DDT has
      // no PID, INVAL_PDT needs DV.
      OpIodir:    ill = (f3 > 3'd1) || dw0_q[11:10] != '0 || dw0_q[32] || dw0_q[39:34] != '0 ||
                        dw1_q != '0 || (f3 == 3'd0 && dw0_q[31:12] != '0) ||
                        (f3 == 3'd1 && !dw0_q[33]);
      // ATS.* (ATS = 0), reserved and custom opcodes.
      default:    ill = 1'b1;
    endcase
  end

  // Operands.
  logic        av, wsi, pr, pw, gv, dv, did_fits;
  logic [63:0] fence_addr;
  logic        fence_fits;
  assign av  = dw0_q[10];
  assign wsi = dw0_q[11];
  assign pr  = dw0_q[12];
  assign pw  = dw0_q[13];
  assign gv  = dw0_q[33];
  assign dv  = dw0_q[33];
  assign fence_addr = {dw1_q[61:0], 2'b00};
  assign fence_fits = (fence_addr >> PaW) == '0;
  assign did_fits   = (dw0_q[63:40] >> DidW) == '0;

  logic exec, drained;
  assign exec    = st_q == CqExec && !ill;
  assign drained = (!pr || idle_i[0]) && (!pw || idle_i[1]);

  assign inv_vma_o   = exec && op == OpIotinval && f3 == 3'd0 && !gv;
  assign inv_pscv_o  = dw0_q[32];
  assign inv_pscid_o = dw0_q[31:12];
  assign inv_av_o    = av;
  assign inv_vpn_o   = dw1_q[10 +: iommu_pkg::VpnW];
  // A DID wider than the data path's device_id cannot be cached: nothing to do.
  assign inv_ddt_o   = exec && op == OpIodir && f3 == 3'd0 && (!dv || did_fits);
  assign inv_dv_o    = dv;
  assign inv_did_o   = dw0_q[40 +: DidW];

  assign hold_o = (st_q == CqFence) ? {pw, pr} : 2'b00;

  // ---- fence write ------------------------------------------------------------------
  assign aw_valid_o = st_q == CqWrite && !aw_done_q;
  assign aw_addr_o  = fence_addr[PaW-1:0];
  assign w_valid_o  = st_q == CqWrite && !w_done_q;
  assign w_data_o   = {dw0_q[63:32], dw0_q[63:32]};
  assign w_strb_o   = fence_addr[2] ? 8'hf0 : 8'h0f;

  assign ar_valid_o = st_q == CqAr;

  // ---- sequence ---------------------------------------------------------------------
  logic fence_done;
  always_comb begin
    st_d             = st_q;
    head_inc_o       = 1'b0;
    ill_set_o        = 1'b0;
    mf_set_o         = 1'b0;
    fence_done       = 1'b0;
    unique case (st_q)
      CqIdle:
        if (run_i && head_i != tail_i) begin
          if (fetch_fits) st_d = CqAr;
          else            mf_set_o = 1'b1;
        end
      CqAr:
        if (ar_ready_i) st_d = CqR;
      CqR:
        if (r_valid_i && r_last_i) begin
          if (err_q || r_err_i) begin
            mf_set_o = 1'b1;
            st_d     = CqIdle;
          end else begin
            st_d = CqExec;
          end
        end
      CqExec:
        if (ill) begin
          ill_set_o = 1'b1;
          st_d      = CqIdle;
        end else if (op == OpIofence) begin
          st_d = CqFence;
        end else begin
          head_inc_o = 1'b1;
          st_d       = CqIdle;
        end
      CqFence:
        if (drained) begin
          if (!av)             fence_done = 1'b1;
          else if (fence_fits) st_d = CqWrite;
          else begin
            mf_set_o = 1'b1;
            st_d     = CqIdle;
          end
        end
      CqWrite:
        if ((aw_done_q || aw_ready_i) && (w_done_q || w_ready_i)) st_d = CqB;
      CqB:
        if (b_valid_i) begin
          if (b_err_i) begin
            mf_set_o = 1'b1;
            st_d     = CqIdle;
          end else begin
            fence_done = 1'b1;
          end
        end
      default: st_d = CqIdle;
    endcase
    if (fence_done) begin
      head_inc_o = 1'b1;
      st_d       = CqIdle;
    end
  end
  assign fence_w_ip_set_o = fence_done && wsi;
  assign idle_o           = st_q == CqIdle;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q      <= CqIdle;
      beat_q    <= 1'b0;
      err_q     <= 1'b0;
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
      dw0_q     <= '0;
      dw1_q     <= '0;
    end else begin
      st_q <= st_d;
      if (st_q == CqAr) begin
        beat_q <= 1'b0;
        err_q  <= 1'b0;
      end
      if (st_q == CqR && r_valid_i) begin
        beat_q <= 1'b1;
        err_q  <= err_q || r_err_i;
        if (!beat_q) dw0_q <= r_data_i;
        else         dw1_q <= r_data_i;
      end
      if (st_q == CqWrite) begin
        if (aw_ready_i) aw_done_q <= 1'b1;
        if (w_ready_i)  w_done_q  <= 1'b1;
      end else begin
        aw_done_q <= 1'b0;
        w_done_q  <= 1'b0;
      end
    end
  end

endmodule

`default_nettype wire
