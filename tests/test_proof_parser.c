/* test_proof_parser.c -- cmocka tests of the .proof parser
 * (src/lang/proof_parser.c, proof_shape.c, proof_method.c,
 * proof_storage.c) on valid input, files, and the lexer's string tokens.
 *
 * Expected fields and positions were written by hand from the inputs
 * (columns counted on the source lines shown in the comments); shape
 * expressions are checked by evaluating them on sample values worked out
 * on paper.  tests/proofs/malformed/ holds files whose exact error line is
 * stored next to them; the CLI tests use them too.  test_proof_errors.c
 * tests every error message and the limits.
 */
#include "testutil_proof.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/lexer.h"
#include "lang/proof.h"

#ifndef CVP_SRCDIR
#define CVP_SRCDIR "."
#endif

/* ---- helpers ---------------------------------------------------------- */

static void expect_shape(const cvp_shape_expr *e, const cvp_proof_dim *dims,
                         const char *want)
{
    char text[256];
    assert_non_null(e);
    cvp_shape_to_string(text, sizeof text, e, dims);
    assert_string_equal(text, want);
}

static long eval_shape(const cvp_shape_expr *e, const long *values)
{
    long out = 0;
    assert_true(cvp_shape_eval(&out, e, values));
    return out;
}

static void expect_pos(cvp_srcpos pos, int line, int col)
{
    if (pos.line != line || pos.col != col)
        fail_msg("position %d:%d, want %d:%d", pos.line, pos.col, line, col);
}

/* ---- the example of the brief, field by field ------------------------- */

static const char example[] =
    "claim \"NNDL (5.13): wide convolution commutes up to rot180\" {\n"
    "  dim M, N in 1..6\n"
    "  dim U, V in 1..4\n"
    "  where U <= M, V <= N          # optional\n"
    "  tensor X[M, N]\n"
    "  tensor W[U, V] values -3..3   # optional integer range\n"
    "  let R = rot180(W)\n"
    "  show wide(R, X) == wide(rot180(X), W)\n"
    "  show sum(X) == sum(rot180(X))      # several shows: all must hold\n"
    "  by symbolic, exact(trials=5, seed=1)\n"
    "}\n"
    "\n"
    "# a refutation, with open-ended and computed shapes\n"
    "refute \"without rot180 the wide convolution does not commute\" {\n"
    "  dim M >= 1\n"
    "  dim U in 0..3\n"
    "  where (M - 1) / 2 >= U * 2 - -1, M == M\n"
    "  tensor X[M, M + 1]\n"
    "  tensor W[U, 2 * (U + 1) / 3]\n"
    "  tensor s[]\n"
    "\n"
    "  show wide(W, X) == wide(X, W)\n"
    "}\n";

static void test_example_claim(void **state)
{
    (void)state;
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    tu_proof_parse_ok(&file, example);
    assert_string_equal(file.source_name, "t.proof");
    assert_int_equal(file.claim_count, 2);
    const cvp_proof_claim *c = &file.claims[0];
    assert_false(c->is_refute);
    assert_string_equal(c->title,
                        "NNDL (5.13): wide convolution commutes up to rot180");
    expect_pos(c->pos, 1, 1);

    /* dims: "  dim M, N in 1..6" -- M at column 7, N at 10 */
    assert_int_equal(c->dim_count, 4);
    const char *names[] = {"M", "N", "U", "V"};
    const int lines[] = {2, 2, 3, 3}, cols[] = {7, 10, 7, 10};
    const long his[] = {6, 6, 4, 4};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(c->dims[i].name, names[i]);
        expect_pos(c->dims[i].pos, lines[i], cols[i]);
        assert_int_equal(c->dims[i].lo, 1);
        assert_int_equal(c->dims[i].hi, his[i]);
        assert_false(c->dims[i].unbounded);
    }

    /* "  where U <= M, V <= N": U at 9, V at 17 */
    assert_int_equal(c->constraint_count, 2);
    const cvp_proof_constraint *k = c->constraints;
    expect_pos(k[0].pos, 4, 9);
    expect_pos(k[1].pos, 4, 17);
    assert_int_equal(k[0].rel, CVP_REL_LE);
    assert_int_equal(k[1].rel, CVP_REL_LE);
    expect_shape(k[0].lhs, c->dims, "U");
    expect_shape(k[0].rhs, c->dims, "M");
    expect_shape(k[1].lhs, c->dims, "V");
    expect_shape(k[1].rhs, c->dims, "N");
    assert_int_equal(k[0].lhs->kind, CVP_SHAPE_DIM);
    assert_int_equal(k[0].lhs->dim, 2);
    /* M=3, N=3, U=2, V=4: U <= M holds, V <= N does not */
    const long values[] = {3, 3, 2, 4};
    bool holds;
    assert_true(cvp_proof_constraint_eval(&holds, &k[0], values));
    assert_true(holds);
    assert_true(cvp_proof_constraint_eval(&holds, &k[1], values));
    assert_false(holds);

    /* "  tensor X[M, N]": X at 10 */
    assert_int_equal(c->tensor_count, 2);
    const cvp_proof_tensor *x = &c->tensors[0], *w = &c->tensors[1];
    assert_string_equal(x->name, "X");
    expect_pos(x->pos, 5, 10);
    assert_int_equal(x->rank, 2);
    expect_shape(x->shape[0], c->dims, "M");
    expect_shape(x->shape[1], c->dims, "N");
    assert_int_equal(eval_shape(x->shape[1], values), 3);
    assert_false(x->has_values);
    assert_string_equal(w->name, "W");
    expect_pos(w->pos, 6, 10);
    assert_int_equal(w->rank, 2);
    expect_shape(w->shape[0], c->dims, "U");
    expect_shape(w->shape[1], c->dims, "V");
    assert_int_equal(eval_shape(w->shape[1], values), 4);
    assert_true(w->has_values);
    assert_int_equal(w->values_lo, -3);
    assert_int_equal(w->values_hi, 3);

    /* "  let R = rot180(W)": R at 7 */
    assert_int_equal(c->let_count, 1);
    assert_string_equal(c->lets[0].name, "R");
    expect_pos(c->lets[0].pos, 7, 7);
    tu_expect_ast(c->lets[0].expr, "rot180(W)");

    assert_int_equal(c->show_count, 2);
    expect_pos(c->shows[0].pos, 8, 3);
    assert_string_equal(c->shows[0].text, "wide(R, X) == wide(rot180(X), W)");
    tu_expect_ast(c->shows[0].lhs, "wide(R, X)");
    tu_expect_ast(c->shows[0].rhs, "wide(rot180(X), W)");
    expect_pos(c->shows[1].pos, 9, 3);
    assert_string_equal(c->shows[1].text, "sum(X) == sum(rot180(X))");
    tu_expect_ast(c->shows[1].lhs, "sum(X)");
    tu_expect_ast(c->shows[1].rhs, "sum(rot180(X))");

    /* "  by symbolic, exact(trials=5, seed=1)": symbolic at 6, exact at 16,
     * trials at 22, seed at 32 */
    assert_int_equal(c->method_count, 2);
    assert_string_equal(c->methods[0].name, "symbolic");
    expect_pos(c->methods[0].pos, 10, 6);
    assert_int_equal(c->methods[0].option_count, 0);
    const cvp_proof_method *exact = &c->methods[1];
    assert_string_equal(exact->name, "exact");
    expect_pos(exact->pos, 10, 16);
    assert_int_equal(exact->option_count, 2);
    assert_string_equal(exact->option_names[0], "trials");
    assert_int_equal(exact->option_values[0], 5);
    expect_pos(exact->option_pos[0], 10, 22);
    assert_string_equal(exact->option_names[1], "seed");
    assert_int_equal(exact->option_values[1], 1);
    expect_pos(exact->option_pos[1], 10, 32);
    assert_ptr_equal(cvp_proof_claim_method(c, "exact"), exact);
    assert_null(cvp_proof_claim_method(c, "random"));
    long v = 0;
    assert_true(cvp_proof_method_option(exact, "seed", &v));
    assert_int_equal(v, 1);
    assert_false(cvp_proof_method_option(exact, "digits", &v));
    assert_int_equal(v, 1);
    cvp_proof_file_clear(&file);
}

static void test_example_refute(void **state)
{
    (void)state;
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    tu_proof_parse_ok(&file, example);
    const cvp_proof_claim *c = &file.claims[1];
    assert_true(c->is_refute);
    assert_string_equal(c->title, "without rot180 the wide convolution does "
                                  "not commute");
    expect_pos(c->pos, 14, 1);
    assert_int_equal(c->dim_count, 2);
    assert_string_equal(c->dims[0].name, "M");
    assert_true(c->dims[0].unbounded);
    assert_int_equal(c->dims[0].lo, 1);
    assert_false(c->dims[1].unbounded);
    assert_int_equal(c->dims[1].lo, 0);
    assert_int_equal(c->dims[1].hi, 3);

    /* (M - 1) / 2 >= U * 2 - -1 */
    assert_int_equal(c->constraint_count, 2);
    const cvp_proof_constraint *k = c->constraints;
    expect_pos(k[0].pos, 17, 9);
    assert_int_equal(k[0].rel, CVP_REL_GE);
    expect_shape(k[0].lhs, c->dims, "((M - 1) / 2)");
    expect_shape(k[0].rhs, c->dims, "((U * 2) - (-1))");
    assert_int_equal(k[0].lhs->kind, CVP_SHAPE_DIV);
    expect_pos(k[0].lhs->pos, 17, 17);      /* at the '/' */
    assert_int_equal(k[0].rhs->rhs->kind, CVP_SHAPE_NEG);
    /* M=7, U=1: 6/2 = 3 >= 2+1 = 3 holds; M=6: 5/2 = 2 >= 3 fails */
    bool holds;
    assert_true(cvp_proof_constraint_eval(&holds, &k[0], (long[]){7, 1}));
    assert_true(holds);
    assert_true(cvp_proof_constraint_eval(&holds, &k[0], (long[]){6, 1}));
    assert_false(holds);
    assert_int_equal(k[1].rel, CVP_REL_EQ);

    assert_int_equal(c->tensor_count, 3);
    expect_shape(c->tensors[0].shape[1], c->dims, "(M + 1)");
    expect_shape(c->tensors[1].shape[1], c->dims, "((2 * (U + 1)) / 3)");
    /* U=3: 2*4/3 = 2; U=0: 2/3 = 0 */
    assert_int_equal(eval_shape(c->tensors[1].shape[1], (long[]){5, 3}), 2);
    assert_int_equal(eval_shape(c->tensors[1].shape[1], (long[]){5, 0}), 0);
    assert_string_equal(c->tensors[2].name, "s");
    assert_int_equal(c->tensors[2].rank, 0);
    assert_int_equal(c->let_count, 0);
    assert_int_equal(c->show_count, 1);
    assert_string_equal(c->shows[0].text, "wide(W, X) == wide(X, W)");
    assert_int_equal(c->method_count, 0);
    cvp_proof_file_clear(&file);
}

/* Escapes in titles, extreme integers, a '}' on the show's line, CRLF
 * line ends, statements that are not dims before use. */
static void test_odd_but_valid(void **state)
{
    (void)state;
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    tu_proof_parse_ok(&file,
             "# leading comment\r\n"
             "\r\n"
             "claim \"a \\\"b\\\" \\\\ c\\nd\" {   # trailing comment\r\n"
             "  tensor A[] values "
             "-9223372036854775808..9223372036854775807\r\n"
             "  let B = (A, [A, A], f(A, k=true))\r\n"
             "  by bounded(prec=30,), random()\r\n"
             "  show A + B == -A   }\r\n"
             "claim \"x\" {\n  tensor t[2, 3]\n  show t == t  # c\n}");
    assert_int_equal(file.claim_count, 2);
    const cvp_proof_claim *c = &file.claims[0];
    assert_string_equal(c->title, "a \"b\" \\ c\nd");
    assert_int_equal(c->tensors[0].values_lo, LONG_MIN);
    assert_int_equal(c->tensors[0].values_hi, LONG_MAX);
    tu_expect_ast(c->lets[0].expr, "(A, [A, A], f(A, k=true))");
    assert_string_equal(c->shows[0].text, "A + B == -A");
    tu_expect_ast(c->shows[0].lhs, "(A + B)");
    tu_expect_ast(c->shows[0].rhs, "(-A)");
    assert_int_equal(c->method_count, 2);
    long prec = 0;
    assert_true(cvp_proof_method_option(&c->methods[0], "prec", &prec));
    assert_int_equal(prec, 30);
    assert_string_equal(c->methods[1].name, "random");
    assert_int_equal(c->methods[1].option_count, 0);
    c = &file.claims[1];
    assert_string_equal(c->shows[0].text, "t == t");
    assert_int_equal(eval_shape(c->tensors[0].shape[1], NULL), 3);
    cvp_proof_file_clear(&file);

    /* No claims at all is a valid (empty) file. */
    tu_proof_parse_ok(&file, "\n# nothing here\n\n");
    assert_int_equal(file.claim_count, 0);
    cvp_proof_file_clear(&file);
    tu_proof_parse_ok(&file, "");
    assert_int_equal(file.claim_count, 0);

    /* Parsing into a used file replaces its contents. */
    tu_proof_parse_ok(&file, example);
    tu_proof_parse_ok(&file, "refute \"r\" {\n tensor X[]\n show X == X\n}\n");
    assert_int_equal(file.claim_count, 1);
    assert_true(file.claims[0].is_refute);
    cvp_proof_file_clear(&file);
    cvp_proof_file_clear(&file);  /* clearing twice is harmless */
}

/* ---- shape expressions ----------------------------------------------- */

static void test_shape_eval(void **state)
{
    (void)state;
    cvp_shape_expr a = {.kind = CVP_SHAPE_DIM, .dim = 0};
    cvp_shape_expr b = {.kind = CVP_SHAPE_DIM, .dim = 1};
    cvp_shape_expr div = {.kind = CVP_SHAPE_DIV, .lhs = &a, .rhs = &b};
    long out = 0;
    /* floor division: rounds toward minus infinity */
    const long cases[][3] = {
        {-7, 2, -4}, {7, -2, -4}, {-7, -2, 3}, {7, 2, 3}, {-8, 2, -4},
        {0, -5, 0}, {-1, 3, -1}, {LONG_MIN, 1, LONG_MIN}, {LONG_MIN, 2,
        LONG_MIN / 2}, {LONG_MAX, -1, -LONG_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long values[2] = {cases[i][0], cases[i][1]};
        if (!cvp_shape_eval(&out, &div, values) || out != cases[i][2])
            fail_msg("%ld / %ld gave %ld, want %ld", values[0], values[1],
                     out, cases[i][2]);
    }
    /* division by zero and the one overflowing quotient are refused */
    out = 99;
    assert_false(cvp_shape_eval(&out, &div, (long[]){5, 0}));
    assert_false(cvp_shape_eval(&out, &div, (long[]){0, 0}));
    assert_false(cvp_shape_eval(&out, &div, (long[]){LONG_MIN, -1}));
    assert_int_equal(out, 99);

    cvp_shape_expr add = {.kind = CVP_SHAPE_ADD, .lhs = &a, .rhs = &b};
    cvp_shape_expr sub = {.kind = CVP_SHAPE_SUB, .lhs = &a, .rhs = &b};
    cvp_shape_expr mul = {.kind = CVP_SHAPE_MUL, .lhs = &a, .rhs = &b};
    cvp_shape_expr neg = {.kind = CVP_SHAPE_NEG, .lhs = &a};
    assert_int_equal(eval_shape(&add, (long[]){-3, 5}), 2);
    assert_int_equal(eval_shape(&sub, (long[]){-3, 5}), -8);
    assert_int_equal(eval_shape(&mul, (long[]){-3, 5}), -15);
    assert_int_equal(eval_shape(&neg, (long[]){-3, 5}), 3);
    assert_int_equal(eval_shape(&add, (long[]){LONG_MAX, LONG_MIN}), -1);
    assert_int_equal(eval_shape(&mul, (long[]){LONG_MIN, 1}), LONG_MIN);
    assert_int_equal(eval_shape(&mul, (long[]){-1, LONG_MAX}), -LONG_MAX);
    /* overflow of each operation */
    assert_false(cvp_shape_eval(&out, &add, (long[]){LONG_MAX, 1}));
    assert_false(cvp_shape_eval(&out, &add, (long[]){LONG_MIN, -1}));
    assert_false(cvp_shape_eval(&out, &sub, (long[]){LONG_MIN, 1}));
    assert_false(cvp_shape_eval(&out, &sub, (long[]){0, LONG_MIN}));
    assert_false(cvp_shape_eval(&out, &mul, (long[]){LONG_MAX / 2 + 1, 2}));
    assert_false(cvp_shape_eval(&out, &mul, (long[]){LONG_MIN, -1}));
    assert_false(cvp_shape_eval(&out, &mul, (long[]){-1, LONG_MIN}));
    assert_false(cvp_shape_eval(&out, &mul, (long[]){LONG_MIN / 2 - 1, 2}));
    assert_false(cvp_shape_eval(&out, &neg, (long[]){LONG_MIN, 0}));
    /* a failing operand fails the whole expression */
    cvp_shape_expr outer = {.kind = CVP_SHAPE_ADD, .lhs = &div, .rhs = &a};
    assert_false(cvp_shape_eval(&out, &outer, (long[]){1, 0}));

    assert_string_equal(cvp_relation_name(CVP_REL_LE), "<=");
    assert_string_equal(cvp_relation_name(CVP_REL_LT), "<");
    assert_string_equal(cvp_relation_name(CVP_REL_EQ), "==");
    assert_string_equal(cvp_relation_name(CVP_REL_GE), ">=");
    assert_string_equal(cvp_relation_name(CVP_REL_GT), ">");
}

/* Shapes parsed from text, evaluated on values worked out by hand. */
static void test_shape_parse(void **state)
{
    (void)state;
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    tu_proof_parse_ok(&file, "claim \"s\" {\n"
                    "  dim A, B in 0..9\n"
                    "  tensor T[A - B - 1, A / B / 2, -A * -B, (A + 1) * B, "
                    "-(-(A)), 7 / -2, 0]\n"
                    "  show T == T\n"
                    "}\n");
    const cvp_proof_claim *c = &file.claims[0];
    const cvp_proof_tensor *t = &c->tensors[0];
    assert_int_equal(t->rank, 7);
    expect_shape(t->shape[0], c->dims, "((A - B) - 1)");
    expect_shape(t->shape[1], c->dims, "((A / B) / 2)");
    expect_shape(t->shape[2], c->dims, "((-A) * (-B))");
    expect_shape(t->shape[3], c->dims, "((A + 1) * B)");
    expect_shape(t->shape[4], c->dims, "(-(-A))");
    expect_shape(t->shape[5], c->dims, "(7 / (-2))");
    const long values[] = {9, 2};
    const long want[] = {6, 2, 18, 20, 9, -4, 0};
    for (int i = 0; i < 7; i++)
        assert_int_equal(eval_shape(t->shape[i], values), want[i]);
    long out;
    assert_false(cvp_shape_eval(&out, t->shape[1], (long[]){9, 0}));
    cvp_proof_file_clear(&file);
}

/* ---- files ------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void test_parse_file(void **state)
{
    (void)state;
    char path[] = "/tmp/cvp_proof_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, example);
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    cvp_lang_error err;
    assert_int_equal(cvp_proof_parse_file(&file, path, &err), CVP_OK);
    assert_int_equal(file.claim_count, 2);
    assert_string_equal(file.source_name, path);

    /* errors name the path */
    write_file(path, "claim \"t\" {\n  shows X == X\n}\n");
    assert_int_equal(cvp_proof_parse_file(&file, path, &err), CVP_ERR_INPUT);
    assert_int_equal(file.claim_count, 0);
    char want[512], text[1024];
    snprintf(want, sizeof want,
             "%s:2:3: expected a statement (dim, where, tensor, let, show, "
             "by) or '}', found identifier 'shows' (did you mean 'show'?)",
             path);
    cvp_lang_error_format(text, sizeof text, &err);
    assert_string_equal(text, want);

    /* one byte over the size limit */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), CVP_PROOF_MAX_FILE_SIZE + 1), 0);
    fclose(f);
    assert_int_equal(cvp_proof_parse_file(&file, path, &err), CVP_ERR_LIMIT);
    assert_string_equal(err.source, path);
    assert_string_equal(err.message, "file is larger than 16777216 bytes (16 "
                                     "MiB), the limit for a proof file");
    remove(path);

    /* unreadable: missing, and a directory */
    assert_int_equal(cvp_proof_parse_file(&file, path, &err), CVP_ERR_INPUT);
    assert_string_equal(err.source, path);
    assert_int_equal(err.pos.line, 0);
    snprintf(want, sizeof want, "cannot read: %s", strerror(ENOENT));
    assert_string_equal(err.message, want);
    assert_int_equal(cvp_proof_parse_file(&file, "/tmp", &err),
                     CVP_ERR_INPUT);
    snprintf(want, sizeof want, "cannot read: %s", strerror(EISDIR));
    assert_string_equal(err.message, want);
    cvp_proof_file_clear(&file);
}

/* Every tests/proofs/malformed/NAME.proof fails with exactly the line in
 * NAME.expected when parsed under the source name "NAME.proof". */
static void test_malformed_corpus(void **state)
{
    (void)state;
    static const char *const names[] = {
        "missing_brace", "unknown_statement", "unknown_name",
        "unknown_method", "unknown_option", "empty_range", "no_show",
        "unknown_dim", "show_single_equals", "unterminated_title",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[1024], expected[1024], text[1024], source[64];
        snprintf(path, sizeof path, "%s/tests/proofs/malformed/%s.expected",
                 CVP_SRCDIR, names[i]);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            fail_msg("cannot open %s", path);
        assert_non_null(fgets(expected, sizeof expected, f));
        fclose(f);
        expected[strcspn(expected, "\n")] = '\0';

        snprintf(path, sizeof path, "%s/tests/proofs/malformed/%s.proof",
                 CVP_SRCDIR, names[i]);
        snprintf(source, sizeof source, "%s.proof", names[i]);
        f = fopen(path, "rb");
        if (f == NULL)
            fail_msg("cannot open %s", path);
        char content[4096];
        size_t len = fread(content, 1, sizeof content, f);
        fclose(f);
        cvp_proof_file file;
        cvp_proof_file_init(&file);
        cvp_lang_error err;
        assert_int_equal(cvp_proof_parse(&file, content, len, source, &err),
                         CVP_ERR_INPUT);
        cvp_lang_error_format(text, sizeof text, &err);
        if (strcmp(text, expected) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", names[i], text, expected);
        cvp_proof_file_clear(&file);
    }
}

/* ---- the lexer's string tokens --------------------------------------- */

static void test_string_tokens(void **state)
{
    (void)state;
    const char *source = "x \"a\\\"\\\\\\n\xce\xa3\" y";
    cvp_lexer lexer;
    cvp_lexer_init(&lexer, source, strlen(source), "s");
    lexer.string_tokens = true;
    cvp_token token;
    cvp_lang_error err;
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_OK);
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_OK);
    assert_int_equal(token.kind, CVP_TOK_STRING);
    expect_pos(token.pos, 1, 3);
    assert_int_equal(token.len, 11);  /* 1+1+2+2+2+2+1 bytes */
    char value[16];
    assert_int_equal(cvp_token_string_value(value, &token), 6);
    assert_string_equal(value, "a\"\\\n\xce\xa3");
    assert_string_equal(cvp_token_kind_name(token.kind), "string");
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_OK);
    assert_true(cvp_token_is_word(&token, "y"));
    expect_pos(token.pos, 1, 14);  /* Σ is one column */

    /* without string tokens, '"' stays an unexpected character */
    cvp_lexer_init(&lexer, source, strlen(source), "s");
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_OK);
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_ERR_INPUT);
    assert_string_equal(err.message, "unexpected character '\"'");

    /* a string cannot run past its line, even through an escape */
    const char *bad[] = {"\"abc", "\"ab\\", "\"ab\\\ncd\"", "\"ab\r\n\""};
    for (size_t i = 0; i < 4; i++) {
        cvp_lexer_init(&lexer, bad[i], strlen(bad[i]), "s");
        lexer.newline_tokens = lexer.string_tokens = true;
        assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_ERR_INPUT);
        expect_pos(err.pos, 1, 1);
        assert_string_equal(err.message, "unterminated string (a string must "
                                         "end with '\"' on its line)");
        assert_int_equal(lexer.offset, 0);  /* rewound to the quote */
    }
    /* an empty string and a tab inside one are fine */
    cvp_lexer_init(&lexer, "\"\" \"\t\"", 6, "s");
    lexer.string_tokens = true;
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_OK);
    assert_int_equal(cvp_token_string_value(value, &token), 0);
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_OK);
    assert_int_equal(cvp_token_string_value(value, &token), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_claim),
        cmocka_unit_test(test_example_refute),
        cmocka_unit_test(test_odd_but_valid),
        cmocka_unit_test(test_shape_eval),
        cmocka_unit_test(test_shape_parse),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_malformed_corpus),
        cmocka_unit_test(test_string_tokens),
    };
    return cmocka_run_group_tests_name("proof_parser", tests, NULL, NULL);
}
