// systolic_array: a ROWS x COLS grid of systolic_pe, weight-stationary.
//
// PE (r, c) holds weight W[r][c]. Activations enter at the left of each row and move one
// PE right per enabled cycle; partial sums start at zero above row 0, move one PE down per
// enabled cycle and leave at the bottom of each column. The caller skews the inputs (row r
// delayed r cycles); then column c's sum for input vector m leaves the bottom (sum_row)
// ROWS + c enabled cycles after vector m entered row 0: sum_row[c] = sum_r x[r] * W[r][c].
//
// Weight loading: while weight_shift is high, weight_row enters row 0 and every row's
// weights move down one row per cycle, so after ROWS shifts the row shifted in first
// sits in row ROWS-1.
//
// Buses are flattened: element i of a row bus is bits [i*WIDTH +: WIDTH].
//   weight_row        : COLS x OPERAND_BITS, into the top row
//   activation_column : ROWS x OPERAND_BITS, element r into the left of row r
//   sum_row           : COLS x ACCUMULATOR_BITS, out of the bottom of each column
module systolic_array #(
    parameter ROWS = 4,
    parameter COLS = 4,
    parameter OPERAND_BITS = 8,
    parameter ACCUMULATOR_BITS = 18
) (
    input  wire                             clk,
    input  wire                             rst,
    input  wire                             weight_shift,
    input  wire [COLS*OPERAND_BITS-1:0]     weight_row,
    input  wire                             enable,
    input  wire [ROWS*OPERAND_BITS-1:0]     activation_column,
    output wire [COLS*ACCUMULATOR_BITS-1:0] sum_row
);
    localparam B = OPERAND_BITS;
    localparam A = ACCUMULATOR_BITS;

    // Each PE's outputs are wires of its own generate block, read by its neighbours by
    // hierarchical name: no wide shared link vector, whose every partial update would wake
    // all its readers in an event-driven simulator.
    genvar r, c;
    generate
        for (r = 0; r < ROWS; r = r + 1) begin : row
            for (c = 0; c < COLS; c = c + 1) begin : column
                // The bottom row's weights and the right column's activations go nowhere.
                /* verilator lint_off UNUSEDSIGNAL */
                wire [B-1:0] weight_down;
                wire [B-1:0] activation_right;
                /* verilator lint_on UNUSEDSIGNAL */
                wire [A-1:0] sum_down;
                wire [B-1:0] weight_above;
                wire [B-1:0] activation_left;
                wire [A-1:0] sum_above;

                if (r == 0) begin : top_edge
                    assign weight_above = weight_row[c*B +: B];
                    assign sum_above    = {A{1'b0}};
                end else begin : inside_vertically
                    assign weight_above = row[r-1].column[c].weight_down;
                    assign sum_above    = row[r-1].column[c].sum_down;
                end
                if (c == 0) begin : left_edge
                    assign activation_left = activation_column[r*B +: B];
                end else begin : inside_horizontally
                    assign activation_left = row[r].column[c-1].activation_right;
                end

                systolic_pe #(
                    .OPERAND_BITS(OPERAND_BITS),
                    .ACCUMULATOR_BITS(ACCUMULATOR_BITS)
                ) pe (
                    .clk(clk),
                    .rst(rst),
                    .weight_shift(weight_shift),
                    .weight_in(weight_above),
                    .weight_out(weight_down),
                    .enable(enable),
                    .activation_in(activation_left),
                    .activation_out(activation_right),
                    .sum_in(sum_above),
                    .sum_out(sum_down)
                );
            end
        end
        for (c = 0; c < COLS; c = c + 1) begin : bottom_edge
            assign sum_row[c*A +: A] = row[ROWS-1].column[c].sum_down;
        end
    endgenerate
endmodule
