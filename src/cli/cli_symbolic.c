/* cli_symbolic.c -- `convproof eval --symbolic`: an expression evaluated
 * with every entry of the --shape inputs an indeterminate, printed as a
 * matrix of symbolic entries the way the textbook draws it:
 *
 *   convproof eval --symbolic 'jacobian(xcorr(W, X), X)' --shape X=3x3 --shape W=2x2
 *   [  w11  w12   0   w21  w22   0    0    0    0   ]
 *   ...
 *
 * The entries are canonical polynomials (kernel/ring_poly.h) in variables
 * named w11, w12, ... (eval/symbolic.h); printing is report/matrix_print.h.
 * A result of rank 1 is one row; rank > 2 has its last axis as columns.
 * Inputs given with --let stay concrete rationals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_limits.h"
#include "eval/eval.h"
#include "report/figures.h"
#include "eval/symbolic.h"
#include "lang/parser.h"
#include "report/matrix_print.h"

#define EXPR_SOURCE "<expr>"

typedef struct {
    const char *expression;
    const char **shapes;      /* "NAME=SHAPE" */
    size_t shape_count;
    const char **lets;        /* "NAME=VALUE" */
    size_t let_count;
    cvp_matrix_format format;
    size_t max_terms;
} symbolic_options;

static int fail(const char *format, const char *detail)
{
    char shown[160];
    cvp_lang_quote(shown, sizeof shown, detail, strlen(detail));
    fprintf(stderr, "convproof: eval --symbolic: ");
    fprintf(stderr, format, shown);
    fprintf(stderr, "\ntry 'convproof eval --help'\n");
    return CVP_EXIT_USAGE;
}

/* Parses "NAME=2x3" into name and shape; false on anything else. */
static bool parse_shape_spec(char *name, size_t name_size, int *rank,
                             size_t *shape, const char *spec)
{
    const char *equals = strchr(spec, '=');
    if (equals == NULL || equals == spec || (size_t)(equals - spec) >= name_size)
        return false;
    memcpy(name, spec, (size_t)(equals - spec));
    name[equals - spec] = '\0';
    if (!cvp_env_valid_name(name))
        return false;
    const char *p = equals + 1;
    *rank = 0;
    while (*p != '\0') {
        char *end;
        if (*p < '0' || *p > '9' || *rank == CVP_MAX_RANK)
            return false;
        unsigned long long dim = strtoull(p, &end, 10);
        if (dim == 0 || dim > 1000000)
            return false;
        shape[(*rank)++] = (size_t)dim;
        p = end;
        if (*p == 'x' || *p == ',') {
            if (p[1] == '\0')
                return false;
            p++;
        } else if (*p != '\0') {
            return false;
        }
    }
    return *rank > 0;
}

static int parse(symbolic_options *o, int argc, char **argv, bool *help)
{
    bool done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (done || strncmp(arg, "--", 2) != 0) {
            if (o->expression != NULL)
                return fail("unexpected argument '%s' (quote the expression as "
                            "one argument)", arg);
            o->expression = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            done = true;
            continue;
        }
        if (strcmp(arg, "--symbolic") == 0)
            continue;
        if (strcmp(arg, "--help") == 0) {
            *help = true;
            continue;
        }
        static const char *const valued[] = {"--shape", "--let", "--format",
                                             "--max-terms"};
        size_t which = 0, n = sizeof valued / sizeof valued[0];
        size_t len = 0;
        for (; which < n; which++) {
            len = strlen(valued[which]);
            if (strncmp(arg, valued[which], len) == 0
                && (arg[len] == '\0' || arg[len] == '='))
                break;
        }
        if (which == n)
            return fail("unknown option '%s' (with --symbolic: --shape, --let, "
                        "--format, --max-terms)", arg);
        const char *value = arg[len] == '=' ? arg + len + 1
                            : i + 1 < argc   ? argv[++i]
                                             : NULL;
        if (value == NULL)
            return fail("option '%s' needs a value", valued[which]);
        if (which == 0)
            o->shapes[o->shape_count++] = value;
        else if (which == 1)
            o->lets[o->let_count++] = value;
        else if (which == 2) {
            if (strcmp(value, "text") == 0)
                o->format = CVP_MATRIX_TEXT;
            else if (strcmp(value, "md") == 0 || strcmp(value, "markdown") == 0)
                o->format = CVP_MATRIX_MARKDOWN;
            else if (strcmp(value, "html") == 0)
                o->format = CVP_MATRIX_HTML;
            else if (strcmp(value, "tex") == 0 || strcmp(value, "latex") == 0)
                o->format = CVP_MATRIX_TEX;
            else
                return fail("unknown format '%s' (text, md, html, tex)", value);
        } else {
            cvp_error e;
            if (cvp_cli_parse_limit(&o->max_terms, value, "--max-terms",
                                    CVP_CLI_MAX_TERMS, &e) != CVP_OK)
                return fail("%s", e.message);
        }
    }
    if (!*help && o->expression == NULL)
        return fail("missing the expression%s", "");
    return CVP_EXIT_OK;
}

/* Prints the value as a matrix of its entries' texts. */
static int print_matrix(const cvp_value *v, cvp_matrix_format format)
{
    if (v->kind != CVP_VALUE_TENSOR) {
        char what[96];
        cvp_value_describe(what, sizeof what, v);
        return fail("the result is %s, not a tensor", what);
    }
    if (v->tensor->size > CVP_FIGURE_MAX_CELLS || v->tensor->size == 0) {
        char size[32];
        snprintf(size, sizeof size, "%zu", v->tensor->size);
        return fail("the result has %s entries; symbolic printing takes 1 to "
                    "20000", size);
    }
    /* The grid lives in a scratch report, whose clear frees it. */
    cvp_report scratch;
    cvp_report_init(&scratch, NULL, 0);
    cvp_claim_result *c = cvp_report_add_claim(&scratch, NULL, false, NULL, 0, NULL);
    cvp_figure *f = cvp_claim_add_figure(c, CVP_FIGURE_GRIDS, NULL);
    const cvp_figure_grid *g = cvp_figure_add_tensor_grid(f, NULL, v->tensor, 0);
    CVP_ASSERT(g != NULL);
    int rc = cvp_matrix_write(stdout, g, format) == 0 ? CVP_EXIT_OK : CVP_EXIT_LIMIT;
    if (rc != CVP_EXIT_OK)
        fprintf(stderr, "convproof: cannot write the result to standard output\n");
    cvp_report_clear(&scratch);
    return rc;
}

static int run(const symbolic_options *o)
{
    cvp_ring R;
    cvp_ring_poly_init(&R, o->max_terms);
    cvp_env env;
    cvp_env_init(&env);
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_value v;
    cvp_value_init(&v);
    cvp_error e;
    cvp_error_clear(&e);
    cvp_lang_error lerr;
    cvp_lang_error_clear(&lerr);
    int rc = CVP_EXIT_OK;
    cvp_status st = CVP_OK;
    for (size_t k = 0; st == CVP_OK && k < o->shape_count; k++) {
        char name[128];
        int rank;
        size_t shape[CVP_MAX_RANK];
        if (!parse_shape_spec(name, sizeof name, &rank, shape, o->shapes[k])) {
            rc = fail("--shape: expected NAME=SHAPE such as X=4x4, got '%s'",
                      o->shapes[k]);
            st = CVP_ERR_INPUT;
        } else if ((st = cvp_symbolic_bind(&env, &R, name, rank, shape, &e)) != CVP_OK) {
            fprintf(stderr, "convproof: --shape %s: %s\n", name, e.message);
            rc = st == CVP_ERR_LIMIT ? CVP_EXIT_LIMIT : CVP_EXIT_USAGE;
        }
    }
    for (size_t k = 0; st == CVP_OK && k < o->let_count; k++)
        if ((st = cvp_cli_bind_let(&env, o->lets[k], &e)) != CVP_OK) {
            fprintf(stderr, "convproof: %s\n", e.message);
            rc = st == CVP_ERR_LIMIT ? CVP_EXIT_LIMIT : CVP_EXIT_USAGE;
        }
    if (st == CVP_OK) {
        st = cvp_parse_expression(&tree, o->expression, strlen(o->expression),
                                  EXPR_SOURCE, &lerr);
        if (st == CVP_OK)
            st = cvp_eval_in(&v, tree.root, &env, NULL, &R, EXPR_SOURCE, &lerr);
        if (st != CVP_OK) {
            char text[CVP_SOURCE_NAME_MAX + CVP_ERROR_MESSAGE_MAX + 32];
            cvp_lang_error_format(text, sizeof text, &lerr);
            fprintf(stderr, "convproof: %s\n", text);
            if (st == CVP_ERR_UNSUPPORTED)
                fprintf(stderr, "hint: --symbolic evaluates over polynomials; "
                                "use eval without it for relu, pooling or "
                                "division by an input\n");
            rc = st == CVP_ERR_LIMIT ? CVP_EXIT_LIMIT : CVP_EXIT_USAGE;
        }
    }
    if (st == CVP_OK)
        rc = print_matrix(&v, o->format);
    cvp_value_clear(&v);
    cvp_ast_tree_clear(&tree);
    cvp_env_clear(&env);
    cvp_ring_poly_clear(&R);
    return rc;
}

int cvp_cli_eval_symbolic(int argc, char **argv)
{
    symbolic_options o;
    memset(&o, 0, sizeof o);
    o.format = CVP_MATRIX_TEXT;
    o.max_terms = CVP_POLY_DEFAULT_MAX_TERMS;
    o.shapes = calloc((size_t)argc + 1, sizeof *o.shapes);
    o.lets = calloc((size_t)argc + 1, sizeof *o.lets);
    if (o.shapes == NULL || o.lets == NULL) {
        free(o.shapes);
        free(o.lets);
        fprintf(stderr, "convproof: out of memory\n");
        return CVP_EXIT_LIMIT;
    }
    bool help = false;
    int rc = parse(&o, argc, argv, &help);
    if (rc == CVP_EXIT_OK && help) {
        /* The options are in `convproof eval --help`. */
        const char *help_argv[] = {"eval", "--help", NULL};
        rc = cvp_cli_eval(2, (char **)help_argv);
    } else if (rc == CVP_EXIT_OK) {
        rc = run(&o);
    }
    free(o.shapes);
    free(o.lets);
    return rc;
}
