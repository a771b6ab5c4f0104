/* test_proof_errors.c -- cmocka tests of the .proof parser's error
 * messages (src/lang/proof_parser.c, proof_shape.c, proof_method.c) and
 * of its limits: hostile sizes fail cleanly.
 *
 * Every expected message, with its line and column, was written by hand
 * from the input (columns counted on the source lines shown in the
 * comments).  test_proof_parser.c tests valid input.
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
     "t.proof:3:1: expected ',' or ']' (to close the '[' at line 2, column 11) "
     "in the shape of 'X', found '}'"},
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
     "symbolic, all_shapes, bounded, regions)"},
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
     "t.proof:3:1: expected ',' or ')' to close the '(' at line 2, column 11, "
     "found '}'"},
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
     "bounded, regions), found newline"},
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_implementations),
        cmocka_unit_test(test_error_without_record),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests_name("proof_parser", tests, NULL, NULL);
}
