// iommu_offer: one of N entries (slots, walk contexts) offered a cycle ahead,
// so that whoever takes it sees only registers: valid_o says an entry is
// offered, oh_o / idx_o which one (one-hot and index; oh_o is 0 without one).
// The next offer is the first entry of free_i, or, in a cycle whose take_i
// takes the offer, the first entry of free_i but the one taken.  free_i may
// count an entry that frees in this cycle (it is offered from the next).
// valid_o is Copies flip-flops of the same bit (iommu_copies), so a caller
// can drive distant loads from different copies.
// Assumes: the offered entry is in free_i until it is taken (nothing else
// takes entries); take_i only with valid_o.
`default_nettype none

module iommu_offer #(
  parameter int unsigned N    = 8,
  parameter int unsigned IdxW = (N > 1) ? $clog2(N) : 1,
  parameter int unsigned Copies = 1   /// flip-flops holding valid_o
) (
  input  wire logic            clk_i,
  input  wire logic            rst_ni,
  input  wire logic [N-1:0]    free_i,   /// entries free now (all of them after reset)
  input  wire logic            take_i,   /// the offered entry is taken this cycle
  output      logic [Copies-1:0] valid_o,   /// an entry is offered (every bit the same)
  output      logic [N-1:0]    oh_o,
  output      logic [IdxW-1:0] idx_o
);
  logic            a_any, b_any, d_any;
  logic [IdxW-1:0] a_idx, b_idx, d_idx;
  logic [N-1:0]    d_oh;
  iommu_first #(.N (N), .IdxW (IdxW)) u_a (.vec_i (free_i), .any_o (a_any), .idx_o (a_idx));
  iommu_first #(.N (N), .IdxW (IdxW)) u_b (.vec_i (free_i & ~oh_o), .any_o (b_any), .idx_o (b_idx));
  assign d_any = take_i ? b_any : a_any;
  assign d_idx = take_i ? b_idx : a_idx;
  for (genvar k = 0; k < N; k++) begin : g_oh
    assign d_oh[k] = d_any && d_idx == IdxW'(k);
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      oh_o    <= N'(1);
      idx_o   <= '0;
    end else begin
      oh_o    <= d_oh;
      idx_o   <= d_idx;
    end
  end
  iommu_copies #(.W (1), .N (Copies), .Rst (1'b1)) u_valid (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .d_i    (d_any),
    .q_o    (valid_o)
  );

endmodule

`default_nettype wire
