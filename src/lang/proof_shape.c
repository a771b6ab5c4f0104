/* proof_shape.c -- shape expressions of .proof files: parsing (for
 * tensor shapes and `where` constraints), exact evaluation with floor
 * division, and printing.
 *
 * Shapes are small integer expressions over dims, so they get their own
 * tree of longs instead of the rational expression AST: the engine can
 * evaluate them for every candidate shape without GMP, and `all_shapes`
 * can translate them to affine constraints directly.
 */
#include "lang/proof_internal.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/suggest.h"

/* ---- parsing ----------------------------------------------------------- */

static cvp_status parse_sum(cvp_proof_state *st, int nesting,
                            cvp_shape_expr **out, int *depth);

static cvp_shape_expr *new_node(cvp_proof_state *st, cvp_shape_kind kind,
                                cvp_srcpos pos)
{
    cvp_shape_expr *e = cvp_proof_arena_alloc(st->arena, sizeof *e);
    if (e != NULL) {
        e->kind = kind;
        e->pos = pos;
    }
    return e;
}

static cvp_status too_deep(cvp_proof_state *st, cvp_srcpos pos)
{
    return cvp_proof_fail(st, pos,
                          "shape expression nested too deeply (more than %d "
                          "levels)", CVP_SHAPE_MAX_DEPTH);
}

/* A dim by name; anything else named here is an error that says what it
 * is instead. */
static cvp_status parse_dim_name(cvp_proof_state *st, cvp_shape_expr **out)
{
    cvp_token token = st->parser.current;
    const cvp_symbol *symbol = cvp_symbols_find(&st->symbols, token.text,
                                                token.len);
    if (symbol == NULL || symbol->kind != CVP_SYM_DIM) {
        char name[80];
        cvp_lang_quote(name, sizeof name, token.text, token.len);
        if (symbol != NULL)
            return cvp_proof_fail(st, token.pos,
                                  "'%s' is a %s, not a dim (shapes are made "
                                  "of dims and integers)", name,
                                  cvp_symbol_kind_name(symbol->kind));
        cvp_suggest suggest;
        cvp_suggest_init(&suggest, name);
        for (size_t i = 0; i < st->claim->dim_count; i++)
            cvp_suggest_consider(&suggest, st->claim->dims[i].name);
        if (suggest.best != NULL)
            return cvp_proof_fail(st, token.pos,
                                  "unknown dim '%s' (did you mean '%s'?)",
                                  name, suggest.best);
        return cvp_proof_fail(st, token.pos,
                              "unknown dim '%s' (declare it first, e.g. "
                              "'dim %s in 1..4')", name, name);
    }
    cvp_shape_expr *e = new_node(st, CVP_SHAPE_DIM, token.pos);
    if (e == NULL)
        return cvp_proof_out_of_memory(st);
    e->dim = symbol->index;
    *out = e;
    return cvp_parser_advance(&st->parser);
}

static cvp_status parse_primary(cvp_proof_state *st, int nesting,
                                cvp_shape_expr **out, int *depth)
{
    cvp_token token = st->parser.current;
    cvp_status status;
    *depth = 1;
    switch (token.kind) {
    case CVP_TOK_NUMBER: {
        long value;
        if ((status = cvp_proof_integer_token(st, false, "an integer",
                                              &value)) != CVP_OK)
            return status;
        cvp_shape_expr *e = new_node(st, CVP_SHAPE_NUMBER, token.pos);
        if (e == NULL)
            return cvp_proof_out_of_memory(st);
        e->value = value;
        *out = e;
        return cvp_parser_advance(&st->parser);
    }
    case CVP_TOK_IDENT:
        return parse_dim_name(st, out);
    case CVP_TOK_LPAREN:
        st->parser.bracket_depth++;   /* newlines inside continue it */
        if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
            || (status = parse_sum(st, nesting, out, depth)) != CVP_OK)
            return status;
        if (st->parser.current.kind != CVP_TOK_RPAREN) {
            char what[64];
            snprintf(what, sizeof what, "')' to close '(' at column %d",
                     token.pos.col);
            return cvp_proof_expected(st, what);
        }
        st->parser.bracket_depth--;
        return cvp_parser_advance(&st->parser);
    default:
        return cvp_proof_expected(st, "a shape expression (an integer, a "
                                      "dim or '(')");
    }
}

/* Every path of the recursion passes through here, so counting here
 * bounds the stack for parentheses and signs alike. */
static cvp_status parse_unary(cvp_proof_state *st, int nesting,
                              cvp_shape_expr **out, int *depth)
{
    if (++nesting > CVP_SHAPE_MAX_DEPTH)
        return too_deep(st, st->parser.current.pos);
    if (st->parser.current.kind != CVP_TOK_MINUS)
        return parse_primary(st, nesting, out, depth);
    cvp_shape_expr *e = new_node(st, CVP_SHAPE_NEG, st->parser.current.pos);
    if (e == NULL)
        return cvp_proof_out_of_memory(st);
    cvp_status status = cvp_parser_advance(&st->parser);
    if (status != CVP_OK
        || (status = parse_unary(st, nesting, &e->lhs, depth)) != CVP_OK)
        return status;
    if (++*depth > CVP_SHAPE_MAX_DEPTH)
        return too_deep(st, e->pos);
    *out = e;
    return CVP_OK;
}

static bool binary_kind(cvp_token_kind token, bool product,
                        cvp_shape_kind *kind)
{
    if (product && (token == CVP_TOK_STAR || token == CVP_TOK_SLASH
                    || token == CVP_TOK_SLASHSLASH)) {
        *kind = token == CVP_TOK_STAR ? CVP_SHAPE_MUL : CVP_SHAPE_DIV;
        return true;
    }
    if (!product && (token == CVP_TOK_PLUS || token == CVP_TOK_MINUS)) {
        *kind = token == CVP_TOK_PLUS ? CVP_SHAPE_ADD : CVP_SHAPE_SUB;
        return true;
    }
    return false;
}

/* One left-associative level: products of unary operands, or sums of
 * products.  Long chains (M + M + ... + M) grow the tree's depth without
 * recursing, so the depth is checked here too. */
static cvp_status parse_level(cvp_proof_state *st, int nesting, bool product,
                              cvp_shape_expr **out, int *depth)
{
    cvp_shape_expr *lhs;
    cvp_status status = product ? parse_unary(st, nesting, &lhs, depth)
                                : parse_level(st, nesting, true, &lhs, depth);
    if (status != CVP_OK)
        return status;
    cvp_shape_kind kind;
    while (binary_kind(st->parser.current.kind, product, &kind)) {
        cvp_shape_expr *e = new_node(st, kind, st->parser.current.pos);
        if (e == NULL)
            return cvp_proof_out_of_memory(st);
        if (st->parser.current.kind == CVP_TOK_SLASH
            && (status = cvp_proof_note(st, e->pos, "'/' in a shape is floor "
                                        "division; write '//' ('/' in shapes "
                                        "is deprecated: in expressions it "
                                        "divides exactly)")) != CVP_OK)
            return status;
        e->lhs = lhs;
        int rhs_depth;
        if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
            return status;
        status = product ? parse_unary(st, nesting, &e->rhs, &rhs_depth)
                         : parse_level(st, nesting, true, &e->rhs, &rhs_depth);
        if (status != CVP_OK)
            return status;
        *depth = 1 + (rhs_depth > *depth ? rhs_depth : *depth);
        if (*depth > CVP_SHAPE_MAX_DEPTH)
            return too_deep(st, e->pos);
        lhs = e;
    }
    *out = lhs;
    return CVP_OK;
}

static cvp_status parse_sum(cvp_proof_state *st, int nesting,
                            cvp_shape_expr **out, int *depth)
{
    return parse_level(st, nesting, false, out, depth);
}

cvp_status cvp_proof_parse_shape(cvp_proof_state *st, cvp_shape_expr **out)
{
    int depth;
    return parse_sum(st, 0, out, &depth);
}

/* ---- evaluation ------------------------------------------------------- */

static bool add_long(long *out, long a, long b)
{
    if ((b > 0 && a > LONG_MAX - b) || (b < 0 && a < LONG_MIN - b))
        return false;
    *out = a + b;
    return true;
}

static bool sub_long(long *out, long a, long b)
{
    if ((b < 0 && a > LONG_MAX + b) || (b > 0 && a < LONG_MIN + b))
        return false;
    *out = a - b;
    return true;
}

static bool mul_long(long *out, long a, long b)
{
    bool overflow;
    if (a > 0)
        overflow = b > 0 ? a > LONG_MAX / b : b < LONG_MIN / a;
    else
        overflow = b > 0 ? a < LONG_MIN / b : a != 0 && b < LONG_MAX / a;
    if (overflow)
        return false;
    *out = a * b;
    return true;
}

/* Rounds toward minus infinity, as Python's //, so that (M - 1) / 2 means
 * the same thing for every M (C's / truncates toward zero). */
static bool floor_div_long(long *out, long a, long b)
{
    if (b == 0 || (a == LONG_MIN && b == -1))
        return false;
    long q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0)))
        q--;
    *out = q;
    return true;
}

bool cvp_shape_eval(long *out, const cvp_shape_expr *e, const long *values)
{
    long a, b;
    switch (e->kind) {
    case CVP_SHAPE_NUMBER:
        *out = e->value;
        return true;
    case CVP_SHAPE_DIM:
        *out = values[e->dim];
        return true;
    case CVP_SHAPE_NEG:
        if (!cvp_shape_eval(&a, e->lhs, values) || a == LONG_MIN)
            return false;
        *out = -a;
        return true;
    case CVP_SHAPE_ADD: case CVP_SHAPE_SUB: case CVP_SHAPE_MUL:
    case CVP_SHAPE_DIV:
        break;
    }
    if (!cvp_shape_eval(&a, e->lhs, values)
        || !cvp_shape_eval(&b, e->rhs, values))
        return false;
    switch (e->kind) {
    case CVP_SHAPE_ADD: return add_long(out, a, b);
    case CVP_SHAPE_SUB: return sub_long(out, a, b);
    case CVP_SHAPE_MUL: return mul_long(out, a, b);
    case CVP_SHAPE_DIV: return floor_div_long(out, a, b);
    default: break;
    }
    CVP_ASSERT(!"unknown shape expression kind");
    return false;
}

const char *cvp_relation_name(cvp_relation rel)
{
    switch (rel) {
    case CVP_REL_LE: return "<=";
    case CVP_REL_LT: return "<";
    case CVP_REL_EQ: return "==";
    case CVP_REL_GE: return ">=";
    case CVP_REL_GT: return ">";
    }
    return "?";
}

/* One comparison, without its alternatives. */
static bool comparison_eval(bool *holds, const cvp_proof_constraint *c,
                            const long *values)
{
    long a, b;
    if (!cvp_shape_eval(&a, c->lhs, values)
        || !cvp_shape_eval(&b, c->rhs, values))
        return false;
    switch (c->rel) {
    case CVP_REL_LE: *holds = a <= b; break;
    case CVP_REL_LT: *holds = a < b; break;
    case CVP_REL_EQ: *holds = a == b; break;
    case CVP_REL_GE: *holds = a >= b; break;
    case CVP_REL_GT: *holds = a > b; break;
    }
    return true;
}

/* `A or B or ...`: holds when some alternative can be evaluated and
 * holds; an alternative that cannot be evaluated (a division by zero)
 * does not hold, and only when none can be evaluated is the whole
 * constraint unevaluable. */
bool cvp_proof_constraint_eval(bool *holds, const cvp_proof_constraint *c,
                               const long *values)
{
    bool evaluated = false;
    *holds = false;
    for (; c != NULL; c = c->alt) {
        bool one = false;
        if (!comparison_eval(&one, c, values))
            continue;
        evaluated = true;
        if (one) {
            *holds = true;
            return true;
        }
    }
    return evaluated;
}

/* ---- printing ---------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t size, used;
} sink;

static void emit(sink *s, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void emit(sink *s, const char *format, ...)
{
    if (s->used + 1 >= s->size)
        return;
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(s->buf + s->used, s->size - s->used, format, ap);
    va_end(ap);
    if (n < 0)
        return;
    s->used += (size_t)n;
    if (s->used >= s->size)
        s->used = s->size - 1;
}

static void print_shape(sink *s, const cvp_shape_expr *e,
                        const cvp_proof_dim *dims)
{
    static const char ops[] = {
        [CVP_SHAPE_ADD] = '+', [CVP_SHAPE_SUB] = '-',
        [CVP_SHAPE_MUL] = '*', [CVP_SHAPE_DIV] = '/',
    };
    switch (e->kind) {
    case CVP_SHAPE_NUMBER:
        emit(s, "%ld", e->value);
        return;
    case CVP_SHAPE_DIM:
        emit(s, "%s", dims[e->dim].name);
        return;
    case CVP_SHAPE_NEG:
        emit(s, "(-");
        print_shape(s, e->lhs, dims);
        emit(s, ")");
        return;
    case CVP_SHAPE_ADD: case CVP_SHAPE_SUB: case CVP_SHAPE_MUL:
    case CVP_SHAPE_DIV:
        emit(s, "(");
        print_shape(s, e->lhs, dims);
        emit(s, " %c ", ops[e->kind]);
        print_shape(s, e->rhs, dims);
        emit(s, ")");
        return;
    }
}

void cvp_shape_to_string(char *buf, size_t bufsize, const cvp_shape_expr *e,
                         const cvp_proof_dim *dims)
{
    if (bufsize == 0)
        return;
    sink s = {buf, bufsize, 0};
    buf[0] = '\0';
    print_shape(&s, e, dims);
}
