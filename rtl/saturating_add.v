// saturating_add: base + addend in a signed ACCUMULATOR_BITS-bit result, which saturates at the
// signed range (SATURATE = 1) or wraps (SATURATE = 0). Combinational; the accumulate step the
// MAC units (mac.v, scalable_mac.v, bitserial_mac.v) share. ADDEND_BITS <= ACCUMULATOR_BITS.
module saturating_add #(
    parameter ADDEND_BITS = 16,
    parameter ACCUMULATOR_BITS = 24,
    parameter SATURATE = 1
) (
    input  wire signed [ACCUMULATOR_BITS-1:0] base,
    input  wire signed [ADDEND_BITS-1:0]      addend,
    output wire        [ACCUMULATOR_BITS-1:0] result
);
    // One bit wider than the accumulator, so that the true sign of the sum is known.
    wire signed [ACCUMULATOR_BITS:0] sum = {base[ACCUMULATOR_BITS-1], base}
        + {{(ACCUMULATOR_BITS + 1 - ADDEND_BITS){addend[ADDEND_BITS-1]}}, addend};
    wire overflow = sum[ACCUMULATOR_BITS] != sum[ACCUMULATOR_BITS-1];
    // The range end on the side of the true sign: 0111..1 above, 1000..0 below.
    wire [ACCUMULATOR_BITS-1:0] range_end = {sum[ACCUMULATOR_BITS], {(ACCUMULATOR_BITS - 1){~sum[ACCUMULATOR_BITS]}}};
    assign result = (SATURATE != 0 && overflow) ? range_end : sum[ACCUMULATOR_BITS-1:0];
endmodule
