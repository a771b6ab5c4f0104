"""variants_table.py -- the mutations of the soundness corpus (read by
generate.py).  One call v(SRC, NAME, MUTATION, EDITS, WHY, by=, na=) per
false variant of the shipped claim SRC (short names in generate.py).
WHY says why the mutated statement is false, with a witness where a small
one is easy to give; a refute is mutated into a true identity, so WHY
says why that identity holds.  `by` and `na` override the methods of the
claim's kind (generate.py's KIND) when one variant differs from it.

Notation in WHY: wide(A, B) = xcorr(A, pad(B, (U-1, V-1))) is the full
cross-correlation, and wide(rot180(A), B) the full convolution A * B,
which is commutative; xcorr(A, .) equals conv(rot180(A), .).
"""


def sign_flip(v, src, expr, why, of="the right side", before="== "):
    """The variant "sign_flip" of SRC: `before + expr` (which must occur
    once in the claim) becomes `before + "-" + expr`."""
    v(src, "sign_flip", "sign flip of " + of, [(before + expr, before + "-" + expr)],
      why)


def define(v, show):
    _ex5_2(v, show)
    _ex5_3(v, show)
    _ex5_4(v, show)
    _ex5_7(v, show)
    _backprop_conv(v, show)
    _backprop_pooling(v, show)
    _activations(v, show)
    _kinks(v, show)


# ---- exercise 5-2: wide convolution ------------------------------------

W13 = "wide(rot180(W), X) == wide(rot180(X), W)"
WHY_FLIPPED = ("reversing a full convolution changes it unless it is "
               "symmetric: X = [[1, 0]], W = [[1]] gives [[1, 0]] on one side "
               "and [[0, 1]] on the other")


def _ex5_2(v, show):
    for src in ("w13", "w13all"):
        v(src, "no_rot180_left", "missing rot180 (kernel, left side)",
          [show(W13, "wide(W, X) == wide(rot180(X), W)")],
          "wide(W, X) is the full cross-correlation, the right side the full "
          "convolution; X = [[1]], W = [[1, 0]] gives [[0, 1]] against [[1, 0]]")
        v(src, "no_rot180_right", "missing rot180 (input, right side)",
          [show(W13, "wide(rot180(W), X) == wide(X, W)")],
          "wide(X, W) is the full cross-correlation of X with W, the full "
          "convolution reversed; " + WHY_FLIPPED)
        v(src, "extra_rot180", "extra rot180 around the left side",
          [show(W13, "rot180(wide(rot180(W), X)) == wide(rot180(X), W)")],
          WHY_FLIPPED)
        v(src, "args_exchanged", "transposed arguments of wide (left side)",
          [show(W13, "wide(X, rot180(W)) == wide(rot180(X), W)")],
          "wide(X, rot180(W)) = rot180(X) * rot180(W) = rot180(X * W), the "
          "convolution reversed; " + WHY_FLIPPED)
        v(src, "sign_flip", "sign flip of the right side",
          [show(W13, "wide(rot180(W), X) == -wide(rot180(X), W)")],
          "both sides are the same nonzero bilinear form; X = W = [[1]] "
          "gives 1 against -1")
        v(src, "height_width_swap", "kernel height and width swapped",
          [show(W13, "wide(rot180(transpose(W)), X) == wide(rot180(X), W)")],
          "transpose(W) is V x U: the left side has M + V - 1 rows, the right "
          "M + U - 1, so the shapes differ whenever U != V")

    wpad = "xcorr(W, pad(X, (U - 1, V - 1)))"
    for src in ("wpad", "wpadall"):
        # (padding (V - 1, U - 1), height and width swapped, is not a
        # variant: the kernel then need not fit, an input error)
        v(src, "pad_off_by_one", "off-by-one padding (U rows instead of U - 1)",
          [(wpad, "xcorr(W, pad(X, (U, V - 1)))")],
          "one more zero row on each side makes the right side M + U + 1 "
          "rows tall against M + U - 1")
        shifted = [(wpad, "xcorr(W, pad(X, top=U, bottom=U - 2, left=V - 1, right=V - 1))")]
        if src == "wpad":
            shifted.append(("  tensor X[M, N]", "  where U >= 2\n  tensor X[M, N]"))
        else:
            shifted.append(("  dim M, N, U, V >= 1", "  dim M, N, U, V >= 1\n  where U >= 2"))
        v(src, "pad_shifted", "padding off by one row between top and bottom",
          shifted,
          "same shape, but X sits one row lower in the padded input: "
          "X = [[1]], W = [[1], [0]] gives [[0], [1]] against [[0], [0]]")
        v(src, "extra_rot180", "extra rot180 of the kernel on the right side",
          [(wpad, "xcorr(rot180(W), pad(X, (U - 1, V - 1)))")],
          "the right side becomes the full convolution, the left is the full "
          "cross-correlation: X = [[1]], W = [[1, 0]] gives [[0, 1]] against "
          "[[1, 0]]")
        v(src, "args_exchanged", "transposed arguments of wide",
          [show("wide(W, X) ==", "wide(X, W) ==")],
          "wide(X, W) is wide(W, X) reversed: X = [[1, 0]], W = [[1]] gives "
          "[[0, 1]] against [[1, 0]]")
        v(src, "stride_changed", "stride 2 on the right side",
          [(wpad, "xcorr(W, pad(X, (U - 1, V - 1)), stride=2)")],
          "with stride 2 the right side has (M + U - 2) / 2 + 1 rows against "
          "M + U - 1; they differ once M + U >= 3")
        v(src, "dilation_changed", "dilation 2 on the right side",
          [(wpad, "xcorr(W, pad(X, (U - 1, V - 1)), dilation=2)")],
          "the dilated kernel spans 2U - 1 rows, so the right side has M rows "
          "against M + U - 1; they differ once U >= 2")
        v(src, "sign_flip", "sign flip of the left side",
          [show("wide(W, X) ==", "-wide(W, X) ==")],
          "X = W = [[1]] gives -1 against 1")

    full = "conv(W, pad(X, (U - 1, V - 1))) == conv(X, pad(W, (M - 1, N - 1)))"
    for src in ("full", "fullall"):
        v(src, "no_flip_left", "missing rot180: xcorr for conv on the left",
          [show(full, "xcorr(W, pad(X, (U - 1, V - 1))) == conv(X, pad(W, (M - 1, N - 1)))")],
          "the left side becomes the full cross-correlation: X = [[1]], "
          "W = [[1, 0]] gives [[0, 1]] against [[1, 0]]")
        v(src, "pad_off_by_one", "off-by-one padding of W (N columns instead of N - 1)",
          [show(full, "conv(W, pad(X, (U - 1, V - 1))) == conv(X, pad(W, (M - 1, N)))")],
          "the right side is two columns wider: N + V + 1 against N + V - 1")
        v(src, "height_width_swap", "height and width of the right side swapped",
          [show(full, "conv(W, pad(X, (U - 1, V - 1))) == transpose(conv(X, pad(W, (M - 1, N - 1))))")],
          "the right side is N + V - 1 by M + U - 1; at a square size its "
          "entry (0, 1) is the left side's (1, 0): M = U = 1, N = V = 2 is "
          "already non-square, X = [[1, 0]], W = [[1, 0]] gives [[1, 0, 0]] "
          "against [[1], [0], [0]]")
        v(src, "extra_rot180", "extra rot180 around the left side",
          [show(full, "rot180(conv(W, pad(X, (U - 1, V - 1)))) == conv(X, pad(W, (M - 1, N - 1)))")],
          WHY_FLIPPED)
        v(src, "sign_flip", "sign flip of the right side",
          [show(full, "conv(W, pad(X, (U - 1, V - 1))) == -conv(X, pad(W, (M - 1, N - 1)))")],
          "X = W = [[1]] gives 1 against -1")

    k, x = "[-1, 2, -1]", "[1, 2, 4, 3]"
    v("ex1d", "entry_sign_flip", "sign flip of one entry of the result",
      [("[-1, 0, -1, 3, 2, -3]", "[-1, 0, 1, 3, 2, -3]")],
      "entry 2 of the full convolution is (-1)(4) + (2)(2) + (-1)(1) = -1")
    v("ex1d", "padding_dropped", "wrong output size: xcorr (no padding) for wide",
      [("wide(rot180(" + k + ")", "xcorr(rot180(" + k + ")")],
      "without padding the result has 4 - 3 + 1 = 2 entries, [-1, 3], not 6")
    v("ex1d", "extra_rot180", "extra rot180 around the result",
      [("wide(rot180(" + k + "), " + x + ")", "rot180(wide(rot180(" + k + "), " + x + "))")],
      "the result reversed is [-3, 2, 3, -1, 0, -1]")
    v("ex1d", "kernel_sign_flip", "sign flip of the kernel",
      [("rot180(" + k + ")", "rot180([1, -2, 1])")],
      "the result changes sign: [1, 0, 1, -3, -2, 3]")
    v("ex1d", "input_padded", "off-by-one padding of the input",
      [(", " + x + ")", ", pad(" + x + ", (0, 1)))")],
      "the input [0, 1, 2, 4, 3, 0] gives 8 entries, not 6")

    # refutes turned into true identities: the refute itself is false
    v("rnorot", "rot180_restored", "extra rot180 on both kernels: (5.13) itself",
      [show("wide(W, X) == wide(X, W)", W13)],
      "this is eq. (5.13), which holds (proofs/ proves it for every shape); "
      "a counterexample cannot exist")
    v("rnorot", "rot180_both_args", "rot180 of both arguments on the right",
      [show("wide(W, X) == wide(X, W)", "wide(W, X) == wide(rot180(X), rot180(W))")],
      "wide(rot180(X), rot180(W)) = X * rot180(W) = rot180(W) * X = wide(W, X): "
      "the identity holds, so no counterexample exists")
    v("rnorot", "rot180_outside", "rot180 around the right side",
      [show("wide(W, X) == wide(X, W)", "wide(W, X) == rot180(wide(X, W))")],
      "wide(X, W) = rot180(X) * W, and reversing a full convolution reverses "
      "both factors: rot180(wide(X, W)) = X * rot180(W) = wide(W, X)")
    v("rkernel", "rot180_input", "extra rot180 of the input: (5.13) itself",
      [show("wide(rot180(W), X) == wide(X, W)", W13)],
      "this is eq. (5.13), which holds")
    v("rkernel", "rot180_outside", "rot180 around a right side with a rotated kernel",
      [show("wide(rot180(W), X) == wide(X, W)",
            "wide(rot180(W), X) == rot180(wide(X, rot180(W)))")],
      "wide(X, rot180(W)) = rot180(X) * rot180(W) = rot180(X * W), so the "
      "right side is X * W = W * X, the left side")
    v("rhalf", "full_padding", "half padding replaced by the full padding",
      [("pad(X, ((U - 1) / 2, (V - 1) / 2))", "pad(X, (U - 1, V - 1))"),
       ("pad(W, ((M - 1) / 2, (N - 1) / 2))", "pad(W, (M - 1, N - 1))")],
      "xcorr(rot180(W), pad(X, (U - 1, V - 1))) is the full convolution "
      "W * X, the right side X * W: the identity holds")


# ---- exercise 5-3: 1x1 convolutions --------------------------------------

def _ex5_3(v, show):
    lhs = "reshape(conv2d(X, K), (D, H * W))"
    kmat = "reshape(K, (D, C))"
    xmat = "reshape(X, (C, H * W))"
    for src in ("mm", "mmall"):
        v(src, "height_width_swap", "pixels read with height and width swapped",
          [(xmat, "reshape(transpose(X, (0, 1, 3, 2)), (C, H * W))")],
          "the right side lists the pixels column by column; at H = W = 2 "
          "pixel (0, 1) of the left side meets pixel (1, 0) of the right")
        if src == "mm":
            v(src, "kernel_transposed", "transposed arguments: kernel read as C x D",
              [(kmat, "transpose(reshape(K, (C, D)))")],
              "for C = D = 2 the kernel [[a, b], [c, d]] is read as [[a, c], "
              "[b, d]]", by=["symbolic", "random", "exact", "bounded"],
              na={"all_shapes": "reshape to sizes that do not regroup the axes "
                                "of its input (C x D from D x C x 1 x 1)"})
        v(src, "stride_changed", "stride 2 on the left side",
          [(lhs, "reshape(conv2d(X, K, stride=2), (D, -1))")],
          "stride 2 keeps ceil(H/2) * ceil(W/2) pixels, fewer than H * W once "
          "H or W >= 2")
        v(src, "padding_added", "off-by-one padding (1 instead of 0)",
          [(lhs, "reshape(conv2d(X, K, padding=1), (D, -1))")],
          "padding 1 gives (H + 2) * (W + 2) pixels, not H * W")
        sign_flip(v, src, kmat,
                  "C = D = H = W = 1, X = K = 1 gives 1 against -1")

    bias = "+ reshape(B, (D, 1))"
    for src in ("mmb", "mmball"):
        v(src, "bias_dropped_right", "dropped bias on the right side",
          [(" " + bias, "")],
          "the right side no longer depends on B: B = 1, X = K = 0 gives 1 "
          "against 0")
        v(src, "bias_dropped_left", "dropped bias on the left side",
          [("conv2d(X, K, bias=B)", "conv2d(X, K)")],
          "the left side no longer depends on B: B = 1, X = K = 0 gives 0 "
          "against 1")
        v(src, "bias_twice", "bias added twice",
          [(bias, "+ 2 * reshape(B, (D, 1))")],
          "B = 1, X = K = 0 gives 1 against 2")
        v(src, "bias_sign_flip", "sign flip of the bias",
          [(bias, "- reshape(B, (D, 1))")],
          "B = 1, X = K = 0 gives 1 against -1")
        v(src, "height_width_swap", "pixels read with height and width swapped",
          [(xmat, "reshape(transpose(X, (0, 1, 3, 2)), (C, H * W))")],
          "as without bias: at H = W = 2 pixels (0, 1) and (1, 0) are "
          "exchanged on the right side")

    v("chan", "size_channels_swapped", "wrong output-size formula: C for D",
      [("== D * H * W", "== C * H * W")],
      "the output has D channels; C = 1, D = 2 gives 2 * H * W against H * W")
    v("chan", "size_valid_2x2", "wrong output-size formula: a 2x2 kernel's",
      [("== D * H * W", "== D * (H - 1) * (W - 1)")],
      "(H - 1) * (W - 1) < H * W for every H, W >= 1")
    v("chan", "height_width_swap", "height and width swapped in the shape",
      [("(1, D, H, W))", "(1, D, W, H))")],
      "the shapes differ whenever H != W", by=["symbolic", "random", "exact", "bounded"],
      na={"all_shapes": "reshape to sizes that do not regroup the axes of its input"})
    v("chan", "padding_added", "off-by-one padding in the size",
      [("size(conv2d(X, K))", "size(conv2d(X, K, padding=1))")],
      "padding 1 gives D * (H + 2) * (W + 2) entries")
    v("chan", "stride_changed", "stride 2 in the size",
      [("size(conv2d(X, K))", "size(conv2d(X, K, stride=2))")],
      "stride 2 gives D * ceil(H/2) * ceil(W/2) entries, fewer once H or "
      "W >= 2")

    v("cost", "padding_off_by_one", "off-by-one padding of the 3x3 layer",
      [("conv2d(X, K3, padding=1)", "conv2d(X, K3, padding=2)")],
      "padding 2 gives (H + 2) * (W + 2) output pixels, each 9 * C * D "
      "multiplications")
    v("cost", "stride_changed", "stride 2 on the 1x1 layer",
      [("conv2d(X, K1)", "conv2d(X, K1, stride=2)")],
      "stride 2 keeps ceil(H/2) * ceil(W/2) pixels")
    v("cost", "kernel_formula", "wrong formula: 3 taps for a 3x3 kernel",
      [("9 * C * D * H * W", "3 * C * D * H * W")],
      "a 3x3 kernel has 9 taps")
    v("cost", "channels_swapped", "wrong formula: C * C for C * D",
      [("== C * D * H * W", "== C * C * H * W")],
      "C = 1, D = 2 gives 2 * H * W against H * W")


# ---- exercise 5-4: bottleneck costs (large tensors: exact only) ----------

HEAVY = {"by": ["all_shapes", "exact"],
         "na": {m: "not run: binding about three million indeterminates, "
                   "field elements or intervals costs minutes; exact decides "
                   "counts as well" for m in ("symbolic", "random", "bounded")}}
# a quotient of counts: all_shapes keeps polynomials only
HEAVY_RATIO = {"by": ["exact"],
               "na": dict(HEAVY["na"], all_shapes="a quotient of counts (mults/size) "
                          "is not a polynomial in the dims")}


def _ex5_4(v, show):
    v("direct", "padding_dropped", "dropped padding",
      [("mults(conv2d(X, K, padding=1))", "mults(conv2d(X, K))")],
      "without padding the output is 98 x 98: 256 * 256 * 9 * 98 * 98 = "
      "5,664,669,696 multiplications", **HEAVY)
    v("direct", "stride_changed", "stride 2",
      [("size(conv2d(X, K, padding=1))", "size(conv2d(X, K, padding=1, stride=2))")],
      "stride 2 gives 256 * 50 * 50 = 640,000 outputs", **HEAVY)
    v("direct", "size_formula", "wrong output-size formula (no padding)",
      [("== 2560000", "== 256 * 98 * 98")],
      "with padding 1 the output is 100 x 100: 2,560,000, not 2,458,624",
      **HEAVY)
    v("direct", "bias_counted", "parameter count with a bias the layer does not have",
      [("size(K) == 589824", "size(K) == 589824 + 256")],
      "the kernel alone has 256 * 256 * 9 = 589,824 entries", **HEAVY)
    v("bneck", "padding_dropped", "dropped padding of the 3x3 layer",
      [("let Z = conv2d(Y, K3, padding=1)", "let Z = conv2d(Y, K3)")],
      "without padding Z is 98 x 98: 256 * 64 * 9 * 98 * 98 multiplications",
      **HEAVY)
    v("bneck", "stride_changed", "stride 2 on the 1x1 layer",
      [("let Y = conv2d(X, K1)", "let Y = conv2d(X, K1, stride=2)")],
      "stride 2 gives Y 50 x 50: 64 * 256 * 2500 = 40,960,000 "
      "multiplications", **HEAVY)
    v("bneck", "size_formula", "wrong memory formula: the input counted",
      [("show size(Y) + size(Z) == 3200000", "show size(X) + size(Y) + size(Z) == 3200000")],
      "X adds 2,560,000 entries", **HEAVY)
    v("ratio", "padding_dropped", "dropped padding in the direct layer",
      [("mults(conv2d(X, K, padding=1)) /", "mults(conv2d(X, K)) /")],
      "the ratio becomes 18/5 * (98 * 98) / (100 * 100)", **HEAVY_RATIO)
    v("ratio", "inverted", "transposed arguments: the ratio inverted",
      [("== 18/5", "== 5/18")], "the direct layer costs more", **HEAVY_RATIO)

    v("formulas", "term_dropped", "dropped term: the 1x1 layer's cost",
      [("== C * B * H * W + 9 * B * C * H * W", "== 9 * B * C * H * W")],
      "the 1x1 layer costs C * B * H * W >= 1 multiplications")
    v("formulas", "padding_off_by_one", "off-by-one padding of the direct layer",
      [("mults(conv2d(X, K, padding=1))", "mults(conv2d(X, K, padding=2))")],
      "padding 2 gives (H + 2) * (W + 2) output pixels")
    v("formulas", "stride_changed", "stride 2 on the 1x1 layer",
      [("conv2d(conv2d(X, K1), K3", "conv2d(conv2d(X, K1, stride=2), K3")],
      "stride 2 shrinks the image the 3x3 layer sees once H or W >= 2")
    v("formulas", "size_formula", "wrong output-size formula (no padding)",
      [("== 9 * C * C * H * W", "== 9 * C * C * (H - 2) * (W - 2)")],
      "with padding 1 the output keeps all H * W pixels")

    v("formulasall", "term_dropped", "dropped term: the 1x1 layer's cost",
      [("== C * B * H * W + 9 * B * C * H * W", "== 9 * B * C * H * W")],
      "the 1x1 layer costs C * B * H * W >= 1 multiplications")
    v("formulasall", "padding_off_by_one", "off-by-one padding of the direct layer",
      [("mults(conv2d(X, K, padding=1))", "mults(conv2d(X, K, padding=2))")],
      "padding 2 gives (H + 2) * (W + 2) output pixels")
    v("formulasall", "size_input_counted", "wrong memory formula: the input counted",
      [("show size(Y) +", "show size(X) + size(Y) +")],
      "X adds C * H * W >= 1 entries")
    v("strideall", "size_off_by_one", "the + 1 of the output height forgotten",
      [("N * O * ((H + 2 * P - R) // 2 + 1)", "N * O * ((H + 2 * P - R) // 2)")],
      "at every dim 1 and P = 0 the output has 1 entry, the formula 0")
    v("strideall", "size_divisor", "// 3 for the stride 2",
      [("((W + 2 * P - S) // 2 + 1)", "((W + 2 * P - S) // 3 + 1)")],
      "W = 3, S = 1, P = 0: the output is 2 wide, the formula says 1")
    v("strideall", "taps_dropped", "the kernel width left out of the cost",
      [("* C * R * S", "* C * R")],
      "S = 2 doubles the taps per output entry")


# ---- exercise 5-7: the backward pass is the transpose --------------------

def _ex5_7(v, show):
    fwd = "transpose(jacobian(xcorr(W, X), X))"
    bwd = "jacobian(wide(rot180(W), D), D)"
    for src in ("t57", "t57all"):
        v(src, "no_rot180", "missing rot180 in the backward pass",
          [(bwd, "jacobian(wide(W, D), D)")],
          "the backward matrix of wide(W, D) is the transpose of the forward "
          "matrix of conv(W, X), not xcorr(W, X): they differ for W = [[1, 0]]")
        v(src, "no_transpose", "missing transpose of the forward matrix",
          [(fwd, "jacobian(xcorr(W, X), X)")],
          "the forward matrix is (M-U+1)(N-V+1) x MN, the backward one its "
          "transpose; the shapes differ once U >= 2 or V >= 2")
        v(src, "sign_flip", "sign flip in the backward pass",
          [(bwd, "jacobian(-wide(rot180(W), D), D)")],
          "every nonzero entry changes sign: U = V = M = N = 1, W = 1 gives "
          "1 against -1")
        v(src, "height_width_swap", "kernel height and width swapped in the backward pass",
          [(bwd, "jacobian(wide(rot180(transpose(W)), D), D)")],
          "wide(rot180(transpose(W)), D) has M - U + V rows, not M; the "
          "shapes differ whenever U != V")
        v(src, "stride_changed", "stride 2 in the forward pass",
          [("xcorr(W, X)", "xcorr(W, X, stride=2)")],
          "stride 2 leaves (M - U) / 2 + 1 output rows, fewer than the "
          "M - U + 1 of D once M - U >= 1: the matrices' shapes differ")
        v(src, "conv_forward", "extra rot180: conv for xcorr in the forward pass",
          [("xcorr(W, X)", "conv(W, X)")],
          "the transpose of conv's matrix is the backward pass of wide(W, D); "
          "W = [[1, 0]] tells them apart")

    cmi = "conv2d_matrix_input(X, K, stride=S, padding=P)"
    sign_flip(v, "t57c", "reshape(conv2d_backward_input(",
              "C = O = 1, H = W = 2, S = 1, P = 0, K = [[1, 0], [0, 0]], G = 1 "
              "gives a nonzero vector against its negative", of="the backward formula")
    v("t57c", "matrix_padding_off_by_one", "off-by-one padding of the explicit matrix",
      [("== " + cmi, "== conv2d_matrix_input(X, K, stride=S, padding=P + 1)")],
      "padding P + 1 gives the matrix more rows than the Jacobian has")
    v("t57c", "height_width_swap", "kernel height and width swapped in the forward pass",
      [("jacobian(conv2d(X, K,", "jacobian(conv2d(X, transpose(K, (0, 1, 3, 2)),")],
      "K = [[1, 0], [0, 0]] is unchanged by the swap but K = [[0, 1], [0, 0]] "
      "is not, and the Jacobian's entries are the kernel's")
    v("t57c", "weight_matrix", "transposed arguments: the weight matrix for the input matrix",
      [("== " + cmi, "== conv2d_matrix_weight(X, K, stride=S, padding=P)")],
      "the weight matrix holds entries of X, the Jacobian entries of K")
    v("t57c", "stride_changed", "stride dropped from the explicit matrix",
      [("== " + cmi, "== conv2d_matrix_input(X, K, padding=P)")],
      "with S = 2 and H = 4 the stride-1 matrix has more rows")

    for src, s in (("t57s1", None), ("t57s2", 2), ("t57s3", 3)):
        st = "stride=%d, " % s if s else ""
        cm = "conv2d_matrix_input(X, K, %spadding=P)" % st
        sign_flip(v, src, "reshape(conv2d_backward_input(",
                  "N = C = O = H = W = R = T = 1, P = 0, K = G = 1 gives 1 against -1",
                  of="the backward formula")
        v(src, "matrix_padding_off_by_one", "off-by-one padding of the explicit matrix",
          [("== " + cm, "== conv2d_matrix_input(X, K, %spadding=P + 1)" % st)],
          "padding P + 1 gives the matrix more rows than the Jacobian has")
        v(src, "weight_matrix", "transposed arguments: the weight matrix for the input matrix",
          [("== " + cm, "== conv2d_matrix_weight(X, K, %spadding=P)" % st)],
          "the weight matrix holds entries of X, the Jacobian entries of K")
        other = 2 if s in (None, 3) else 3
        v(src, "stride_changed", "stride %d for %d in the forward pass" % (other, s or 1),
          [("jacobian(conv2d(X, K, %spadding=P)" % st,
            "jacobian(conv2d(X, K, stride=%d, padding=P)" % other)],
          "the strides give different numbers of output rows at some "
          "shape: H + 2P - R = 2 gives 3 rows at stride 1, 2 at stride 2 and "
          "1 at stride 3")
        if s != 3:
            v(src, "height_width_swap", "kernel height and width swapped in the forward pass",
              [("jacobian(conv2d(X, K,", "jacobian(conv2d(X, transpose(K, (0, 1, 3, 2)),"),
               ("where H + 2 * P >= R, W + 2 * P >= T",
                "where H + 2 * P >= R, W + 2 * P >= T, R == T")],
              "with a square kernel (R == T, added so that both kernels fit) "
              "K = [[0, 1], [0, 0]] and its transpose give different Jacobians")

    dil = "wide(rot180(W), dilate(G, S))"
    v("dil", "no_rot180", "missing rot180",
      [(dil, "wide(W, dilate(G, S))")],
      "without the rotation this is the gradient of conv(W, X); W = [[1, 0]] "
      "tells them apart")
    v("dil", "dilation_dropped", "dropped dilation of the gradient",
      [(dil, "wide(rot180(W), G)")],
      "with S = 2 the undilated G is smaller: the right side has fewer "
      "rows than X once (M - U) / 2 >= 1")
    v("dil", "dilation_off_by_one", "dilation S + 1 instead of S",
      [(dil, "wide(rot180(W), dilate(G, S + 1))")],
      "the dilated G gets one more zero between entries: too many rows "
      "once G has two rows")
    sign_flip(v, "dil", dil,
              "M = N = U = V = S = 1, W = G = 1 gives 1 against -1")
    v("dil", "height_width_swap", "kernel height and width swapped",
      [(dil, "wide(rot180(transpose(W)), dilate(G, S))")],
      "the right side has M - U + V rows, not M, whenever U != V")
    for src, s in (("dil2", 2), ("dil3", 3)):
        d = "wide(rot180(W), dilate(G, %d))" % s
        other = 3 if s == 2 else 2
        v(src, "no_rot180", "missing rot180",
          [(d, "wide(W, dilate(G, %d))" % s)],
          "without the rotation this is the gradient of conv(W, X); W = [[1, 0]] "
          "tells them apart")
        v(src, "dilation_dropped", "dropped dilation of the gradient",
          [(d, "wide(rot180(W), G)")],
          "the undilated G is smaller than the dilated one once G has two rows")
        v(src, "dilation_changed", "dilation %d for stride %d" % (other, s),
          [(d, "wide(rot180(W), dilate(G, %d))" % other)],
          "the dilated G has the wrong number of rows once G has two rows")
        sign_flip(v, src, d,
                  "M = N = U = V = 1, W = G = 1 gives 1 against -1")
        v(src, "height_width_swap", "kernel height and width swapped",
          [(d, "wide(rot180(transpose(W)), dilate(G, %d))" % s)],
          "the right side has M - U + V rows, not M, whenever U != V")

    ct = "conv_transpose2d(G, K, stride=S, padding=P)"
    v("ct", "padding_dropped", "dropped padding in the backward pass",
      [(ct, "conv_transpose2d(G, K, stride=S)")],
      "with P = 1 the right side is 2 rows and 2 columns larger than X")
    v("ct", "stride_dropped", "dropped stride in the backward pass",
      [(ct, "conv_transpose2d(G, K, padding=P)")],
      "with S = 2 and G of two rows the right side has too few rows")
    v("ct", "height_width_swap", "kernel height and width swapped",
      [(ct, "conv_transpose2d(G, transpose(K, (0, 1, 3, 2)), stride=S, padding=P)")],
      "K = [[0, 1], [0, 0]] and its transpose spread G differently")
    sign_flip(v, "ct", ct,
              "H = W = 2, S = 1, P = 0, K = 1 at one tap, G = 1 gives a nonzero "
              "gradient against its negative")
    ct2 = "conv_transpose2d(G, K, stride=2, padding=P)"
    v("ctall", "padding_dropped", "dropped padding in the backward pass",
      [(ct2, "conv_transpose2d(G, K, stride=2)")],
      "with P >= 1 the right side is 2P rows larger than X")
    v("ctall", "output_padding_added", "off-by-one output size (output_padding=1)",
      [(ct2, "conv_transpose2d(G, K, stride=2, padding=P, output_padding=1)")],
      "output_padding adds a row and a column: H + 1 rows against H")
    v("ctall", "height_width_swap", "kernel height and width swapped",
      [(ct2, "conv_transpose2d(G, transpose(K, (0, 1, 3, 2)), stride=2, padding=P)"),
       ("where H + 2 * P >= R, W + 2 * P >= T", "where H + 2 * P >= R, W + 2 * P >= T, R == T")],
      "with a square kernel (R == T, so that both fit) K = [[0, 1], [0, 0]] "
      "and its transpose spread G differently")
    sign_flip(v, "ctall", ct2,
              "N = C = O = H = W = R = T = 1, P = 0, K = G = 1 gives 1 against -1")


# ---- backpropagation through a conv layer, eqs. (5.36)-(5.39) -----------

def _backprop_conv(v, show):
    gx = "wide(rot180(W), G)"
    for src in ("gx", "gxall"):
        v(src, "no_rot180", "missing rot180",
          [("== " + gx, "== wide(W, G)")],
          "without the rotation this is the gradient of conv(W, X): M = 1, "
          "N = 2, W = [[1, 0]] (U = 1, V = 2), G = 1 gives [[1, 0]] against "
          "[[0, 1]]")
        v(src, "extra_rot180", "extra rot180 of delta",
          [("== " + gx, "== wide(rot180(W), rot180(G))")],
          "rotating G moves each error term to the mirrored output: M = 1, "
          "N = 2, U = V = 1, W = 1, G = [[1, 0]] gives [[1, 0]] against [[0, 1]]")
        v(src, "conv_forward", "extra rot180: conv for xcorr in the forward pass",
          [("xcorr(W, X)", "conv(W, X)")],
          "the gradient of conv(W, X) is wide(W, G); W = [[1, 0]] tells them apart")
        sign_flip(v, src, gx,
                  "M = N = U = V = 1, W = G = 1 gives 1 against -1")
        v(src, "height_width_swap", "kernel height and width swapped",
          [("== " + gx, "== wide(rot180(transpose(W)), G)")],
          "the right side has M - U + V rows, not M, whenever U != V")

    for src in ("gw", "gwall"):
        v(src, "extra_rot180_delta", "extra rot180 of delta",
          [("== xcorr(G, X)", "== xcorr(rot180(G), X)")],
          "U = 1, V = 2, M = 1, N = 2: G = [[1]] is symmetric, so take "
          "M = 1, N = 3, V = 2, G = [[1, 0]], X = [[1, 0, 0]]: [[1, 0]] "
          "against [[0, 0]]")
        v(src, "extra_rot180_result", "extra rot180 of the result",
          [("== xcorr(G, X)", "== rot180(xcorr(G, X))")],
          "M = 1, N = 2, U = V = 1 is a 1 x 1 gradient; with V = 2, "
          "G = [[1]], X = [[1, 0]] the gradient is [[1, 0]], reversed [[0, 1]]")
        v(src, "conv_formula", "extra rot180: conv for xcorr in the formula",
          [("== xcorr(G, X)", "== conv(G, X)")],
          "conv(G, X) = xcorr(rot180(G), X); with G = [[1, 0]] and "
          "X = [[1, 0, 0]] that is [[0, 0]] against [[1, 0]]")
        sign_flip(v, src, "xcorr(G, X)",
                  "M = N = U = V = 1, X = G = 1 gives 1 against -1")

    for src in ("gb", "gball"):
        v(src, "bias_dropped", "dropped bias in the forward pass",
          [("(xcorr(W, X) + b)", "xcorr(W, X)")],
          "the loss no longer depends on b: the gradient is 0, sum(G) is not")
        v(src, "bias_twice", "bias added twice",
          [("(xcorr(W, X) + b)", "(xcorr(W, X) + 2 * b)")],
          "the gradient becomes 2 * sum(G)")
        v(src, "normalisation_added", "wrong normalisation: the mean of delta",
          [("== sum(G)", "== sum(G) / 2")],
          "sum(G) / 2 != sum(G) whenever sum(G) != 0")
        sign_flip(v, src, "sum(G)",
                  "G = 1 gives 1 against -1")

    for src, opts in (("mc", "stride=S, padding=P"), ("mc1", "padding=P"),
                      ("mc2", "stride=2, padding=P"),
                      ("mcg", "stride=2, padding=P, groups=2")):
        v(src, "bias_dropped", "dropped bias in the forward pass",
          [("bias=B, ", "")],
          "the loss no longer depends on B: its gradient is 0, "
          "conv2d_backward_bias(G) (the sums of G per channel) is not")
        sign_flip(v, src, "conv2d_backward_input(",
                  "all sizes 1, K = G = 1 gives 1 against -1",
                  of="the backward formula to the input")
        v(src, "height_width_swap", "kernel height and width swapped in the weight gradient",
          [("== conv2d_backward_weight(X, K, G, %s)" % opts,
            "== transpose(conv2d_backward_weight(X, K, G, %s), (0, 1, 3, 2))" % opts)],
          "the weight gradient of a 2 x 2 kernel at X = [[0, 1], [0, 0]], "
          "G = 1 is [[0, 1], [0, 0]], swapped [[0, 0], [1, 0]]")
        v(src, "bias_axis_swapped", "bias gradient summed over the wrong axis",
          [("conv2d_backward_bias(G)", "conv2d_backward_bias(transpose(G, (1, 0, 2, 3)))")],
          "the sums run per batch element instead of per output channel: "
          "the shapes differ when the batch and channel counts do")

    v("rgx", "rot180_restored", "extra rot180: the rotation restored, (5.39) itself",
      [("== wide(W, G)", "== wide(rot180(W), G)")],
      "this is eq. (5.39), which holds (proofs/ proves it for every shape)")
    v("rgx", "conv_forward", "conv for xcorr in the forward pass",
      [("xcorr(W, X)", "conv(W, X)")],
      "conv(W, X) = xcorr(rot180(W), X), whose input gradient is "
      "wide(rot180(rot180(W)), G) = wide(W, G): the identity holds")


# ---- backpropagation through pooling -------------------------------------

def _backprop_pooling(v, show):
    ones = "conv_transpose2d(G, [[[[1, 1], [1, 1]]]], stride=2) / 4"
    v("avg", "normalisation_dropped", "dropped normalisation (/ 4)",
      [(ones, "conv_transpose2d(G, [[[[1, 1], [1, 1]]]], stride=2)")],
      "each input gets a quarter of its window's error term, not all of it")
    v("avg", "normalisation_wrong", "wrong normalisation (/ 2 for a 2x2 window)",
      [(ones, "conv_transpose2d(G, [[[[1, 1], [1, 1]]]], stride=2) / 2")],
      "a 2 x 2 window averages 4 entries")
    v("avg", "stride_changed", "stride 1 for the window's stride 2",
      [(ones, "conv_transpose2d(G, [[[[1, 1], [1, 1]]]], stride=1) / 4")],
      "stride 1 gives H + 1 rows against 2H once H >= 2")
    v("avg", "kernel_sign_flip", "sign flip of one tap of the spreading kernel",
      [(ones, "conv_transpose2d(G, [[[[1, 1], [1, -1]]]], stride=2) / 4")],
      "the bottom-right entry of each window gets -G/4 instead of G/4")
    v("avg", "height_width_swap", "height and width of delta swapped",
      [(ones, "conv_transpose2d(transpose(G, (0, 1, 3, 2)), [[[[1, 1], [1, 1]]]], stride=2) / 4")],
      "the shapes differ when H != W; at H = W = 2, G = [[0, 1], [0, 0]] "
      "goes to the bottom-left window instead of the top-right one")
    sign_flip(v, "avg", "avg_pool2d_backward(X, G, 2)",
              "H = W = 1, G = 1 gives 1/4 against -1/4", of="the backward formula")

    v("avgpad", "count_include_pad", "normalisation without the padded zeros",
      [("avg_pool2d(X, 3, stride=1, padding=1)",
        "avg_pool2d(X, 3, stride=1, padding=1, count_include_pad=false)")],
      "a corner window holds 4 real entries, so the forward pass divides by "
      "4 there while the backward formula divides by 9")
    v("avgpad", "divisor_changed", "wrong normalisation: divisor 8",
      [("avg_pool2d_backward(X, G, 3, stride=1, padding=1)",
        "avg_pool2d_backward(X, G, 3, stride=1, padding=1, divisor_override=8)")],
      "a 3 x 3 window with the padding counted divides by 9")
    sign_flip(v, "avgpad", "avg_pool2d_backward(",
              "G = 1 at one pixel gives a nonzero gradient against its negative",
              of="the backward formula")

    v("max", "avg_backward", "the average pooling formula for max pooling",
      [("== max_pool2d_backward(X, G, 2)", "== avg_pool2d_backward(X, G, 2)")],
      "max pooling routes all of G to the maximum, averaging spreads a "
      "quarter to each entry")
    v("max", "min_pooling", "sign flip inside: min pooling for max pooling",
      [("max_pool2d(X, 2)", "-max_pool2d(-X, 2)")],
      "the gradient then goes to the minimum of each window (and with the "
      "opposite sign), which differs from the maximum unless all four tie")
    sign_flip(v, "max", "max_pool2d_backward(X, G, 2)",
              "G = 1 gives 1 at the maximum against -1", of="the backward formula")


# ---- transcendental layers (bounded only) --------------------------------

def _activations(v, show):
    sig = "sigmoid(Z) * (1 - sigmoid(Z))"
    sign_flip(v, "dsig", sig,
              "s(1 - s) > 0 for every real z, so it differs from its negative",
              of="the derivative")
    v("dsig", "factor_dropped", "dropped term: s for s (1 - s)",
      [("== " + sig, "== sigmoid(Z)")],
      "s(1 - s) = s only where s = 0, which no real z reaches")
    v("dsig", "factor_squared", "wrong factor: s^2 for s (1 - s)",
      [("== " + sig, "== sigmoid(Z) * sigmoid(Z)")],
      "equal only where s = 1/2, i.e. z = 0; z = 1 tells them apart")
    v("dtanh", "sign_flip", "sign flip inside: 1 + tanh^2",
      [("== 1 - tanh(Z) * tanh(Z)", "== 1 + tanh(Z) * tanh(Z)")],
      "equal only where tanh(z) = 0; z = 1 tells them apart")
    v("dtanh", "arguments_exchanged", "transposed operands: tanh^2 - 1",
      [("== 1 - tanh(Z) * tanh(Z)", "== tanh(Z) * tanh(Z) - 1")],
      "1 - t^2 > 0 > t^2 - 1 for every real z")
    v("dexp", "scale_changed", "changed scale: exp(2z) for exp(z)",
      [("== exp(Z)", "== exp(2 * Z)")],
      "equal only at z = 0; z = 1 gives e against e^2")
    v("dexp", "log_normalisation", "wrong normalisation: log'(x) x = 2",
      [("== 1 + 0 * X", "== 2 + 0 * X")],
      "log'(x) x = 1 for every x > 0")
    v("sigsym", "sign_flip", "sign flip: sigmoid(-z) = 1 + sigmoid(z)",
      [("== 1 - sigmoid(Z)", "== 1 + sigmoid(Z)")],
      "sigmoid(-z) < 1 < 1 + sigmoid(z)")
    v("sigsym", "scale_dropped", "dropped scaling: tanh(z) = 2 sigmoid(z) - 1",
      [("2 * sigmoid(2 * Z) - 1", "2 * sigmoid(Z) - 1")],
      "2 sigmoid(z) - 1 = tanh(z / 2), not tanh(z); z = 1 tells them apart")
    v("smjac", "term_dropped", "dropped term: diag(p) without - p p^T",
      [(" - reshape(p, (3, 1)) @ reshape(p, (1, 3))", "")],
      "p p^T has positive entries: every p_i > 0")
    v("smjac", "sign_flip", "sign flip: diag(p) + p p^T",
      [(" - reshape(p, (3, 1))", " + reshape(p, (3, 1))")],
      "the sides differ by 2 p p^T, whose entries are positive")
    v("cemean", "normalisation_dropped", "dropped normalisation (/ N)",
      [("-sum(Y * log(softmax(Z))) / N", "-sum(Y * log(softmax(Z)))")],
      "cross_entropy is the batch mean: N = 2 halves a positive sum")
    v("cemean", "sign_flip", "sign flip of the sum",
      [("-sum(Y * log(softmax(Z))) / N", "sum(Y * log(softmax(Z))) / N")],
      "the cross-entropy is positive (every log softmax < 0, Y > 0)")
    v("cegrad", "normalisation_dropped", "dropped normalisation (/ N)",
      [("== (softmax(Z) - Y) / N", "== softmax(Z) - Y")],
      "at N = 2 the gradient is half of p - y, which is nonzero unless p = y")
    v("cegrad", "arguments_exchanged", "transposed operands: (y - p) / N",
      [("== (softmax(Z) - Y) / N", "== (Y - softmax(Z)) / N")],
      "p - y = 0 only where softmax(Z) = softmax(T), which random Z and T miss")
    v("ceonehot", "normalisation_wrong", "wrong normalisation: / 3 for a batch of 2",
      [("== (softmax(Z) - Y) / 2", "== (softmax(Z) - Y) / 3")],
      "p - y has a negative entry at each row's class (p_c < 1 = y_c)")
    v("ceonehot", "rows_swapped", "the classes of the two rows swapped on the right",
      [("== (softmax(Z) - Y) / 2", "== (softmax(Z) - [[0, 0, 1], [0, 1, 0]]) / 2")],
      "row 0's class is 1, not 2: entry (0, 1) is (p_1 - 1)/2 < 0 on the "
      "left and p_1/2 > 0 on the right")
    v("ceunnorm", "normalisation_dropped", "dropped normalisation (/ N)",
      [("- T) / N", "- T)")],
      "at N = 2 the gradient is half of the right side, which is nonzero "
      "for targets in 0..3 that are not proportional to p")
    v("ceunnorm", "sign_flip", "sign flip of the targets' term",
      [("- T) / N", "+ T) / N")],
      "the sides differ by 2T / N, nonzero when some target is")
    v("rce", "sum_restored", "the sum of the targets restored: a true identity",
      [("== softmax(Z) - T", "== softmax(Z) * sum(T) - T")],
      "with N = 1 this is the general gradient (p sum(y) - y) / N, which the "
      "shipped claim proves: no counterexample exists")
    v("net", "derivative_dropped", "dropped term: the sigmoid derivative in the delta",
      [(" * A1 * (1 - A1)", "")],
      "the delta of a sigmoid layer is multiplied by s(1 - s), which lies "
      "in (0, 1/4]")
    v("net", "derivative_sign", "sign flip inside the derivative: s (1 + s)",
      [(" * A1 * (1 - A1)", " * A1 * (1 + A1)")],
      "s(1 + s) > s(1 - s) for s > 0")
    sign_flip(v, "net", "conv2d_backward_input(",
              "the input gradient is nonzero at generic inputs",
              of="the input gradient", before="show grad(L, X) == ")
    v("rdsig", "sign_restored", "the sign restored: s (1 - s), a true identity",
      [("sigmoid(Z) * (1 + sigmoid(Z))", "sigmoid(Z) * (1 - sigmoid(Z))")],
      "this is the derivative of the sigmoid: no counterexample exists")
    v("rdtanh", "square_restored", "the square restored: 1 - tanh^2, a true identity",
      [("== 1 - tanh(Z)", "== 1 - tanh(Z) * tanh(Z)")],
      "this is the derivative of tanh: no counterexample exists")
    v("rdelta", "derivative_restored", "the sigmoid derivative restored: a true identity",
      [("conv2d_backward_weight(X, K, A1)", "conv2d_backward_weight(X, K, A1 * A1 * (1 - A1))")],
      "L = sum(A1^2)/2 gives dL/dA1 = A1 and dA1/dZ = A1 (1 - A1), so the "
      "delta is A1 * A1 * (1 - A1): no counterexample exists")


# ---- kinks: subgradients of max pooling and ReLU, and a whole network ----

def _kinks(v, show):
    sub = " in subgrad(sum(max_pool2d(X, 2) * G), X)"
    v("kfirst", "sign_flip", "sign flip of the rule",
      [("show max_pool2d_backward(X, G, 2)" + sub, "show -max_pool2d_backward(X, G, 2)" + sub)],
      "every element of the set sends g to the window's maxima; -g is "
      "outside unless g = 0 (X = 0, G = 1: the sum of the entries must be 1)")
    v("kfirst", "all_rule", "the whole gradient to every tied maximum",
      [("show max_pool2d_backward(X, G, 2)" + sub, "show max_pool2d_backward_all(X, G, 2)" + sub)],
      "at a tie the entries of the window sum to k g, not g (the shipped "
      "refute shows it)")
    v("ksplit", "normalisation_dropped", "the split without its normalisation: twice the rule",
      [("show max_pool2d_backward_split(X, G, 2)" + sub, "show 2 * max_pool2d_backward_split(X, G, 2)" + sub)],
      "the entries of each window must sum to g, these sum to 2g")
    sign_flip(v, "koverlap", "max_pool2d_backward(X, G, 2, stride=1) in subgrad(L, X)",
              "the set's elements have entry sum sum(G); the negation has -sum(G)",
              of="the first rule", before="show ")
    v("rkall", "first_rule", "the first-maximum rule for the all rule: a true membership",
      [("show max_pool2d_backward_all(X, G, 2)", "show max_pool2d_backward(X, G, 2)")],
      "PyTorch's rule is in the set (the shipped claim above): no counterexample")
    v("krelu", "derivative_dropped", "dropped ReLU derivative: G for relu_backward(Z, G)",
      [("show relu_backward(Z, G) in", "show G in")],
      "at z < 0 the only subgradient is 0, and G is not 0 there")
    v("krelu", "slope_two", "wrong slope at 0: relu(z + 2) - relu(z)",
      [("show G * (relu(Z + 1) - relu(Z)) in", "show G * (relu(Z + 2) - relu(Z)) in")],
      "at z = 0 this is 2g, outside g [0, 1]; at z = 1 it is 2g, not g")
    v("kaway", "derivative_dropped", "dropped derivative: 0 for the gradient of relu",
      [("== relu_backward(Z, D)", "== 0 * D")],
      "Z > 0, so the gradient is D, nonzero for some D in -3..3")
    v("kaway", "sign_flip", "sign flip inside: relu(-z) has gradient D",
      [("show grad(sum(relu(-Z) * D), Z) == Z * 0", "show grad(sum(relu(-Z) * D), Z) == D")],
      "-Z < 0, so relu(-Z) is 0 near Z and its gradient 0")
    sign_flip(v, "netchain", "dV in subgrad(L, V)",
              "L is smooth in V: the set is the gradient dV alone, nonzero at generic inputs",
              of="the dense layer's gradient", before="show ")
    v("netlin", "sign_flip", "sign flip of the dense layer's gradient",
      [("show dV == grad(L, V)", "show -dV == grad(L, V)")],
      "dV = F^T (Y - T) is nonzero at generic inputs")
    v("netlin", "normalisation_dropped", "dropped normalisation of the average pooling's backward pass (4 times it)",
      [("let dZ1 = avg_pool2d_backward(Z1, dP1, 2)", "let dZ1 = 4 * avg_pool2d_backward(Z1, dP1, 2)")],
      "the backward pass of a 2x2 average spreads a quarter, not all")
    v("netdelta", "sign_flip", "sign flip of the delta",
      [("show conv2d_backward_input(P1, W2, dZ2) == grad(L, P1)",
        "show -conv2d_backward_input(P1, W2, dZ2) == grad(L, P1)")],
      "the gradient to P1 is nonzero at generic inputs")
    v("rnetrelu", "derivative_restored", "the ReLU derivative restored: a true membership",
      [("show conv2d_backward_weight(X, W1, G) in subgrad(L, W1)",
        "show conv2d_backward_weight(X, W1, relu_backward(conv2d(X, W1), G)) in subgrad(L, W1)")],
      "relu_backward picks the subgradient 0 at a kink, which lies in [0, 1]: "
      "the chain rule element is in the set, no counterexample exists")
