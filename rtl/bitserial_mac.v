// bitserial_mac: signed MAC with the weight in parallel and the activation one bit per cycle.
//
// accumulator <= accumulator + weight * activation, where the activation is the signed
// B-bit number activation[B-1:0], B = activation_bits (sampled with the input; 0 counts as 1,
// values above OPERAND_BITS as OPERAND_BITS). Its bits are processed LSB first, one per cycle,
// each adding weight << position into a product register; the MSB's partial product is
// subtracted (two's complement). The finished product is added once into the signed
// ACCUMULATOR_BITS accumulator (>= 2 * OPERAND_BITS), saturating (SATURATE = 1) or wrapping (0),
// so the accumulator never sees a partial product.
//
// Protocol and timing (one clock clk, synchronous active-high reset rst):
//   * valid/ready: an input (weight, activation, activation_bits, clear) is accepted at a rising
//     edge where in_valid and in_ready are high; in_ready is high when the unit is idle (a
//     combinational function of its state only); inputs while busy are ignored;
//   * bit 0 is processed at the accepting edge itself, bit n at the n-th edge after it: a MAC
//     accepted at edge t completes at edge t + B - 1, which updates the accumulator and raises
//     out_valid for one cycle; in_ready is low after edges t .. t + B - 2, so the next input is
//     accepted at edge t + B. Cycles per MAC = B exactly (no overhead), latency B cycles;
//   * clear with an accepted input starts a new sum: accumulator <= its product;
//   * rst: idle, accumulator <= 0, out_valid <= 0; a MAC in flight is dropped.
module bitserial_mac #(
    parameter OPERAND_BITS = 8,       // 2..16
    parameter ACCUMULATOR_BITS = 24,  // >= 2 * OPERAND_BITS
    parameter SATURATE = 1
) (
    input  wire                               clk,
    input  wire                               rst,
    input  wire                               in_valid,
    output wire                               in_ready,
    input  wire                               clear,
    input  wire [OPERAND_BITS-1:0]            weight,
    input  wire [OPERAND_BITS-1:0]            activation,
    input  wire [4:0]                         activation_bits,
    output reg  signed [ACCUMULATOR_BITS-1:0] accumulator,
    output reg                                out_valid
);
    localparam PRODUCT_BITS = 2 * OPERAND_BITS;
    localparam [4:0] MOST_BITS = OPERAND_BITS[4:0];

    reg busy;
    reg [4:0] bits_left;                      // activation bits after the current one
    reg [OPERAND_BITS-1:0] activation_shift;  // the bits still to come, next at bit 0
    reg [PRODUCT_BITS-1:0] weight_shift;      // weight << (the current bit's position)
    reg [PRODUCT_BITS-1:0] partial_product;
    reg clear_pending;

    assign in_ready = ~busy;

    wire [4:0] requested_bits = (activation_bits == 5'd0) ? 5'd1
                              : (activation_bits > MOST_BITS) ? MOST_BITS : activation_bits;
    // Idle: the accepting cycle processes bit 0 straight from the inputs.
    wire step = busy | in_valid;
    wire current_bit = busy ? activation_shift[0] : activation[0];
    wire [PRODUCT_BITS-1:0] multiplicand = busy ? weight_shift
                                                : {{OPERAND_BITS{weight[OPERAND_BITS-1]}}, weight};
    wire last_bit = busy ? (bits_left == 5'd0) : (requested_bits == 5'd1);
    wire [PRODUCT_BITS-1:0] term = current_bit ? multiplicand : {PRODUCT_BITS{1'b0}};
    wire [PRODUCT_BITS-1:0] product_base = busy ? partial_product : {PRODUCT_BITS{1'b0}};
    // Add the term, or subtract it for the sign bit: base + ~term + 1.
    wire [PRODUCT_BITS-1:0] product = product_base + (term ^ {PRODUCT_BITS{last_bit}})
                                      + {{(PRODUCT_BITS - 1){1'b0}}, last_bit};

    wire use_clear = busy ? clear_pending : clear;
    wire signed [ACCUMULATOR_BITS-1:0] base = use_clear ? {ACCUMULATOR_BITS{1'b0}} : accumulator;
    wire [ACCUMULATOR_BITS-1:0] next_accumulator;
    saturating_add #(.ADDEND_BITS(PRODUCT_BITS), .ACCUMULATOR_BITS(ACCUMULATOR_BITS), .SATURATE(SATURATE))
        accumulate (.base(base), .addend(product), .result(next_accumulator));

    always @(posedge clk) begin
        if (rst) begin
            busy <= 1'b0;
            accumulator <= {ACCUMULATOR_BITS{1'b0}};
            out_valid <= 1'b0;
        end else begin
            out_valid <= step & last_bit;
            if (step) begin
                if (last_bit) begin
                    accumulator <= next_accumulator;
                    busy <= 1'b0;
                end else begin
                    busy <= 1'b1;
                    partial_product <= product;
                    weight_shift <= multiplicand << 1;
                    activation_shift <= (busy ? activation_shift : activation) >> 1;
                    bits_left <= busy ? bits_left - 5'd1 : requested_bits - 5'd2;
                    clear_pending <= use_clear;
                end
            end
        end
    end
endmodule
