// mac: signed integer multiply-accumulate, one MAC per clock cycle.
//
// accumulator <= accumulator + weight * activation (both signed two's complement), in a signed
// ACCUMULATOR_BITS register that saturates at its range (SATURATE = 1) or wraps (SATURATE = 0).
// ACCUMULATOR_BITS must be at least 2 * OPERAND_BITS (a full product fits; codesign checks it).
//
// Protocol and timing (one clock clk, synchronous active-high reset rst):
//   * an input is accepted at every rising edge where in_valid is high (no back-pressure);
//     in_valid low is a bubble: the accumulator holds;
//   * clear with an accepted input starts a new sum: accumulator <= weight * activation;
//   * accumulator and out_valid are registers: the edge that accepts an input updates the
//     accumulator and raises out_valid for the following cycle (out_valid = in_valid, one cycle
//     later); throughput one MAC per cycle;
//   * rst: accumulator <= 0, out_valid <= 0 (an input presented with rst is dropped).
module mac #(
    parameter OPERAND_BITS = 8,       // 2..16
    parameter ACCUMULATOR_BITS = 24,  // >= 2 * OPERAND_BITS
    parameter SATURATE = 1
) (
    input  wire                               clk,
    input  wire                               rst,
    input  wire                               in_valid,
    input  wire                               clear,
    input  wire signed [OPERAND_BITS-1:0]     weight,
    input  wire signed [OPERAND_BITS-1:0]     activation,
    output reg  signed [ACCUMULATOR_BITS-1:0] accumulator,
    output reg                                out_valid
);
    localparam PRODUCT_BITS = 2 * OPERAND_BITS;

    wire signed [PRODUCT_BITS-1:0] product = weight * activation;
    wire signed [ACCUMULATOR_BITS-1:0] base = clear ? {ACCUMULATOR_BITS{1'b0}} : accumulator;

    wire [ACCUMULATOR_BITS-1:0] next_accumulator;
    saturating_add #(.ADDEND_BITS(PRODUCT_BITS), .ACCUMULATOR_BITS(ACCUMULATOR_BITS), .SATURATE(SATURATE))
        accumulate (.base(base), .addend(product), .result(next_accumulator));

    always @(posedge clk) begin
        if (rst) begin
            accumulator <= {ACCUMULATOR_BITS{1'b0}};
            out_valid <= 1'b0;
        end else begin
            if (in_valid)
                accumulator <= next_accumulator;
            out_valid <= in_valid;
        end
    end
endmodule
