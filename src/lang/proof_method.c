/* proof_method.c -- the `by` line of a claim: which methods decide it,
 * with which options, and the lookups the engine uses on the result.
 *
 * Methods and options are checked here, against one table, so that a
 * misspelt `by exakt(trails=5)` is an error at its position with a
 * suggestion rather than a method silently not run.
 */
#include "lang/proof_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lang/suggest.h"

const char *const cvp_proof_method_names[] = {
    "exact", "random", "symbolic", "all_shapes", "bounded", "regions",
};
const size_t cvp_proof_method_name_count =
    sizeof cvp_proof_method_names / sizeof cvp_proof_method_names[0];

#define MAX_OPTIONS 4

typedef struct {
    const char *name;
    long min;  /* the smallest meaningful value */
    long max;  /* the largest accepted (0: no maximum): past it a check
                * would not end in any reasonable time or memory
                * (documented in README and docs/convproof.1) */
} option_spec;

#define MAX_TRIALS 100000L       /* instances or points per shape */
#define MAX_PREC 65536L          /* bits of MPFR working precision */
#define MAX_TOL 65536L           /* the bound 2^-tol */
#define MAX_CELLS 10000000L      /* cells per shape of `regions` */

/* Indexed like cvp_proof_method_names. */
static const struct {
    size_t count;
    option_spec options[MAX_OPTIONS];
} method_options[] = {
    {3, {{"trials", 1, MAX_TRIALS}, {"seed", 0, LONG_MAX},
         {"ties", 0, 1}}},                                     /* exact */
    {2, {{"trials", 1, MAX_TRIALS}, {"seed", 0, LONG_MAX}}},   /* random */
    {0, {{NULL, 0, 0}}},                                       /* symbolic */
    {0, {{NULL, 0, 0}}},                                       /* all_shapes */
    /* bounded: working precision in bits, tolerance 2^-tol */
    {4, {{"prec", 16, MAX_PREC}, {"tol", 1, MAX_TOL},
         {"trials", 1, MAX_TRIALS}, {"seed", 0, LONG_MAX}}},
    /* regions: cells per shape, the seed of its points */
    {2, {{"cells", 1, MAX_CELLS}, {"seed", 0, LONG_MAX}}},
};

_Static_assert(sizeof method_options / sizeof method_options[0]
                   == sizeof cvp_proof_method_names
                          / sizeof cvp_proof_method_names[0],
               "one option list per method");

#define METHOD_LIST "exact, random, symbolic, all_shapes, bounded, regions"

/* Looks the current identifier up among the methods. */
static cvp_status find_method(cvp_proof_state *st, size_t *index)
{
    cvp_token token = st->parser.current;
    for (size_t i = 0; i < cvp_proof_method_name_count; i++)
        if (cvp_token_is_word(&token, cvp_proof_method_names[i])) {
            *index = i;
            return CVP_OK;
        }
    char name[80];
    cvp_lang_quote(name, sizeof name, token.text, token.len);
    cvp_suggest suggest;
    cvp_suggest_init(&suggest, name);
    for (size_t i = 0; i < cvp_proof_method_name_count; i++)
        cvp_suggest_consider(&suggest, cvp_proof_method_names[i]);
    if (suggest.best != NULL)
        return cvp_proof_fail(st, token.pos,
                              "unknown method '%s' (did you mean '%s'?)", name,
                              suggest.best);
    return cvp_proof_fail(st, token.pos,
                          "unknown method '%s' (the methods are "
                          METHOD_LIST ")", name);
}

static cvp_status find_option(cvp_proof_state *st, size_t method,
                              size_t *index)
{
    cvp_token token = st->parser.current;
    const char *method_name = cvp_proof_method_names[method];
    size_t count = method_options[method].count;
    const option_spec *options = method_options[method].options;
    if (count == 0)
        return cvp_proof_fail(st, token.pos, "method '%s' takes no options",
                              method_name);
    for (size_t i = 0; i < count; i++)
        if (cvp_token_is_word(&token, options[i].name)) {
            *index = i;
            return CVP_OK;
        }
    char name[80];
    cvp_lang_quote(name, sizeof name, token.text, token.len);
    cvp_suggest suggest;
    cvp_suggest_init(&suggest, name);
    char known[64] = "";
    for (size_t i = 0; i < count; i++) {
        cvp_suggest_consider(&suggest, options[i].name);
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                 options[i].name);
    }
    if (suggest.best != NULL)
        return cvp_proof_fail(st, token.pos,
                              "method '%s' has no option '%s' (did you mean "
                              "'%s'?)", method_name, name, suggest.best);
    return cvp_proof_fail(st, token.pos,
                          "method '%s' has no option '%s' (its options: %s)",
                          method_name, name, known);
}

/* '(' [ option { ',' option } [','] ] ')' -- the current token is '('. */
static cvp_status parse_options(cvp_proof_state *st, size_t index,
                                cvp_proof_method *method)
{
    cvp_srcpos open = st->parser.current.pos;
    st->parser.bracket_depth++;   /* newlines inside continue the options */
    cvp_status status = cvp_parser_advance(&st->parser);
    while (status == CVP_OK && st->parser.current.kind != CVP_TOK_RPAREN) {
        if (st->parser.current.kind != CVP_TOK_IDENT)
            return cvp_proof_expected(st, "an option name or ')'");
        size_t option = 0;
        if ((status = find_option(st, index, &option)) != CVP_OK)
            return status;
        const option_spec *spec = &method_options[index].options[option];
        cvp_srcpos pos = st->parser.current.pos;
        for (size_t i = 0; i < method->option_count; i++)
            if (strcmp(method->option_names[i], spec->name) == 0)
                return cvp_proof_fail(st, pos,
                                      "option '%s' is given twice (first at "
                                      "column %d)", spec->name,
                                      method->option_pos[i].col);
        if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
            return status;
        char what[96];
        if (st->parser.current.kind != CVP_TOK_ASSIGN) {
            snprintf(what, sizeof what, "'=' after option '%s'", spec->name);
            return cvp_proof_expected(st, what);
        }
        long value;
        cvp_srcpos value_pos;
        snprintf(what, sizeof what, "an integer value for '%s'", spec->name);
        if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
            || (status = cvp_proof_parse_int(st, what, &value, &value_pos))
                   != CVP_OK)
            return status;
        if (value < spec->min)
            return cvp_proof_fail(st, value_pos,
                                  "option '%s' must be at least %ld (found "
                                  "%ld)", spec->name, spec->min, value);
        if (spec->max > 0 && value > spec->max)
            return cvp_proof_fail(st, value_pos,
                                  "option '%s' must be at most %ld (found "
                                  "%ld)", spec->name, spec->max, value);
        size_t k = method->option_count++;
        method->option_names[k] = spec->name;
        method->option_values[k] = value;
        method->option_pos[k] = pos;
        if (st->parser.current.kind == CVP_TOK_COMMA) {
            status = cvp_parser_advance(&st->parser);
        } else if (st->parser.current.kind != CVP_TOK_RPAREN) {
            snprintf(what, sizeof what, "',' or ')' to close the '(' at line %d, "
                     "column %d", open.line, open.col);
            return cvp_proof_expected(st, what);
        }
    }
    if (status != CVP_OK)
        return status;
    st->parser.bracket_depth--;
    return cvp_parser_advance(&st->parser);  /* ')' */
}

/* One method name with its options; the current token is the name. */
static cvp_status parse_method(cvp_proof_state *st)
{
    cvp_proof_claim *claim = st->claim;
    size_t index = 0;
    cvp_status status = find_method(st, &index);
    if (status != CVP_OK)
        return status;
    const char *name = cvp_proof_method_names[index];
    cvp_srcpos pos = st->parser.current.pos;
    for (size_t i = 0; i < claim->method_count; i++)
        if (strcmp(claim->methods[i].name, name) == 0)
            return cvp_proof_fail(st, pos,
                                  "method '%s' is listed twice (first at "
                                  "column %d)", name,
                                  claim->methods[i].pos.col);
    /* Every method appears at most once, so this never outgrows the
     * array begun for the line. */
    CVP_ASSERT(claim->method_count < cvp_proof_method_name_count);
    cvp_proof_method *method = &claim->methods[claim->method_count++];
    method->name = name;
    method->pos = pos;
    size_t room = method_options[index].count ? method_options[index].count
                                              : 1;
    method->option_names = cvp_proof_arena_alloc(
        st->arena, room * sizeof *method->option_names);
    method->option_values = cvp_proof_arena_alloc(
        st->arena, room * sizeof *method->option_values);
    method->option_pos = cvp_proof_arena_alloc(
        st->arena, room * sizeof *method->option_pos);
    if (method->option_names == NULL || method->option_values == NULL
        || method->option_pos == NULL)
        return cvp_proof_out_of_memory(st);
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
        return status;
    if (st->parser.current.kind == CVP_TOK_LPAREN)
        return parse_options(st, index, method);
    return CVP_OK;
}

cvp_status cvp_proof_parse_by(cvp_proof_state *st)
{
    cvp_proof_claim *claim = st->claim;
    cvp_srcpos pos = st->parser.current.pos;
    if (st->saw_by)
        return cvp_proof_fail(st, pos,
                              "a claim has at most one 'by' line (the first "
                              "is at line %d)", st->by_pos.line);
    st->saw_by = true;
    st->by_pos = pos;
    claim->methods = cvp_proof_arena_alloc(
        st->arena, cvp_proof_method_name_count * sizeof *claim->methods);
    if (claim->methods == NULL)
        return cvp_proof_out_of_memory(st);
    cvp_status status = cvp_parser_advance(&st->parser);
    for (;;) {
        if (status != CVP_OK)
            return status;
        if (st->parser.current.kind != CVP_TOK_IDENT)
            return cvp_proof_expected(st, "a method (" METHOD_LIST ")");
        if ((status = parse_method(st)) != CVP_OK)
            return status;
        if (st->parser.current.kind != CVP_TOK_COMMA)
            break;
        status = cvp_parser_advance(&st->parser);
    }
    cvp_token_kind kind = st->parser.current.kind;
    if (kind != CVP_TOK_NEWLINE && kind != CVP_TOK_EOF
        && kind != CVP_TOK_RBRACE) {
        char what[96];
        snprintf(what, sizeof what, "',' or end of line after method '%s'",
                 claim->methods[claim->method_count - 1].name);
        return cvp_proof_expected(st, what);
    }
    return CVP_OK;
}

/* ---- lookups ------------------------------------------------------------ */

const cvp_proof_method *cvp_proof_claim_method(const cvp_proof_claim *claim,
                                               const char *name)
{
    for (size_t i = 0; i < claim->method_count; i++)
        if (strcmp(claim->methods[i].name, name) == 0)
            return &claim->methods[i];
    return NULL;
}

bool cvp_proof_method_option(const cvp_proof_method *method, const char *name,
                             long *value)
{
    for (size_t i = 0; i < method->option_count; i++)
        if (strcmp(method->option_names[i], name) == 0) {
            *value = method->option_values[i];
            return true;
        }
    return false;
}
