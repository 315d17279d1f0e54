// iommu_cq: the command-queue engine (spec: "Command-Queue (CQ)" and the
// command sections of the in-memory queue chapter).
//
// While run_i (cqon, cqen, and no cqmf/cmd_ill/cmd_to) and cqh != cqt, it
// reads the commands from cqb.PPN * 4096 + cqh * 16 on the data-structure
// port, up to Burst of them in one INCR burst (2 beats each; never past cqt,
// the end of the queue or a 4 KiB page), then decodes and executes them one
// at a time, in order (each decoded in a cycle of its own, CqDec, then
// executed), asking the register block to advance cqh (head_inc_o) as each
// one completes:
//   IOTINVAL.VMA, GV=0  inv_vma_o for one cycle, the cycle after (IOTLB and
//                       walk cache, see iommu_iotlb / iommu_walk_cache for
//                       the scopes); while it, the cycle after it or
//                       tlb_busy_i of the cycle before (the caches still apply
//                       it) no IOTINVAL starts and no IOFENCE.C passes;
//   IOTINVAL.VMA, GV=1, IOTINVAL.GVMA
//                       nothing: without a second stage nothing cached
//                       belongs to a VM address space or to a G-stage table;
//   IODIR.INVAL_DDT     inv_ddt_o for one cycle, the cycle after (DV=1 the DC
//                       of DID, DV=0 all);
//   IODIR.INVAL_PDT     nothing: no process contexts, so no PDT cache;
//   IOFENCE.C           hold_o stops intake on the read (PR) and write (PW)
//                       channels until idle_i says everything they accepted
//                       has completed at memory; then, with AV, the 4-byte
//                       DATA is written to ADDR[63:2] * 4; then WSI sets
//                       fence_w_ip.  Only then does cqh pass the fence.
// An error response on a burst of several commands drops the rest of the
// burst and reads the command at cqh again alone (an interconnect may fail a
// whole burst for one bad address), so the commands before a bad one run.
// Errors (cqh stays on the command, the rest of the burst is dropped and read
// again later; run_i falls once the register block has set the bit): an illegal or unsupported command (reserved encoding or bit,
// ATS.* with ATS = 0, NL or S bits, IOTINVAL.GVMA with PSCV, INVAL_DDT with a
// PID, INVAL_PDT without DV, WSI with fctl.WSI = 0) -> ill_set_o; an error
// response on the command's beats, a base beyond PAS, or an error or an
// address beyond PAS on the fence write -> mf_set_o.  cqen 1->0 stops after
// the command in progress.
// Every invalidation also makes in-flight walks stale in the data path, so no
// fill from before it survives it.  idle_o is 1 between commands (cqon/busy).
// Assumes: base, size and cqh are stable while a command is in progress (the
// register block ignores cqb writes while the queue is on and changes cqh
// only on head_inc_o or an enable, which waits for idle_o).
`default_nettype none

module iommu_cq #(
  parameter int unsigned PaW   = 56,  /// physical address bits
  parameter int unsigned DidW  = 24,  /// device_id bits of the data path
  parameter int unsigned Burst = 4    /// commands per fetch (1, 2, 4, 8)
) (
  input  wire logic                          clk_i,
  input  wire logic                          rst_ni,
  // queue state from the register block
  input  wire logic                          run_i,       /// cqon && cqen && no error bit
  input  wire logic [43:0]                   base_ppn_i,
  input  wire logic [4:0]                    log2szm1_i,  /// cqb.LOG2SZ-1
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
  input  wire logic                          tlb_busy_i,  /// the IOTLB or walk cache applies an IOTINVAL
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
  output      logic [7:0]                    ar_len_o,
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

  typedef enum logic [3:0] { CqIdle, CqCount, CqAr, CqR, CqDec, CqExec, CqFence, CqWrite, CqB } cq_state_e;
  localparam int unsigned CntW = $clog2(Burst) + 1;   // 0..Burst
  localparam int unsigned IdxW = (Burst > 1) ? $clog2(Burst) : 1;

  cq_state_e st_q, st_d;
  logic [127:0]     buf_q [Burst];     // fetched commands
  logic [Burst-1:0] err_q;             // a beat of that command had an error
  logic [CntW-1:0]  n_q;               // commands in the burst
  logic [IdxW-1:0]  idx_q;             // the one executing
  logic [CntW:0]    beat_q;
  logic             aw_done_q, w_done_q;
  logic             single_q;          // read the next command alone

  // ---- fetch ----------------------------------------------------------------------
  // cqb.PPN * 4096 + cqh * 16; a base beyond PAS is a memory fault without a read.
  // The sums and differences are registered every cycle (fa_q, avail_q, ...)
  // and used in CqCount, the cycle after CqIdle saw cqh != cqt: cqh does not
  // move before the fetch, and a cqt written meanwhile only publishes more.
  logic [57:0] fetch_addr, fa_q;
  logic        fetch_fits;
  assign fetch_addr = {2'b00, base_ppn_i, 12'd0} + {22'd0, head_i, 4'd0};
  assign fetch_fits = (fa_q >> PaW) == '0;
  assign ar_addr_o  = fa_q[PaW-1:0];

  // Commands to read: the published ones (cqt - cqh), no further than the end
  // of the queue or of the 4 KiB page (256 commands), at most Burst.  Each
  // bound is registered already clamped to Burst, so CqCount takes the least
  // of three CntW-bit numbers.
  function automatic logic [CntW-1:0] clamp_burst(input logic [31:0] x);
    clamp_burst = (x < 32'(Burst)) ? x[CntW-1:0] : CntW'(Burst);
  endfunction
  // To the end: mask - cqh + 1, where cqh <= mask (the register block keeps
  // cqh inside the queue), so mask - cqh is mask & ~cqh with no borrow, and
  // its clamp needs no adder: below Burst when no bit above log2(Burst) is set.
  localparam int unsigned LgB = $clog2(Burst);
  logic [31:0]     mask, avail, to_end_m1, to_page;
  logic [CntW-1:0] avail_q, to_end_q, to_page_q, k_min, k;
  assign mask      = iommu_pkg::idx_mask(log2szm1_i);
  assign avail     = (tail_i - head_i) & mask;
  assign to_end_m1 = mask & ~head_i;
  assign to_page   = 32'd256 - {24'd0, head_i[7:0]};
  always_ff @(posedge clk_i) begin
    fa_q      <= fetch_addr;
    avail_q   <= clamp_burst(avail);
    to_end_q  <= ((to_end_m1 >> LgB) == '0) ? to_end_m1[CntW-1:0] + CntW'(1) : CntW'(Burst);
    to_page_q <= clamp_burst(to_page);
  end
  always_comb begin
    k_min = avail_q;
    if (to_end_q < k_min)  k_min = to_end_q;
    if (to_page_q < k_min) k_min = to_page_q;
  end
  assign k        = single_q ? CntW'(1) : k_min;
  assign ar_len_o = 8'({n_q, 1'b0}) - 8'd1;

  // The command executing: read from the buffer in CqDec (bw0, bw1) and
  // registered there with its decode (dw0_q, dw1_q, err_cur_q), so what
  // executes reads registers and not the buffer's read at idx_q.
  logic [63:0] bw0;
  logic [61:0] bw1;   // bits 63:62 are reserved (cmd_ill)
  logic [63:10] dw0_q;   // the opcode and FUNC3 are in the decode
  logic [61:0]  dw1_q;   // bits 63:62 are reserved (ill)
  logic        err_cur_q;
  assign bw0 = buf_q[idx_q][63:0];
  assign bw1 = buf_q[idx_q][125:64];

  // ---- decode -------------------------------------------------------------------
  // Whether a command is illegal is decoded as its second beat arrives, from
  // that beat and the first (lo_q, registered as it arrives), and kept per
  // buffered command (ill_b_q; wsi_b_q: an IOFENCE.C with WSI, illegal
  // without fctl.WSI, checked at execution), so CqDec reads one bit at idx_q
  // instead of decoding the buffer's read.
  /* verilator lint_off UNUSEDSIGNAL */   // operand fields (w0[59:44]) have no reserved bits
  function automatic logic cmd_ill(input logic [63:0] w0, input logic [63:0] w1);
    logic [6:0] o;
    logic [2:0] f;
    o = w0[6:0];
    f = w0[9:7];
    unique case (o)
      // IOTINVAL: bit 11, 43:34 (34 is NL: NL = 0), 63:60; ADDR word 9:0 (9 is
      // S: S = 0) and 63:62; GVMA takes no PSCV.
      OpIotinval: cmd_ill = (f > 3'd1) || w0[11] || w0[43:34] != '0 || w0[63:60] != '0 ||
                            w1[9:0] != '0 || w1[63:62] != '0 || (f == 3'd1 && w0[32]);
      // IOFENCE.C: bits 31:14 and ADDR word 63:62 (WSI: wsi_b_q).
      OpIofence:  cmd_ill = (f != 3'd0) || w0[31:14] != '0 || w1[63:62] != '0;
      // IODIR: bits 11:10, 32, 39:34 and the whole second word; INVAL_DDT has
      // no PID, INVAL_PDT needs DV.
      OpIodir:    cmd_ill = (f > 3'd1) || w0[11:10] != '0 || w0[32] || w0[39:34] != '0 ||
                            w1 != '0 || (f == 3'd0 && w0[31:12] != '0) ||
                            (f == 3'd1 && !w0[33]);
      // ATS.* (ATS = 0), reserved and custom opcodes.
      default:    cmd_ill = 1'b1;
    endcase
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */
  logic [63:0]      lo_q;
  logic [Burst-1:0] ill_b_q, wsi_b_q;
  always_ff @(posedge clk_i) begin
    if (st_q == CqR && r_valid_i) begin
      if (!beat_q[0]) lo_q <= r_data_i;
      else begin
        ill_b_q[beat_q[IdxW:1]] <= cmd_ill(lo_q, r_data_i);
        wsi_b_q[beat_q[IdxW:1]] <= lo_q[6:0] == OpIofence && lo_q[11];
      end
    end
  end
  logic [6:0]  op;
  logic [2:0]  f3;
  logic        ill;
  assign op  = bw0[6:0];
  assign f3  = bw0[9:7];
  assign ill = ill_b_q[idx_q] || (wsi_b_q[idx_q] && !wsi_en_i);

  // Operands.
  logic        av, wsi, pr, pw, gv, dv, did_fits;
  logic [PaW-1:0] fence_addr;
  logic        fence_fits;
  assign av  = dw0_q[10];
  assign wsi = dw0_q[11];
  assign pr  = dw0_q[12];
  assign pw  = dw0_q[13];
  assign gv  = dw0_q[33];
  assign dv  = dw0_q[33];
  assign fence_addr = PaW'({dw1_q, 2'b00});
  assign fence_fits = ({bw1[61:0], 2'b00} >> PaW) == '0;
  assign did_fits   = (bw0[63:40] >> DidW) == '0;

  // The decode is registered in CqDec, the cycle before a command executes
  // (CqExec), so no decode of the buffered words reaches the sequence or the
  // register block's cqh: the opcode's class, FUNC3 = 0, ill and the fits.
  logic        ill_q, is_inv_q, is_fence_q, is_dir_q, f3_0_q, fence_fits_q, did_fits_q;
  always_ff @(posedge clk_i) begin
    if (st_q == CqDec) begin
      dw0_q        <= bw0[63:10];
      dw1_q        <= bw1[61:0];
      err_cur_q    <= err_q[idx_q];
      ill_q        <= ill;
      is_inv_q     <= op == OpIotinval;
      is_fence_q   <= op == OpIofence;
      is_dir_q     <= op == OpIodir;
      f3_0_q       <= f3 == 3'd0;
      fence_fits_q <= fence_fits;
      did_fits_q   <= did_fits;
    end
  end

  // The invalidation outputs are registered: they fan out to every cache
  // array, so they start from flip-flops.  An IOTINVAL reaches the caches the
  // cycle after it executes, and their busy the cycle after that, which is
  // registered here (busy_q: the arrays are far apart) and so seen a cycle
  // later still: the one in flight (inv_vma_o) and the cycle after it
  // (inv_vma_q) count as busy too.
  logic exec, drained, busy, busy_q, inv_vma_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q    <= 1'b0;
      inv_vma_q <= 1'b0;
    end else begin
      busy_q    <= tlb_busy_i;
      inv_vma_q <= inv_vma_o;
    end
  end
  assign busy    = busy_q || inv_vma_o || inv_vma_q;
  assign exec    = st_q == CqExec && !err_cur_q && !ill_q && !(is_inv_q && busy);
  assign drained = (!pr || idle_i[0]) && (!pw || idle_i[1]) && !busy;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      inv_vma_o <= 1'b0;
      inv_ddt_o <= 1'b0;
    end else begin
      inv_vma_o <= exec && is_inv_q && f3_0_q && !gv;
      // A DID wider than the data path's device_id cannot be cached: nothing to do.
      inv_ddt_o <= exec && is_dir_q && f3_0_q && (!dv || did_fits_q);
    end
  end
  always_ff @(posedge clk_i) begin
    inv_pscv_o  <= dw0_q[32];
    inv_pscid_o <= dw0_q[31:12];
    inv_av_o    <= av;
    inv_vpn_o   <= dw1_q[10 +: iommu_pkg::VpnW];
    inv_dv_o    <= dv;
    inv_did_o   <= dw0_q[40 +: DidW];
  end

  // hold_o from a register (it stops the channels' intake, whose ready fans
  // out to the IOTLB's read addresses): it rises the cycle after the fence
  // starts, so a request the channels take in that cycle counts as after the
  // fence (nothing ordered before the fence is lost: the invalidations before
  // it have executed), and falls the cycle after it ends.
  logic [1:0] hold_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) hold_q <= 2'b00;
    else         hold_q <= (st_q == CqFence) ? {pw, pr} : 2'b00;
  end
  assign hold_o = hold_q;

  // ---- fence write ------------------------------------------------------------------
  assign aw_valid_o = st_q == CqWrite && !aw_done_q;
  assign aw_addr_o  = fence_addr;
  assign w_valid_o  = st_q == CqWrite && !w_done_q;
  assign w_data_o   = {dw0_q[63:32], dw0_q[63:32]};
  assign w_strb_o   = fence_addr[2] ? 8'hf0 : 8'h0f;

  assign ar_valid_o = st_q == CqAr;

  // ---- sequence ---------------------------------------------------------------------
  // done: the command completed (cqh advances); the next one of the burst runs
  // unless it was the last or the queue is being disabled.
  logic done, more;
  assign more = ({1'b0, idx_q} + 1'b1) < (IdxW + 1)'(n_q) && run_i;

  always_comb begin
    st_d      = st_q;
    ill_set_o = 1'b0;
    mf_set_o  = 1'b0;
    done      = 1'b0;
    unique case (st_q)
      CqIdle:
        if (run_i && head_i != tail_i) st_d = CqCount;
      CqCount:
        if (!run_i)          st_d = CqIdle;
        else if (fetch_fits) st_d = CqAr;
        else begin
          mf_set_o = 1'b1;
          st_d     = CqIdle;
        end
      CqAr:
        if (ar_ready_i) st_d = CqR;
      CqR:
        if (r_valid_i && r_last_i) st_d = CqDec;
      CqDec:
        st_d = CqExec;
      CqExec:
        if (err_cur_q) begin
          mf_set_o = n_q == CntW'(1);
          st_d     = CqIdle;
        end else if (ill_q) begin
          ill_set_o = 1'b1;
          st_d      = CqIdle;
        end else if (is_fence_q) begin
          st_d = CqFence;
        end else if (is_inv_q && busy) begin
          st_d = CqExec;   // the IOTLB still applies the previous IOTINVAL
        end else begin
          done = 1'b1;
        end
      CqFence:
        if (drained) begin
          if (!av)             done = 1'b1;
          else if (fence_fits_q) st_d = CqWrite;
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
            done = 1'b1;
          end
        end
      default: st_d = CqIdle;
    endcase
    if (done) st_d = more ? CqDec : CqIdle;
  end
  assign head_inc_o       = done;
  assign fence_w_ip_set_o = done && is_fence_q && wsi;
  assign idle_o           = st_q == CqIdle;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q      <= CqIdle;
      n_q       <= '0;
      single_q  <= 1'b0;
      idx_q     <= '0;
      beat_q    <= '0;
      err_q     <= '0;
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
    end else begin
      st_q <= st_d;
      if (st_q == CqExec && err_cur_q) single_q <= n_q != CntW'(1);
      else if (st_q == CqAr)                single_q <= 1'b0;
      if (st_q == CqCount) n_q <= k;
      if (st_q == CqIdle) begin
        idx_q  <= '0;
        beat_q <= '0;
        err_q  <= '0;
      end
      if (st_q == CqR && r_valid_i) begin
        beat_q <= beat_q + 1'b1;
        if (r_err_i) err_q[beat_q[IdxW:1]] <= 1'b1;
      end
      if (done) idx_q <= idx_q + 1'b1;
      if (st_q == CqWrite) begin
        if (aw_ready_i) aw_done_q <= 1'b1;
        if (w_ready_i)  w_done_q  <= 1'b1;
      end else begin
        aw_done_q <= 1'b0;
        w_done_q  <= 1'b0;
      end
    end
  end

  // The command buffer needs no reset: a command is used only after its beats.
  always_ff @(posedge clk_i) begin
    if (st_q == CqR && r_valid_i) begin
      if (beat_q[0]) buf_q[beat_q[IdxW:1]][127:64] <= r_data_i;
      else           buf_q[beat_q[IdxW:1]][63:0]   <= r_data_i;
    end
  end

  /* verilator lint_off UNUSEDSIGNAL */
  logic unused;
  // the fence address above PAS was checked in the decode (fence_fits)
  assign unused = ^dw1_q[61:PaW-2];
  /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
