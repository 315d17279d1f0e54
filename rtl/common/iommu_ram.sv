// iommu_ram: a simple dual-port RAM, Depth words of Width bits, one write
// port and one read port on the same clock, for the caches' set arrays.
//
// The read is synchronous: rdata_o holds, from the cycle after re_i, the word
// at raddr_i as it was before that cycle's write (read-first).  With Comb = 1
// (LUT RAM only) it is combinational instead: rdata_o is the word at raddr_i
// now, writes taking effect at the clock edge (re_i unused).  Callers must
// not rely on the word a write and a read of the same address in the same
// cycle return: they treat that word as unknown (the IOTLB masks it), so
// block RAMs whose collision behaviour differs give the same results; in
// simulation that word is a random mix of the old and the new bits, so that
// tests catch a caller who uses it.  The
// contents have no reset: callers clear them (iommu_tlb_sa wipes its sets
// after reset) or write a word before reading it (the channels' slots).
// Written as the plain pattern Yosys (memory_dff, memory_libmap/bram) maps to
// SB_RAM40_4K, DP16KD and RAMB18/36 (Block = 1), or, for a few words, to
// LUT RAM (ECP5 DPR16X4, Xilinx RAM32M/RAM64M; flip-flops on iCE40) read from
// a registered address, a copy per 16-bit slice (Block = 0); Verilator
// simulates both as written.
`default_nettype none

module iommu_ram #(
  parameter int unsigned Depth = 128,
  parameter int unsigned Width = 32,
  parameter bit          Block = 1'b1,   /// block RAM (else LUT RAM)
  parameter bit          Comb  = 1'b0,   /// combinational read (LUT RAM: Block = 0)
  parameter int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  wire logic             clk_i,
  input  wire logic             we_i,
  input  wire logic [AddrW-1:0] waddr_i,
  input  wire logic [Width-1:0] wdata_i,
  input  wire logic             re_i,
  input  wire logic [AddrW-1:0] raddr_i,
  output      logic [Width-1:0] rdata_o
);
`ifndef SYNTHESIS
  // Simulation: a synchronous read of the word written in the same cycle
  // returns a mix of its old and new bits (a pseudo-random choice per bit and
  // cycle), so a caller that used that word fails its tests.
  logic [63:0]      rdw_q;
  /* verilator lint_off UNUSEDSIGNAL */
  logic [Width-1:0] rdw_mask;   // unused with Comb = 1
  logic             rdw_coll;
  /* verilator lint_on UNUSEDSIGNAL */
  initial rdw_q = 64'h9e37_79b9_7f4a_7c15;
  always_ff @(posedge clk_i) rdw_q <= {rdw_q[62:0], rdw_q[63] ^ rdw_q[62] ^ rdw_q[60] ^ rdw_q[59]};
  assign rdw_mask = Width'({((Width + 63) / 64){rdw_q}});
  assign rdw_coll = we_i && waddr_i == raddr_i;
`endif

  if (Block) begin : g_block
    (* ram_style = "block", no_rw_check *) logic [Width-1:0] mem_q [Depth];
    always_ff @(posedge clk_i) begin
      if (we_i) mem_q[waddr_i] <= wdata_i;
`ifndef SYNTHESIS
      if (re_i) rdata_o <= rdw_coll ? (mem_q[raddr_i] & rdw_mask) | (wdata_i & ~rdw_mask) : mem_q[raddr_i];
`else
      if (re_i) rdata_o <= mem_q[raddr_i];
`endif
    end
  end else if (!Comb) begin : g_lut
    // The read address is registered and the word read from it
    // combinationally, so the address's path ends at flip-flops beside the
    // caller and the LUT RAM's read lies after them.  The word is stored in
    // slices of SliceW bits (four ECP5 DPR16X4), each with a copy of the
    // address register of its own (keep: synthesis would merge them), so no
    // one register drives the address of every LUT RAM of a wide word.
    // The word then also shows writes to that address made after the read;
    // callers keep re_i at 1.
    localparam int unsigned SliceW = 16;
    localparam int unsigned NSlice = (Width + SliceW - 1) / SliceW;
    for (genvar sl = 0; sl < NSlice; sl++) begin : g_slice
      localparam int unsigned Lo = sl * SliceW;
      localparam int unsigned W  = (Width - Lo < SliceW) ? Width - Lo : SliceW;
      (* ram_style = "distributed" *) logic [W-1:0] mem_q [Depth];
      logic [AddrW-1:0] raddr_q;
      always_ff @(posedge clk_i) begin
        if (we_i) mem_q[waddr_i] <= wdata_i[Lo +: W];
      end
      (* keep *) always_ff @(posedge clk_i) begin
        if (re_i) raddr_q <= raddr_i;
      end
`ifndef SYNTHESIS
      // the word a write of the read's cycle changed: a mix of old and new
      logic [W-1:0] old_q, mask_q;
      logic         coll_q;
      always_ff @(posedge clk_i) begin
        if (re_i) begin
          old_q  <= mem_q[raddr_i];
          coll_q <= rdw_coll;
          mask_q <= rdw_mask[Lo +: W];
        end
      end
      assign rdata_o[Lo +: W] = coll_q ? (old_q & mask_q) | (mem_q[raddr_q] & ~mask_q) : mem_q[raddr_q];
`else
      assign rdata_o[Lo +: W] = mem_q[raddr_q];
`endif
    end
  end else begin : g_comb
    (* ram_style = "distributed" *) logic [Width-1:0] mem_q [Depth];
    always_ff @(posedge clk_i) begin
      if (we_i) mem_q[waddr_i] <= wdata_i;
    end
    assign rdata_o = mem_q[raddr_i];
    /* verilator lint_off UNUSEDSIGNAL */
    logic unused_re;
    assign unused_re = re_i;
    /* verilator lint_on UNUSEDSIGNAL */
  end

endmodule

`default_nettype wire
