// lif_neuron: one leaky-integrate-and-fire neuron, the SNN target's neuron update in fixed point
// (codesign/accuracy/spiking.py, neuron_step):
//   v' = v - (v >>> LEAK_SHIFT) + current        leak 1 - 2^-LEAK_SHIFT; LEAK_SHIFT 0: no leak (IF)
//   spike = (v' >= threshold)
//   v'' = spike ? (RESET_TO_ZERO ? 0 : v' - threshold) : v'
//   membrane <= v'' saturated to the signed MEMBRANE_BITS range
// The sum, the comparison and the reset are computed MEMBRANE_BITS/CURRENT_BITS + 2 bits wide, so
// they never overflow: a spike is decided on the exact sum, and only the stored membrane is
// clamped (to -2^(MEMBRANE_BITS-1) .. 2^(MEMBRANE_BITS-1)-1).
//
// Protocol: a cycle with step_valid high is one timestep. threshold is unsigned, MEMBRANE_BITS-1
// bits (0 .. the largest membrane), and may change from one step to the next.
// Timing: the step's result is registered at the rising edge that samples step_valid, i.e. one
// cycle of latency and one update per cycle: membrane, spike and out_valid show it right after
// that edge. In a cycle without step_valid the membrane holds and spike and out_valid are low
// (a spike is a one-cycle pulse). rst (synchronous, active high) clears membrane, spike and
// out_valid and has priority over step_valid.
module lif_neuron #(
    parameter MEMBRANE_BITS = 12,
    parameter CURRENT_BITS = 8,
    parameter LEAK_SHIFT = 0,
    parameter RESET_TO_ZERO = 0
) (
    input  wire                            clk,
    input  wire                            rst,
    input  wire                            step_valid,
    input  wire signed [CURRENT_BITS-1:0]  current,
    input  wire        [MEMBRANE_BITS-2:0] threshold,
    output reg  signed [MEMBRANE_BITS-1:0] membrane,
    output reg                             spike,
    output reg                             out_valid
);
    localparam WIDE_BITS = (MEMBRANE_BITS > CURRENT_BITS ? MEMBRANE_BITS : CURRENT_BITS) + 2;

    wire signed [WIDE_BITS-1:0] membrane_wide =
        {{(WIDE_BITS - MEMBRANE_BITS){membrane[MEMBRANE_BITS-1]}}, membrane};
    wire signed [WIDE_BITS-1:0] current_wide =
        {{(WIDE_BITS - CURRENT_BITS){current[CURRENT_BITS-1]}}, current};
    wire signed [WIDE_BITS-1:0] threshold_wide =
        {{(WIDE_BITS - MEMBRANE_BITS + 1){1'b0}}, threshold};
    wire signed [WIDE_BITS-1:0] largest =
        {{(WIDE_BITS - MEMBRANE_BITS + 1){1'b0}}, {(MEMBRANE_BITS - 1){1'b1}}};
    wire signed [WIDE_BITS-1:0] smallest =
        {{(WIDE_BITS - MEMBRANE_BITS + 1){1'b1}}, {(MEMBRANE_BITS - 1){1'b0}}};

    // The leak is a shift and a subtraction (no multiplier); the arithmetic shift floors, as
    // numpy's >> does, so negative membranes decay toward zero as well.
    wire signed [WIDE_BITS-1:0] leaked;
    generate
        if (LEAK_SHIFT == 0) begin : no_leak
            assign leaked = membrane_wide;
        end else begin : shift_leak
            assign leaked = membrane_wide - (membrane_wide >>> LEAK_SHIFT);
        end
    endgenerate

    wire signed [WIDE_BITS-1:0] integrated = leaked + current_wide;
    wire fired = integrated >= threshold_wide;
    wire signed [WIDE_BITS-1:0] after_reset =
        !fired ? integrated : (RESET_TO_ZERO != 0 ? {WIDE_BITS{1'b0}} : integrated - threshold_wide);
    // Only the low MEMBRANE_BITS are stored: once clamped, the upper bits are their sign extension.
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [WIDE_BITS-1:0] clamped =
        after_reset > largest ? largest : (after_reset < smallest ? smallest : after_reset);
    /* verilator lint_on UNUSEDSIGNAL */

    always @(posedge clk) begin
        if (rst) begin
            membrane <= {MEMBRANE_BITS{1'b0}};
            spike <= 1'b0;
            out_valid <= 1'b0;
        end else begin
            if (step_valid) membrane <= clamped[MEMBRANE_BITS-1:0];
            spike <= step_valid & fired;
            out_valid <= step_valid;
        end
    end
endmodule
