// synapse_accumulator: the accumulate-only synapse unit of a spiking core. Each synaptic event
// (an input spike reaching a synapse) adds that synapse's weight into the neuron's input current:
// an adder, no multiplier, since a spike is worth one. The running sum saturates at the signed
// CURRENT_BITS range at every addition (-2^(CURRENT_BITS-1) .. 2^(CURRENT_BITS-1)-1).
// WEIGHT_BITS must not exceed CURRENT_BITS.
//
// Protocol: at most one event per cycle (event_valid with its signed weight). flush ends the
// timestep: the current accumulated from the events BEFORE the flush cycle goes out, and the
// accumulator restarts; an event in the flush cycle is the first event of the next timestep, so
// back-to-back timesteps lose no cycle.
// Timing: an event is added at the rising edge that samples it (one event per cycle, no stall);
// current_out and current_valid are registered at the rising edge that samples flush (one cycle
// of latency). current_valid is a one-cycle pulse; current_out holds until the next flush.
// rst (synchronous, active high) clears the accumulator, current_out and current_valid, and has
// priority over events and flush.
module synapse_accumulator #(
    parameter WEIGHT_BITS = 8,
    parameter CURRENT_BITS = 16
) (
    input  wire                           clk,
    input  wire                           rst,
    input  wire                           event_valid,
    input  wire signed [WEIGHT_BITS-1:0]  weight,
    input  wire                           flush,
    output reg  signed [CURRENT_BITS-1:0] current_out,
    output reg                            current_valid
);
    reg signed [CURRENT_BITS-1:0] accumulator;

    // One bit wider than the accumulator: the sum of two in-range values cannot overflow it.
    wire signed [CURRENT_BITS:0] weight_wide =
        {{(CURRENT_BITS + 1 - WEIGHT_BITS){weight[WEIGHT_BITS-1]}}, weight};
    wire signed [CURRENT_BITS:0] base = flush ? {(CURRENT_BITS + 1){1'b0}}
                                              : {accumulator[CURRENT_BITS-1], accumulator};
    wire signed [CURRENT_BITS:0] sum = base + (event_valid ? weight_wide : {(CURRENT_BITS + 1){1'b0}});
    // The two top bits differ exactly when the sum left the CURRENT_BITS range; the top one is its sign.
    wire overflow = sum[CURRENT_BITS] != sum[CURRENT_BITS-1];
    wire signed [CURRENT_BITS-1:0] saturated = !overflow ? sum[CURRENT_BITS-1:0]
        : (sum[CURRENT_BITS] ? {1'b1, {(CURRENT_BITS - 1){1'b0}}} : {1'b0, {(CURRENT_BITS - 1){1'b1}}});

    always @(posedge clk) begin
        if (rst) begin
            accumulator <= {CURRENT_BITS{1'b0}};
            current_out <= {CURRENT_BITS{1'b0}};
            current_valid <= 1'b0;
        end else begin
            accumulator <= saturated;
            if (flush) current_out <= accumulator;
            current_valid <= flush;
        end
    end
endmodule
