// iommu_fifo: synchronous first-in first-out queue with valid/ready on both
// sides.  Depth is any value >= 1.  A push and a pop may happen in the same
// cycle (also when full: the pop frees the slot).  Data is held in plain
// vectors so that Verilator and Yosys read it the same way.
// room2_o says two entries are free, from a register (the next count's), for
// a producer that decides a cycle before it pushes.
// Assumes: in_data is stable while in_valid && !in_ready (AXI-style source).
// Guarantees: out_valid/out_data change only after a pop or when empty.
`default_nettype none

module iommu_fifo #(
  parameter int unsigned Width = 8,   /// bits per entry
  parameter int unsigned Depth = 4    /// entries
) (
  input  wire logic             clk_i,
  input  wire logic             rst_ni,
  /// producer side
  input  wire logic             in_valid_i,
  output      logic             in_ready_o,
  input  wire logic [Width-1:0] in_data_i,
  /// consumer side
  output      logic             out_valid_o,
  input  wire logic             out_ready_i,
  output      logic [Width-1:0] out_data_o,
  output      logic             room2_o      /// at least two entries free
);
  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1;
  localparam int unsigned CntW = $clog2(Depth + 1);

  logic [Width-1:0] mem_q [Depth];
  logic [PtrW-1:0]  rd_q, wr_q;
  logic [CntW-1:0]  cnt_q;
  logic             push, pop;

  assign in_ready_o  = (cnt_q != CntW'(Depth)) || out_ready_i;
  logic [CntW-1:0] cnt_d;
  logic            room2_q;
  assign room2_o     = room2_q;
  assign out_valid_o = (cnt_q != '0);
  assign out_data_o  = mem_q[rd_q];
  assign push        = in_valid_i && in_ready_o;
  assign pop         = out_valid_o && out_ready_i;

  assign cnt_d = (push && !pop) ? cnt_q + 1'b1 : (pop && !push) ? cnt_q - 1'b1 : cnt_q;

  function automatic logic [PtrW-1:0] next_ptr(input logic [PtrW-1:0] p);
    if (p == PtrW'(Depth - 1)) next_ptr = '0;
    else                       next_ptr = p + 1'b1;
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_q  <= '0;
      wr_q  <= '0;
      cnt_q   <= '0;
      room2_q <= Depth >= 2;
    end else begin
      if (push) wr_q <= next_ptr(wr_q);
      if (pop)  rd_q <= next_ptr(rd_q);
      cnt_q   <= cnt_d;
      room2_q <= 32'(cnt_d) + 2 <= Depth;
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) mem_q[wr_q] <= in_data_i;
  end

endmodule

`default_nettype wire
