// iommu_victim: the valid bits of a fully associative cache and where a fill
// goes: the entry that already holds the same tag (a fill always replaces it,
// so there is at most one), else the first invalid entry, else a round-robin
// pointer that advances on each such eviction.
//
// A fill takes two cycles, so that no tag compare lies on the path into the
// entries' write enables.  In the first (fill_i) the caller compares the
// fill's tag with every entry (same_i: the valid entries holding it) and with
// the tag of the fill it writes in this cycle (eq_i), and registers the fill;
// here the entry that will hold the tag after this cycle is registered (an
// entry written now holds the written tag, not its old one).  In the second
// cycle the entry is chosen from registers and given one-hot on write_o: the
// caller writes its registered fill there.  Writes happen only in the second
// cycle, one per cycle, so the valid bits it chooses from are exact.
// A fill found in its first cycle to change nothing (the caller registers
// that and gives it as drop_i in the second) writes nothing and moves no
// pointer.  inval_i clears the valid bits it selects (a flush selects all).  A fill
// whose first or second cycle has kill_i (an invalidation or flush command)
// is dropped, so nothing read before the command is cached after it: in its
// first cycle it goes no further, in its second the entry is still written
// (kill_i stays off the write enables) but left invalid.
// The choice itself is made in the first cycle too, from the valid bits the
// second will have (those of now plus the entry written now: an
// invalidation in between kills the fill), and registered, so write_o is a
// select of registers and the prefix over the valid bits lies before them.
// Entries >= 2.  The entry written is given one-hot, so no index is encoded
// and decoded again on the way to the entries' enables.
`default_nettype none
`include "common/iommu_assert.svh"

module iommu_victim #(
  parameter int unsigned Entries = 8
) (
  input  wire logic               clk_i,
  input  wire logic               rst_ni,
  input  wire logic [Entries-1:0] same_i,    /// valid entries with the tag of the fill on fill_i
  input  wire logic               eq_i,      /// that tag is the one written this cycle
  input  wire logic               fill_i,    /// a fill's first cycle
  input  wire logic               drop_i,    /// in its second: it changes nothing, write nothing
  input  wire logic               kill_i,    /// an invalidation this cycle: drop the fills
  input  wire logic [Entries-1:0] inval_i,   /// entries to invalidate
  output      logic [Entries-1:0] write_o,   /// the entry written this cycle (one-hot, 0 without)
  output      logic [Entries-1:0] valid_o,   /// entries in use
  output      logic [Entries-1:0] valid_d_o  /// entries in use from the next cycle
);
  // same_q, same_any_q: the entry holding the tag; nf_q: where the fill goes
  // if none does (the first invalid entry, else the pointer: nf_rr_q).
  logic               b_v_q, same_any_q, nf_rr_q, rr_adv;
  logic [Entries-1:0] valid_q, rr_q, rr_d, same_q, same_d, nf_q, v_next, free_oh;
  assign valid_o = valid_q;

  // The valid bits of the fill's second cycle and their first invalid
  // entry, one-hot (a prefix AND, no index).
  assign v_next = valid_q | write_o;
  for (genvar e = 0; e < Entries; e++) begin : g_free
    if (e == 0) begin : g_lo
      assign free_oh[e] = !v_next[e];
    end else begin : g_hi
      assign free_oh[e] = !v_next[e] && &v_next[e-1:0];
    end
  end
  assign valid_d_o = (valid_q & ~inval_i & ~write_o) | (kill_i ? '0 : write_o);
  assign write_o   = (b_v_q && !drop_i) ? (same_any_q ? same_q : nf_q) : '0;
  // the pointer moves on each eviction; the next fill chooses from it moved
  assign rr_adv    = b_v_q && !drop_i && !kill_i && !same_any_q && nf_rr_q;
  assign rr_d      = rr_adv ? {rr_q[Entries-2:0], rr_q[Entries-1]} : rr_q;
  assign same_d    = (same_i & ~write_o) | (eq_i ? write_o : '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      b_v_q   <= 1'b0;
      rr_q    <= Entries'(1);
      valid_q <= '0;
    end else begin
      b_v_q   <= fill_i && !kill_i;
      valid_q <= valid_d_o;
      rr_q    <= rr_d;
    end
  end
  always_ff @(posedge clk_i) begin
    same_q     <= same_d;
    same_any_q <= |same_d;
    nf_rr_q    <= &v_next;
    nf_q       <= (&v_next) ? rr_d : free_oh;
  end

  `IOMMU_ASSERT(SameOnce_A, clk_i, rst_ni, $onehot0(same_i))
  `IOMMU_ASSERT(SameNext_A, clk_i, rst_ni, !b_v_q || $onehot0(same_q))
  // the choice made a cycle ahead is the one the valid bits of now give
  `IOMMU_ASSERT(Ahead_A, clk_i, rst_ni, !b_v_q || (nf_rr_q ? nf_q == rr_q :
                                                  nf_q == (~valid_q & (valid_q + 1'b1))))

endmodule

`default_nettype wire
