// iommu_assert.svh: assertion macros that are live in simulation (Verilator
// with --assert) and vanish for synthesis (Yosys defines SYNTHESIS).
// `IOMMU_ASSERT(Name_A, clk, rst_n, expr): at every rising clock edge after
// reset has been released, expr must hold; otherwise the simulation stops
// naming Name_A.  The reset is sampled through a flop of its own so that
// rst_n stays a purely asynchronous net.
`ifndef IOMMU_ASSERT_SVH
`define IOMMU_ASSERT_SVH

`ifndef SYNTHESIS
`define IOMMU_ASSERT(name, clk, rst_n, expr) \
  logic name``_armed_q; \
  always_ff @(posedge clk or negedge rst_n) begin \
    if (!rst_n) name``_armed_q <= 1'b0; \
    else        name``_armed_q <= 1'b1; \
  end \
  always_ff @(posedge clk) begin : name \
    if (name``_armed_q && !(expr)) begin \
      $error("assertion %s failed: %s", `"name`", `"expr`"); \
      $stop; \
    end \
  end
`else
`define IOMMU_ASSERT(name, clk, rst_n, expr)
`endif

`endif
