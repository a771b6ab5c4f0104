/* proof_statement.c -- the statements inside a claim (dim, where,
 * tensor, let, show; `by` is in proof_method.c), and the checks on the
 * names they declare and use.  The grammar is at the top of
 * proof_parser.c.
 */
#include "lang/proof_internal.h"

#include <stdio.h>
#include <string.h>

#include "lang/suggest.h"

/* ---- names ------------------------------------------------------------ */

static bool at_statement_end(const cvp_proof_state *st)
{
    cvp_token_kind kind = st->parser.current.kind;
    return kind == CVP_TOK_NEWLINE || kind == CVP_TOK_EOF
           || kind == CVP_TOK_RBRACE;
}

/* Checks that the current identifier may be declared in this claim. */
static cvp_status check_new_name(cvp_proof_state *st)
{
    cvp_token token = st->parser.current;
    char name[80];
    cvp_lang_quote(name, sizeof name, token.text, token.len);
    if (cvp_token_is_word(&token, "true")
        || cvp_token_is_word(&token, "false"))
        return cvp_proof_fail(st, token.pos,
                              "'%s' is reserved (it is a boolean literal) and "
                              "cannot be declared", name);
    const cvp_symbol *old = cvp_symbols_find(&st->symbols, token.text,
                                             token.len);
    if (old != NULL)
        return cvp_proof_fail(st, token.pos,
                              "'%s' is already declared in this claim (as a "
                              "%s at line %d)", name,
                              cvp_symbol_kind_name(old->kind), old->pos.line);
    if (st->symbols.count >= CVP_PROOF_MAX_NAMES)
        return cvp_lang_error_set(st->err, CVP_ERR_LIMIT, st->source_name,
                                  token.pos,
                                  "too many names in one claim (more than "
                                  "%d)", CVP_PROOF_MAX_NAMES);
    return CVP_OK;
}

/* Copies the current identifier into the arena. */
static cvp_status copy_name(cvp_proof_state *st, const char **out)
{
    char *copy = cvp_proof_arena_strdup(st->arena, st->parser.current.text,
                                        st->parser.current.len);
    if (copy == NULL)
        return cvp_proof_out_of_memory(st);
    *out = copy;
    return CVP_OK;
}

static cvp_status declare(cvp_proof_state *st, const char *name,
                          cvp_symbol_kind kind, size_t index, cvp_srcpos pos)
{
    cvp_symbol symbol = {name, kind, index, pos};
    if (!cvp_symbols_add(&st->symbols, &symbol))
        return cvp_proof_out_of_memory(st);
    return CVP_OK;
}

/* Checks that every name used as a value in `node` is a tensor or an
 * earlier let.  `defining` is the let being defined (or NULL), to say so
 * when it uses itself.  The parser bounds tree depth, so the recursion is
 * bounded too. */
static cvp_status resolve(cvp_proof_state *st, const cvp_ast_node *node,
                          const char *defining)
{
    cvp_status status = CVP_OK;
    switch (node->kind) {
    case CVP_AST_NUMBER:
    case CVP_AST_BOOL:
        return CVP_OK;
    case CVP_AST_UNARY:
        return resolve(st, node->u.unary.operand, defining);
    case CVP_AST_BINARY:
        if ((status = resolve(st, node->u.binary.lhs, defining)) != CVP_OK)
            return status;
        return resolve(st, node->u.binary.rhs, defining);
    case CVP_AST_CALL:
        if (strchr(node->u.call.name, '.') != NULL)
            status = cvp_proof_check_implementation_call(st, node);
        for (size_t i = 0; i < node->u.call.count && status == CVP_OK; i++)
            status = resolve(st, node->u.call.args[i].value, defining);
        return status;
    case CVP_AST_TUPLE:
    case CVP_AST_LIST:
        for (size_t i = 0; i < node->u.items.count && status == CVP_OK; i++)
            status = resolve(st, node->u.items.items[i], defining);
        return status;
    case CVP_AST_NAME:
        break;
    }
    const char *name = node->u.name.text;
    const cvp_symbol *symbol = cvp_symbols_find(&st->symbols, name,
                                                strlen(name));
    /* Dims are values too: integer scalars, e.g. pad(X, U - 1). */
    if (symbol != NULL)
        return CVP_OK;
    char shown[80];
    cvp_lang_quote(shown, sizeof shown, name, strlen(name));
    if (defining != NULL && strcmp(defining, name) == 0)
        return cvp_proof_fail(st, node->pos, "let '%s' cannot use itself",
                              shown);
    cvp_suggest suggest;
    cvp_suggest_init(&suggest, name);
    for (size_t i = 0; i < st->claim->dim_count; i++)
        cvp_suggest_consider(&suggest, st->claim->dims[i].name);
    for (size_t i = 0; i < st->claim->tensor_count; i++)
        cvp_suggest_consider(&suggest, st->claim->tensors[i].name);
    for (size_t i = 0; i < st->claim->let_count; i++)
        cvp_suggest_consider(&suggest, st->claim->lets[i].name);
    if (suggest.best != NULL)
        return cvp_proof_fail(st, node->pos,
                              "unknown name '%s' (did you mean '%s'?)", shown,
                              suggest.best);
    return cvp_proof_fail(st, node->pos, "unknown name '%s'", shown);
}

/* ---- statements ------------------------------------------------------- */

/* After an expression: an operand right after it most likely lacks an
 * operator between the two. */
static cvp_status end_expression(cvp_proof_state *st)
{
    if (at_statement_end(st))
        return CVP_OK;
    cvp_token_kind kind = st->parser.current.kind;
    bool operand = kind == CVP_TOK_IDENT || kind == CVP_TOK_NUMBER
                   || kind == CVP_TOK_LPAREN || kind == CVP_TOK_LBRACKET;
    return cvp_proof_expected(st, operand
                                      ? "an operator or end of line after the "
                                        "expression"
                                      : "end of line after the expression");
}

static cvp_status parse_dim(cvp_proof_state *st)
{
    cvp_proof_claim *claim = st->claim;
    size_t first = claim->dim_count;
    cvp_status status = cvp_parser_advance(&st->parser);
    for (;;) {
        if (status != CVP_OK)
            return status;
        if (st->parser.current.kind != CVP_TOK_IDENT)
            return cvp_proof_expected(st, "a dim name");
        if ((status = check_new_name(st)) != CVP_OK)
            return status;
        cvp_proof_dim *dims = cvp_proof_arena_reserve(
            st->arena, claim->dims, claim->dim_count, &st->dim_capacity,
            sizeof *dims);
        if (dims == NULL)
            return cvp_proof_out_of_memory(st);
        claim->dims = dims;
        cvp_proof_dim *dim = &dims[claim->dim_count];
        dim->pos = st->parser.current.pos;
        if ((status = copy_name(st, &dim->name)) != CVP_OK
            || (status = declare(st, dim->name, CVP_SYM_DIM,
                                 claim->dim_count, dim->pos)) != CVP_OK)
            return status;
        claim->dim_count++;
        if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
            return status;
        if (st->parser.current.kind != CVP_TOK_COMMA)
            break;
        status = cvp_parser_advance(&st->parser);
    }
    long lo, hi = 0;
    cvp_srcpos lo_pos, hi_pos;
    bool unbounded = st->parser.current.kind == CVP_TOK_GE;
    if (!unbounded && !cvp_token_is_word(&st->parser.current, "in"))
        return cvp_proof_expected(st, "'in LO..HI' or '>= LO' after the dim "
                                      "names");
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
        || (status = cvp_proof_parse_int(st, "an integer lower bound", &lo,
                                         &lo_pos)) != CVP_OK)
        return status;
    if (!unbounded) {
        if (st->parser.current.kind != CVP_TOK_DOTDOT)
            return cvp_proof_expected(st, "'..' between the bounds, as in "
                                          "1..6");
        if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
            || (status = cvp_proof_parse_int(st, "an integer upper bound",
                                             &hi, &hi_pos)) != CVP_OK)
            return status;
    }
    if (lo < 0)
        return cvp_proof_fail(st, lo_pos,
                              "a dim cannot be negative (lower bound %ld)",
                              lo);
    if (!unbounded && hi < lo)
        return cvp_proof_fail(st, hi_pos,
                              "empty range %ld..%ld (the upper bound is below "
                              "the lower)", lo, hi);
    for (size_t k = first; k < claim->dim_count; k++) {
        claim->dims[k].lo = lo;
        claim->dims[k].hi = hi;
        claim->dims[k].unbounded = unbounded;
    }
    if (!at_statement_end(st))
        return cvp_proof_expected(st, "end of line after the range");
    return CVP_OK;
}

static bool relation_of(cvp_token_kind kind, cvp_relation *rel)
{
    switch (kind) {
    case CVP_TOK_LE: *rel = CVP_REL_LE; return true;
    case CVP_TOK_LT: *rel = CVP_REL_LT; return true;
    case CVP_TOK_EQ: *rel = CVP_REL_EQ; return true;
    case CVP_TOK_GE: *rel = CVP_REL_GE; return true;
    case CVP_TOK_GT: *rel = CVP_REL_GT; return true;
    default: return false;
    }
}

/* shape REL shape, into c (whose alt stays NULL). */
static cvp_status parse_comparison(cvp_proof_state *st, cvp_proof_constraint *c)
{
    c->pos = st->parser.current.pos;
    cvp_status status = cvp_proof_parse_shape(st, &c->lhs);
    if (status != CVP_OK)
        return status;
    if (st->parser.current.kind == CVP_TOK_ASSIGN)
        return cvp_proof_fail(st, st->parser.current.pos,
                              "'=' is not a comparison; write '==' for "
                              "equality");
    if (!relation_of(st->parser.current.kind, &c->rel))
        return cvp_proof_expected(st, "a comparison (<=, <, ==, >=, >)");
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
        || (status = cvp_proof_parse_shape(st, &c->rhs)) != CVP_OK)
        return status;
    cvp_relation ignored;
    if (relation_of(st->parser.current.kind, &ignored))
        return cvp_proof_fail(st, st->parser.current.pos,
                              "comparisons do not chain; write "
                              "'A <= B, B <= C' instead");
    return CVP_OK;
}

static cvp_status parse_where(cvp_proof_state *st)
{
    cvp_proof_claim *claim = st->claim;
    cvp_status status = cvp_parser_advance(&st->parser);
    for (;;) {
        if (status != CVP_OK)
            return status;
        cvp_proof_constraint *all = cvp_proof_arena_reserve(
            st->arena, claim->constraints, claim->constraint_count,
            &st->constraint_capacity, sizeof *all);
        if (all == NULL)
            return cvp_proof_out_of_memory(st);
        claim->constraints = all;
        cvp_proof_constraint *c = &all[claim->constraint_count];
        memset(c, 0, sizeof *c);
        if ((status = parse_comparison(st, c)) != CVP_OK)
            return status;
        claim->constraint_count++;
        /* `A or B`: the alternatives hang off the first comparison */
        for (cvp_proof_constraint *last = c;
             cvp_token_is_word(&st->parser.current, "or");
             last = last->alt) {
            last->alt = cvp_proof_arena_alloc(st->arena, sizeof *last->alt);
            if (last->alt == NULL)
                return cvp_proof_out_of_memory(st);
            if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
                || (status = parse_comparison(st, last->alt)) != CVP_OK)
                return status;
        }
        if (st->parser.current.kind != CVP_TOK_COMMA)
            break;
        status = cvp_parser_advance(&st->parser);
    }
    if (!at_statement_end(st))
        return cvp_proof_expected(st, "',' or end of line after the "
                                      "constraint");
    return CVP_OK;
}

/* `values LO..HI` after a tensor's shape. */
static cvp_status parse_values(cvp_proof_state *st, cvp_proof_tensor *t)
{
    cvp_srcpos lo_pos, hi_pos;
    cvp_status status = cvp_parser_advance(&st->parser);
    if (status != CVP_OK
        || (status = cvp_proof_parse_int(st, "an integer lower bound for the "
                                             "values", &t->values_lo,
                                         &lo_pos)) != CVP_OK)
        return status;
    if (st->parser.current.kind != CVP_TOK_DOTDOT)
        return cvp_proof_expected(st, "'..' between the bounds of the "
                                      "values, as in -3..3");
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
        || (status = cvp_proof_parse_int(st, "an integer upper bound for the "
                                             "values", &t->values_hi,
                                         &hi_pos)) != CVP_OK)
        return status;
    if (t->values_hi < t->values_lo)
        return cvp_proof_fail(st, hi_pos,
                              "empty values range %ld..%ld (the upper bound "
                              "is below the lower)", t->values_lo,
                              t->values_hi);
    t->has_values = true;
    return CVP_OK;
}

static cvp_status parse_tensor(cvp_proof_state *st)
{
    cvp_proof_claim *claim = st->claim;
    cvp_status status = cvp_parser_advance(&st->parser);
    if (status != CVP_OK)
        return status;
    if (st->parser.current.kind != CVP_TOK_IDENT)
        return cvp_proof_expected(st, "a tensor name after 'tensor'");
    if ((status = check_new_name(st)) != CVP_OK)
        return status;
    cvp_proof_tensor *tensors = cvp_proof_arena_reserve(
        st->arena, claim->tensors, claim->tensor_count, &st->tensor_capacity,
        sizeof *tensors);
    if (tensors == NULL)
        return cvp_proof_out_of_memory(st);
    claim->tensors = tensors;
    cvp_proof_tensor *t = &tensors[claim->tensor_count];
    t->pos = st->parser.current.pos;
    /* Declared before its shape, so `tensor X[X]` is told that X is a
     * tensor rather than an unknown dim. */
    if ((status = copy_name(st, &t->name)) != CVP_OK
        || (status = declare(st, t->name, CVP_SYM_TENSOR, claim->tensor_count,
                             t->pos)) != CVP_OK)
        return status;
    claim->tensor_count++;
    char what[160];
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
        return status;
    if (st->parser.current.kind != CVP_TOK_LBRACKET) {
        snprintf(what, sizeof what, "'[' and the shape of '%s' (write %s[] "
                 "for a scalar)", t->name, t->name);
        return cvp_proof_expected(st, what);
    }
    /* newlines inside the brackets continue the shape (lang/parser.h) */
    cvp_srcpos open = st->parser.current.pos;
    st->parser.bracket_depth++;
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
        return status;
    while (st->parser.current.kind != CVP_TOK_RBRACKET || t->rank > 0) {
        if (t->rank == CVP_MAX_RANK)
            return cvp_proof_fail(st, st->parser.current.pos,
                                  "tensor '%s' has more than %d dimensions",
                                  t->name, CVP_MAX_RANK);
        if ((status = cvp_proof_parse_shape(st, &t->shape[t->rank])) != CVP_OK)
            return status;
        t->rank++;
        if (st->parser.current.kind == CVP_TOK_RBRACKET)
            break;
        if (st->parser.current.kind != CVP_TOK_COMMA) {
            snprintf(what, sizeof what, "',' or ']' (to close the '[' at "
                     "line %d, column %d) in the shape of '%s'", open.line,
                     open.col, t->name);
            return cvp_proof_expected(st, what);
        }
        if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
            return status;
    }
    st->parser.bracket_depth--;
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)  /* ']' */
        return status;
    if (cvp_token_is_word(&st->parser.current, "values")
        && (status = parse_values(st, t)) != CVP_OK)
        return status;
    if (!at_statement_end(st)) {
        snprintf(what, sizeof what, "%send of line after the shape of '%s'",
                 t->has_values ? "" : "'values LO..HI' or ", t->name);
        return cvp_proof_expected(st, what);
    }
    return CVP_OK;
}

static cvp_status parse_let(cvp_proof_state *st)
{
    cvp_proof_claim *claim = st->claim;
    cvp_status status = cvp_parser_advance(&st->parser);
    if (status != CVP_OK)
        return status;
    if (st->parser.current.kind != CVP_TOK_IDENT)
        return cvp_proof_expected(st, "a name after 'let'");
    if ((status = check_new_name(st)) != CVP_OK)
        return status;
    cvp_proof_let let;
    let.pos = st->parser.current.pos;
    if ((status = copy_name(st, &let.name)) != CVP_OK
        || (status = cvp_parser_advance(&st->parser)) != CVP_OK)
        return status;
    if (st->parser.current.kind == CVP_TOK_EQ)
        return cvp_proof_fail(st, st->parser.current.pos,
                              "a let takes a single '=', as in 'let %s = ...'",
                              let.name);
    if (st->parser.current.kind != CVP_TOK_ASSIGN) {
        char what[120];
        snprintf(what, sizeof what, "'=' after 'let %s'", let.name);
        return cvp_proof_expected(st, what);
    }
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
        || (status = cvp_parser_expression(&st->parser, &let.expr)) != CVP_OK
        || (status = end_expression(st)) != CVP_OK
        || (status = resolve(st, let.expr, let.name)) != CVP_OK)
        return status;
    /* Declared only now: its own expression cannot use it. */
    cvp_proof_let *lets = cvp_proof_arena_reserve(
        st->arena, claim->lets, claim->let_count, &st->let_capacity,
        sizeof *lets);
    if (lets == NULL)
        return cvp_proof_out_of_memory(st);
    claim->lets = lets;
    lets[claim->let_count] = let;
    return declare(st, let.name, CVP_SYM_LET, claim->let_count++, let.pos);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The text of a show from `start` to `end`: each line without its
 * comment (expressions hold no strings, so a '#' starts one), the lines
 * of a continued expression joined by single spaces, trimmed.  NULL when
 * memory runs out. */
static char *show_text(cvp_proof_state *st, const char *start,
                       const char *end)
{
    char *text = cvp_proof_arena_alloc(st->arena, (size_t)(end - start) + 1);
    if (text == NULL)
        return NULL;
    size_t n = 0;
    const char *line = start;
    while (line < end) {
        const char *stop = memchr(line, '\n', (size_t)(end - line));
        const char *next = stop != NULL ? stop + 1 : end;
        if (stop == NULL)
            stop = end;
        const char *hash = memchr(line, '#', (size_t)(stop - line));
        if (hash != NULL)
            stop = hash;
        while (line < stop && is_blank(*line))
            line++;
        while (stop > line && is_blank(stop[-1]))
            stop--;
        if (stop > line) {
            if (n > 0)
                text[n++] = ' ';
            memcpy(text + n, line, (size_t)(stop - line));
            n += (size_t)(stop - line);
        }
        line = next;
    }
    text[n] = '\0';
    return text;
}

static cvp_status parse_show(cvp_proof_state *st)
{
    cvp_proof_claim *claim = st->claim;
    cvp_proof_show show;
    show.pos = st->parser.current.pos;
    cvp_status status = cvp_parser_advance(&st->parser);
    if (status != CVP_OK)
        return status;
    const char *start = st->parser.current.text;
    if ((status = cvp_parser_expression(&st->parser, &show.lhs)) != CVP_OK)
        return status;
    cvp_token_kind kind = st->parser.current.kind;
    show.membership = cvp_token_is_word(&st->parser.current, "in");
    if (kind == CVP_TOK_ASSIGN)
        return cvp_proof_fail(st, st->parser.current.pos,
                              "a show compares its sides with '==', not '='");
    if (kind != CVP_TOK_EQ && !show.membership) {
        bool operand = kind == CVP_TOK_IDENT || kind == CVP_TOK_NUMBER
                       || kind == CVP_TOK_LPAREN || kind == CVP_TOK_LBRACKET;
        return cvp_proof_expected(st, operand ? "an operator or '==' after "
                                                "the left side of the show"
                                              : "'==' between the two sides "
                                                "of the show");
    }
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
        || (status = cvp_parser_expression(&st->parser, &show.rhs)) != CVP_OK)
        return status;
    if (st->parser.current.kind == CVP_TOK_EQ)
        return cvp_proof_fail(st, st->parser.current.pos,
                              "a show states one equation; write a second "
                              "'show' for another");
    /* `A in subgrad(L, X)`: the only set a show can name. */
    if (show.membership
        && (show.rhs->kind != CVP_AST_CALL
            || strcmp(show.rhs->u.call.name, "subgrad") != 0
            || show.rhs->u.call.count != 2))
        return cvp_proof_fail(st, show.rhs->pos, "the right side of 'in' must "
                              "be subgrad(L, X)");
    if ((status = end_expression(st)) != CVP_OK
        || (status = resolve(st, show.lhs, NULL)) != CVP_OK
        || (status = resolve(st, show.rhs, NULL)) != CVP_OK)
        return status;
    /* The text runs to the end of the line (or a '}' closing the claim on
     * it); a '#' there can only start the comment, as expressions hold no
     * strings. */
    show.text = show_text(st, start, st->parser.current.text);
    cvp_proof_show *shows = cvp_proof_arena_reserve(
        st->arena, claim->shows, claim->show_count, &st->show_capacity,
        sizeof *shows);
    if (show.text == NULL || shows == NULL)
        return cvp_proof_out_of_memory(st);
    claim->shows = shows;
    shows[claim->show_count++] = show;
    return CVP_OK;
}

static const struct {
    const char *word;
    cvp_status (*parse)(cvp_proof_state *st);
} statements[] = {
    {"dim", parse_dim}, {"where", parse_where}, {"tensor", parse_tensor},
    {"let", parse_let}, {"show", parse_show}, {"by", cvp_proof_parse_by},
};

#define STATEMENT_LIST "dim, where, tensor, let, show, by"

bool cvp_proof_statement_word(const cvp_token *token, const char **word)
{
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++)
        if (cvp_token_is_word(token, statements[i].word)) {
            *word = statements[i].word;
            return true;
        }
    return false;
}

cvp_status cvp_proof_parse_statement(cvp_proof_state *st)
{
    cvp_token token = st->parser.current;
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++)
        if (cvp_token_is_word(&token, statements[i].word))
            return statements[i].parse(st);
    if (cvp_token_is_word(&token, "claim")
        || cvp_token_is_word(&token, "refute"))
        return cvp_proof_fail(st, token.pos,
                              "'%s' inside a claim; is the '}' of the %s at "
                              "line %d missing?",
                              cvp_token_is_word(&token, "claim") ? "claim"
                                                                 : "refute",
                              st->claim->is_refute ? "refute" : "claim",
                              st->claim->pos.line);
    char found[96];
    cvp_parser_describe_current(&st->parser, found, sizeof found);
    if (token.kind == CVP_TOK_IDENT) {
        char word[80];
        cvp_lang_quote(word, sizeof word, token.text, token.len);
        cvp_suggest suggest;
        cvp_suggest_init(&suggest, word);
        for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++)
            cvp_suggest_consider(&suggest, statements[i].word);
        if (suggest.best != NULL)
            return cvp_proof_fail(st, token.pos,
                                  "expected a statement (" STATEMENT_LIST
                                  ") or '}', found %s (did you mean '%s'?)",
                                  found, suggest.best);
    }
    return cvp_proof_fail(st, token.pos,
                          "expected a statement (" STATEMENT_LIST ") or '}', "
                          "found %s", found);
}
