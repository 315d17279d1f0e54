// iommu_first: the lowest set bit of a vector, as an index, in logic whose
// depth grows with log2(N) (a balanced tree of "left half has one ? its index
// : the right half's"), where a loop that keeps overwriting the index would
// become an N-long chain of multiplexers.
`default_nettype none

module iommu_first #(
  parameter int unsigned N    = 8,
  parameter int unsigned IdxW = (N > 1) ? $clog2(N) : 1
) (
  input  wire logic [N-1:0]    vec_i,
  output      logic            any_o,   /// some bit is set
  output      logic [IdxW-1:0] idx_o    /// the lowest set bit (all ones when none)
);
  localparam int unsigned L = (N > 1) ? $clog2(N) : 1;
  localparam int unsigned P = 1 << L;

  // Level v has P >> v nodes; node i covers bits [i << v, (i + 1) << v) and
  // holds whether one is set and the lowest one's offset in it (v bits, kept
  // in an L-bit field).
  logic [P-1:0]   any_l [L+1] /* verilator split_var */;
  logic [P*L-1:0] idx_l [L+1] /* verilator split_var */;
  assign any_l[0] = P'(vec_i);
  assign idx_l[0] = '0;
  for (genvar v = 0; v < L; v++) begin : g_lvl
    for (genvar i = 0; i < (P >> (v + 1)); i++) begin : g_node
      logic lo;
      assign lo = any_l[v][2*i];
      assign any_l[v+1][i] = lo | any_l[v][2*i+1];
      assign idx_l[v+1][i*L +: L] = lo ? idx_l[v][2*i*L +: L] :
                                         (idx_l[v][(2*i+1)*L +: L] | L'(1 << v));
    end
    assign any_l[v+1][P-1:(P >> (v + 1))]       = '0;
    assign idx_l[v+1][P*L-1:(P >> (v + 1))*L]   = '0;
  end
  assign any_o = any_l[L][0];
  assign idx_o = IdxW'(idx_l[L][0 +: L]);

  /* verilator lint_off UNUSEDSIGNAL */
  logic unused;
  assign unused = ^{any_l[L][P-1:1], idx_l[L][P*L-1:L]};
  /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
