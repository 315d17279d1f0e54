// iommu_copies: a W-bit register in N copies, each copy flip-flops of its
// own that synthesis keeps apart (keep), so that a caller drives distant
// groups of loads from different copies instead of one net reaching all of
// them.  Every copy holds the same value: q_o[c*W +: W] is d_i of the cycle
// before (Rst after reset).
`default_nettype none

module iommu_copies #(
  parameter int unsigned W   = 1,    /// bits per copy
  parameter int unsigned N   = 2,    /// copies
  parameter logic [W-1:0] Rst = '0   /// value after reset
) (
  input  wire logic           clk_i,
  input  wire logic           rst_ni,
  input  wire logic [W-1:0]   d_i,
  output      logic [N*W-1:0] q_o
);
  for (genvar c = 0; c < N; c++) begin : g_copy
    (* keep *) always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) q_o[c*W +: W] <= Rst;
      else         q_o[c*W +: W] <= d_i;
    end
  end

endmodule

`default_nettype wire
