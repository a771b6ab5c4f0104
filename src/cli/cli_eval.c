/* cli_eval.c -- `convproof eval`: evaluate one expression exactly.
 *
 *   convproof eval 'EXPR' [--let NAME=FILE]... [--random NAME=SHAPE[:SEED]]...
 *                  [--range LO..HI] [--out FILE] [--out-rounded FILE.npy]
 *                  [--max-entries N]
 *
 * Options take their value as the next argument or after '='
 * (--out=y.npy); "--" ends the options, so an expression may start with
 * "--".  The steps run in the order a user's mistakes are cheapest to
 * find: options, the expression's syntax, the bindings (files are read
 * only then), evaluation, output.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_limits.h"
#include "eval/builtins.h"
#include "eval/eval.h"
#include "fast/fast.h"
#include "io/npy.h"
#include "io/tensor_text.h"
#include "kernel/rng.h"
#include "lang/parser.h"

#define EXPR_SOURCE "<expr>"

/* A binding option, kept in command-line order. */
typedef struct {
    bool is_random;
    const char *spec;
} binding_option;

typedef struct {
    const char *expression;
    binding_option *bindings;
    size_t binding_count;
    cvp_cli_range range;
    const char *out_path;
    const char *rounded_path;   /* --out-rounded */
    size_t max_entries;
    bool help;
} eval_options;

static void print_help(FILE *stream)
{
    fprintf(stream,
        "usage: convproof eval 'EXPR' [--let NAME=FILE]... "
        "[--random NAME=SHAPE[:SEED]]...\n"
        "                      [--range LO..HI] [--out FILE] "
        "[--out-rounded FILE.npy]\n"
        "                      [--max-entries N]\n"
        "\n"
        "Evaluates EXPR exactly over the rationals and prints the result in\n"
        "the exact text form.\n"
        "\n"
        "options:\n"
        "  --let NAME=FILE       bind NAME to a tensor read from FILE (.npy,\n"
        "                        else the text form); a value starting with\n"
        "                        '[', a digit or a sign is an inline tensor:\n"
        "                        --let X='[[1, 2], [3, 4]]'\n"
        "  --random NAME=SHAPE[:SEED]\n"
        "                        bind NAME to random integers of shape SHAPE\n"
        "                        (dimensions joined by 'x' or ','), from SEED\n"
        "                        (default: a hash of NAME, so names differ)\n"
        "  --range LO..HI        integer range of --random (default -9..9)\n"
        "  --out FILE            write the result to FILE instead of standard\n"
        "                        output: .npy as float64 (only if every entry\n"
        "                        is exactly a double), else the text form\n"
        "  --out-rounded FILE.npy\n"
        "                        write the result to FILE.npy as float64,\n"
        "                        each entry the double nearest to the exact\n"
        "                        value (ties to even; beyond the largest\n"
        "                        double: an infinity)\n"
        "  --max-entries N       largest tensor allowed (default 200000000,\n"
        "                        at most 10^10)\n"
        "  --reference           evaluate with the definitional operators\n"
        "                        only (no fast kernels; same results, slower)\n"
        "  --help                this text\n"
        "\n"
        "explicit matrices with symbolic entries:\n"
        "  --symbolic            every entry of each --shape input is an\n"
        "                        indeterminate named as the textbook does\n"
        "                        (W[0,0] is w11); the result is printed as an\n"
        "                        aligned matrix of polynomials\n"
        "  --shape NAME=SHAPE    a symbolic input, e.g. --shape X=4x4\n"
        "  --format F            text (default), md, html or tex (a LaTeX\n"
        "                        bmatrix)\n"
        "  --max-terms N         largest polynomial (default 1000000, at most\n"
        "                        10^9)\n"
        "  e.g. convproof eval --symbolic 'jacobian(xcorr(W, X), X)' \\\n"
        "         --shape X=3x3 --shape W=2x2\n"
        "\n"
        "expressions:\n"
        "  numbers are exact: 0.25 is 1/4, 1e-3 is 1/1000, 2/3 is two thirds\n"
        "  a + b, a - b, a * b   elementwise, NumPy broadcasting\n"
        "  a / s                 division by a scalar\n"
        "  a @ b                 matrix product\n"
        "  [[1, 2], [3, 4]]      a tensor literal\n"
        "  f(x, key=value)       keyword values: integers, pairs (2, 1),\n"
        "                        true/false\n"
        "  grad(L, X)            dL/dX of a scalar L, exactly (X a bound name)\n"
        "  jacobian(Y, X)        the matrix dY/dX: rows vec(Y), columns vec(X)\n"
        "  mults(E), size(E)     multiplications of evaluating E (the usual\n"
        "                        cost model) and the entries of E\n"
        "\n"
        "functions:\n");
    for (size_t i = 0; i < cvp_builtin_count(); i++) {
        const cvp_builtin *fn = cvp_builtin_at(i);
        char signature[256];
        cvp_builtin_signature(signature, sizeof signature, fn);
        fprintf(stream, "  %s\n      %s\n", signature, fn->summary);
    }
    fprintf(stream,
        "\n"
        "exit status: 0 success, 2 usage or input error, 3 resource limit\n"
        "or internal error.\n");
}

static int usage_error(const char *format, const char *detail)
{
    char shown[160];
    cvp_lang_quote(shown, sizeof shown, detail, strlen(detail));
    fprintf(stderr, "convproof: eval: ");
    fprintf(stderr, format, shown);
    fprintf(stderr, "\ntry 'convproof eval --help'\n");
    return CVP_EXIT_USAGE;
}

static int exit_code(cvp_status status)
{
    return status == CVP_ERR_LIMIT ? CVP_EXIT_LIMIT : CVP_EXIT_USAGE;
}

static int report(cvp_status status, const cvp_error *err)
{
    fprintf(stderr, "convproof: %s\n", err->message);
    return exit_code(status);
}

/* Reports a located error in the expression, with the expression and a
 * caret under the column when that can be shown faithfully (one line, no
 * control characters, not too long). */
static int report_in_expression(const cvp_lang_error *err,
                                const char *expression)
{
    char text[CVP_SOURCE_NAME_MAX + CVP_ERROR_MESSAGE_MAX + 32];
    cvp_lang_error_format(text, sizeof text, err);
    fprintf(stderr, "convproof: %s\n", text);
    size_t len = strlen(expression);
    bool showable = len <= 200 && err->pos.line == 1 && err->pos.col >= 1;
    for (size_t i = 0; showable && i < len; i++)
        showable = (unsigned char)expression[i] >= 0x20
                   && expression[i] != 0x7f;
    if (showable)
        fprintf(stderr, "  %s\n  %*s^\n", expression, err->pos.col - 1, "");
    /* Hints that only make sense on the command line. */
    if (strncmp(err->message, "unknown name", 12) == 0
        && strchr(err->message, '(') == NULL)
        fprintf(stderr, "hint: bind a name with --let NAME=FILE or --random "
                        "NAME=SHAPE\n");
    else if (strncmp(err->message, "unknown function", 16) == 0)
        fprintf(stderr, "hint: 'convproof eval --help' lists the functions\n");
    return exit_code(err->status);
}

static int parse_options(eval_options *opts, int argc, char **argv)
{
    static const char *const valued[] = {"--let", "--random", "--range",
                                         "--out", "--max-entries",
                                         "--out-rounded"};
    bool options_done = false;
    bool have_range = false, have_max = false;
    cvp_error err;
    cvp_error_clear(&err);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || strncmp(arg, "--", 2) != 0) {
            if (opts->expression != NULL)
                return usage_error("unexpected argument '%s' (quote the "
                                   "expression as one argument)", arg);
            opts->expression = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0) {
            opts->help = true;
            continue;
        }
        if (strcmp(arg, "--reference") == 0) {
            cvp_fast_set_enabled(false);
            continue;
        }
        size_t which = 0, count = sizeof valued / sizeof valued[0];
        while (which < count && !cvp_cli_is_option(arg, valued[which]))
            which++;
        if (which == count)
            return usage_error("unknown option '%s'", arg);
        const char *value = cvp_cli_option_value(NULL, argc, argv, &i,
                                                 valued[which]);
        if (value == NULL)
            return usage_error("option '%s' needs a value", valued[which]);
        switch (which) {
        case 0:
        case 1:
            opts->bindings[opts->binding_count].is_random = which == 1;
            opts->bindings[opts->binding_count].spec = value;
            opts->binding_count++;
            break;
        case 2:
            if (have_range)
                return usage_error("'%s' given twice", "--range");
            have_range = true;
            if (cvp_cli_parse_range(&opts->range, value, &err) != CVP_OK)
                return report(CVP_ERR_INPUT, &err);
            break;
        case 3:
            if (opts->out_path != NULL)
                return usage_error("'%s' given twice", "--out");
            opts->out_path = value;
            break;
        case 4:
            if (have_max)
                return usage_error("'%s' given twice", "--max-entries");
            have_max = true;
            if (cvp_cli_parse_limit(&opts->max_entries, value, "--max-entries",
                                    CVP_CLI_MAX_ENTRIES, &err) != CVP_OK)
                return report(CVP_ERR_INPUT, &err);
            break;
        case 5: {
            if (opts->rounded_path != NULL)
                return usage_error("'%s' given twice", "--out-rounded");
            size_t len = strlen(value);
            if (len < 4 || strcmp(value + len - 4, ".npy") != 0)
                return usage_error("--out-rounded writes .npy files, not "
                                   "'%s'", value);
            opts->rounded_path = value;
            break;
        }
        }
    }
    if (!opts->help && opts->expression == NULL)
        return usage_error("missing the expression%s", "");
    return CVP_EXIT_OK;
}

static cvp_status bind_all(cvp_env *env, const eval_options *opts,
                           cvp_error *err)
{
    for (size_t i = 0; i < opts->binding_count; i++) {
        const binding_option *b = &opts->bindings[i];
        cvp_status status = b->is_random
                                ? cvp_cli_bind_random(env, b->spec,
                                                      &opts->range, err)
                                : cvp_cli_bind_let(env, b->spec, err);
        if (status != CVP_OK)
            return status;
    }
    return CVP_OK;
}

static int write_result(const cvp_value *result, const char *out_path,
                        const char *rounded_path)
{
    cvp_error err;
    cvp_error_clear(&err);
    if (out_path == NULL && rounded_path == NULL) {
        if (cvp_value_write(stdout, result) != 0 || fflush(stdout) != 0) {
            fprintf(stderr, "convproof: cannot write the result to standard "
                            "output\n");
            return CVP_EXIT_LIMIT;
        }
        return CVP_EXIT_OK;
    }
    if (result->kind != CVP_VALUE_TENSOR) {
        char what[96];
        cvp_value_describe(what, sizeof what, result);
        fprintf(stderr, "convproof: the result is %s, but %s writes only "
                        "tensors\n", what, out_path ? "--out" : "--out-rounded");
        return CVP_EXIT_USAGE;
    }
    if (rounded_path != NULL) {
        cvp_status status = cvp_npy_write_rounded_file(rounded_path,
                                                       result->tensor, &err);
        if (status != CVP_OK)
            return report(status, &err);
    }
    if (out_path == NULL)
        return CVP_EXIT_OK;
    size_t len = strlen(out_path);
    bool npy = len >= 4 && strcmp(out_path + len - 4, ".npy") == 0;
    cvp_status status = npy ? cvp_npy_write_file(out_path, result->tensor, &err)
                            : cvp_tensor_write_text_file(out_path,
                                                         result->tensor, &err);
    if (status == CVP_OK)
        return CVP_EXIT_OK;
    int code = report(status, &err);
    if (npy && strstr(err.message, "not exactly representable") != NULL)
        fprintf(stderr, "hint: --out-rounded FILE.npy writes the nearest "
                        "doubles\n");
    return code;
}

static int run(const eval_options *opts)
{
    cvp_tensor_set_max_entries(opts->max_entries);
    cvp_lang_error lang_err;
    cvp_lang_error_clear(&lang_err);
    cvp_error err;
    cvp_error_clear(&err);
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_env env;
    cvp_env_init(&env);
    cvp_value result;
    cvp_value_init(&result);
    int code;
    cvp_status status = cvp_parse_expression(&tree, opts->expression,
                                             strlen(opts->expression),
                                             EXPR_SOURCE, &lang_err);
    if (status != CVP_OK) {
        code = report_in_expression(&lang_err, opts->expression);
    } else if ((status = bind_all(&env, opts, &err)) != CVP_OK) {
        code = report(status, &err);
    } else if ((status = cvp_eval(&result, tree.root, &env, EXPR_SOURCE,
                                  &lang_err)) != CVP_OK) {
        code = report_in_expression(&lang_err, opts->expression);
    } else {
        code = write_result(&result, opts->out_path, opts->rounded_path);
    }
    cvp_value_clear(&result);
    cvp_env_clear(&env);
    cvp_ast_tree_clear(&tree);
    return code;
}

int cvp_cli_eval(int argc, char **argv)
{
    /* --symbolic evaluates over polynomials and prints a matrix: its own
     * options (cli_symbolic.c). */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--symbolic") == 0)
            return cvp_cli_eval_symbolic(argc, argv);
    eval_options opts;
    memset(&opts, 0, sizeof opts);
    opts.range.lo = CVP_RANDOM_DEFAULT_LO;
    opts.range.hi = CVP_RANDOM_DEFAULT_HI;
    opts.max_entries = CVP_DEFAULT_MAX_ENTRIES;
    /* At most one binding per argument, so argc bounds their number. */
    opts.bindings = calloc((size_t)argc, sizeof *opts.bindings);
    if (opts.bindings == NULL) {
        fprintf(stderr, "convproof: out of memory\n");
        return CVP_EXIT_LIMIT;
    }
    int code = parse_options(&opts, argc, argv);
    if (code == CVP_EXIT_OK && opts.help) {
        print_help(stdout);
        code = fflush(stdout) == 0 ? CVP_EXIT_OK : CVP_EXIT_LIMIT;
    } else if (code == CVP_EXIT_OK) {
        code = run(&opts);
    }
    free(opts.bindings);
    return code;
}
