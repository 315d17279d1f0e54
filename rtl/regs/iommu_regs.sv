// iommu_regs: the 4 KiB register page of RISC-V IOMMU spec v1.0 behind an
// AXI4-Lite slave with 64-bit data.  Offsets and field positions come from
// iommu_reg_pkg, generated from rtl/regs/iommu_regs.rdl (doc/registers.md).
//
// Port rules (doc/registers.md says the same):
//   * a 4-byte access is one transfer at a 4-byte-aligned offset with WSTRB
//     0x0F (offset bit 2 = 0) or 0xF0 (bit 2 = 1); an 8-byte access is one
//     transfer at an 8-byte-aligned offset with WSTRB 0xFF, applied to both
//     halves in the same cycle;
//   * any other strobe pattern or an unaligned address: SLVERR, no change;
//   * a read returns the 8-byte-aligned doubleword (an unaligned one: SLVERR);
//   * registers the capabilities do not advertise, and reserved offsets, read
//     zero and ignore writes;
//   * a write is taken into registers at its AW/W handshake and applied in
//     the next cycle, when B is raised; a read accepted in between returns
//     the value before it (AXI orders neither channel against the other).
// Behaviour kept here: WARL ddtp.iommu_mode (unsupported values keep the old
// mode) and ddtp.busy until the data path has settled; WARL queue sizes
// (clamped to the largest supported) and index masks; RW1C error bits; the
// cqen/cqon and fqen/fqon handshakes with busy; ipsr set conditions.
// Writes to ddtp while ddtp.busy, and to cqb/fqb while their queue is on or
// busy, are ignored (the spec leaves them UNSPECIFIED).
`default_nettype none

module iommu_regs #(
  parameter int unsigned NumIrq    = 4,    /// interrupt wires (2, 4, 8 or 16)
  parameter int unsigned CqMaxLog2 = 12,   /// largest cqb.LOG2SZ-1 (8192 commands)
  parameter int unsigned FqMaxLog2 = 11    /// largest fqb.LOG2SZ-1 (4096 records)
) (
  input  wire logic        clk_i,
  input  wire logic        rst_ni,
  // AXI4-Lite slave
  input  wire logic [11:0] s_awaddr_i,
  input  wire logic        s_awvalid_i,
  output      logic        s_awready_o,
  input  wire logic [63:0] s_wdata_i,
  input  wire logic [7:0]  s_wstrb_i,
  input  wire logic        s_wvalid_i,
  output      logic        s_wready_o,
  output      logic [1:0]  s_bresp_o,
  output      logic        s_bvalid_o,
  input  wire logic        s_bready_i,
  input  wire logic [11:0] s_araddr_i,
  input  wire logic        s_arvalid_i,
  output      logic        s_arready_o,
  output      logic [63:0] s_rdata_o,
  output      logic [1:0]  s_rresp_o,
  output      logic        s_rvalid_o,
  input  wire logic        s_rready_i,
  // data path
  output      logic [3:0]  ddtp_mode_o,
  output      logic [43:0] ddtp_ppn_o,
  output      logic        ddtp_wr_o,     /// ddtp written (caches flush)
  input  wire logic        dp_settled_i,
  // command queue
  output      logic        cq_run_o,        /// cqon && cqen && no error bit: fetch
  output      logic [43:0] cq_ppn_o,
  output      logic [4:0]  cq_log2szm1_o,
  output      logic [31:0] cq_head_o,
  output      logic [31:0] cq_tail_o,
  output      logic        wsi_en_o,        /// fctl.WSI
  input  wire logic        cq_head_inc_i,   /// a command completed
  input  wire logic        cq_ill_set_i,
  input  wire logic        cq_mf_set_i,
  input  wire logic        cq_fence_w_ip_set_i,
  input  wire logic        cq_idle_i,
  // fault queue
  output      logic        fq_active_o,
  output      logic [43:0] fq_ppn_o,
  output      logic [4:0]  fq_log2szm1_o,
  output      logic [31:0] fq_head_o,
  output      logic [31:0] fq_tail_o,
  input  wire logic        fq_tail_inc_i,
  input  wire logic        fq_of_set_i,
  input  wire logic        fq_mf_set_i,
  input  wire logic        fq_idle_i,
  // interrupts
  output      logic [3:0]  ipsr_o,      /// {pip, pmip, fip, cip}
  output      logic [15:0] icvec_o      /// {piv, pmiv, fiv, civ}
);
  // Offsets from the generated package (Yosys 0.23 takes no import).
  localparam logic [11:0] OffCaps  = iommu_reg_pkg::IOMMU_REG_CAPABILITIES;
  localparam logic [11:0] OffFctl  = iommu_reg_pkg::IOMMU_REG_FCTL;
  localparam logic [11:0] OffDdtp  = iommu_reg_pkg::IOMMU_REG_DDTP;
  localparam logic [11:0] OffCqb   = iommu_reg_pkg::IOMMU_REG_CQB;
  localparam logic [11:0] OffCqh   = iommu_reg_pkg::IOMMU_REG_CQH;    // cqt in the high half
  localparam logic [11:0] OffFqb   = iommu_reg_pkg::IOMMU_REG_FQB;
  localparam logic [11:0] OffFqh   = iommu_reg_pkg::IOMMU_REG_FQH;    // fqt in the high half
  localparam logic [11:0] OffCqcsr = iommu_reg_pkg::IOMMU_REG_CQCSR;  // fqcsr in the high half
  localparam logic [11:0] OffIpsr  = iommu_reg_pkg::IOMMU_REG_IPSR;   // high half of its doubleword
  localparam logic [11:0] OffIcvec = iommu_reg_pkg::IOMMU_REG_ICVEC;
  localparam logic [63:0] CapsValue = iommu_reg_pkg::IOMMU_CAPABILITIES_RESET;
  localparam logic [63:0] FctlValue = 64'(iommu_reg_pkg::IOMMU_FCTL_RESET);

  // ddtp.iommu_mode values this implementation keeps (WARL): Off, Bare,
  // 1LVL, 2LVL, 3LVL.
  localparam logic [15:0] ModeSupported = 16'b0000_0000_0001_1111;
  localparam logic [3:0]  IrqMask = 4'(NumIrq - 1);

  // ---------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------
  logic [3:0]  mode_q;
  logic        ddtp_busy_q;
  logic [43:0] ddtp_ppn_q;
  logic [4:0]  cq_lsz_q, fq_lsz_q;
  logic [43:0] cq_ppn_q, fq_ppn_q;
  logic [31:0] cqh_q, cqt_q, fqh_q, fqt_q;
  logic        cqen_q, cie_q, cqmf_q, cmd_to_q, cmd_ill_q, fence_w_ip_q, cqon_q;
  logic        fqen_q, fie_q, fqmf_q, fqof_q, fqon_q;
  logic        cip_q, fip_q;
  logic [3:0]  civ_q, fiv_q, pmiv_q, piv_q;
  logic        bvalid_q, rvalid_q;
  logic [1:0]  bresp_q, rresp_q;
  logic [63:0] rdata_q;

  // ---------------------------------------------------------------------
  // Write decode
  // ---------------------------------------------------------------------
  // A write is taken into registers (w_*_q) when AW and W are both valid and
  // applied in the next cycle (wr_fire), which also raises B: the port's
  // inputs reach no register but these.  Whether the write is well formed
  // (w_ok_q: 4-byte aligned, strobes 0x0f or 0xf0 for a word, 0xff for a
  // doubleword) and which halves it writes are decided as it is taken, and so
  // is whether it writes ddtp (w_ddtp_q), whose write flushes every cache.
  logic        wr_take, wr_fire, wr_lo, wr_hi;
  logic [11:0] wr_dw;      // doubleword offset of the write
  logic [63:0] wd;
  logic        w_v_q, w_ok_q, w_lo_q, w_hi_q, w_ddtp_q;
  logic [11:3] w_addr_q;   // the doubleword: w_ok_q has checked the rest
  logic [63:0] w_data_q;
  logic        w_ok;

  assign wr_take     = s_awvalid_i && s_wvalid_i && !bvalid_q && !w_v_q;
  assign wr_fire     = w_v_q;
  assign s_awready_o = wr_take;
  assign s_wready_o  = wr_take;
  assign w_ok  = (s_awaddr_i[1:0] == 2'b00) &&
                 ((s_wstrb_i == 8'h0f && !s_awaddr_i[2]) ||
                  (s_wstrb_i == 8'hf0 &&  s_awaddr_i[2]) ||
                  (s_wstrb_i == 8'hff && !s_awaddr_i[2]));
  assign wr_lo = wr_fire && w_lo_q;
  assign wr_hi = wr_fire && w_hi_q;
  assign wr_dw = {w_addr_q, 3'b000};
  assign wd    = w_data_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) w_v_q <= 1'b0;
    else         w_v_q <= wr_take;
  end
  always_ff @(posedge clk_i) begin
    if (wr_take) begin
      w_addr_q <= s_awaddr_i[11:3];
      w_data_q <= s_wdata_i;
      w_ok_q   <= w_ok;
      w_lo_q   <= w_ok && s_wstrb_i[0];
      w_hi_q   <= w_ok && s_wstrb_i[7];
      w_ddtp_q <= {s_awaddr_i[11:3], 3'b000} == OffDdtp;
    end
  end

  logic we_ddtp_lo, we_ddtp_hi, we_cqb_lo, we_cqb_hi, we_cqt, we_fqb_lo, we_fqb_hi, we_fqh;
  logic we_cqcsr, we_fqcsr, we_ipsr, we_icvec;
  assign we_ddtp_lo = wr_lo && w_ddtp_q;
  assign we_ddtp_hi = wr_hi && w_ddtp_q;
  assign we_cqb_lo  = wr_lo && wr_dw == OffCqb;
  assign we_cqb_hi  = wr_hi && wr_dw == OffCqb;
  assign we_cqt     = wr_hi && wr_dw == OffCqh;
  assign we_fqb_lo  = wr_lo && wr_dw == OffFqb;
  assign we_fqb_hi  = wr_hi && wr_dw == OffFqb;
  assign we_fqh     = wr_lo && wr_dw == OffFqh;
  assign we_cqcsr   = wr_lo && wr_dw == OffCqcsr;
  assign we_fqcsr   = wr_hi && wr_dw == OffCqcsr;
  assign we_ipsr    = wr_hi && wr_dw == (OffIpsr & 12'hff8);
  assign we_icvec   = wr_lo && wr_dw == OffIcvec;


  function automatic logic [4:0] clamp_lsz(input logic [4:0] v, input logic [4:0] max);
    clamp_lsz = (v > max) ? max : v;
  endfunction

  logic cq_busy, fq_busy;
  assign cq_busy = (cqen_q != cqon_q);
  assign fq_busy = (fqen_q != fqon_q);

  // ---------------------------------------------------------------------
  // Next state
  // ---------------------------------------------------------------------
  logic [3:0]  mode_d;
  logic        ddtp_busy_d;
  logic [43:0] ddtp_ppn_d;
  logic [4:0]  cq_lsz_d, fq_lsz_d;
  logic [43:0] cq_ppn_d, fq_ppn_d;
  logic [31:0] cqh_d, cqt_d, fqh_d, fqt_d;
  logic        cqen_d, cie_d, cqmf_d, cmd_to_d, cmd_ill_d, fence_w_ip_d, cqon_d;
  logic        fqen_d, fie_d, fqmf_d, fqof_d, fqon_d;
  logic        cip_d, fip_d;
  logic [3:0]  civ_d, fiv_d, pmiv_d, piv_d;

  always_comb begin
    mode_d       = mode_q;
    ddtp_busy_d  = ddtp_busy_q;
    ddtp_ppn_d   = ddtp_ppn_q;
    cq_lsz_d     = cq_lsz_q;
    cq_ppn_d     = cq_ppn_q;
    fq_lsz_d     = fq_lsz_q;
    fq_ppn_d     = fq_ppn_q;
    cqh_d        = cqh_q;
    cqt_d        = cqt_q;
    fqh_d        = fqh_q;
    fqt_d        = fqt_q;
    cqen_d       = cqen_q;
    cie_d        = cie_q;
    cqmf_d       = cqmf_q;
    cmd_to_d     = cmd_to_q;
    cmd_ill_d    = cmd_ill_q;
    fence_w_ip_d = fence_w_ip_q;
    fqen_d       = fqen_q;
    fie_d        = fie_q;
    fqmf_d       = fqmf_q;
    fqof_d       = fqof_q;
    civ_d        = civ_q;
    fiv_d        = fiv_q;
    pmiv_d       = pmiv_q;
    piv_d        = piv_q;

    // ddtp: busy until the data path has settled on the new mode.
    if (ddtp_busy_q && dp_settled_i) ddtp_busy_d = 1'b0;
    if (!ddtp_busy_q) begin
      if (we_ddtp_lo) begin
        if (ModeSupported[wd[3:0]]) mode_d = wd[3:0];
        ddtp_ppn_d[21:0] = wd[31:10];
        ddtp_busy_d      = 1'b1;
      end
      if (we_ddtp_hi) ddtp_ppn_d[43:22] = wd[53:32];
    end

    // Queue bases: only while the queue is off and not busy.
    if (!cqon_q && !cq_busy) begin
      if (we_cqb_lo) begin
        cq_lsz_d       = clamp_lsz(wd[4:0], 5'(CqMaxLog2));
        cq_ppn_d[21:0] = wd[31:10];
        cqt_d          = cqt_q & iommu_pkg::idx_mask(cq_lsz_d);
      end
      if (we_cqb_hi) cq_ppn_d[43:22] = wd[53:32];
    end
    if (!fqon_q && !fq_busy) begin
      if (we_fqb_lo) begin
        fq_lsz_d       = clamp_lsz(wd[4:0], 5'(FqMaxLog2));
        fq_ppn_d[21:0] = wd[31:10];
        fqh_d          = fqh_q & iommu_pkg::idx_mask(fq_lsz_d);
      end
      if (we_fqb_hi) fq_ppn_d[43:22] = wd[53:32];
    end

    if (we_cqt) cqt_d = wd[63:32] & iommu_pkg::idx_mask(cq_lsz_q);
    if (cq_head_inc_i)       cqh_d        = (cqh_q + 32'd1) & iommu_pkg::idx_mask(cq_lsz_q);
    if (cq_ill_set_i)        cmd_ill_d    = 1'b1;
    if (cq_mf_set_i)         cqmf_d       = 1'b1;
    if (cq_fence_w_ip_set_i) fence_w_ip_d = 1'b1;
    if (we_fqh) fqh_d = wd[31:0] & iommu_pkg::idx_mask(fq_lsz_q);

    // cqcsr: cqen 0->1 resets cqh and the error bits; RW1C error bits.
    if (we_cqcsr) begin
      cqen_d = wd[0];
      cie_d  = wd[1];
      if (wd[8])  cqmf_d       = 1'b0;
      if (wd[9])  cmd_to_d     = 1'b0;
      if (wd[10]) cmd_ill_d    = 1'b0;
      if (wd[11]) fence_w_ip_d = 1'b0;
      if (wd[0] && !cqen_q) begin
        cqh_d        = '0;
        cqmf_d       = 1'b0;
        cmd_to_d     = 1'b0;
        cmd_ill_d    = 1'b0;
        fence_w_ip_d = 1'b0;
      end
    end

    // fqcsr: fqen 0->1 resets fqt and the error bits; RW1C error bits.
    if (we_fqcsr) begin
      fqen_d = wd[32];
      fie_d  = wd[33];
      if (wd[40]) fqmf_d = 1'b0;
      if (wd[41]) fqof_d = 1'b0;
      if (wd[32] && !fqen_q) begin
        fqt_d  = '0;
        fqmf_d = 1'b0;
        fqof_d = 1'b0;
      end
    end
    if (fq_tail_inc_i) fqt_d  = (fqt_q + 32'd1) & iommu_pkg::idx_mask(fq_lsz_q);
    if (fq_of_set_i)   fqof_d = 1'b1;
    if (fq_mf_set_i)   fqmf_d = 1'b1;

    if (we_icvec) begin
      civ_d  = wd[3:0]   & IrqMask;
      fiv_d  = wd[7:4]   & IrqMask;
      pmiv_d = wd[11:8]  & IrqMask;
      piv_d  = wd[15:12] & IrqMask;
    end
  end

  // Each queue turns on and off once its engine is between commands (CQ) or
  // record writes (FQ).
  assign cqon_d = cq_idle_i ? cqen_q : cqon_q;
  assign fqon_d = fq_idle_i ? fqen_q : fqon_q;

  // ipsr: a bit is set while its condition holds (spec: it comes back after a
  // clear if the condition is still present); a write of 1 clears it.
  logic cip_set, fip_set;
  assign cip_set = cie_q && (cqmf_q || cmd_to_q || cmd_ill_q || fence_w_ip_q);
  assign fip_set = fie_q && (fqof_q || fqmf_q || fq_tail_inc_i);
  assign cip_d   = (cip_q && !(we_ipsr && wd[32])) || cip_set;
  assign fip_d   = (fip_q && !(we_ipsr && wd[33])) || fip_set;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      mode_q       <= iommu_pkg::ModeOff;
      ddtp_busy_q  <= 1'b0;
      ddtp_ppn_q   <= '0;
      cq_lsz_q     <= '0;
      cq_ppn_q     <= '0;
      fq_lsz_q     <= '0;
      fq_ppn_q     <= '0;
      cqh_q        <= '0;
      cqt_q        <= '0;
      fqh_q        <= '0;
      fqt_q        <= '0;
      cqen_q       <= 1'b0;
      cie_q        <= 1'b0;
      cqmf_q       <= 1'b0;
      cmd_to_q     <= 1'b0;
      cmd_ill_q    <= 1'b0;
      fence_w_ip_q <= 1'b0;
      cqon_q       <= 1'b0;
      fqen_q       <= 1'b0;
      fie_q        <= 1'b0;
      fqmf_q       <= 1'b0;
      fqof_q       <= 1'b0;
      fqon_q       <= 1'b0;
      cip_q        <= 1'b0;
      fip_q        <= 1'b0;
      civ_q        <= '0;
      fiv_q        <= '0;
      pmiv_q       <= '0;
      piv_q        <= '0;
    end else begin
      mode_q       <= mode_d;
      ddtp_busy_q  <= ddtp_busy_d;
      ddtp_ppn_q   <= ddtp_ppn_d;
      cq_lsz_q     <= cq_lsz_d;
      cq_ppn_q     <= cq_ppn_d;
      fq_lsz_q     <= fq_lsz_d;
      fq_ppn_q     <= fq_ppn_d;
      cqh_q        <= cqh_d;
      cqt_q        <= cqt_d;
      fqh_q        <= fqh_d;
      fqt_q        <= fqt_d;
      cqen_q       <= cqen_d;
      cie_q        <= cie_d;
      cqmf_q       <= cqmf_d;
      cmd_to_q     <= cmd_to_d;
      cmd_ill_q    <= cmd_ill_d;
      fence_w_ip_q <= fence_w_ip_d;
      cqon_q       <= cqon_d;
      fqen_q       <= fqen_d;
      fie_q        <= fie_d;
      fqmf_q       <= fqmf_d;
      fqof_q       <= fqof_d;
      fqon_q       <= fqon_d;
      cip_q        <= cip_d;
      fip_q        <= fip_d;
      civ_q        <= civ_d;
      fiv_q        <= fiv_d;
      pmiv_q       <= pmiv_d;
      piv_q        <= piv_d;
    end
  end

  // ---------------------------------------------------------------------
  // Read data
  // ---------------------------------------------------------------------
  logic [31:0] cqcsr_v, fqcsr_v;
  assign cqcsr_v = {14'd0, cq_busy, cqon_q, 4'd0, fence_w_ip_q, cmd_ill_q, cmd_to_q, cqmf_q,
                    6'd0, cie_q, cqen_q};
  assign fqcsr_v = {14'd0, fq_busy, fqon_q, 6'd0, fqof_q, fqmf_q, 6'd0, fie_q, fqen_q};

  logic [63:0] rd_val;
  always_comb begin
    unique case ({s_araddr_i[11:3], 3'b000})
      OffCaps:              rd_val = CapsValue;
      OffFctl:              rd_val = FctlValue;
      OffDdtp:              rd_val = {10'd0, ddtp_ppn_q, 5'd0, ddtp_busy_q, mode_q};
      OffCqb:               rd_val = {10'd0, cq_ppn_q, 5'd0, cq_lsz_q};
      OffCqh:               rd_val = {cqt_q, cqh_q};
      OffFqb:               rd_val = {10'd0, fq_ppn_q, 5'd0, fq_lsz_q};
      OffFqh:               rd_val = {fqt_q, fqh_q};
      OffCqcsr:             rd_val = {fqcsr_v, cqcsr_v};
      (OffIpsr & 12'hff8):  rd_val = {28'd0, 2'b00, fip_q, cip_q, 32'd0};
      OffIcvec:             rd_val = {48'd0, piv_q, pmiv_q, fiv_q, civ_q};
      default:              rd_val = 64'd0;
    endcase
  end

  assign s_arready_o = !rvalid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bvalid_q <= 1'b0;
      bresp_q  <= 2'b00;
      rvalid_q <= 1'b0;
      rresp_q  <= 2'b00;
      rdata_q  <= '0;
    end else begin
      if (wr_fire) begin
        bvalid_q <= 1'b1;
        bresp_q  <= w_ok_q ? 2'b00 : 2'b10;
      end else if (s_bready_i) begin
        bvalid_q <= 1'b0;
      end
      if (s_arvalid_i && s_arready_o) begin
        rvalid_q <= 1'b1;
        rresp_q  <= (s_araddr_i[1:0] == 2'b00) ? 2'b00 : 2'b10;
        rdata_q  <= (s_araddr_i[1:0] == 2'b00) ? rd_val : 64'd0;
      end else if (s_rready_i) begin
        rvalid_q <= 1'b0;
      end
    end
  end

  assign s_bvalid_o = bvalid_q;
  assign s_bresp_o  = bresp_q;
  assign s_rvalid_o = rvalid_q;
  assign s_rresp_o  = rresp_q;
  assign s_rdata_o  = rdata_q;

  // ---------------------------------------------------------------------
  // Outputs
  // ---------------------------------------------------------------------
  assign ddtp_mode_o   = mode_q;
  assign ddtp_ppn_o    = ddtp_ppn_q;
  assign ddtp_wr_o     = !ddtp_busy_q && (we_ddtp_lo || we_ddtp_hi);
  assign cq_run_o      = cqon_q && cqen_q && !cqmf_q && !cmd_ill_q && !cmd_to_q;
  assign cq_ppn_o      = cq_ppn_q;
  assign cq_log2szm1_o = cq_lsz_q;
  assign cq_head_o     = cqh_q;
  assign cq_tail_o     = cqt_q;
  assign wsi_en_o      = FctlValue[1];
  assign fq_active_o   = fqon_q && fqen_q && !fqof_q && !fqmf_q;
  assign fq_ppn_o      = fq_ppn_q;
  assign fq_log2szm1_o = fq_lsz_q;
  assign fq_head_o     = fqh_q;
  assign fq_tail_o     = fqt_q;
  assign ipsr_o        = {2'b00, fip_q, cip_q};
  assign icvec_o       = {piv_q, pmiv_q, fiv_q, civ_q};

  // Reads return the whole doubleword, so read address bit 2 selects nothing.
  /* verilator lint_off UNUSEDSIGNAL */
  logic unused_araddr;
  assign unused_araddr = s_araddr_i[2];
  /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
