// iommu_sel: the data of the one entry that matches, in logic whose depth
// grows with log2(N): a balanced tree says whether any entry matches and
// whether more than one does, and each data bit is the OR of the matching
// entries' bits.  With more than one match data_o is the OR of theirs, which
// is garbage: callers treat multi_o as a miss (a duplicate never corrupts a
// translation), or prove it cannot happen.
// Synthesis tools do not rebalance a priority chain written as a loop (Yosys
// and ABC kept a 32-entry one 20 LUTs deep), hence this module.
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

  // Level v of the tree has P >> v nodes: any and multi of each.
  logic [P-1:0] any_l   [L+1] /* verilator split_var */;
  logic [P-1:0] multi_l [L+1] /* verilator split_var */;
  assign any_l[0]   = P'(match_i);
  assign multi_l[0] = '0;
  for (genvar v = 0; v < L; v++) begin : g_lvl
    for (genvar i = 0; i < (P >> (v + 1)); i++) begin : g_node
      assign any_l[v+1][i]   = any_l[v][2*i] | any_l[v][2*i+1];
      assign multi_l[v+1][i] = multi_l[v][2*i] | multi_l[v][2*i+1] |
                               (any_l[v][2*i] & any_l[v][2*i+1]);
    end
    assign any_l[v+1][P-1:(P >> (v + 1))]   = '0;
    assign multi_l[v+1][P-1:(P >> (v + 1))] = '0;
  end
  assign any_o   = any_l[L][0];
  assign multi_o = multi_l[L][0];

  // Each data bit: OR over the entries of (match & bit), a reduction (balanced).
  for (genvar b = 0; b < W; b++) begin : g_bit
    logic [N-1:0] col;
    for (genvar e = 0; e < N; e++) begin : g_e
      assign col[e] = match_i[e] & data_i[e*W + b];
    end
    assign data_o[b] = |col;
  end

  /* verilator lint_off UNUSEDSIGNAL */
  logic unused;
  assign unused = ^{any_l[L][P-1:1], multi_l[L][P-1:1]};
  /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
