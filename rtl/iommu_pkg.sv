// iommu_pkg: constants of the RISC-V IOMMU specification v1.0 that the RTL
// uses in more than one module (modes, fault causes, transaction types) and
// the fault-request record that every fault source hands to the fault queue.
// Register offsets and fields come from the generated iommu_reg_pkg.
`default_nettype none

package iommu_pkg;

  // ddtp.iommu_mode encodings (spec: ddtp register)
  localparam logic [3:0] ModeOff  = 4'd0;
  localparam logic [3:0] ModeBare = 4'd1;

  // Fault-record CAUSE encodings (spec: fault queue, CAUSE table); each
  // feature adds the causes it reports.
  localparam logic [11:0] CauseInstrAccess   = 12'd1;
  localparam logic [11:0] CauseReadAccess    = 12'd5;
  localparam logic [11:0] CauseWriteAccess   = 12'd7;
  localparam logic [11:0] CauseAllDisallowed = 12'd256;

  // Fault-record TTYP encodings
  localparam logic [5:0] TtypUntrExec    = 6'd1;
  localparam logic [5:0] TtypUntrRead    = 6'd2;
  localparam logic [5:0] TtypUntrWrite   = 6'd3;

  // One fault to record: the fields of the 32-byte fault record.
  // dword0 = {did, ttyp, priv, pv, pid, cause}; dword2 = iotval; dword3 = iotval2.
  typedef struct packed {
    logic [23:0] did;
    logic [5:0]  ttyp;
    logic        priv;
    logic        pv;
    logic [19:0] pid;
    logic [11:0] cause;
    logic [63:0] iotval;
    logic [63:0] iotval2;
  } fault_req_t;

  localparam int unsigned FaultReqW = 192;

endpackage

`default_nettype wire
