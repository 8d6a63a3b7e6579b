// gemm_tile: runs one GEMM tile Y[M x N] = X[M x K] * W[K x N] (signed, K <= ROWS,
// N <= COLS) on a weight-stationary ROWS x COLS systolic_array, with its input skew, output
// deskew and controller. Sums wrap modulo 2^ACCUMULATOR_BITS (two's complement);
// 2*OPERAND_BITS + clog2(ROWS) bits never wrap, narrower accumulators keep the low bits.
//
// Protocol (all handshakes sampled at the rising edge of clk)
//   IDLE   : start = 1 is sampled (only in IDLE) together with m_count = M; busy rises.
//   LOAD   : weight_ready = 1. Each cycle with weight_valid = 1 takes one row of W on
//            weight_row; the rows shift down the columns, so send them LAST ROW FIRST:
//            W[ROWS-1], ..., W[1], W[0] (rows K..ROWS-1 and columns N..COLS-1 as zeros).
//            After ROWS rows the tile enters STREAM.
//   STREAM : one row of X per accepted cycle on activation_row (element k = X[m][k],
//            elements K..ROWS-1 zero), accepted when in_valid & in_ready; results come out
//            in order on result_row (element n = Y[m][n]) with out_valid, taken when
//            out_valid & out_ready. The whole array advances one step (global enable) in a
//            cycle iff (!out_valid | out_ready) and (in_valid | all M rows already taken),
//            so a low out_ready, or a low in_valid while rows remain, stalls everything and
//            only adds cycles. in_ready = STREAM & rows remain & (!out_valid | out_ready)
//            (combinational from out_ready). out_valid, once high, holds until taken.
//   done   : a one-cycle pulse, registered at the edge that takes the last result row;
//            busy falls at the same edge, and start may be sent the next cycle.
//   m_count = 0 loads the weights and finishes at the first edge after LOAD.
// Data on weight_row / activation_row is ignored outside its valid-and-ready cycles.
// Synchronous active-high rst returns to IDLE from any phase and clears the array.
//
// Dataflow: row r's activation is delayed r steps (skew) and column c's result
// COLS-1-c steps (deskew), so result row Y[m] leaves ROWS + COLS - 1 steps after X[m]
// entered. Data registers move only on a step (or on a weight shift in LOAD).
//
// Cycle timing (in_valid, weight_valid and out_ready always high, M >= 1): counting from
// the rising edge that samples start to the rising edge after which done reads 1,
//     cycles = 2*ROWS + COLS + M - 1
//            = ROWS (load) + M + ROWS + COLS - 1 (stream with fill and drain),
// independent of K and N. Each cycle in which the tile waits (weight_valid low in LOAD;
// in STREAM: out_valid & !out_ready, or in_valid low while rows remain) adds one cycle.
// With M = 0: cycles = ROWS + 1.
//
// Buses are flattened: element i of a row bus is bits [i*WIDTH +: WIDTH].
module gemm_tile #(
    parameter ROWS = 4,
    parameter COLS = 4,
    parameter OPERAND_BITS = 8,
    parameter ACCUMULATOR_BITS = 18,  // 2*OPERAND_BITS + clog2(ROWS): never wraps
    parameter COUNT_BITS = 8          // m_count width: M up to 2^COUNT_BITS - 1
) (
    input  wire                             clk,
    input  wire                             rst,
    input  wire                             start,
    input  wire [COUNT_BITS-1:0]            m_count,
    output wire                             busy,
    output reg                              done,
    input  wire [COLS*OPERAND_BITS-1:0]     weight_row,
    input  wire                             weight_valid,
    output wire                             weight_ready,
    input  wire [ROWS*OPERAND_BITS-1:0]     activation_row,
    input  wire                             in_valid,
    output wire                             in_ready,
    output wire [COLS*ACCUMULATOR_BITS-1:0] result_row,
    output wire                             out_valid,
    input  wire                             out_ready
);
    localparam B = OPERAND_BITS;
    localparam A = ACCUMULATOR_BITS;
    localparam LATENCY = ROWS + COLS - 1;  // steps from X[m] accepted to Y[m] shown
    localparam LOAD_BITS = $clog2(ROWS + 1);
    /* verilator lint_off WIDTHTRUNC */  // ROWS - 1 fits in LOAD_BITS by construction
    localparam [LOAD_BITS-1:0] LAST_LOAD = ROWS - 1;
    /* verilator lint_on WIDTHTRUNC */
    localparam [COUNT_BITS-1:0] ONE = 1;

    localparam [1:0] IDLE = 2'd0, LOAD = 2'd1, STREAM = 2'd2;

    reg [1:0]            state;
    reg [LOAD_BITS-1:0]  rows_loaded;
    reg [COUNT_BITS-1:0] inputs_remaining;
    reg [COUNT_BITS-1:0] results_remaining;
    wire                 result_shown;  // the row at the deskew output came from an input row
    reg                  result_taken;  // the shown row was taken while the array waited on in_valid

    wire streaming      = state == STREAM;
    wire feeding        = inputs_remaining != {COUNT_BITS{1'b0}};
    wire output_free    = !out_valid || out_ready;
    wire advance        = streaming && output_free && (in_valid || !feeding);
    wire input_accept   = advance && feeding;
    wire output_accept  = out_valid && out_ready;
    wire finishing      = streaming && (results_remaining == {COUNT_BITS{1'b0}}
                                        || (results_remaining == ONE && output_accept));

    assign busy         = state != IDLE;
    assign weight_ready = state == LOAD;
    assign in_ready     = streaming && feeding && output_free;
    assign out_valid    = result_shown && !result_taken;

    always @(posedge clk) begin
        if (rst) begin
            state             <= IDLE;
            rows_loaded       <= {LOAD_BITS{1'b0}};
            inputs_remaining  <= {COUNT_BITS{1'b0}};
            results_remaining <= {COUNT_BITS{1'b0}};
            done              <= 1'b0;
        end else begin
            done <= 1'b0;
            case (state)
                IDLE: if (start) begin
                    state             <= LOAD;
                    rows_loaded       <= {LOAD_BITS{1'b0}};
                    inputs_remaining  <= m_count;
                    results_remaining <= m_count;
                end
                LOAD: if (weight_valid) begin
                    rows_loaded <= rows_loaded + 1'b1;
                    if (rows_loaded == LAST_LOAD) state <= STREAM;
                end
                STREAM: begin
                    if (input_accept) inputs_remaining <= inputs_remaining - 1'b1;
                    if (output_accept) results_remaining <= results_remaining - 1'b1;
                    if (finishing) begin
                        state <= IDLE;
                        done  <= 1'b1;
                    end
                end
                default: state <= IDLE;
            endcase
        end
    end

    // A valid bit travels with each input row, LATENCY steps to the output.
    gemm_tile_delay_line #(.WIDTH(1), .DEPTH(LATENCY)) valid_steps (
        .clk(clk), .rst(rst), .enable(advance),
        .data_in(input_accept), .data_out(result_shown)
    );

    // A row taken while the array waits on in_valid must not be shown again.
    always @(posedge clk) begin
        if (rst || advance) result_taken <= 1'b0;
        else if (output_accept) result_taken <= 1'b1;
    end

    // Skew: row r's activation waits r steps. Rows after the last input carry zeros so
    // the drain does not toggle the multipliers with stale data.
    wire [ROWS*B-1:0] activation_entering = feeding ? activation_row : {ROWS*B{1'b0}};
    wire [ROWS*B-1:0] activation_skewed;
    wire [COLS*A-1:0] sums_leaving;

    genvar r, c;
    generate
        for (r = 0; r < ROWS; r = r + 1) begin : skew
            gemm_tile_delay_line #(.WIDTH(B), .DEPTH(r)) delay (
                .clk(clk), .rst(rst), .enable(advance),
                .data_in(activation_entering[r*B +: B]),
                .data_out(activation_skewed[r*B +: B])
            );
        end
        // Deskew: column c's result waits COLS-1-c steps, so a whole row leaves together.
        for (c = 0; c < COLS; c = c + 1) begin : deskew
            gemm_tile_delay_line #(.WIDTH(A), .DEPTH(COLS - 1 - c)) delay (
                .clk(clk), .rst(rst), .enable(advance),
                .data_in(sums_leaving[c*A +: A]),
                .data_out(result_row[c*A +: A])
            );
        end
    endgenerate

    systolic_array #(
        .ROWS(ROWS),
        .COLS(COLS),
        .OPERAND_BITS(OPERAND_BITS),
        .ACCUMULATOR_BITS(ACCUMULATOR_BITS)
    ) array (
        .clk(clk),
        .rst(rst),
        .weight_shift(weight_ready && weight_valid),
        .weight_row(weight_row),
        .enable(advance),
        .activation_column(activation_skewed),
        .sum_row(sums_leaving)
    );
endmodule

// gemm_tile_delay_line: DEPTH enabled register stages (DEPTH = 0: a wire), for the skew
// and deskew of gemm_tile. Synchronous reset clears the stages.
/* verilator lint_off DECLFILENAME */
module gemm_tile_delay_line #(
    parameter WIDTH = 8,
    parameter DEPTH = 1
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             enable,
    input  wire [WIDTH-1:0] data_in,
    output wire [WIDTH-1:0] data_out
);
/* verilator lint_on DECLFILENAME */
    generate
        if (DEPTH == 0) begin : wire_through
            assign data_out = data_in;
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused = &{1'b0, clk, rst, enable};
            /* verilator lint_on UNUSEDSIGNAL */
        end else if (DEPTH == 1) begin : one_register
            reg [WIDTH-1:0] stage;
            always @(posedge clk) begin
                if (rst) stage <= {WIDTH{1'b0}};
                else if (enable) stage <= data_in;
            end
            assign data_out = stage;
        end else begin : shift_register
            reg [DEPTH*WIDTH-1:0] stages;  // the newest stage in the low bits
            always @(posedge clk) begin
                if (rst) stages <= {DEPTH*WIDTH{1'b0}};
                else if (enable) stages <= {stages[(DEPTH-1)*WIDTH-1:0], data_in};
            end
            assign data_out = stages[(DEPTH-1)*WIDTH +: WIDTH];
        end
    endgenerate
endmodule
