// iommu_irq: wired-interrupt outputs.  Each ipsr bit drives the wire its icvec
// field selects (spec: ipsr, icvec); fctl.WSI is hard-wired to 1 because this
// IOMMU signals interrupts only by wire (capabilities.IGS = WSI).  The wires are
// levels: a wire is high while any pending bit mapped to it is set.
`default_nettype none

module iommu_irq #(
  parameter int unsigned NumIrq = 4   /// interrupt wires
) (
  input  wire logic [3:0]        ipsr_i,   /// {pip, pmip, fip, cip}
  input  wire logic [15:0]       icvec_i,  /// {piv, pmiv, fiv, civ}
  output      logic [NumIrq-1:0] wsi_o
);
  always_comb begin
    wsi_o = '0;
    for (int s = 0; s < 4; s++) begin
      for (int k = 0; k < NumIrq; k++) begin
        if (ipsr_i[s] && icvec_i[4*s +: 4] == 4'(k)) wsi_o[k] = 1'b1;
      end
    end
  end
endmodule

`default_nettype wire
