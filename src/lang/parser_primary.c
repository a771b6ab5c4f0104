/* parser_primary.c -- the operands of the expression grammar (parser.h):
 * numbers, names, calls and their arguments, tuples, parentheses, tensor
 * literals, and the postfix forms X[...] and X.T.  The operator levels,
 * the parser's state and its errors are in parser.c. */
#include "lang/parser_internal.h"

#include <stdio.h>
#include <string.h>

#include "lang/literal.h"

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
        return cvp_parser_out_of_memory(parser);
    node->u.number.text = cvp_ast_strdup(parser->tree, parser->current.text,
                                         parser->current.len);
    if (node->u.number.text == NULL)
        return cvp_parser_out_of_memory(parser);
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
        if ((status = cvp_parser_expression(parser, &item)) != CVP_OK)
            break;
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 4;
            cvp_ast_node **bigger = cvp_ast_alloc(parser->tree,
                                                  capacity * sizeof *bigger);
            if (bigger == NULL) {
                status = cvp_parser_out_of_memory(parser);
                break;
            }
            if (count > 0)
                memcpy(bigger, items, count * sizeof *items);
            items = bigger;  /* the old block stays owned by the tree */
        }
        items[count++] = item;
        if ((status = cvp_parser_grow_depth(parser, node, item)) != CVP_OK)
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
            status = cvp_parser_fail_expected(parser, expected);
            break;
        }
    }
    node->u.items.items = items;
    node->u.items.count = count;
    if (status != CVP_OK)
        return status;
    return cvp_parser_advance_close(parser);  /* the closing token */
}

/* An opening bracket, items and the closing one (`close`) into a new node
 * of `kind`.  The current token is the opening bracket. */
static cvp_status parse_bracketed(cvp_parser *parser, cvp_ast_kind kind,
                                  cvp_token_kind close, cvp_ast_node **node,
                                  bool *saw_comma)
{
    cvp_srcpos open_pos = parser->current.pos;
    cvp_status status = cvp_parser_advance_open(parser);
    if (status != CVP_OK)
        return status;
    *node = cvp_ast_new(parser->tree, kind, open_pos);
    if (*node == NULL)
        return cvp_parser_out_of_memory(parser);
    return parse_items(parser, *node, close, open_pos, saw_comma);
}

/* '(' ... ')': grouping or tuple.  The current token is '('. */
static cvp_status parse_parenthesised(cvp_parser *parser, cvp_ast_node **out)
{
    cvp_ast_node *tuple;
    bool saw_comma;
    cvp_status status = parse_bracketed(parser, CVP_AST_TUPLE, CVP_TOK_RPAREN,
                                        &tuple, &saw_comma);
    if (status != CVP_OK)
        return status;
    /* "(x)" is x itself; "()" and anything with a comma is a tuple. */
    *out = tuple->u.items.count == 1 && !saw_comma ? tuple->u.items.items[0]
                                                   : tuple;
    return CVP_OK;
}

static cvp_status parse_list(cvp_parser *parser, cvp_ast_node **out)
{
    bool saw_comma;
    return parse_bracketed(parser, CVP_AST_LIST, CVP_TOK_RBRACKET, out, &saw_comma);
}

/* NAME '(' arguments ')'; the current token is '(' and `call` has its
 * name. */
static cvp_status parse_arguments(cvp_parser *parser, cvp_ast_node *call)
{
    cvp_srcpos open_pos = parser->current.pos;
    cvp_status status = cvp_parser_advance_open(parser);
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
                status = cvp_parser_out_of_memory(parser);
                break;
            }
            if (count > 0)
                memcpy(bigger, args, count * sizeof *args);
            args = bigger;
        }
        cvp_ast_arg *arg = &args[count];
        arg->pos = parser->current.pos;
        if (parser->current.kind == CVP_TOK_IDENT
            && cvp_parser_peek_kind(parser) == CVP_TOK_ASSIGN) {
            arg->keyword = cvp_ast_strdup(parser->tree, parser->current.text,
                                          parser->current.len);
            arg->keyword_pos = parser->current.pos;
            if (arg->keyword == NULL) {
                status = cvp_parser_out_of_memory(parser);
                break;
            }
            saw_keyword = true;
            if ((status = cvp_parser_advance(parser)) != CVP_OK
                || (status = cvp_parser_advance(parser)) != CVP_OK)
                break;
        } else if (saw_keyword) {
            status = cvp_parser_fail(parser, arg->pos,
                          "positional argument after keyword argument in "
                          "call of %s", call->u.call.name);
            break;
        }
        if ((status = cvp_parser_expression(parser, &arg->value)) != CVP_OK)
            break;
        count++;
        if ((status = cvp_parser_grow_depth(parser, call, arg->value)) != CVP_OK)
            break;
        if (parser->current.kind == CVP_TOK_COMMA) {
            if ((status = cvp_parser_advance(parser)) != CVP_OK)
                break;
        } else if (parser->current.kind == CVP_TOK_ASSIGN) {
            status = cvp_parser_fail(parser, arg->pos,
                          "a keyword argument needs a name before '='");
            break;
        } else if (parser->current.kind != CVP_TOK_RPAREN) {
            char expected[96];
            snprintf(expected, sizeof expected,
                     "',' or ')' to close '(' at column %d", open_pos.col);
            status = cvp_parser_fail_expected(parser, expected);
            break;
        }
    }
    call->u.call.args = args;
    call->u.call.count = count;
    if (status != CVP_OK)
        return status;
    return cvp_parser_advance_close(parser);  /* ')' */
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
        return cvp_parser_fail_expected(parser, "an operation name after '.'");
    /* The name runs from the receiver through the operation. */
    size_t len = (size_t)(op.text + op.len - receiver->text);
    if (op.text != receiver->text + receiver->len + 1)
        return cvp_parser_fail(parser, op.pos, "write an implementation's operation "
                    "without spaces, as NAME.operation");
    if ((status = cvp_parser_advance(parser)) != CVP_OK)
        return status;
    if (parser->current.kind != CVP_TOK_LPAREN)
        return cvp_parser_fail_expected(parser, "'(' after an implementation's "
                                     "operation (it is a call)");
    cvp_ast_node *call = cvp_ast_new(parser->tree, CVP_AST_CALL, receiver->pos);
    if (call == NULL)
        return cvp_parser_out_of_memory(parser);
    call->u.call.name = cvp_ast_strdup(parser->tree, receiver->text, len);
    if (call->u.call.name == NULL)
        return cvp_parser_out_of_memory(parser);
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
            return cvp_parser_out_of_memory(parser);
        call->u.call.name = cvp_ast_strdup(parser->tree, name.text, name.len);
        if (call->u.call.name == NULL)
            return cvp_parser_out_of_memory(parser);
        *out = call;
        return parse_arguments(parser, call);
    }
    bool is_true = cvp_token_is_word(&name, "true");
    if (is_true || cvp_token_is_word(&name, "false")) {
        cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_BOOL, name.pos);
        if (node == NULL)
            return cvp_parser_out_of_memory(parser);
        node->u.boolean = is_true;
        *out = node;
        return CVP_OK;
    }
    cvp_ast_node *node = cvp_ast_new(parser->tree, CVP_AST_NAME, name.pos);
    if (node == NULL)
        return cvp_parser_out_of_memory(parser);
    node->u.name.text = cvp_ast_strdup(parser->tree, name.text, name.len);
    if (node->u.name.text == NULL)
        return cvp_parser_out_of_memory(parser);
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
        return cvp_parser_fail_expected(parser, "an expression");
    }
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
        if ((status = cvp_parser_expression(parser, &part[0])) != CVP_OK)
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
            && (status = cvp_parser_expression(parser, &part[k])) != CVP_OK)
            return status;
    }
    if (parser->current.kind == CVP_TOK_COLON)
        return cvp_parser_fail(parser, parser->current.pos,
                    "a slice has at most start:stop:step");
    cvp_ast_node *slice = cvp_parser_new_call(parser, "slice", pos, 3);
    if (slice == NULL)
        return cvp_parser_out_of_memory(parser);
    static const char *const names[3] = {"start", "stop", "step"};
    for (int k = 0; k < 3; k++)
        if (part[k] != NULL
            && (status = cvp_parser_add_arg(parser, slice, names[k], part[k])) != CVP_OK)
            return status;
    *out = slice;
    return CVP_OK;
}

/* X[s1, s2, ...] after the primary X; the current token is '['. */
static cvp_status parse_index(cvp_parser *parser, cvp_ast_node *base,
                              cvp_ast_node **out)
{
    cvp_srcpos open_pos = parser->current.pos;
    cvp_status status = cvp_parser_advance_open(parser);
    if (status != CVP_OK)
        return status;
    cvp_ast_node *items[CVP_AST_MAX_SUBSCRIPTS];
    size_t count = 0;
    while (parser->current.kind != CVP_TOK_RBRACKET) {
        if (count == CVP_AST_MAX_SUBSCRIPTS)
            return cvp_parser_fail(parser, parser->current.pos,
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
            return cvp_parser_fail_expected(parser, expected);
        }
    }
    if (count == 0)
        return cvp_parser_fail(parser, open_pos, "an index needs at least one subscript, "
                    "e.g. X[0] or X[0:2, :]");
    cvp_ast_node *call = cvp_parser_new_call(parser, "index", open_pos, count + 1);
    if (call == NULL)
        return cvp_parser_out_of_memory(parser);
    if ((status = cvp_parser_add_arg(parser, call, NULL, base)) != CVP_OK)
        return status;
    for (size_t k = 0; k < count; k++)
        if ((status = cvp_parser_add_arg(parser, call, NULL, items[k])) != CVP_OK)
            return status;
    *out = call;
    return cvp_parser_advance_close(parser);
}

/* primary { '[' subscripts ']' | '.' 'T' } */
cvp_status cvp_parser_postfix(cvp_parser *parser, cvp_ast_node **out)
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
                return cvp_parser_fail_expected(parser, "'T' after '.' (X.T is the "
                                             "transpose)");
            cvp_ast_node *call = cvp_parser_new_call(parser, "transpose", pos, 1);
            if (call == NULL)
                return cvp_parser_out_of_memory(parser);
            if ((status = cvp_parser_add_arg(parser, call, NULL, node)) != CVP_OK)
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
