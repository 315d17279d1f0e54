// iommu_victim: the valid bits of a fully associative cache and where a fill
// goes: the entry that already holds the same tag (same_i, lowest index),
// else the first invalid entry, else a round-robin pointer that advances on
// each such eviction.  inval_i clears the valid bits it selects (a flush
// selects all); it wins over a fill in the same cycle, which is dropped.
`default_nettype none

module iommu_victim #(
  parameter int unsigned Entries = 8,
  parameter int unsigned IdxW    = (Entries > 1) ? $clog2(Entries) : 1
) (
  input  wire logic               clk_i,
  input  wire logic               rst_ni,
  input  wire logic [Entries-1:0] same_i,    /// valid entries with the fill's tag
  input  wire logic               fill_i,    /// a fill this cycle
  input  wire logic [Entries-1:0] inval_i,   /// entries to invalidate
  output      logic               fill_o,    /// the fill is taken: write the entry's tag and data
  output      logic [Entries-1:0] valid_o,   /// entries in use
  output      logic [IdxW-1:0]    victim_o   /// the entry the fill writes
);
  logic               same_hit, free_hit;
  logic [IdxW-1:0]    same_idx, free_idx, rr_q;
  logic [Entries-1:0] valid_q;
  assign valid_o = valid_q;
  assign fill_o  = fill_i && inval_i == '0;

  iommu_first #(.N (Entries), .IdxW (IdxW)) u_same (
    .vec_i (same_i),
    .any_o (same_hit),
    .idx_o (same_idx)
  );
  iommu_first #(.N (Entries), .IdxW (IdxW)) u_free (
    .vec_i (~valid_q),
    .any_o (free_hit),
    .idx_o (free_idx)
  );
  assign victim_o = same_hit ? same_idx : free_hit ? free_idx : rr_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rr_q    <= '0;
      valid_q <= '0;
    end else if (inval_i != '0) begin
      valid_q <= valid_q & ~inval_i;
    end else if (fill_i) begin
      valid_q[victim_o] <= 1'b1;
      if (!same_hit && !free_hit) rr_q <= (rr_q == IdxW'(Entries - 1)) ? '0 : rr_q + 1'b1;
    end
  end

endmodule

`default_nettype wire
