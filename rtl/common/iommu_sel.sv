// iommu_sel: the data of the one entry that matches, in logic whose depth
// grows with log2(N): a balanced tree says whether any entry matches and
// whether more than one does, and a balanced tree of W-bit ORs combines the
// entries' data, each masked by its match.  With more than one match data_o
// is the OR of theirs, which is garbage: callers treat multi_o as a miss (a
// duplicate never corrupts a translation), or prove it cannot happen.
// Synthesis tools do not rebalance a priority chain written as a loop (Yosys
// and ABC kept a 32-entry one 20 LUTs deep), hence this module.  The data
// tree is written as whole-word operations (mask, OR), not bit by bit, so a
// simulator evaluates it in N masks and N-1 ORs of W bits.
`default_nettype none

module iommu_sel #(
  parameter int unsigned N = 8,   /// entries
  parameter int unsigned W = 8    /// data bits per entry
) (
  input  wire logic [N-1:0]   match_i,   /// entry e matches
  input  wire logic [N*W-1:0] data_i,    /// entry e's data at [e*W +: W]
  output      logic           any_o,     /// at least one entry matches
  output      logic           multi_o,   /// more than one entry matches
  output      logic [W-1:0]   data_o     /// the matching entry's data (when not multi_o)
);
  localparam int unsigned L = (N > 1) ? $clog2(N) : 1;
  localparam int unsigned P = 1 << L;   // N rounded up to a power of 2

  // Level v of the tree has P >> v nodes: any and multi of each, and the OR
  // of the masked data below it (node i at [i*W +: W]).
  logic [P-1:0]   any_l   [L+1] /* verilator split_var */;
  logic [P-1:0]   multi_l [L+1] /* verilator split_var */;
  logic [P*W-1:0] data_l  [L+1] /* verilator split_var */;
  assign any_l[0]   = P'(match_i);
  assign multi_l[0] = '0;
  for (genvar e = 0; e < P; e++) begin : g_leaf
    if (e < N) begin : g_in
      assign data_l[0][e*W +: W] = {W{match_i[e]}} & data_i[e*W +: W];
    end else begin : g_pad
      assign data_l[0][e*W +: W] = '0;
    end
  end
  for (genvar v = 0; v < L; v++) begin : g_lvl
    for (genvar i = 0; i < (P >> (v + 1)); i++) begin : g_node
      assign any_l[v+1][i]   = any_l[v][2*i] | any_l[v][2*i+1];
      assign multi_l[v+1][i] = multi_l[v][2*i] | multi_l[v][2*i+1] |
                               (any_l[v][2*i] & any_l[v][2*i+1]);
      assign data_l[v+1][i*W +: W] = data_l[v][2*i*W +: W] | data_l[v][(2*i+1)*W +: W];
    end
    assign any_l[v+1][P-1:(P >> (v + 1))]         = '0;
    assign multi_l[v+1][P-1:(P >> (v + 1))]       = '0;
    assign data_l[v+1][P*W-1:(P >> (v + 1))*W]    = '0;
  end
  assign any_o   = any_l[L][0];
  assign multi_o = multi_l[L][0];
  assign data_o  = data_l[L][0 +: W];

  /* verilator lint_off UNUSEDSIGNAL */
  logic unused;
  assign unused = ^{any_l[L][P-1:1], multi_l[L][P-1:1], data_l[L][P*W-1:W]};
  /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
