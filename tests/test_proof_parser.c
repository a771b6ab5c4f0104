/* test_proof_parser.c -- cmocka tests of the .proof parser
 * (src/lang/proof_parser.c, proof_shape.c, proof_method.c,
 * proof_storage.c) and of the lexer's string tokens.
 *
 * Expected fields, positions and messages were written by hand from the
 * inputs (columns counted on the source lines shown in the comments);
 * shape expressions are checked by evaluating them on sample values
 * worked out on paper.  tests/proofs/malformed/ holds files whose exact
 * error line is stored next to them; the CLI tests use them too.
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

static void expect_error_status(const char *source, cvp_status want_status,
                                const char *want)
{
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    cvp_lang_error err;
    cvp_status status = tu_proof_parse(&file, source, &err);
    char text[1024];
    cvp_lang_error_format(text, sizeof text, &err);
    if (status == CVP_OK)
        fail_msg("parsed, want \"%s\"\n--- source:\n%s", want, source);
    if (strcmp(text, want) != 0)
        fail_msg("got  \"%s\"\nwant \"%s\"\n--- source:\n%s", text, want,
                 source);
    assert_int_equal(status, want_status);
    assert_int_equal(err.status, want_status);
    /* A failed parse leaves the file empty. */
    assert_int_equal(file.claim_count, 0);
    assert_null(file.claims);
    cvp_proof_file_clear(&file);
}

static void expect_error(const char *source, const char *want)
{
    expect_error_status(source, CVP_ERR_INPUT, want);
}

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

/* A growable string for generated inputs. */
typedef struct {
    char *text;
    size_t len, cap;
} buffer;

static void put(buffer *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = 2 * (b->len + n + 1);
        b->text = realloc(b->text, b->cap);
        assert_non_null(b->text);
    }
    memcpy(b->text + b->len, s, n + 1);
    b->len += n;
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

/* ---- every error message ------------------------------------------------ */

typedef struct {
    const char *source;
    const char *error;
} error_case;

#define HEAD "claim \"t\" {\n"
#define TAIL "\n}\n"

static const error_case error_cases[] = {
    /* structure */
    {HEAD "  tensor X[]\n  show X == X\n",
     "t.proof:1:1: this claim is missing its closing '}' (reached the end of "
     "the file)"},
    {"\nrefute \"t\" {\n  tensor X[]\n",
     "t.proof:2:1: this refute is missing its closing '}' (reached the end "
     "of the file)"},
    {HEAD "  tensr X[]" TAIL,
     "t.proof:2:3: expected a statement (dim, where, tensor, let, show, by) "
     "or '}', found identifier 'tensr' (did you mean 'tensor'?)"},
    {HEAD "  3" TAIL,
     "t.proof:2:3: expected a statement (dim, where, tensor, let, show, by) "
     "or '}', found number '3'"},
    {HEAD "  tensor X[]\n  show X == X\nclaim \"b\" {\n",
     "t.proof:4:1: 'claim' inside a claim; is the '}' of the claim at line 1 "
     "missing?"},
    {"cliam \"t\" {",
     "t.proof:1:1: expected 'claim' or 'refute', found identifier 'cliam' "
     "(did you mean 'claim'?)"},
    {"tensor X[]\n",
     "t.proof:1:1: 'tensor' outside a claim (statements go between a "
     "claim's '{' and '}')"},
    {"}\n", "t.proof:1:1: '}' without an open claim"},
    {"42\n", "t.proof:1:1: expected 'claim' or 'refute', found number '42'"},
    {"claim {\n",
     "t.proof:1:7: expected a title in double quotes after 'claim', found "
     "'{'"},
    {"claim \"\" {\n", "t.proof:1:7: the title of a claim cannot be empty"},
    {"claim \"abc\n",
     "t.proof:1:7: unterminated string (a string must end with '\"' on its "
     "line)"},
    {"claim \"a\\tb\" {\n",
     "t.proof:1:9: unknown escape '\\t' in string (use \\\", \\\\ or \\n)"},
    {"claim \"a\x01\" {\n",
     "t.proof:1:9: control character 0x01 in string (write a newline as "
     "\\n)"},
    {"claim \"t\"\n{\n",
     "t.proof:1:10: expected '{' after the title, found newline"},
    {HEAD "  tensor X[]\n  show X == X\n} claim",
     "t.proof:4:3: expected end of line after the '}' that closes the "
     "claim, found identifier 'claim'"},
    {HEAD "  tensor X[]\n}\n",
     "t.proof:1:1: this claim has no 'show' statement (it needs at least "
     "one)"},
    /* dim */
    {HEAD "  dim M in -1..3" TAIL,
     "t.proof:2:12: a dim cannot be negative (lower bound -1)"},
    {HEAD "  dim M >= -2" TAIL,
     "t.proof:2:12: a dim cannot be negative (lower bound -2)"},
    {HEAD "  dim M in 4..3" TAIL,
     "t.proof:2:15: empty range 4..3 (the upper bound is below the lower)"},
    {HEAD "  dim M 1..3" TAIL,
     "t.proof:2:9: expected 'in LO..HI' or '>= LO' after the dim names, "
     "found number '1'"},
    {HEAD "  dim M in 1 3" TAIL,
     "t.proof:2:14: expected '..' between the bounds, as in 1..6, found "
     "number '3'"},
    {HEAD "  dim M in 1.5..3" TAIL,
     "t.proof:2:12: expected an integer lower bound, found number '1.5'"},
    {HEAD "  dim M in 1..x" TAIL,
     "t.proof:2:15: expected an integer upper bound, found identifier 'x'"},
    {HEAD "  dim M in 0..99999999999999999999" TAIL,
     "t.proof:2:15: integer 99999999999999999999 is too large (the largest "
     "is 9223372036854775807)"},
    {HEAD "  dim M in 1..3 4" TAIL,
     "t.proof:2:17: expected end of line after the range, found number "
     "'4'"},
    {HEAD "  dim 3 in 1..2" TAIL,
     "t.proof:2:7: expected a dim name, found number '3'"},
    {HEAD "  dim M in 1..3\n  tensor M[]" TAIL,
     "t.proof:3:10: 'M' is already declared in this claim (as a dim at line "
     "2)"},
    {HEAD "  dim M, M in 1..2" TAIL,
     "t.proof:2:10: 'M' is already declared in this claim (as a dim at line "
     "2)"},
    {HEAD "  tensor X[]\n  let X = 1" TAIL,
     "t.proof:3:7: 'X' is already declared in this claim (as a tensor at "
     "line 2)"},
    /* tensor */
    {HEAD "  tensor true[]" TAIL,
     "t.proof:2:10: 'true' is reserved (it is a boolean literal) and cannot "
     "be declared"},
    {HEAD "  dim M in 1..3\n  tensor X[N]" TAIL,
     "t.proof:3:12: unknown dim 'N' (did you mean 'M'?)"},
    {HEAD "  tensor X[Height]" TAIL,
     "t.proof:2:12: unknown dim 'Height' (declare it first, e.g. 'dim Height "
     "in 1..4')"},
    {HEAD "  tensor X[]\n  tensor Y[X]" TAIL,
     "t.proof:3:12: 'X' is a tensor, not a dim (shapes are made of dims and "
     "integers)"},
    {HEAD "  tensor X[1,1,1,1,1,1,1,1,1]" TAIL,
     "t.proof:2:28: tensor 'X' has more than 8 dimensions"},
    {HEAD "  tensor X[1, 2" TAIL,
     "t.proof:2:16: expected ',' or ']' in the shape of 'X', found newline"},
    {HEAD "  tensor X" TAIL,
     "t.proof:2:11: expected '[' and the shape of 'X' (write X[] for a "
     "scalar), found newline"},
    {HEAD "  tensor X[1,]" TAIL,
     "t.proof:2:14: expected a shape expression (an integer, a dim or '('), "
     "found ']'"},
    {HEAD "  tensor X[2.5]" TAIL,
     "t.proof:2:12: expected an integer, found number '2.5'"},
    {HEAD "  tensor X[2x]" TAIL,
     "t.proof:2:12: malformed number '2x': a number cannot run into a name "
     "(write 2*x, not 2x)"},
    {HEAD "  tensor [1]" TAIL,
     "t.proof:2:10: expected a tensor name after 'tensor', found '['"},
    {HEAD "  tensor X[] values 3..-3" TAIL,
     "t.proof:2:24: empty values range 3..-3 (the upper bound is below the "
     "lower)"},
    {HEAD "  tensor X[] values 1 2" TAIL,
     "t.proof:2:23: expected '..' between the bounds of the values, as in "
     "-3..3, found number '2'"},
    {HEAD "  tensor X[] values -9223372036854775809..0" TAIL,
     "t.proof:2:22: integer -9223372036854775809 is too small (the smallest "
     "is -9223372036854775808)"},
    {HEAD "  tensor X[] vals 1..2" TAIL,
     "t.proof:2:14: expected 'values LO..HI' or end of line after the shape "
     "of 'X', found identifier 'vals'"},
    {HEAD "  tensor X[] values 1..2 3" TAIL,
     "t.proof:2:26: expected end of line after the shape of 'X', found "
     "number '3'"},
    /* where */
    {HEAD "  dim M in 1..2\n  where M = 2" TAIL,
     "t.proof:3:11: '=' is not a comparison; write '==' for equality"},
    {HEAD "  dim M in 1..2\n  where M" TAIL,
     "t.proof:3:10: expected a comparison (<=, <, ==, >=, >), found "
     "newline"},
    {HEAD "  dim M in 1..2\n  where 1 <= M <= 2" TAIL,
     "t.proof:3:16: comparisons do not chain; write 'A <= B, B <= C' "
     "instead"},
    {HEAD "  dim M in 1..2\n  where 1 <= M M <= 2" TAIL,
     "t.proof:3:16: expected ',' or end of line after the constraint, found "
     "identifier 'M'"},
    {HEAD "  dim M in 1..2\n  where (M + 1 <= 2" TAIL,
     "t.proof:3:16: expected ')' to close '(' at column 9, found '<='"},
    /* let and show */
    {HEAD "  tensor X[]\n  show X == Y" TAIL,
     "t.proof:3:13: unknown name 'Y' (did you mean 'X'?)"},
    {HEAD "  tensor X[]\n  show X == Image" TAIL,
     "t.proof:3:13: unknown name 'Image'"},
    {HEAD "  tensor X[]\n  let R = conv(X, stride=S)" TAIL,
     "t.proof:3:26: unknown name 'S' (did you mean 'X'?)"},
    {HEAD "  show X == X\n  tensor X[]" TAIL,
     "t.proof:2:8: unknown name 'X'"},
    {HEAD "  let R = R" TAIL, "t.proof:2:11: let 'R' cannot use itself"},
    {HEAD "  dim M in 1..2\n  tensor X[M]\n  show sum(X) == N" TAIL,
     "t.proof:4:18: unknown name 'N' (did you mean 'M'?)"},
    {HEAD "  tensor X[]\n  show X = X" TAIL,
     "t.proof:3:10: a show compares its sides with '==', not '='"},
    {HEAD "  tensor X[]\n  show X" TAIL,
     "t.proof:3:9: expected '==' between the two sides of the show, found "
     "newline"},
    {HEAD "  tensor X[]\n  show X X == X" TAIL,
     "t.proof:3:10: expected an operator or '==' after the left side of the "
     "show, found identifier 'X'"},
    {HEAD "  tensor X[]\n  show X == X == X" TAIL,
     "t.proof:3:15: a show states one equation; write a second 'show' for "
     "another"},
    /* a newline inside '(' continues the expression, so the error is at
     * the '}' that cannot continue it */
    {HEAD "  tensor X[]\n  show X == (X" TAIL,
     "t.proof:4:1: expected ',' or ')' to close '(' at column 13, found "
     "'}'"},
    {HEAD "  tensor X[]\n  show X == X ]" TAIL,
     "t.proof:3:15: expected end of line after the expression, found ']'"},
    {HEAD "  show \"X\" == 1" TAIL,
     "t.proof:2:8: expected an expression, found string"},
    {HEAD "  let R == 1" TAIL,
     "t.proof:2:9: a let takes a single '=', as in 'let R = ...'"},
    {HEAD "  let R 1" TAIL,
     "t.proof:2:9: expected '=' after 'let R', found number '1'"},
    {HEAD "  let 1 = 2" TAIL,
     "t.proof:2:7: expected a name after 'let', found number '1'"},
    {HEAD "  tensor X[]\n  let R = X X" TAIL,
     "t.proof:3:13: expected an operator or end of line after the "
     "expression, found identifier 'X'"},
    /* by */
    {HEAD "  by exakt" TAIL,
     "t.proof:2:6: unknown method 'exakt' (did you mean 'exact'?)"},
    {HEAD "  by magic" TAIL,
     "t.proof:2:6: unknown method 'magic' (the methods are exact, random, "
     "symbolic, all_shapes, bounded)"},
    {HEAD "  by exact(trails=5)" TAIL,
     "t.proof:2:12: method 'exact' has no option 'trails' (did you mean "
     "'trials'?)"},
    {HEAD "  by bounded(precision=5)" TAIL,
     "t.proof:2:14: method 'bounded' has no option 'precision' (its "
     "options: prec, tol, trials, seed)"},
    {HEAD "  by symbolic(trials=1)" TAIL,
     "t.proof:2:15: method 'symbolic' takes no options"},
    {HEAD "  by exact, exact" TAIL,
     "t.proof:2:13: method 'exact' is listed twice (first at column 6)"},
    {HEAD "  by exact(seed=1, seed=2)" TAIL,
     "t.proof:2:20: option 'seed' is given twice (first at column 12)"},
    {HEAD "  by random(trials=0)" TAIL,
     "t.proof:2:20: option 'trials' must be at least 1 (found 0)"},
    {HEAD "  by exact(seed=-1)" TAIL,
     "t.proof:2:17: option 'seed' must be at least 0 (found -1)"},
    {HEAD "  by exact(trials 5)" TAIL,
     "t.proof:2:19: expected '=' after option 'trials', found number '5'"},
    {HEAD "  by exact(trials=x)" TAIL,
     "t.proof:2:19: expected an integer value for 'trials', found "
     "identifier 'x'"},
    {HEAD "  by exact(seed=1" TAIL,
     "t.proof:2:18: expected ',' or ')' to close '(' at column 11, found "
     "newline"},
    {HEAD "  by exact(3)" TAIL,
     "t.proof:2:12: expected an option name or ')', found number '3'"},
    {HEAD "  by exact\n  by symbolic" TAIL,
     "t.proof:3:3: a claim has at most one 'by' line (the first is at line "
     "2)"},
    {HEAD "  by exact trials" TAIL,
     "t.proof:2:12: expected ',' or end of line after method 'exact', found "
     "identifier 'trials'"},
    {HEAD "  by" TAIL,
     "t.proof:2:5: expected a method (exact, random, symbolic, all_shapes, "
     "bounded), found newline"},
    /* the lexer */
    {HEAD "  tensor X[] $" TAIL, "t.proof:2:14: unexpected character '$'"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++)
        expect_error(error_cases[i].source, error_cases[i].error);
}

/* Errors in the same place are reported however the input continues,
 * and a NULL error record is allowed. */
/* `implementation` declarations and calls of their operations. */
static void test_implementations(void **state)
{
    (void)state;
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    tu_proof_parse_ok(&file,
             "implementation course = command \"python3 a.py --bug \\\"x\\\"\" layout nhwc\n"
             "implementation torch = command \"python3 t.py\" layout nchw timeout 30\n"
             "claim \"c\" {\n"
             "  tensor X[1, 1, 2, 2]\n"
             "  show course.max_pool2d(X, 2) == torch.max_pool2d(X, kernel_size=2)\n"
             "}\n");
    assert_int_equal(file.implementation_count, 2);
    assert_string_equal(file.implementations[0].name, "course");
    assert_string_equal(file.implementations[0].command,
                        "python3 a.py --bug \"x\"");
    assert_string_equal(file.implementations[0].layout, "nhwc");
    assert_int_equal(file.implementations[0].timeout, 0);
    assert_int_equal(file.implementations[0].pos.line, 1);
    assert_int_equal(file.implementations[0].pos.col, 16);
    assert_string_equal(file.implementations[1].layout, "nchw");
    assert_int_equal(file.implementations[1].timeout, 30);
    tu_expect_ast(file.claims[0].shows[0].lhs, "course.max_pool2d(X, 2)");
    tu_expect_ast(file.claims[0].shows[0].rhs, "torch.max_pool2d(X, kernel_size=2)");
    cvp_proof_file_clear(&file);
    assert_int_equal(file.implementation_count, 0);

    static const struct {
        const char *source, *error;
    } cases[] = {
        {"implementation = command \"x\" layout nhwc\n",
         "t.proof:1:16: expected a name after 'implementation', found '='"},
        {"implementation a command \"x\" layout nhwc\n",
         "t.proof:1:18: expected '=' after the implementation's name, found "
         "identifier 'command'"},
        {"implementation a = \"x\" layout nhwc\n",
         "t.proof:1:20: expected 'command' after '=', found string"},
        {"implementation a = command x layout nhwc\n",
         "t.proof:1:28: expected the command in double quotes after 'command', "
         "found identifier 'x'"},
        {"implementation a = command \"\" layout nhwc\n",
         "t.proof:1:28: the command cannot be empty"},
        {"implementation a = command \"x\"\n",
         "t.proof:1:31: expected 'layout' after the command, found newline"},
        {"implementation a = command \"x\" layout nhwc timeout 0\n",
         "t.proof:1:52: a timeout is 1..3600 seconds"},
        {"implementation a = command \"x\" layout nhwc 5\n",
         "t.proof:1:44: expected end of line after the implementation "
         "(options: timeout SECONDS), found number '5'"},
        {"claim \"c\" {\n  tensor X[2]\n  show a.conv2d(X) == X\n}\n"
         "implementation a = command \"x\" layout nhwc\n",
         "t.proof:3:8: unknown implementation 'a' (declare it before the "
         "claim: implementation a = command \"...\" layout nhwc)"},
        {"implementation a = command \"x\" layout nhwc\n"
         "claim \"c\" {\n  tensor X[2]\n  show a . conv2d(X) == X\n}\n",
         "t.proof:4:12: write an implementation's operation without spaces, "
         "as NAME.operation"},
        {"implementation a = command \"x\" layout nhwc\n"
         "claim \"c\" {\n  tensor X[2]\n  show a.conv2d == X\n}\n",
         "t.proof:4:17: expected '(' after an implementation's operation (it "
         "is a call), found '=='"},
        {"implementation a = command \"x\" layout nhwc\n"
         "claim \"c\" {\n  tensor X[2]\n  show a.(X) == X\n}\n",
         "t.proof:4:10: expected an operation name after '.', found '('"},
        {"implementation a = command \"x\" layout nhwc\n"
         "claim \"c\" {\n  tensor X[2]\n  show a.relu(X) == X\n}\n",
         "t.proof:4:10: an implementation has no operation 'relu' (it has "
         "conv2d, conv2d_backward_input/weight/bias, max_pool2d, avg_pool2d "
         "and their _backward)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(cases[i].source, cases[i].error);
}

static void test_error_without_record(void **state)
{
    (void)state;
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    const char *source = HEAD "  show X == X" TAIL;
    assert_int_equal(cvp_proof_parse(&file, source, strlen(source), NULL,
                                     NULL),
                     CVP_ERR_INPUT);
    assert_int_equal(file.claim_count, 0);
    cvp_lang_error err;
    assert_int_equal(cvp_proof_parse(&file, source, strlen(source), NULL,
                                     &err),
                     CVP_ERR_INPUT);
    assert_string_equal(err.source, "<input>");
    cvp_proof_file_clear(&file);
}

/* ---- limits: hostile sizes fail cleanly -------------------------------- */

static void test_limits(void **state)
{
    (void)state;
    buffer b = {0};
    char line[96];

    /* one claim too many */
    for (int i = 0; i <= CVP_PROOF_MAX_CLAIMS; i++)
        put(&b, "claim \"c\" {\n tensor X[]\n show X == X\n}\n");
    snprintf(line, sizeof line,
             "t.proof:%d:1: too many claims in one file (more than %d)",
             4 * CVP_PROOF_MAX_CLAIMS + 1, CVP_PROOF_MAX_CLAIMS);
    expect_error_status(b.text, CVP_ERR_LIMIT, line);

    /* one name too many in a claim */
    b.len = 0;
    put(&b, "claim \"c\" {\n");
    for (int i = 0; i <= CVP_PROOF_MAX_NAMES; i++) {
        snprintf(line, sizeof line, " tensor X%d[]\n", i);
        put(&b, line);
    }
    snprintf(line, sizeof line,
             "t.proof:%d:9: too many names in one claim (more than %d)",
             CVP_PROOF_MAX_NAMES + 2, CVP_PROOF_MAX_NAMES);
    expect_error_status(b.text, CVP_ERR_LIMIT, line);

    /* deep shapes: parentheses and long chains */
    b.len = 0;
    put(&b, HEAD "  tensor X[");
    for (int i = 0; i < 300; i++)
        put(&b, "(");
    put(&b, "1");
    expect_error(b.text, "t.proof:2:268: shape expression nested too deeply "
                         "(more than 256 levels)");
    b.len = 0;
    put(&b, HEAD "  tensor X[1");
    for (int i = 0; i < 300; i++)
        put(&b, "+1");
    /* '1' is at column 12, the k-th '+' at 11 + 2k; the 256th makes the
     * tree 257 deep */
    expect_error(b.text, "t.proof:2:523: shape expression nested too deeply "
                         "(more than 256 levels)");
    b.len = 0;
    put(&b, HEAD "  tensor X[");
    for (int i = 0; i < 300; i++)
        put(&b, "-");
    put(&b, "1]");
    expect_error(b.text, "t.proof:2:268: shape expression nested too deeply "
                         "(more than 256 levels)");

    /* deep expressions are refused by the expression parser */
    b.len = 0;
    put(&b, HEAD "  tensor X[]\n  show X == ");
    for (int i = 0; i < 5000; i++)
        put(&b, "(");
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    cvp_lang_error err;
    assert_int_equal(tu_proof_parse(&file, b.text, &err), CVP_ERR_INPUT);
    assert_non_null(strstr(err.message, "nested too deeply"));

    /* a long but legal file */
    b.len = 0;
    for (int i = 0; i < 2000; i++)
        put(&b, "claim \"c\" {\n dim M in 1..3\n tensor X[M]\n"
                " let Y = X + X\n show Y == 2 * X\n by exact\n}\n");
    tu_proof_parse_ok(&file, b.text);
    assert_int_equal(file.claim_count, 2000);
    assert_string_equal(file.claims[1999].shows[0].text, "Y == 2 * X");
    cvp_proof_file_clear(&file);
    free(b.text);
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
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_implementations),
        cmocka_unit_test(test_error_without_record),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_malformed_corpus),
        cmocka_unit_test(test_string_tokens),
    };
    return cmocka_run_group_tests_name("proof_parser", tests, NULL, NULL);
}
