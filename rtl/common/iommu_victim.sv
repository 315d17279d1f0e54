// iommu_victim: the valid bits of a fully associative cache and where a fill
// goes: the entry that already holds the same tag (same_i; a fill always
// replaces it, so there is at most one), else the first invalid entry, else
// a round-robin pointer that advances on each such eviction.  inval_i clears
// the valid bits it selects (a flush selects all); a fill in a cycle with
// kill_i (an invalidation or flush command) is dropped, whether or not it
// selects an entry, so nothing read before the command is cached after it.
// Entries >= 2.  The entry written is given one-hot (write_o), so no index is encoded and
// decoded again on the way from the tag compare to the entry's enables.
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_victim #(
  parameter int unsigned Entries = 8,
  parameter int unsigned IdxW    = (Entries > 1) ? $clog2(Entries) : 1
) (
  input  wire logic               clk_i,
  input  wire logic               rst_ni,
  input  wire logic [Entries-1:0] same_i,    /// valid entries with the fill's tag
  input  wire logic               fill_i,    /// a fill this cycle
  input  wire logic               kill_i,    /// an invalidation this cycle: drop the fill
  input  wire logic [Entries-1:0] inval_i,   /// entries to invalidate
  output      logic [Entries-1:0] write_o,   /// the entry the fill writes (one-hot, 0 without)
  output      logic [Entries-1:0] valid_o    /// entries in use
);
  logic               same_hit, free_hit;
  logic [IdxW-1:0]    free_idx;
  logic [Entries-1:0] valid_q, rr_q, free_oh, target;
  assign valid_o  = valid_q;
  assign same_hit = |same_i;

  iommu_first #(.N (Entries), .IdxW (IdxW)) u_free (
    .vec_i (~valid_q),
    .any_o (free_hit),
    .idx_o (free_idx)
  );
  for (genvar e = 0; e < Entries; e++) begin : g_oh
    assign free_oh[e] = free_idx == IdxW'(e);
  end
  assign target  = same_hit ? same_i : free_hit ? free_oh : rr_q;
  assign write_o = (fill_i && !kill_i) ? target : '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rr_q    <= Entries'(1);
      valid_q <= '0;
    end else begin
      valid_q <= (valid_q & ~inval_i) | write_o;
      if (fill_i && !kill_i && !same_hit && !free_hit) rr_q <= {rr_q[Entries-2:0], rr_q[Entries-1]};
    end
  end

  `IOMMU_ASSERT(SameOnce_A, clk_i, rst_ni, $onehot0(same_i))

endmodule

`default_nettype wire
