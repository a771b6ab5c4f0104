/* test_lexer.c -- cmocka tests of the lexer, number literals, located
 * errors and name suggestions (src/lang/).
 *
 * Every expected kind, text, line and column was counted by hand from
 * the input strings; expected literal values are written as fractions
 * and read with GMP's mpq_set_str, which shares no code with the lexer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lang/lexer.h"
#include "lang/literal.h"
#include "lang/suggest.h"

typedef struct {
    cvp_token_kind kind;
    const char *text;   /* NULL: do not check */
    int line, col;
} expected_token;

/* Lexes `source` completely and compares with `want` (ending in EOF). */
static void expect_tokens(const char *source, bool newlines,
                          const expected_token *want, size_t count)
{
    cvp_lexer lexer;
    cvp_lexer_init(&lexer, source, strlen(source), "t");
    lexer.newline_tokens = newlines;
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    for (size_t i = 0; i < count; i++) {
        cvp_token token;
        if (cvp_lexer_next(&lexer, &token, &err) != CVP_OK)
            fail_msg("token %zu of \"%s\": %s", i, source, err.message);
        if (token.kind != want[i].kind || token.pos.line != want[i].line
            || token.pos.col != want[i].col)
            fail_msg("token %zu of \"%s\": got %s at %d:%d, want %s at %d:%d",
                     i, source, cvp_token_kind_name(token.kind),
                     token.pos.line, token.pos.col,
                     cvp_token_kind_name(want[i].kind), want[i].line,
                     want[i].col);
        if (want[i].text != NULL) {
            assert_int_equal(token.len, strlen(want[i].text));
            assert_memory_equal(token.text, want[i].text, token.len);
        }
    }
}

/* Lexes until the first error and checks its position and message. */
static void expect_lex_error(const char *source, int line, int col,
                             const char *fragment)
{
    cvp_lexer lexer;
    cvp_lexer_init(&lexer, source, strlen(source), "src");
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    cvp_token token;
    for (int guard = 0; guard < 100; guard++) {
        if (cvp_lexer_next(&lexer, &token, &err) != CVP_OK) {
            assert_int_equal(err.status, CVP_ERR_INPUT);
            assert_string_equal(err.source, "src");
            if (err.pos.line != line || err.pos.col != col
                || strstr(err.message, fragment) == NULL)
                fail_msg("\"%s\": got %d:%d \"%s\", want %d:%d \"%s\"",
                         source, err.pos.line, err.pos.col, err.message,
                         line, col, fragment);
            return;
        }
        if (token.kind == CVP_TOK_EOF)
            break;
    }
    fail_msg("\"%s\" lexed without error", source);
}

static void test_punctuation(void **state)
{
    (void)state;
    /*            1234567890123456789012345678901234567890 */
    const char *s = "( ) [ ] { } , = == <= >= < > + - * / @ .. :";
    expected_token want[] = {
        {CVP_TOK_LPAREN, "(", 1, 1},   {CVP_TOK_RPAREN, ")", 1, 3},
        {CVP_TOK_LBRACKET, "[", 1, 5}, {CVP_TOK_RBRACKET, "]", 1, 7},
        {CVP_TOK_LBRACE, "{", 1, 9},   {CVP_TOK_RBRACE, "}", 1, 11},
        {CVP_TOK_COMMA, ",", 1, 13},   {CVP_TOK_ASSIGN, "=", 1, 15},
        {CVP_TOK_EQ, "==", 1, 17},     {CVP_TOK_LE, "<=", 1, 20},
        {CVP_TOK_GE, ">=", 1, 23},     {CVP_TOK_LT, "<", 1, 26},
        {CVP_TOK_GT, ">", 1, 28},      {CVP_TOK_PLUS, "+", 1, 30},
        {CVP_TOK_MINUS, "-", 1, 32},   {CVP_TOK_STAR, "*", 1, 34},
        {CVP_TOK_SLASH, "/", 1, 36},   {CVP_TOK_AT, "@", 1, 38},
        {CVP_TOK_DOTDOT, "..", 1, 40}, {CVP_TOK_COLON, ":", 1, 43},
        {CVP_TOK_EOF, "", 1, 44},
    };
    expect_tokens(s, false, want, sizeof want / sizeof want[0]);
}

static void test_adjacent_operators(void **state)
{
    (void)state;
    /* longest match: "===" is "==" then "=", "<==" is "<=" then "=" */
    expected_token want[] = {
        {CVP_TOK_EQ, "==", 1, 1}, {CVP_TOK_ASSIGN, "=", 1, 3},
        {CVP_TOK_LE, "<=", 1, 4}, {CVP_TOK_ASSIGN, "=", 1, 6},
        {CVP_TOK_EOF, NULL, 1, 7},
    };
    expect_tokens("===<==", false, want, 5);
}

static void test_names_and_numbers(void **state)
{
    (void)state;
    const char *s = "conv2d_x1 _a 12 0.25 1e-3 2.5E+2 X9";
    expected_token want[] = {
        {CVP_TOK_IDENT, "conv2d_x1", 1, 1}, {CVP_TOK_IDENT, "_a", 1, 11},
        {CVP_TOK_NUMBER, "12", 1, 14},      {CVP_TOK_NUMBER, "0.25", 1, 17},
        {CVP_TOK_NUMBER, "1e-3", 1, 22},    {CVP_TOK_NUMBER, "2.5E+2", 1, 27},
        {CVP_TOK_IDENT, "X9", 1, 34},       {CVP_TOK_EOF, NULL, 1, 36},
    };
    expect_tokens(s, false, want, sizeof want / sizeof want[0]);
}

static void test_range_is_not_a_decimal(void **state)
{
    (void)state;
    expected_token want[] = {
        {CVP_TOK_NUMBER, "1", 1, 1}, {CVP_TOK_DOTDOT, "..", 1, 2},
        {CVP_TOK_NUMBER, "3", 1, 4}, {CVP_TOK_EOF, NULL, 1, 5},
    };
    expect_tokens("1..3", false, want, 4);
}

static void test_comments_and_lines(void **state)
{
    (void)state;
    const char *s = "a # a comment (with tokens)\n  b\t+ c # end";
    expected_token want[] = {
        {CVP_TOK_IDENT, "a", 1, 1}, {CVP_TOK_IDENT, "b", 2, 3},
        {CVP_TOK_PLUS, "+", 2, 5},  {CVP_TOK_IDENT, "c", 2, 7},
        {CVP_TOK_EOF, NULL, 2, 14},
    };
    expect_tokens(s, false, want, sizeof want / sizeof want[0]);
}

static void test_newline_tokens(void **state)
{
    (void)state;
    const char *s = "x # c\n\ny";
    expected_token want[] = {
        {CVP_TOK_IDENT, "x", 1, 1},   {CVP_TOK_NEWLINE, NULL, 1, 6},
        {CVP_TOK_NEWLINE, NULL, 2, 1}, {CVP_TOK_IDENT, "y", 3, 1},
        {CVP_TOK_EOF, NULL, 3, 2},
    };
    expect_tokens(s, true, want, sizeof want / sizeof want[0]);
}

static void test_eof_repeats(void **state)
{
    (void)state;
    cvp_lexer lexer;
    cvp_lexer_init(&lexer, "  ", 2, NULL);
    cvp_token token;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cvp_lexer_next(&lexer, &token, NULL), CVP_OK);
        assert_int_equal(token.kind, CVP_TOK_EOF);
        assert_int_equal(token.pos.col, 3);
    }
}

static void test_utf8_counts_characters(void **state)
{
    (void)state;
    /* "é" is two bytes but one column: the '+' on line 2 after a comment
     * holding it is unaffected, and an é outside a comment is reported
     * as one character, with its bytes shown escaped. */
    expected_token want[] = {
        {CVP_TOK_IDENT, "a", 1, 1}, {CVP_TOK_PLUS, "+", 2, 1},
        {CVP_TOK_EOF, NULL, 2, 2},
    };
    expect_tokens("a #\xc3\xa9\xc3\xa9\n+", false, want, 3);
    expect_lex_error("ab \xc3\xa9", 1, 4, "unexpected character '\\xc3\\xa9'");
    expect_lex_error("x\n  \x01", 2, 3, "'\\x01'");
}

static void test_lex_errors(void **state)
{
    (void)state;
    expect_lex_error("1 + 2x", 1, 5, "malformed number '2x'");
    expect_lex_error("1e", 1, 1, "the exponent needs digits");
    expect_lex_error("  1e+", 1, 3, "malformed number '1e+'");
    expect_lex_error("1.", 1, 1, "a digit must follow the decimal point");
    expect_lex_error("a ? b", 1, 3, "unexpected character '?'");
    expect_lex_error("a ! b", 1, 3, "unexpected character '!'");
    expect_lex_error("\"s\"", 1, 1, "unexpected character '\"'");
}

static void test_error_leaves_lexer_at_token(void **state)
{
    (void)state;
    cvp_lexer lexer;
    cvp_lexer_init(&lexer, "x 3q", 4, "t");
    cvp_token token;
    assert_int_equal(cvp_lexer_next(&lexer, &token, NULL), CVP_OK);
    assert_int_equal(cvp_lexer_next(&lexer, &token, NULL), CVP_ERR_INPUT);
    assert_int_equal(lexer.offset, 2);
    assert_int_equal(lexer.pos.col, 3);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    const char source[] = {'a', '\0', 'b'};
    cvp_lexer lexer;
    cvp_lexer_init(&lexer, source, 3, "t");
    cvp_token token;
    cvp_lang_error err;
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_OK);
    assert_int_equal(cvp_lexer_next(&lexer, &token, &err), CVP_ERR_INPUT);
    assert_int_equal(err.pos.col, 2);
    assert_non_null(strstr(err.message, "'\\x00'"));
}

static void test_error_format(void **state)
{
    (void)state;
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    cvp_srcpos pos = {3, 17};
    assert_int_equal(cvp_lang_error_set(&err, CVP_ERR_INPUT, "claims.proof",
                                        pos, "expected %s", "')'"),
                     CVP_ERR_INPUT);
    char text[256];
    cvp_lang_error_format(text, sizeof text, &err);
    assert_string_equal(text, "claims.proof:3:17: expected ')'");

    cvp_error plain;
    cvp_lang_error_to_error(&plain, &err);
    assert_int_equal(plain.status, CVP_ERR_INPUT);
    assert_string_equal(plain.message, "claims.proof:3:17: expected ')'");

    cvp_error lower;
    cvp_error_set(&lower, CVP_ERR_LIMIT, "too big");
    pos.line = 1;
    pos.col = 2;
    assert_int_equal(cvp_lang_error_from(&err, &lower, "<expr>", pos, "relu"),
                     CVP_ERR_LIMIT);
    cvp_lang_error_format(text, sizeof text, &err);
    assert_string_equal(text, "<expr>:1:2: relu: too big");
}

static void test_quote(void **state)
{
    (void)state;
    char buf[16];
    cvp_lang_quote(buf, sizeof buf, "a\tb", 3);
    assert_string_equal(buf, "a\\x09b");
    cvp_lang_quote(buf, sizeof buf, "abcdefghijklmnopqrstuvwxyz", 26);
    assert_string_equal(buf, "abcdefghijkl...");
}

/* ---- literals --------------------------------------------------------- */

static void expect_literal(const char *text, const char *fraction)
{
    mpq_t got, want;
    mpq_init(got);
    mpq_init(want);
    const char *why = NULL;
    if (cvp_literal_to_mpq(got, text, strlen(text), NULL, &why) != CVP_OK)
        fail_msg("literal %s: %s", text, why);
    assert_int_equal(mpq_set_str(want, fraction, 10), 0);
    mpq_canonicalize(want);
    if (!mpq_equal(got, want))
        fail_msg("literal %s is not %s", text, fraction);
    mpq_clear(got);
    mpq_clear(want);
}

static void test_literals_are_exact(void **state)
{
    (void)state;
    expect_literal("0", "0");
    expect_literal("007", "7");
    expect_literal("0.25", "1/4");
    expect_literal("0.1", "1/10");
    expect_literal("1e-3", "1/1000");
    expect_literal("2.5e2", "250");
    expect_literal("2.5E+2", "250");
    expect_literal("1.000", "1");
    expect_literal("12345678901234567890123", "12345678901234567890123");
    expect_literal("3.14159", "314159/100000");
    expect_literal("1e4", "10000");
    expect_literal("25e-2", "1/4");
}

/* Checks that z is written "1" followed by `zeros` zeros. */
static void expect_one_and_zeros(mpz_srcptr z, size_t zeros)
{
    char *digits = mpz_get_str(NULL, 10, z);
    size_t len = strlen(digits);
    assert_int_equal(len, zeros + 1);
    assert_int_equal(digits[0], '1');
    for (size_t i = 1; i < len; i++)
        assert_int_equal(digits[i], '0');
    void (*free_function)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &free_function);
    free_function(digits, len + 1);
}

static void test_literal_huge_exponent(void **state)
{
    (void)state;
    mpq_t q;
    mpq_init(q);
    const char *why = NULL;
    assert_int_equal(cvp_literal_to_mpq(q, "1e100001", 8, NULL, &why),
                     CVP_ERR_LIMIT);
    assert_non_null(strstr(why, "exponent too large"));
    assert_int_equal(cvp_literal_to_mpq(q, "1e99999999999999999999999", 25,
                                        NULL, NULL), CVP_ERR_LIMIT);
    assert_int_equal(cvp_literal_to_mpq(q, "1e10000", 7, NULL, NULL), CVP_OK);
    expect_one_and_zeros(mpq_numref(q), 10000);
    assert_int_equal(mpz_cmp_ui(mpq_denref(q), 1), 0);
    assert_int_equal(cvp_literal_to_mpq(q, "1e-10000", 8, NULL, NULL),
                     CVP_OK);
    expect_one_and_zeros(mpq_denref(q), 10000);
    assert_int_equal(mpz_cmp_ui(mpq_numref(q), 1), 0);
    mpq_clear(q);
}

static void test_literal_exponent_budget(void **state)
{
    (void)state;
    mpq_t q;
    mpq_init(q);
    /* exponents up to 1000 are free; larger ones are charged */
    long budget = 25000;
    for (int i = 0; i < 100; i++)
        assert_int_equal(cvp_literal_to_mpq(q, "1e-1000", 7, &budget, NULL),
                         CVP_OK);
    assert_int_equal(budget, 25000);
    assert_int_equal(cvp_literal_to_mpq(q, "1e20000", 7, &budget, NULL),
                     CVP_OK);
    assert_int_equal(budget, 5000);
    const char *why = NULL;
    assert_int_equal(cvp_literal_to_mpq(q, "1e-5001", 7, &budget, &why),
                     CVP_ERR_LIMIT);
    assert_non_null(strstr(why, "in total"));
    assert_int_equal(cvp_literal_to_mpq(q, "2", 1, &budget, &why), CVP_OK);
    assert_int_equal(cvp_literal_to_mpq(q, "2x", 2, &budget, &why),
                     CVP_ERR_INPUT);
    mpq_clear(q);
}

/* ---- suggestions ------------------------------------------------------ */

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(cvp_edit_distance("stride", "stride"), 0);
    assert_int_equal(cvp_edit_distance("strides", "stride"), 1);
    assert_int_equal(cvp_edit_distance("sride", "stride"), 1);
    assert_int_equal(cvp_edit_distance("stirde", "stride"), 1); /* swap */
    assert_int_equal(cvp_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(cvp_edit_distance("", "abc"), 3);
}

static void test_suggest(void **state)
{
    (void)state;
    cvp_suggest s;
    cvp_suggest_init(&s, "conv2");
    cvp_suggest_consider(&s, "conv");
    cvp_suggest_consider(&s, "conv2d");
    cvp_suggest_consider(&s, "relu");
    assert_string_equal(s.best, "conv2d");

    cvp_suggest_init(&s, "padding");
    cvp_suggest_consider(&s, "stride");
    cvp_suggest_consider(&s, "dilation");
    assert_null(s.best);

    cvp_suggest_init(&s, "ceil_mod");
    cvp_suggest_consider(&s, "padding");
    cvp_suggest_consider(&s, "ceil_mode");
    assert_string_equal(s.best, "ceil_mode");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_punctuation),
        cmocka_unit_test(test_adjacent_operators),
        cmocka_unit_test(test_names_and_numbers),
        cmocka_unit_test(test_range_is_not_a_decimal),
        cmocka_unit_test(test_comments_and_lines),
        cmocka_unit_test(test_newline_tokens),
        cmocka_unit_test(test_eof_repeats),
        cmocka_unit_test(test_utf8_counts_characters),
        cmocka_unit_test(test_lex_errors),
        cmocka_unit_test(test_error_leaves_lexer_at_token),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_literals_are_exact),
        cmocka_unit_test(test_literal_huge_exponent),
        cmocka_unit_test(test_literal_exponent_budget),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_suggest),
    };
    return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
