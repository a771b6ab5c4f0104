/* parser.c -- recursive descent over the grammar documented in parser.h:
 * the parser's state and errors, and the operator levels (power, sign,
 * the binary operators); the operands are in parser_primary.c.
 *
 * One function per grammar rule.  Every error is reported once, at the
 * token where the parse cannot go on, and then propagated unchanged.
 */
#include "lang/parser_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/literal.h"

cvp_status cvp_parser_fail(cvp_parser *parser, cvp_srcpos pos, const char *format, ...)
{
    char message[CVP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    return cvp_lang_error_set(parser->err, CVP_ERR_INPUT,
                              parser->lexer.source_name, pos, "%s", message);
}

cvp_status cvp_parser_out_of_memory(cvp_parser *parser)
{
    return cvp_lang_error_set(parser->err, CVP_ERR_LIMIT,
                              parser->lexer.source_name, parser->current.pos,
                              "out of memory while parsing");
}

/* "identifier 'foo'", "number '2.5'", "')'", "end of input". */
static void describe_token(char *buf, size_t size, const cvp_token *token)
{
    if (token->kind == CVP_TOK_IDENT || token->kind == CVP_TOK_NUMBER) {
        char shown[48];
        cvp_lang_quote(shown, sizeof shown, token->text, token->len);
        snprintf(buf, size, "%s '%s'", cvp_token_kind_name(token->kind),
                 shown);
    } else {
        snprintf(buf, size, "%s", cvp_token_kind_name(token->kind));
    }
}

cvp_status cvp_parser_fail_expected(cvp_parser *parser, const char *expected)
{
    char found[96];
    describe_token(found, sizeof found, &parser->current);
    return cvp_parser_fail(parser, parser->current.pos, "expected %s, found %s",
                expected, found);
}

void cvp_parser_describe_current(const cvp_parser *parser, char *buf,
                                 size_t size)
{
    describe_token(buf, size, &parser->current);
}

cvp_status cvp_parser_advance(cvp_parser *parser)
{
    cvp_status status;
    do
        status = cvp_lexer_next(&parser->lexer, &parser->current, parser->err);
    while (status == CVP_OK && parser->bracket_depth > 0
           && parser->current.kind == CVP_TOK_NEWLINE);
    return status;
}

/* Moves past an opening bracket: newlines up to its partner continue the
 * expression. */
cvp_status cvp_parser_advance_open(cvp_parser *parser)
{
    parser->bracket_depth++;
    return cvp_parser_advance(parser);
}

/* Moves past a closing bracket; a newline after the outermost one ends
 * the expression again. */
cvp_status cvp_parser_advance_close(cvp_parser *parser)
{
    if (parser->bracket_depth > 0)
        parser->bracket_depth--;
    return cvp_parser_advance(parser);
}

cvp_status cvp_parser_init(cvp_parser *parser, cvp_ast_tree *tree,
                           const char *text, size_t len,
                           const char *source_name, bool newline_tokens,
                           cvp_lang_error *err)
{
    cvp_lexer lexer;
    cvp_lexer_init(&lexer, text, len, source_name);
    lexer.newline_tokens = newline_tokens;
    return cvp_parser_init_lexer(parser, tree, &lexer, err);
}

cvp_status cvp_parser_init_lexer(cvp_parser *parser, cvp_ast_tree *tree,
                                 const cvp_lexer *lexer, cvp_lang_error *err)
{
    parser->lexer = *lexer;
    parser->tree = tree;
    parser->err = err;
    parser->nesting = 0;
    parser->exponent_budget = CVP_LITERAL_EXPONENT_BUDGET;
    parser->bracket_depth = 0;
    memset(&parser->current, 0, sizeof parser->current);
    return cvp_parser_advance(parser);
}

/* The kind of the token after the current one, without consuming
 * anything; a token that does not lex counts as end of input here (the
 * error is reported when the parser really gets there). */
cvp_token_kind cvp_parser_peek_kind(const cvp_parser *parser)
{
    cvp_lexer ahead = parser->lexer;
    cvp_token token;
    if (cvp_lexer_next(&ahead, &token, NULL) != CVP_OK)
        return CVP_TOK_EOF;
    return token.kind;
}

/* Guards the recursion: parse_unary enters here, and every cycle of the
 * grammar's recursion goes through it. */
cvp_status cvp_parser_enter(cvp_parser *parser)
{
    if (++parser->nesting > CVP_AST_MAX_DEPTH)
        return cvp_parser_fail(parser, parser->current.pos,
                    "expression nested too deeply (more than %d levels)",
                    CVP_AST_MAX_DEPTH);
    return CVP_OK;
}

/* Gives `node` the depth 1 + depth(child) if that is deeper than what it
 * has, and refuses trees that a recursive walk could not handle. */
cvp_status cvp_parser_grow_depth(cvp_parser *parser, cvp_ast_node *node,
                             const cvp_ast_node *child)
{
    if (child->depth + 1 > node->depth)
        node->depth = child->depth + 1;
    if (node->depth > CVP_AST_MAX_DEPTH)
        return cvp_parser_fail(parser, node->pos,
                    "expression nested too deeply (more than %d levels)",
                    CVP_AST_MAX_DEPTH);
    return CVP_OK;
}

/* A call node `name` at `pos` (a name the parser chose, e.g. "pow"). */
cvp_ast_node *cvp_parser_new_call(cvp_parser *parser, const char *name,
                              cvp_srcpos pos, size_t count)
{
    cvp_ast_node *call = cvp_ast_new(parser->tree, CVP_AST_CALL, pos);
    if (call == NULL)
        return NULL;
    call->u.call.name = cvp_ast_strdup(parser->tree, name, strlen(name));
    call->u.call.args = cvp_ast_alloc(parser->tree,
                                      (count ? count : 1) * sizeof(cvp_ast_arg));
    if (call->u.call.name == NULL || call->u.call.args == NULL)
        return NULL;
    call->u.call.count = 0;
    return call;
}

/* Appends an argument (keyword may be NULL) to a call made by new_call
 * with room for it. */
cvp_status cvp_parser_add_arg(cvp_parser *parser, cvp_ast_node *call,
                          const char *keyword, cvp_ast_node *value)
{
    cvp_ast_arg *arg = &call->u.call.args[call->u.call.count++];
    arg->pos = value->pos;
    arg->keyword_pos = value->pos;
    arg->value = value;
    arg->keyword = NULL;
    if (keyword != NULL) {
        arg->keyword = cvp_ast_strdup(parser->tree, keyword, strlen(keyword));
        if (arg->keyword == NULL)
            return cvp_parser_out_of_memory(parser);
    }
    return cvp_parser_grow_depth(parser, call, value);
}

static cvp_status parse_unary(cvp_parser *parser, cvp_ast_node **out);

/* postfix [ '**' unary ]: right-associative, and tighter than a sign on
 * its left (Python's rule). */
static cvp_status parse_power(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_ast_node *base = NULL;
    cvp_status status = cvp_parser_postfix(parser, &base);
    if (status != CVP_OK)
        return status;
    if (parser->current.kind != CVP_TOK_STARSTAR) {
        *out = base;
        return CVP_OK;
    }
    cvp_ast_node *call = cvp_parser_new_call(parser, "pow", parser->current.pos, 2);
    if (call == NULL)
        return cvp_parser_out_of_memory(parser);
    cvp_ast_node *exponent = NULL;
    if ((status = cvp_parser_advance(parser)) != CVP_OK
        || (status = parse_unary(parser, &exponent)) != CVP_OK
        || (status = cvp_parser_add_arg(parser, call, NULL, base)) != CVP_OK
        || (status = cvp_parser_add_arg(parser, call, NULL, exponent)) != CVP_OK)
        return status;
    *out = call;
    return CVP_OK;
}

static cvp_status parse_unary(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_status status = cvp_parser_enter(parser);
    if (status != CVP_OK)
        return status;
    cvp_token_kind kind = parser->current.kind;
    if (kind == CVP_TOK_MINUS || kind == CVP_TOK_PLUS) {
        cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_UNARY,
                                         parser->current.pos);
        if (node == NULL)
            return cvp_parser_out_of_memory(parser);
        node->u.unary.op = kind == CVP_TOK_MINUS ? '-' : '+';
        if ((status = cvp_parser_advance(parser)) != CVP_OK
            || (status = parse_unary(parser, &node->u.unary.operand)) != CVP_OK
            || (status = cvp_parser_grow_depth(parser, node, node->u.unary.operand))
                   != CVP_OK)
            return status;
        *out = node;
    } else if ((status = parse_power(parser, out)) != CVP_OK) {
        return status;
    }
    parser->nesting--;
    return CVP_OK;
}

static char binary_op(cvp_token_kind kind, bool multiplicative)
{
    if (multiplicative) {
        switch (kind) {
        case CVP_TOK_STAR: return '*';
        case CVP_TOK_SLASH: return '/';
        case CVP_TOK_AT: return '@';
        default: return 0;
        }
    }
    switch (kind) {
    case CVP_TOK_PLUS: return '+';
    case CVP_TOK_MINUS: return '-';
    default: return 0;
    }
}

/* One level of left-associative binary operators: the multiplicative
 * level has unary operands, the additive level multiplicative ones. */
static cvp_status parse_binary_level(cvp_parser *parser, bool multiplicative,
                                     cvp_ast_node **out)
{
    cvp_ast_node *lhs;
    cvp_status status = multiplicative
                            ? parse_unary(parser, &lhs)
                            : parse_binary_level(parser, true, &lhs);
    if (status != CVP_OK)
        return status;
    char op;
    while ((op = binary_op(parser->current.kind, multiplicative)) != 0
           || (multiplicative && parser->current.kind == CVP_TOK_SLASHSLASH)) {
        if (op == 0) {   /* a // b is floordiv(a, b) */
            cvp_ast_node *call = cvp_parser_new_call(parser, "floordiv",
                                          parser->current.pos, 2);
            cvp_ast_node *rhs = NULL;
            if (call == NULL)
                return cvp_parser_out_of_memory(parser);
            if ((status = cvp_parser_advance(parser)) != CVP_OK
                || (status = parse_unary(parser, &rhs)) != CVP_OK
                || (status = cvp_parser_add_arg(parser, call, NULL, lhs)) != CVP_OK
                || (status = cvp_parser_add_arg(parser, call, NULL, rhs)) != CVP_OK)
                return status;
            lhs = call;
            continue;
        }
        cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_BINARY,
                                         parser->current.pos);
        if (node == NULL)
            return cvp_parser_out_of_memory(parser);
        node->u.binary.op = op;
        node->u.binary.lhs = lhs;
        if ((status = cvp_parser_advance(parser)) != CVP_OK)
            return status;
        status = multiplicative
                     ? parse_unary(parser, &node->u.binary.rhs)
                     : parse_binary_level(parser, true, &node->u.binary.rhs);
        if (status != CVP_OK
            || (status = cvp_parser_grow_depth(parser, node, lhs)) != CVP_OK
            || (status = cvp_parser_grow_depth(parser, node, node->u.binary.rhs))
                   != CVP_OK)
            return status;
        lhs = node;
    }
    *out = lhs;
    return CVP_OK;
}

cvp_status cvp_parser_expression(cvp_parser *parser, cvp_ast_node **out)
{
    /* The nesting is counted in parse_unary, which every recursion of the
     * grammar passes through, so one level of parentheses, brackets, call
     * or sign counts once. */
    return parse_binary_level(parser, false, out);
}

cvp_status cvp_parse_expression(cvp_ast_tree *tree, const char *text,
                                size_t len, const char *source_name,
                                cvp_lang_error *err)
{
    cvp_parser parser;
    cvp_status status = cvp_parser_init(&parser, tree, text, len,
                                        source_name, false, err);
    if (status != CVP_OK)
        return status;
    if (parser.current.kind == CVP_TOK_EOF)
        return cvp_parser_fail(&parser, parser.current.pos, "empty expression");
    cvp_ast_node *root;
    if ((status = cvp_parser_expression(&parser, &root)) != CVP_OK)
        return status;
    if (parser.current.kind != CVP_TOK_EOF) {
        bool is_operand = parser.current.kind == CVP_TOK_IDENT
                          || parser.current.kind == CVP_TOK_NUMBER
                          || parser.current.kind == CVP_TOK_LPAREN
                          || parser.current.kind == CVP_TOK_LBRACKET;
        return cvp_parser_fail_expected(&parser, is_operand
                                          ? "an operator or end of input"
                                          : "end of input");
    }
    tree->root = root;
    return CVP_OK;
}
