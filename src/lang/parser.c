/* parser.c -- recursive descent over the grammar documented in parser.h.
 *
 * One function per grammar rule.  Every error is reported once, at the
 * token where the parse cannot go on, and then propagated unchanged.
 */
#include "lang/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/literal.h"

static cvp_status fail(cvp_parser *parser, cvp_srcpos pos,
                       const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static cvp_status fail(cvp_parser *parser, cvp_srcpos pos,
                       const char *format, ...)
{
    char message[CVP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    return cvp_lang_error_set(parser->err, CVP_ERR_INPUT,
                              parser->lexer.source_name, pos, "%s", message);
}

static cvp_status out_of_memory(cvp_parser *parser)
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

static cvp_status fail_expected(cvp_parser *parser, const char *expected)
{
    char found[96];
    describe_token(found, sizeof found, &parser->current);
    return fail(parser, parser->current.pos, "expected %s, found %s",
                expected, found);
}

cvp_status cvp_parser_fail_expected(cvp_parser *parser, const char *what)
{
    return fail_expected(parser, what);
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
static cvp_status advance_open(cvp_parser *parser)
{
    parser->bracket_depth++;
    return cvp_parser_advance(parser);
}

/* Moves past a closing bracket; a newline after the outermost one ends
 * the expression again. */
static cvp_status advance_close(cvp_parser *parser)
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
static cvp_token_kind peek_kind(const cvp_parser *parser)
{
    cvp_lexer ahead = parser->lexer;
    cvp_token token;
    if (cvp_lexer_next(&ahead, &token, NULL) != CVP_OK)
        return CVP_TOK_EOF;
    return token.kind;
}

/* Guards the recursion: parse_unary enters here, and every cycle of the
 * grammar's recursion goes through it. */
static cvp_status enter(cvp_parser *parser)
{
    if (++parser->nesting > CVP_AST_MAX_DEPTH)
        return fail(parser, parser->current.pos,
                    "expression nested too deeply (more than %d levels)",
                    CVP_AST_MAX_DEPTH);
    return CVP_OK;
}

/* Gives `node` the depth 1 + depth(child) if that is deeper than what it
 * has, and refuses trees that a recursive walk could not handle. */
static cvp_status grow_depth(cvp_parser *parser, cvp_ast_node *node,
                             const cvp_ast_node *child)
{
    if (child->depth + 1 > node->depth)
        node->depth = child->depth + 1;
    if (node->depth > CVP_AST_MAX_DEPTH)
        return fail(parser, node->pos,
                    "expression nested too deeply (more than %d levels)",
                    CVP_AST_MAX_DEPTH);
    return CVP_OK;
}

static cvp_status parse_expression(cvp_parser *parser, cvp_ast_node **out);

/* Growable array of pointers used while collecting items or arguments;
 * the final array is copied into the tree. */
typedef struct {
    cvp_ast_node **items;
    size_t count, capacity;
} node_list;

static cvp_status parse_number(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_NUMBER,
                                     parser->current.pos);
    if (node == NULL)
        return out_of_memory(parser);
    node->u.number.text = cvp_ast_strdup(parser->tree, parser->current.text,
                                         parser->current.len);
    if (node->u.number.text == NULL)
        return out_of_memory(parser);
    const char *why = NULL;
    cvp_status status = cvp_literal_to_mpq(node->u.number.value,
                                           parser->current.text,
                                           parser->current.len,
                                           &parser->exponent_budget, &why);
    if (status != CVP_OK) {
        char shown[64];
        cvp_lang_quote(shown, sizeof shown, parser->current.text,
                       parser->current.len);
        return cvp_lang_error_set(parser->err, status,
                                  parser->lexer.source_name,
                                  parser->current.pos,
                                  "number '%s': %s", shown, why);
    }
    *out = node;
    return cvp_parser_advance(parser);
}

/* Items of a tuple or list up to the closing token; the opening token
 * has been consumed.  A trailing comma is allowed.  *saw_comma tells a
 * tuple "(x,)" from a grouping "(x)". */
static cvp_status parse_items(cvp_parser *parser, cvp_ast_node *node,
                              cvp_token_kind close, cvp_srcpos open_pos,
                              bool *saw_comma)
{
    const char *close_text = close == CVP_TOK_RPAREN ? "')'" : "']'";
    const char *open_text = close == CVP_TOK_RPAREN ? "'('" : "'['";
    cvp_ast_node **items = NULL;
    size_t count = 0, capacity = 0;
    cvp_status status = CVP_OK;
    *saw_comma = false;
    while (parser->current.kind != close) {
        cvp_ast_node *item;
        if ((status = parse_expression(parser, &item)) != CVP_OK)
            break;
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 4;
            cvp_ast_node **bigger = cvp_ast_alloc(parser->tree,
                                                  capacity * sizeof *bigger);
            if (bigger == NULL) {
                status = out_of_memory(parser);
                break;
            }
            if (count > 0)
                memcpy(bigger, items, count * sizeof *items);
            items = bigger;  /* the old block stays owned by the tree */
        }
        items[count++] = item;
        if ((status = grow_depth(parser, node, item)) != CVP_OK)
            break;
        if (parser->current.kind == CVP_TOK_COMMA) {
            *saw_comma = true;
            if ((status = cvp_parser_advance(parser)) != CVP_OK)
                break;
        } else if (parser->current.kind != close) {
            char expected[96];
            snprintf(expected, sizeof expected,
                     "',' or %s to close %s at column %d", close_text,
                     open_text, open_pos.col);
            status = fail_expected(parser, expected);
            break;
        }
    }
    node->u.items.items = items;
    node->u.items.count = count;
    if (status != CVP_OK)
        return status;
    return advance_close(parser);  /* the closing token */
}

/* '(' ... ')': grouping or tuple.  The current token is '('. */
static cvp_status parse_parenthesised(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_srcpos open_pos = parser->current.pos;
    cvp_status status = advance_open(parser);
    if (status != CVP_OK)
        return status;
    cvp_ast_node *tuple = cvp_ast_new(parser->tree, CVP_AST_TUPLE, open_pos);
    if (tuple == NULL)
        return out_of_memory(parser);
    bool saw_comma;
    if ((status = parse_items(parser, tuple, CVP_TOK_RPAREN, open_pos,
                              &saw_comma)) != CVP_OK)
        return status;
    /* "(x)" is x itself; "()" and anything with a comma is a tuple. */
    *out = tuple->u.items.count == 1 && !saw_comma ? tuple->u.items.items[0]
                                                   : tuple;
    return CVP_OK;
}

static cvp_status parse_list(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_srcpos open_pos = parser->current.pos;
    cvp_status status = advance_open(parser);
    if (status != CVP_OK)
        return status;
    cvp_ast_node *list = cvp_ast_new(parser->tree, CVP_AST_LIST, open_pos);
    if (list == NULL)
        return out_of_memory(parser);
    bool saw_comma;
    if ((status = parse_items(parser, list, CVP_TOK_RBRACKET, open_pos,
                              &saw_comma)) != CVP_OK)
        return status;
    *out = list;
    return CVP_OK;
}

/* NAME '(' arguments ')'; the current token is '(' and `call` has its
 * name. */
static cvp_status parse_arguments(cvp_parser *parser, cvp_ast_node *call)
{
    cvp_srcpos open_pos = parser->current.pos;
    cvp_status status = advance_open(parser);
    if (status != CVP_OK)
        return status;
    cvp_ast_arg *args = NULL;
    size_t count = 0, capacity = 0;
    bool saw_keyword = false;
    while (parser->current.kind != CVP_TOK_RPAREN) {
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 4;
            cvp_ast_arg *bigger = cvp_ast_alloc(parser->tree,
                                                capacity * sizeof *bigger);
            if (bigger == NULL) {
                status = out_of_memory(parser);
                break;
            }
            if (count > 0)
                memcpy(bigger, args, count * sizeof *args);
            args = bigger;
        }
        cvp_ast_arg *arg = &args[count];
        arg->pos = parser->current.pos;
        if (parser->current.kind == CVP_TOK_IDENT
            && peek_kind(parser) == CVP_TOK_ASSIGN) {
            arg->keyword = cvp_ast_strdup(parser->tree, parser->current.text,
                                          parser->current.len);
            arg->keyword_pos = parser->current.pos;
            if (arg->keyword == NULL) {
                status = out_of_memory(parser);
                break;
            }
            saw_keyword = true;
            if ((status = cvp_parser_advance(parser)) != CVP_OK
                || (status = cvp_parser_advance(parser)) != CVP_OK)
                break;
        } else if (saw_keyword) {
            status = fail(parser, arg->pos,
                          "positional argument after keyword argument in "
                          "call of %s", call->u.call.name);
            break;
        }
        if ((status = parse_expression(parser, &arg->value)) != CVP_OK)
            break;
        count++;
        if ((status = grow_depth(parser, call, arg->value)) != CVP_OK)
            break;
        if (parser->current.kind == CVP_TOK_COMMA) {
            if ((status = cvp_parser_advance(parser)) != CVP_OK)
                break;
        } else if (parser->current.kind == CVP_TOK_ASSIGN) {
            status = fail(parser, arg->pos,
                          "a keyword argument needs a name before '='");
            break;
        } else if (parser->current.kind != CVP_TOK_RPAREN) {
            char expected[96];
            snprintf(expected, sizeof expected,
                     "',' or ')' to close '(' at column %d", open_pos.col);
            status = fail_expected(parser, expected);
            break;
        }
    }
    call->u.call.args = args;
    call->u.call.count = count;
    if (status != CVP_OK)
        return status;
    return advance_close(parser);  /* ')' */
}

/* NAME '.' NAME '(' arguments ')': an operation of an external
 * implementation, e.g. course.conv2d(X, K).  The current token is '.' and
 * `receiver` the name before it.  The call node's name is the whole
 * "receiver.operation", so that nothing mistakes it for a builtin. */
static cvp_status parse_implementation_call(cvp_parser *parser,
                                            const cvp_token *receiver,
                                            cvp_ast_node **out)
{
    cvp_status status = cvp_parser_advance(parser);
    if (status != CVP_OK)
        return status;
    cvp_token op = parser->current;
    if (op.kind != CVP_TOK_IDENT)
        return fail_expected(parser, "an operation name after '.'");
    /* The name runs from the receiver through the operation. */
    size_t len = (size_t)(op.text + op.len - receiver->text);
    if (op.text != receiver->text + receiver->len + 1)
        return fail(parser, op.pos, "write an implementation's operation "
                    "without spaces, as NAME.operation");
    if ((status = cvp_parser_advance(parser)) != CVP_OK)
        return status;
    if (parser->current.kind != CVP_TOK_LPAREN)
        return fail_expected(parser, "'(' after an implementation's "
                                     "operation (it is a call)");
    cvp_ast_node *call = cvp_ast_new(parser->tree, CVP_AST_CALL, receiver->pos);
    if (call == NULL)
        return out_of_memory(parser);
    call->u.call.name = cvp_ast_strdup(parser->tree, receiver->text, len);
    if (call->u.call.name == NULL)
        return out_of_memory(parser);
    *out = call;
    return parse_arguments(parser, call);
}

/* True when the tokens after the current '.' are 'T' and then anything
 * but '(': the transpose X.T, not an implementation's operation T(...). */
static bool dot_is_transpose(const cvp_parser *parser)
{
    cvp_lexer ahead = parser->lexer;
    cvp_token token;
    if (cvp_lexer_next(&ahead, &token, NULL) != CVP_OK
        || !cvp_token_is_word(&token, "T"))
        return false;
    if (cvp_lexer_next(&ahead, &token, NULL) != CVP_OK)
        return true;
    return token.kind != CVP_TOK_LPAREN;
}

static cvp_status parse_name_or_call(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_token name = parser->current;
    cvp_status status = cvp_parser_advance(parser);
    if (status != CVP_OK)
        return status;
    if (parser->current.kind == CVP_TOK_DOT && !dot_is_transpose(parser))
        return parse_implementation_call(parser, &name, out);
    if (parser->current.kind == CVP_TOK_LPAREN) {
        cvp_ast_node *call = cvp_ast_new(parser->tree, CVP_AST_CALL, name.pos);
        if (call == NULL)
            return out_of_memory(parser);
        call->u.call.name = cvp_ast_strdup(parser->tree, name.text, name.len);
        if (call->u.call.name == NULL)
            return out_of_memory(parser);
        *out = call;
        return parse_arguments(parser, call);
    }
    bool is_true = cvp_token_is_word(&name, "true");
    if (is_true || cvp_token_is_word(&name, "false")) {
        cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_BOOL, name.pos);
        if (node == NULL)
            return out_of_memory(parser);
        node->u.boolean = is_true;
        *out = node;
        return CVP_OK;
    }
    cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_NAME, name.pos);
    if (node == NULL)
        return out_of_memory(parser);
    node->u.name.text = cvp_ast_strdup(parser->tree, name.text, name.len);
    if (node->u.name.text == NULL)
        return out_of_memory(parser);
    *out = node;
    return CVP_OK;
}

static cvp_status parse_primary(cvp_parser *parser, cvp_ast_node **out)
{
    switch (parser->current.kind) {
    case CVP_TOK_NUMBER:
        return parse_number(parser, out);
    case CVP_TOK_IDENT:
        return parse_name_or_call(parser, out);
    case CVP_TOK_LPAREN:
        return parse_parenthesised(parser, out);
    case CVP_TOK_LBRACKET:
        return parse_list(parser, out);
    default:
        return fail_expected(parser, "an expression");
    }
}

/* A call node `name` at `pos` (a name the parser chose, e.g. "pow"). */
static cvp_ast_node *new_call(cvp_parser *parser, const char *name,
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
static cvp_status add_arg(cvp_parser *parser, cvp_ast_node *call,
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
            return out_of_memory(parser);
    }
    return grow_depth(parser, call, value);
}

static bool ends_slice_part(cvp_token_kind kind)
{
    return kind == CVP_TOK_COLON || kind == CVP_TOK_COMMA
           || kind == CVP_TOK_RBRACKET;
}

/* One subscript: an expression, or a slice [a] ':' [b] [':' [c]], which
 * becomes slice(start=a, stop=b, step=c) without the absent parts. */
static cvp_status parse_subscript(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_srcpos pos = parser->current.pos;
    cvp_ast_node *part[3] = {NULL, NULL, NULL};
    cvp_status status;
    if (parser->current.kind != CVP_TOK_COLON) {
        if ((status = parse_expression(parser, &part[0])) != CVP_OK)
            return status;
        if (parser->current.kind != CVP_TOK_COLON) {
            *out = part[0];
            return CVP_OK;
        }
    }
    for (int k = 1; k < 3 && parser->current.kind == CVP_TOK_COLON; k++) {
        if ((status = cvp_parser_advance(parser)) != CVP_OK)
            return status;
        if (!ends_slice_part(parser->current.kind)
            && (status = parse_expression(parser, &part[k])) != CVP_OK)
            return status;
    }
    if (parser->current.kind == CVP_TOK_COLON)
        return fail(parser, parser->current.pos,
                    "a slice has at most start:stop:step");
    cvp_ast_node *slice = new_call(parser, "slice", pos, 3);
    if (slice == NULL)
        return out_of_memory(parser);
    static const char *const names[3] = {"start", "stop", "step"};
    for (int k = 0; k < 3; k++)
        if (part[k] != NULL
            && (status = add_arg(parser, slice, names[k], part[k])) != CVP_OK)
            return status;
    *out = slice;
    return CVP_OK;
}

/* X[s1, s2, ...] after the primary X; the current token is '['. */
static cvp_status parse_index(cvp_parser *parser, cvp_ast_node *base,
                              cvp_ast_node **out)
{
    cvp_srcpos open_pos = parser->current.pos;
    cvp_status status = advance_open(parser);
    if (status != CVP_OK)
        return status;
    cvp_ast_node *items[CVP_AST_MAX_SUBSCRIPTS];
    size_t count = 0;
    while (parser->current.kind != CVP_TOK_RBRACKET) {
        if (count == CVP_AST_MAX_SUBSCRIPTS)
            return fail(parser, parser->current.pos,
                        "at most %d subscripts", CVP_AST_MAX_SUBSCRIPTS);
        if ((status = parse_subscript(parser, &items[count])) != CVP_OK)
            return status;
        count++;
        if (parser->current.kind == CVP_TOK_COMMA) {
            if ((status = cvp_parser_advance(parser)) != CVP_OK)
                return status;
        } else if (parser->current.kind != CVP_TOK_RBRACKET) {
            char expected[96];
            snprintf(expected, sizeof expected,
                     "',', ':' or ']' to close '[' at column %d",
                     open_pos.col);
            return fail_expected(parser, expected);
        }
    }
    if (count == 0)
        return fail(parser, open_pos, "an index needs at least one subscript, "
                    "e.g. X[0] or X[0:2, :]");
    cvp_ast_node *call = new_call(parser, "index", open_pos, count + 1);
    if (call == NULL)
        return out_of_memory(parser);
    if ((status = add_arg(parser, call, NULL, base)) != CVP_OK)
        return status;
    for (size_t k = 0; k < count; k++)
        if ((status = add_arg(parser, call, NULL, items[k])) != CVP_OK)
            return status;
    *out = call;
    return advance_close(parser);
}

/* primary { '[' subscripts ']' | '.' 'T' } */
static cvp_status parse_postfix(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_ast_node *node = NULL;
    cvp_status status = parse_primary(parser, &node);
    while (status == CVP_OK) {
        if (parser->current.kind == CVP_TOK_LBRACKET) {
            status = parse_index(parser, node, &node);
        } else if (parser->current.kind == CVP_TOK_DOT) {
            cvp_srcpos pos = parser->current.pos;
            if ((status = cvp_parser_advance(parser)) != CVP_OK)
                break;
            if (!cvp_token_is_word(&parser->current, "T"))
                return fail_expected(parser, "'T' after '.' (X.T is the "
                                             "transpose)");
            cvp_ast_node *call = new_call(parser, "transpose", pos, 1);
            if (call == NULL)
                return out_of_memory(parser);
            if ((status = add_arg(parser, call, NULL, node)) != CVP_OK)
                break;
            node = call;
            status = cvp_parser_advance(parser);
        } else {
            break;
        }
    }
    if (status == CVP_OK)
        *out = node;
    return status;
}

static cvp_status parse_unary(cvp_parser *parser, cvp_ast_node **out);

/* postfix [ '**' unary ]: right-associative, and tighter than a sign on
 * its left (Python's rule). */
static cvp_status parse_power(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_ast_node *base = NULL;
    cvp_status status = parse_postfix(parser, &base);
    if (status != CVP_OK)
        return status;
    if (parser->current.kind != CVP_TOK_STARSTAR) {
        *out = base;
        return CVP_OK;
    }
    cvp_ast_node *call = new_call(parser, "pow", parser->current.pos, 2);
    if (call == NULL)
        return out_of_memory(parser);
    cvp_ast_node *exponent = NULL;
    if ((status = cvp_parser_advance(parser)) != CVP_OK
        || (status = parse_unary(parser, &exponent)) != CVP_OK
        || (status = add_arg(parser, call, NULL, base)) != CVP_OK
        || (status = add_arg(parser, call, NULL, exponent)) != CVP_OK)
        return status;
    *out = call;
    return CVP_OK;
}

static cvp_status parse_unary(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_status status = enter(parser);
    if (status != CVP_OK)
        return status;
    cvp_token_kind kind = parser->current.kind;
    if (kind == CVP_TOK_MINUS || kind == CVP_TOK_PLUS) {
        cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_UNARY,
                                         parser->current.pos);
        if (node == NULL)
            return out_of_memory(parser);
        node->u.unary.op = kind == CVP_TOK_MINUS ? '-' : '+';
        if ((status = cvp_parser_advance(parser)) != CVP_OK
            || (status = parse_unary(parser, &node->u.unary.operand)) != CVP_OK
            || (status = grow_depth(parser, node, node->u.unary.operand))
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
            cvp_ast_node *call = new_call(parser, "floordiv",
                                          parser->current.pos, 2);
            cvp_ast_node *rhs = NULL;
            if (call == NULL)
                return out_of_memory(parser);
            if ((status = cvp_parser_advance(parser)) != CVP_OK
                || (status = parse_unary(parser, &rhs)) != CVP_OK
                || (status = add_arg(parser, call, NULL, lhs)) != CVP_OK
                || (status = add_arg(parser, call, NULL, rhs)) != CVP_OK)
                return status;
            lhs = call;
            continue;
        }
        cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_BINARY,
                                         parser->current.pos);
        if (node == NULL)
            return out_of_memory(parser);
        node->u.binary.op = op;
        node->u.binary.lhs = lhs;
        if ((status = cvp_parser_advance(parser)) != CVP_OK)
            return status;
        status = multiplicative
                     ? parse_unary(parser, &node->u.binary.rhs)
                     : parse_binary_level(parser, true, &node->u.binary.rhs);
        if (status != CVP_OK
            || (status = grow_depth(parser, node, lhs)) != CVP_OK
            || (status = grow_depth(parser, node, node->u.binary.rhs))
                   != CVP_OK)
            return status;
        lhs = node;
    }
    *out = lhs;
    return CVP_OK;
}

static cvp_status parse_expression(cvp_parser *parser, cvp_ast_node **out)
{
    /* The nesting is counted in parse_unary, which every recursion of the
     * grammar passes through, so one level of parentheses, brackets, call
     * or sign counts once. */
    return parse_binary_level(parser, false, out);
}

cvp_status cvp_parser_expression(cvp_parser *parser, cvp_ast_node **out)
{
    return parse_expression(parser, out);
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
        return fail(&parser, parser.current.pos, "empty expression");
    cvp_ast_node *root;
    if ((status = parse_expression(&parser, &root)) != CVP_OK)
        return status;
    if (parser.current.kind != CVP_TOK_EOF) {
        bool is_operand = parser.current.kind == CVP_TOK_IDENT
                          || parser.current.kind == CVP_TOK_NUMBER
                          || parser.current.kind == CVP_TOK_LPAREN
                          || parser.current.kind == CVP_TOK_LBRACKET;
        return fail_expected(&parser, is_operand
                                          ? "an operator or end of input"
                                          : "end of input");
    }
    tree->root = root;
    return CVP_OK;
}
