/* test_parser.c -- cmocka tests of the expression parser and the AST
 * (src/lang/parser.c, src/lang/ast.c).
 *
 * Trees are compared through their fully parenthesised printing, written
 * out by hand from the precedence rules; error columns were counted by
 * hand from the input strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/parser.h"

static void expect_tree(const char *source, const char *want)
{
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    if (cvp_parse_expression(&tree, source, strlen(source), "<expr>", &err)
        != CVP_OK)
        fail_msg("\"%s\" did not parse: %d:%d: %s", source, err.pos.line,
                 err.pos.col, err.message);
    char text[512];
    cvp_ast_to_string(text, sizeof text, tree.root);
    if (strcmp(text, want) != 0)
        fail_msg("\"%s\" parsed as \"%s\", want \"%s\"", source, text, want);
    cvp_ast_tree_clear(&tree);
}

static void expect_parse_error(const char *source, int line, int col,
                               const char *message)
{
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    cvp_status status = cvp_parse_expression(&tree, source, strlen(source),
                                             "<expr>", &err);
    if (status == CVP_OK)
        fail_msg("\"%s\" parsed", source);
    if (err.pos.line != line || err.pos.col != col
        || strstr(err.message, message) == NULL)
        fail_msg("\"%s\": got %d:%d \"%s\", want %d:%d \"%s\"", source,
                 err.pos.line, err.pos.col, err.message, line, col, message);
    assert_int_equal(status, CVP_ERR_INPUT);
    assert_string_equal(err.source, "<expr>");
    cvp_ast_tree_clear(&tree);
}

static void test_precedence(void **state)
{
    (void)state;
    expect_tree("1 + 2 * 3", "(1 + (2 * 3))");
    expect_tree("(1 + 2) * 3", "((1 + 2) * 3)");
    expect_tree("1 - 2 - 3", "((1 - 2) - 3)");
    expect_tree("1 - 2 + 3", "((1 - 2) + 3)");
    expect_tree("2 / 3 / 4", "((2 / 3) / 4)");
    expect_tree("a * b @ c / d", "(((a * b) @ c) / d)");
    expect_tree("a + b @ c", "(a + (b @ c))");
    expect_tree("-2 @ X", "((-2) @ X)");
    expect_tree("- -x", "(-(-x))");
    expect_tree("+x * -y", "((+x) * (-y))");
    expect_tree("2/3 + 1/3", "((2 / 3) + (1 / 3))");
    expect_tree("0.25*X", "(0.25 * X)");
}

static void test_calls(void **state)
{
    (void)state;
    expect_tree("conv2d(X, K, stride=(2, 1), padding=1)",
                "conv2d(X, K, stride=(2, 1), padding=1)");
    expect_tree("f()", "f()");
    expect_tree("f(x,)", "f(x)");
    expect_tree("wide(rot180(W), X)", "wide(rot180(W), X)");
    expect_tree("max_pool2d(X, 2, ceil_mode=true)",
                "max_pool2d(X, 2, ceil_mode=true)");
}

static void test_tuples_and_lists(void **state)
{
    (void)state;
    expect_tree("(1)", "1");
    expect_tree("((x))", "x");
    expect_tree("(1,)", "(1,)");
    expect_tree("()", "()");
    expect_tree("(1, 2, 3,)", "(1, 2, 3)");
    expect_tree("((1, 2), 3)", "((1, 2), 3)");
    expect_tree("[[1, 2], [3, 4]]", "[[1, 2], [3, 4]]");
    expect_tree("[]", "[]");
    expect_tree("[-1, 2/3,]", "[(-1), (2 / 3)]");
}

static void test_comments_and_whitespace(void **state)
{
    (void)state;
    expect_tree("  1\t+\n2 # and a comment", "(1 + 2)");
}

/* Positions recorded in the nodes, counted by hand:
 *     conv2d(X, K, stride=2) + 1
 *     1234567890123456789012345678 */
static void test_positions(void **state)
{
    (void)state;
    const char *source = "conv2d(X, K, stride=2) + 1";
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    assert_int_equal(cvp_parse_expression(&tree, source, strlen(source), "e",
                                          NULL), CVP_OK);
    const cvp_ast_node *plus = tree.root;
    assert_int_equal(plus->kind, CVP_AST_BINARY);
    assert_int_equal(plus->u.binary.op, '+');
    assert_int_equal(plus->pos.col, 24);
    const cvp_ast_node *call = plus->u.binary.lhs;
    assert_int_equal(call->kind, CVP_AST_CALL);
    assert_string_equal(call->u.call.name, "conv2d");
    assert_int_equal(call->pos.col, 1);
    assert_int_equal(call->u.call.count, 3);
    assert_null(call->u.call.args[0].keyword);
    assert_int_equal(call->u.call.args[0].pos.col, 8);
    assert_int_equal(call->u.call.args[1].value->pos.col, 11);
    assert_string_equal(call->u.call.args[2].keyword, "stride");
    assert_int_equal(call->u.call.args[2].keyword_pos.col, 14);
    assert_int_equal(call->u.call.args[2].value->pos.col, 21);
    assert_int_equal(plus->u.binary.rhs->kind, CVP_AST_NUMBER);
    assert_int_equal(plus->u.binary.rhs->pos.col, 26);
    /* depth: '+' over the call over its arguments */
    assert_int_equal(plus->depth, 3);
    cvp_ast_tree_clear(&tree);
}

static void test_node_kinds(void **state)
{
    (void)state;
    const char *source = "(true, false, x, 1.5, [1], (2,))";
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    assert_int_equal(cvp_parse_expression(&tree, source, strlen(source), "e",
                                          NULL), CVP_OK);
    const cvp_ast_node *t = tree.root;
    assert_int_equal(t->kind, CVP_AST_TUPLE);
    assert_int_equal(t->u.items.count, 6);
    assert_int_equal(t->u.items.items[0]->kind, CVP_AST_BOOL);
    assert_true(t->u.items.items[0]->u.boolean);
    assert_false(t->u.items.items[1]->u.boolean);
    assert_int_equal(t->u.items.items[2]->kind, CVP_AST_NAME);
    const cvp_ast_node *number = t->u.items.items[3];
    assert_int_equal(number->kind, CVP_AST_NUMBER);
    assert_string_equal(number->u.number.text, "1.5");
    assert_int_equal(mpz_get_si(mpq_numref(number->u.number.value)), 3);
    assert_int_equal(mpz_get_si(mpq_denref(number->u.number.value)), 2);
    assert_int_equal(t->u.items.items[4]->kind, CVP_AST_LIST);
    assert_int_equal(t->u.items.items[5]->kind, CVP_AST_TUPLE);
    cvp_ast_tree_clear(&tree);
}

static void test_literal_limits(void **state)
{
    (void)state;
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_lang_error err;
    cvp_lang_error_clear(&err);
    const char *huge = "2 * 1e999999";
    assert_int_equal(cvp_parse_expression(&tree, huge, strlen(huge), "e",
                                          &err), CVP_ERR_LIMIT);
    assert_int_equal(err.pos.col, 5);
    assert_non_null(strstr(err.message, "number '1e999999': exponent too "
                                        "large"));
    cvp_ast_tree_clear(&tree);
    /* 200 literals of 1e-90000: together past the budget of 10^7 */
    size_t count = 200, piece = strlen("1e-90000+");
    char *many = malloc(count * piece + 2);
    assert_non_null(many);
    for (size_t i = 0; i < count; i++)
        memcpy(many + i * piece, "1e-90000+", piece);
    strcpy(many + count * piece, "1");
    cvp_ast_tree_init(&tree);
    assert_int_equal(cvp_parse_expression(&tree, many, strlen(many), "e",
                                          &err), CVP_ERR_LIMIT);
    assert_non_null(strstr(err.message, "in total"));
    /* the 112th literal is the first past the budget: 111 * 90000 fits */
    assert_int_equal(err.pos.col, (int)(111 * piece + 1));
    cvp_ast_tree_clear(&tree);
    free(many);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_parse_error("", 1, 1, "empty expression");
    expect_parse_error("   # only a comment", 1, 20, "empty expression");
    expect_parse_error("-2 @", 1, 5, "expected an expression, found end of "
                                     "input");
    expect_parse_error("1 + * 2", 1, 5, "expected an expression, found '*'");
    expect_parse_error("conv2d(X, K", 1, 12,
                       "expected ',' or ')' to close '(' at column 7, found "
                       "end of input");
    expect_parse_error("conv2d(X, K, stride=(2, 1) padding=1)", 1, 28,
                       "expected ',' or ')' to close '(' at column 7, found "
                       "identifier 'padding'");
    expect_parse_error("(1, 2", 1, 6, "to close '(' at column 1");
    expect_parse_error("[1, 2", 1, 6, "expected ',' or ']' to close '[' at "
                                      "column 1");
    expect_parse_error("X Y", 1, 3, "expected an operator or end of input, "
                                    "found identifier 'Y'");
    expect_parse_error("1 )", 1, 3, "expected end of input, found ')'");
    expect_parse_error("x == y", 1, 3, "expected end of input, found '=='");
    expect_parse_error("f(a=1, 2)", 1, 8, "positional argument after keyword "
                                          "argument");
    expect_parse_error("f(1=2)", 1, 3, "a keyword argument needs a name");
    expect_parse_error("f(x=)", 1, 5, "expected an expression, found ')'");
    expect_parse_error("2 3", 1, 3, "found number '3'");
    expect_parse_error("1 +\n  * 2", 2, 3, "expected an expression");
    expect_parse_error("a $ b", 1, 3, "unexpected character '$'");

    expect_parse_error("(,)", 1, 2, "expected an expression, found ','");
}

/* Builds a string of `count` copies of `piece` around `middle`. */
static char *repeat(const char *prefix, size_t count, const char *middle,
                    const char *suffix)
{
    size_t p = strlen(prefix), m = strlen(middle), s = strlen(suffix);
    char *text = malloc(count * (p + s) + m + 1);
    assert_non_null(text);
    char *w = text;
    for (size_t i = 0; i < count; i++, w += p)
        memcpy(w, prefix, p);
    memcpy(w, middle, m);
    w += m;
    for (size_t i = 0; i < count; i++, w += s)
        memcpy(w, suffix, s);
    *w = '\0';
    return text;
}

static void test_nesting_limits(void **state)
{
    (void)state;
    /* deep parentheses, unary chains, long sums and nested calls are
     * refused with a message, not a stack overflow */
    const char *cases[][3] = {
        {"(", "1", ")"}, {"-", "1", ""}, {"f(", "1", ")"}, {"[", "1", "]"},
        {"1+", "1", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *deep = repeat(cases[i][0], 100000, cases[i][1], cases[i][2]);
        cvp_ast_tree tree;
        cvp_ast_tree_init(&tree);
        cvp_lang_error err;
        cvp_lang_error_clear(&err);
        assert_int_equal(cvp_parse_expression(&tree, deep, strlen(deep), "e",
                                              &err), CVP_ERR_INPUT);
        assert_non_null(strstr(err.message, "nested too deeply"));
        cvp_ast_tree_clear(&tree);
        free(deep);

        /* well inside the limit it parses */
        char *fine = repeat(cases[i][0], 300, cases[i][1], cases[i][2]);
        cvp_ast_tree_init(&tree);
        assert_int_equal(cvp_parse_expression(&tree, fine, strlen(fine), "e",
                                              &err), CVP_OK);
        assert_true(tree.root->depth <= CVP_AST_MAX_DEPTH);
        cvp_ast_tree_clear(&tree);
        free(fine);
    }
}

static void test_embedded_parser(void **state)
{
    (void)state;
    /* a larger grammar parses an expression, then continues after it */
    const char *source = "1 + 2 : rest";
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_lang_error err;
    cvp_parser parser;
    assert_int_equal(cvp_parser_init(&parser, &tree, source, strlen(source),
                                     "e", false, &err), CVP_OK);
    cvp_ast_node *expression;
    assert_int_equal(cvp_parser_expression(&parser, &expression), CVP_OK);
    char text[64];
    cvp_ast_to_string(text, sizeof text, expression);
    assert_string_equal(text, "(1 + 2)");
    assert_int_equal(parser.current.kind, CVP_TOK_COLON);
    assert_int_equal(parser.current.pos.col, 7);
    assert_int_equal(cvp_parser_advance(&parser), CVP_OK);
    assert_true(cvp_token_is_word(&parser.current, "rest"));
    cvp_ast_tree_clear(&tree);

    /* with newline tokens an expression ends at the end of its line */
    const char *lines = "a + b\nc";
    cvp_ast_tree_init(&tree);
    assert_int_equal(cvp_parser_init(&parser, &tree, lines, strlen(lines),
                                     "e", true, &err), CVP_OK);
    assert_int_equal(cvp_parser_expression(&parser, &expression), CVP_OK);
    cvp_ast_to_string(text, sizeof text, expression);
    assert_string_equal(text, "(a + b)");
    assert_int_equal(parser.current.kind, CVP_TOK_NEWLINE);
    assert_int_equal(cvp_parser_advance(&parser), CVP_OK);
    assert_true(cvp_token_is_word(&parser.current, "c"));
    assert_int_equal(parser.current.pos.line, 2);
    cvp_ast_tree_clear(&tree);
}

static void test_to_string_truncates(void **state)
{
    (void)state;
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    const char *source = "conv2d(X, K, stride=2)";
    assert_int_equal(cvp_parse_expression(&tree, source, strlen(source), "e",
                                          NULL), CVP_OK);
    char text[8];
    cvp_ast_to_string(text, sizeof text, tree.root);
    assert_string_equal(text, "conv2d(");
    cvp_ast_tree_clear(&tree);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_calls),
        cmocka_unit_test(test_tuples_and_lists),
        cmocka_unit_test(test_comments_and_whitespace),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_node_kinds),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_literal_limits),
        cmocka_unit_test(test_nesting_limits),
        cmocka_unit_test(test_embedded_parser),
        cmocka_unit_test(test_to_string_truncates),
    };
    return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}
