// systolic_pe: one processing element of a weight-stationary systolic array.
//
// It holds one signed weight. Each enabled cycle it multiplies the activation entering
// from the left by that weight, adds the product to the partial sum entering from above,
// and registers both: the activation moves one PE to the right and the sum one PE down
// per enabled cycle (one cycle of latency each).
//
// Ports
//   weight_shift  : weight_in is registered (weights shift down a column, one PE per cycle);
//                   weight_out is the held weight, feeding the PE below.
//   enable        : the array's global advance; when low every data register holds.
//   activation_in/out : signed OPERAND_BITS, left to right.
//   sum_in/out    : signed ACCUMULATOR_BITS, top to bottom; sum_out = sum_in + a * w,
//                   wrapping modulo 2^ACCUMULATOR_BITS (two's complement).
// Synchronous active-high reset clears all registers.
module systolic_pe #(
    parameter OPERAND_BITS = 8,
    parameter ACCUMULATOR_BITS = 18
) (
    input  wire                        clk,
    input  wire                        rst,
    input  wire                        weight_shift,
    input  wire [OPERAND_BITS-1:0]     weight_in,
    output wire [OPERAND_BITS-1:0]     weight_out,
    input  wire                        enable,
    input  wire [OPERAND_BITS-1:0]     activation_in,
    output wire [OPERAND_BITS-1:0]     activation_out,
    input  wire [ACCUMULATOR_BITS-1:0] sum_in,
    output wire [ACCUMULATOR_BITS-1:0] sum_out
);
    localparam PRODUCT_BITS = 2 * OPERAND_BITS;

    reg [OPERAND_BITS-1:0]     weight;
    reg [OPERAND_BITS-1:0]     activation;
    reg [ACCUMULATOR_BITS-1:0] sum;

    // The full-precision signed product; only its low ACCUMULATOR_BITS matter when the
    // accumulator is narrower (wrapping arithmetic is exact modulo 2^ACCUMULATOR_BITS).
    wire signed [PRODUCT_BITS-1:0] product = $signed(activation_in) * $signed(weight);
    wire [ACCUMULATOR_BITS-1:0] product_extended;

    generate
        if (ACCUMULATOR_BITS > PRODUCT_BITS) begin : sign_extend
            assign product_extended = {{(ACCUMULATOR_BITS - PRODUCT_BITS){product[PRODUCT_BITS-1]}}, product};
        end else if (ACCUMULATOR_BITS == PRODUCT_BITS) begin : same_width
            assign product_extended = product;
        end else begin : truncate
            assign product_extended = product[ACCUMULATOR_BITS-1:0];
            /* verilator lint_off UNUSEDSIGNAL */
            wire [PRODUCT_BITS-ACCUMULATOR_BITS-1:0] dropped_bits = product[PRODUCT_BITS-1:ACCUMULATOR_BITS];
            /* verilator lint_on UNUSEDSIGNAL */
        end
    endgenerate

    always @(posedge clk) begin
        if (rst) begin
            weight <= {OPERAND_BITS{1'b0}};
        end else if (weight_shift) begin
            weight <= weight_in;
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            activation <= {OPERAND_BITS{1'b0}};
            sum        <= {ACCUMULATOR_BITS{1'b0}};
        end else if (enable) begin
            activation <= activation_in;
            sum        <= sum_in + product_extended;
        end
    end

    assign weight_out     = weight;
    assign activation_out = activation;
    assign sum_out        = sum;
endmodule
