// scalable_mac: precision-scalable MAC in the Bit Fusion manner (H. Sharma et al., ISCA 2018).
//
// A UNIT_BITS-wide unit (4, 8 or 16) built from (UNIT_BITS/2)^2 2-bit "BitBricks". The runtime
// input mode selects the operand precision b = 2 << mode (2, 4, ..., UNIT_BITS; larger mode
// values run as the widest mode). In one cycle the unit computes n = (UNIT_BITS/b)^2 products of
// b-bit signed weights and b-bit signed activations and adds their SUM into the accumulator (the
// products of a cycle are steps of one output's reduction). Product k takes weights[k*b +: b] and
// activations[k*b +: b]; bus bits above n*b are ignored.
//
// Bricks: brick (i, j) multiplies 2-bit slice i of the weight grid by 2-bit slice j of the
// activation grid, each slice extended to 3 bits (sign-extended for the top slice of an operand,
// zero-extended otherwise). In mode b (s = b/2 slices per operand) it serves product
// k = (i/s)*(UNIT_BITS/b) + j/s with weight slice u = i%s and activation slice v = j%s: its
// operand slices are constants per (brick, mode), so each brick muxes them by mode.
//
// Fusion: the brick products are summed, each shifted left by 2*(u+v), in a quad tree (Bit
// Fusion's shift-add): a level-l node adds the 4 nodes below it that cover its 2^l x 2^l bricks
// (children with the high half of the weight or of the activation slices). Where the node lies
// inside one product (mode >= l) it fuses them, shifting those by 2^l bits (2^(l+1) for both
// high halves); above the products it adds them unshifted. A level-l node holds either one
// product of 2^(l+1)-bit slices or a sum of narrower products, within 2^(l+2) + 1 signed bits;
// the root, 2*UNIT_BITS bits, holds the cycle's sum (at most 2^(2*UNIT_BITS-2) in magnitude).
//
// Protocol and timing: as mac.v (one clock clk, synchronous active-high reset rst). Every edge
// with in_valid high accepts one cycle's products; clear with it starts a new sum; accumulator and
// out_valid update at that edge (out_valid = in_valid one cycle later); in_valid low holds the
// accumulator; SATURATE = 1 saturates the signed ACCUMULATOR_BITS accumulator (>= 2*UNIT_BITS),
// 0 wraps. rst: accumulator <= 0, out_valid <= 0.
module scalable_mac #(
    parameter UNIT_BITS = 8,          // 4, 8 or 16
    parameter ACCUMULATOR_BITS = 24,  // >= 2 * UNIT_BITS
    parameter SATURATE = 1
) (
    input  wire                                   clk,
    input  wire                                   rst,
    input  wire                                   in_valid,
    input  wire                                   clear,
    input  wire [1:0]                             mode,
    input  wire [UNIT_BITS*UNIT_BITS/2-1:0]       weights,
    input  wire [UNIT_BITS*UNIT_BITS/2-1:0]       activations,
    output reg  signed [ACCUMULATOR_BITS-1:0]     accumulator,
    output reg                                    out_valid
);
    localparam SLICES = UNIT_BITS / 2;  // 2-bit slices per full-width operand: the brick grid's side
    localparam TREE_LEVELS = (UNIT_BITS == 4) ? 1 : (UNIT_BITS == 8) ? 2 : 3;  // log2(SLICES)
    localparam MODES = TREE_LEVELS + 1;
    localparam [1:0] WIDEST_MODE = (UNIT_BITS == 4) ? 2'd1 : (UNIT_BITS == 8) ? 2'd2 : 2'd3;
    localparam SUM_BITS = 2 * UNIT_BITS;  // the root node's width

    wire [1:0] active_mode;
    generate
        if (UNIT_BITS == 16) begin : all_modes
            assign active_mode = mode;
        end else begin : clamped_mode
            assign active_mode = (mode > WIDEST_MODE) ? WIDEST_MODE : mode;
        end
    endgenerate

    genvar i, j, m;
    generate
        for (i = 0; i < SLICES; i = i + 1) begin : brick_row
            for (j = 0; j < SLICES; j = j + 1) begin : brick
                // Per mode m: the brick's 3-bit extended slices.
                wire [3*MODES-1:0] weight_slices;
                wire [3*MODES-1:0] activation_slices;
                wire signed [2:0] weight_slice = weight_slices[3*active_mode +: 3];
                wire signed [2:0] activation_slice = activation_slices[3*active_mode +: 3];
                wire signed [5:0] product = weight_slice * activation_slice;

                for (m = 0; m < MODES; m = m + 1) begin : in_mode
                    localparam PRECISION = 2 << m;
                    localparam SLICES_PER_OPERAND = PRECISION / 2;
                    localparam PRODUCT = (i / SLICES_PER_OPERAND) * (UNIT_BITS / PRECISION) + (j / SLICES_PER_OPERAND);
                    localparam WEIGHT_AT = PRODUCT * PRECISION + 2 * (i % SLICES_PER_OPERAND);
                    localparam ACTIVATION_AT = PRODUCT * PRECISION + 2 * (j % SLICES_PER_OPERAND);
                    // Only an operand's top slice carries its sign.
                    assign weight_slices[3*m +: 3] = {
                        (i % SLICES_PER_OPERAND == SLICES_PER_OPERAND - 1) ? weights[WEIGHT_AT+1] : 1'b0,
                        weights[WEIGHT_AT +: 2]};
                    assign activation_slices[3*m +: 3] = {
                        (j % SLICES_PER_OPERAND == SLICES_PER_OPERAND - 1) ? activations[ACTIVATION_AT+1] : 1'b0,
                        activations[ACTIVATION_AT +: 2]};
                end
            end
        end
    endgenerate

    // The shift-add quad tree. Node (p, q) of level l covers bricks i in [p*2^l, (p+1)*2^l) and
    // j in [q*2^l, (q+1)*2^l); it is node p*(SLICES >> l) + q of its level; level 0 is the bricks.
    genvar level, node;
    generate
        for (level = 0; level <= TREE_LEVELS; level = level + 1) begin : tree
            localparam SIDE = SLICES >> level;                // nodes per side at this level
            // A node's exact width (bricks: 6); the root's sum fits 2*UNIT_BITS bits, so the root
            // adds modulo 2^(2*UNIT_BITS).
            localparam WIDTH = (level == 0) ? 6 : (level == TREE_LEVELS) ? SUM_BITS : (4 << level) + 1;
            localparam CHILD_WIDTH = (level <= 1) ? 6 : (2 << level) + 1;
            localparam HALF = 1 << level;                     // bits of a child's operand slices
            for (node = 0; node < SIDE * SIDE; node = node + 1) begin : node_at
                wire signed [WIDTH-1:0] value;
                if (level == 0) begin : brick_product
                    assign value = brick_row[node / SIDE].brick[node % SIDE].product;
                end else begin : fusion
                    localparam LOW = 2 * (node / SIDE) * (2 * SIDE) + 2 * (node % SIDE);  // child (2p, 2q)
                    localparam WEIGHT_HIGH = LOW + 2 * SIDE;                               // (2p+1, 2q)
                    wire [CHILD_WIDTH-1:0] children [0:3];  // low-low, high-low, low-high, high-high
                    assign children[0] = tree[level-1].node_at[LOW].value;
                    assign children[1] = tree[level-1].node_at[WEIGHT_HIGH].value;
                    assign children[2] = tree[level-1].node_at[LOW + 1].value;
                    assign children[3] = tree[level-1].node_at[WEIGHT_HIGH + 1].value;
                    localparam EXTEND = WIDTH - CHILD_WIDTH;
                    wire signed [WIDTH-1:0] low_low = {{EXTEND{children[0][CHILD_WIDTH-1]}}, children[0]};
                    wire signed [WIDTH-1:0] high_low = {{EXTEND{children[1][CHILD_WIDTH-1]}}, children[1]};
                    wire signed [WIDTH-1:0] low_high = {{EXTEND{children[2][CHILD_WIDTH-1]}}, children[2]};
                    wire signed [WIDTH-1:0] high_high = {{EXTEND{children[3][CHILD_WIDTH-1]}}, children[3]};
                    wire signed [WIDTH-1:0] one_high = high_low + low_high;
                    wire fuse = active_mode >= level;
                    assign value = low_low + (fuse ? one_high <<< HALF : one_high)
                                           + (fuse ? high_high <<< (2 * HALF) : high_high);
                end
            end
        end
    endgenerate

    wire [SUM_BITS-1:0] cycle_sum = tree[TREE_LEVELS].node_at[0].value;

    wire signed [ACCUMULATOR_BITS-1:0] base = clear ? {ACCUMULATOR_BITS{1'b0}} : accumulator;
    wire [ACCUMULATOR_BITS-1:0] next_accumulator;
    saturating_add #(.ADDEND_BITS(SUM_BITS), .ACCUMULATOR_BITS(ACCUMULATOR_BITS), .SATURATE(SATURATE))
        accumulate (.base(base), .addend(cycle_sum), .result(next_accumulator));

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
