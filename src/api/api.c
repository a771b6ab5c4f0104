/* api.c -- checking and evaluating through strings (api.h); the in-process
 * implementation test is in api_impl.c.
 *
 * Each call does what the matching `convproof` subcommand does, minus the
 * printing: the report is rendered by report/render.h's JSON writer into
 * a memory stream, so the other language reads exactly the document
 * `convproof check --report json` writes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "check/check.h"
#include "eval/eval.h"
#include "ext/impl_external.h"
#include "ext/json.h"
#include "io/tensor_text.h"
#include "kernel/rng.h"
#include "lang/parser.h"
#include "lang/proof.h"
#include "report/render.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

/* The command line's default per claim (cli/cli_limits.h): a claim that
 * would run for hours is left undecided rather than hang the caller. */
#define API_DEFAULT_TIMEOUT 600.0

/* ---- answers ------------------------------------------------------------ */

int cvp_api_answer_text(char **out, int status, const char *text)
{
    if (out != NULL) {
        *out = strdup(text != NULL ? text : "");
        CVP_ASSERT(*out != NULL);
    }
    return status;
}

int cvp_api_answer_format(char **out, int status, const char *format, ...)
{
    char buf[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
    va_list ap;
    va_start(ap, format);
    vsnprintf(buf, sizeof buf, format, ap);
    va_end(ap);
    return cvp_api_answer_text(out, status, buf);
}

void cvp_api_free(char *text)
{
    free(text);
}

int cvp_api_report_json(char **out, const cvp_report *report)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    if (stream == NULL)
        return cvp_api_answer_text(out, CVP_ERR_LIMIT,
                                   "cannot open a memory stream for the report");
    cvp_render_options render = {false, false, false, false};
    int wrc = cvp_report_write_json(stream, report, &render);
    if (fclose(stream) != 0 || wrc != 0) {
        free(text);
        return cvp_api_answer_text(out, CVP_ERR_LIMIT,
                                   "cannot write the report (out of memory)");
    }
    if (out != NULL)
        *out = text;
    else
        free(text);
    return CVP_OK;
}

/* ---- options ------------------------------------------------------------ */

cvp_status cvp_api_options_read(cvp_json_node *root, const char *options,
                                const char *const *known, cvp_error *err)
{
    *root = (cvp_json_node){0};
    if (options == NULL || options[0] == '\0')
        return CVP_OK;
    cvp_status st = cvp_json_read(root, options, strlen(options), "<options>",
                                  err);
    if (st != CVP_OK)
        return st;
    if (root->type != CVP_JSON_NODE_OBJECT)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "options: expected a JSON object, got %s",
                             cvp_json_node_type_name(root->type));
    for (size_t m = 0; m < root->count; m++) {
        bool found = false;
        for (size_t k = 0; known[k] != NULL && !found; k++)
            found = strcmp(root->keys[m], known[k]) == 0;
        if (!found)
            return cvp_error_set(err, CVP_ERR_INPUT, "options: unknown option "
                                 "'%s'", root->keys[m]);
    }
    return CVP_OK;
}

cvp_status cvp_api_option_count(unsigned long long *value,
                                const cvp_json_node *root, const char *key,
                                unsigned long long max, cvp_error *err)
{
    const cvp_json_node *n = cvp_json_node_member(root, key);
    if (n == NULL)
        return CVP_OK;
    const char *s = n->type == CVP_JSON_NODE_NUMBER ? n->text : NULL;
    char *end = NULL;
    errno = 0;
    unsigned long long v = s != NULL && s[0] != '-' ? strtoull(s, &end, 10) : 0;
    if (s == NULL || s[0] == '-' || errno != 0 || end == s || *end != '\0'
        || v > max)
        return cvp_error_set(err, CVP_ERR_INPUT, "options: '%s' takes an "
                             "integer from 0 to %llu", key, max);
    *value = v;
    return CVP_OK;
}

cvp_status cvp_api_option_bool(bool *value, const cvp_json_node *root,
                               const char *key, cvp_error *err)
{
    const cvp_json_node *n = cvp_json_node_member(root, key);
    if (n == NULL)
        return CVP_OK;
    if (n->type != CVP_JSON_NODE_BOOL)
        return cvp_error_set(err, CVP_ERR_INPUT, "options: '%s' takes true or "
                             "false", key);
    *value = n->boolean;
    return CVP_OK;
}

cvp_status cvp_api_option_string(const char **value, const cvp_json_node *root,
                                 const char *key, cvp_error *err)
{
    const cvp_json_node *n = cvp_json_node_member(root, key);
    if (n == NULL)
        return CVP_OK;
    if (n->type != CVP_JSON_NODE_STRING)
        return cvp_error_set(err, CVP_ERR_INPUT, "options: '%s' takes a "
                             "string", key);
    *value = n->text;
    return CVP_OK;
}

/* The check options of `options`: seed, methods, timeout, max_shapes. */
static cvp_status check_options(cvp_check_options *o, const cvp_json_node *root,
                                cvp_error *err)
{
    cvp_check_options_default(o);
    o->timeout = API_DEFAULT_TIMEOUT;
    unsigned long long seed = 0, timeout = (unsigned long long)o->timeout;
    unsigned long long shapes = o->max_shapes;
    cvp_status st = cvp_api_option_count(&seed, root, "seed", UINT64_MAX, err);
    if (st == CVP_OK)
        st = cvp_api_option_count(&timeout, root, "timeout", 1000000, err);
    if (st == CVP_OK)
        st = cvp_api_option_count(&shapes, root, "max_shapes", 1000000000, err);
    if (st != CVP_OK)
        return st;
    o->timeout = (double)timeout;   /* 0: no limit (check/limits.h) */
    o->max_shapes = (size_t)shapes;
    if (seed != 0) {
        o->seed = seed;
        o->seed_fixed = true;
    } else {
        /* As the command line does: a seed nobody knew in advance, so no
         * claim can be built around the primes of `random`. */
        uint64_t drawn;
        if (!cvp_rng_entropy_seed(&drawn))
            return cvp_error_set(err, CVP_ERR_INPUT, "the operating system "
                                 "gave no random seed; give one as \"seed\"");
        o->seed = drawn == 0 ? 1 : drawn;
        o->seed_fixed = false;
    }
    const cvp_json_node *methods = cvp_json_node_member(root, "methods");
    if (methods == NULL)
        return CVP_OK;
    if (methods->type != CVP_JSON_NODE_ARRAY || methods->count == 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "options: 'methods' takes a "
                             "non-empty array of method names");
    for (size_t k = 0; k < methods->count; k++) {
        const cvp_json_node *m = &methods->items[k];
        int found = -1;
        for (int i = 0; i < CVP_METHOD_COUNT && m->type == CVP_JSON_NODE_STRING; i++)
            if (strcmp(cvp_method_name((cvp_method)i), m->text) == 0)
                found = i;
        if (found < 0)
            return cvp_error_set(err, CVP_ERR_INPUT, "options: unknown method "
                                 "'%s' (exact, random, symbolic, all_shapes, "
                                 "bounded, regions)",
                                 m->type == CVP_JSON_NODE_STRING ? m->text : "?");
        o->only[found] = true;
        o->filtered = true;
    }
    return CVP_OK;
}

/* ---- check -------------------------------------------------------------- */

/* Checks the parsed `file` and answers with its JSON report. */
static int check_parsed(const cvp_proof_file *file, const char *options,
                        char **out)
{
    static const char *const known[] = {"seed", "methods", "timeout",
                                        "max_shapes", NULL};
    cvp_error err;
    cvp_error_clear(&err);
    cvp_json_node root;
    cvp_check_options o;
    cvp_status st = cvp_api_options_read(&root, options, known, &err);
    if (st == CVP_OK)
        st = check_options(&o, &root, &err);
    cvp_json_node_clear(&root);
    if (st != CVP_OK)
        return cvp_api_answer_text(out, st, err.message);
    if (file->claim_count == 0)   /* nothing checked is not a pass */
        return cvp_api_answer_format(out, CVP_ERR_INPUT, "%s: no claim to check",
                                     file->source_name);

    cvp_impl_registry impls;
    st = cvp_impl_registry_init(&impls, file, &err);
    if (st != CVP_OK)
        return cvp_api_answer_text(out, st, err.message);
    cvp_impl_registry_set_batch(&impls, CVP_IMPL_DEFAULT_BATCH, 1);
    o.external = &impls.external;
    cvp_report report;
    cvp_report_init(&report, PACKAGE_VERSION, o.seed);
    cvp_lang_error lerr;
    cvp_lang_error_clear(&lerr);
    st = cvp_check_file(&report, file, &o, &lerr);
    cvp_impl_registry_clear(&impls);
    int rc;
    if (st != CVP_OK) {
        char message[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
        cvp_lang_error_format(message, sizeof message, &lerr);
        rc = cvp_api_answer_text(out, st, message);
    } else {
        rc = cvp_api_report_json(out, &report);
    }
    cvp_report_clear(&report);
    return rc;
}

/* Answers with the located parse error of `lerr`. */
static int parse_failed(char **out, cvp_status st, const cvp_lang_error *lerr)
{
    char message[CVP_ERROR_MESSAGE_MAX + CVP_SOURCE_NAME_MAX + 64];
    cvp_lang_error_format(message, sizeof message, lerr);
    return cvp_api_answer_text(out, st, message);
}

int cvp_api_check_file(const char *path, const char *options, char **out)
{
    if (path == NULL)
        return cvp_api_answer_text(out, CVP_ERR_INPUT, "no path given");
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    cvp_lang_error lerr;
    cvp_lang_error_clear(&lerr);
    cvp_status st = cvp_proof_parse_file(&file, path, &lerr);
    int rc = st != CVP_OK ? parse_failed(out, st, &lerr)
                          : check_parsed(&file, options, out);
    cvp_proof_file_clear(&file);
    return rc;
}

int cvp_api_check_text(const char *text, const char *source_name,
                       const char *options, char **out)
{
    if (text == NULL)
        return cvp_api_answer_text(out, CVP_ERR_INPUT, "no proof text given");
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    cvp_lang_error lerr;
    cvp_lang_error_clear(&lerr);
    cvp_status st = cvp_proof_parse(&file, text, strlen(text),
                                    source_name != NULL ? source_name : "<text>",
                                    &lerr);
    int rc = st != CVP_OK ? parse_failed(out, st, &lerr)
                          : check_parsed(&file, options, out);
    cvp_proof_file_clear(&file);
    return rc;
}

/* ---- eval --------------------------------------------------------------- */

/* Writes v as the JSON of api.h. */
static void value_json(cvp_json *j, const cvp_value *v)
{
    cvp_json_begin_object(j);
    cvp_json_key(j, "kind");
    switch (v->kind) {
    case CVP_VALUE_TENSOR: {
        cvp_json_string(j, "tensor");
        const cvp_tensor_struct *t = v->tensor;
        cvp_json_key(j, "shape");
        cvp_json_begin_array(j);
        for (int a = 0; a < t->rank; a++)
            cvp_json_uint(j, t->shape[a]);
        cvp_json_end_array(j);
        cvp_json_key(j, "values");
        cvp_json_begin_array(j);
        for (size_t e = 0; e < t->size; e++) {
            char *s = mpq_get_str(NULL, 10, cvp_tensor_at(t, e));
            cvp_json_string(j, s);
            void (*free_fn)(void *, size_t);
            mp_get_memory_functions(NULL, NULL, &free_fn);
            free_fn(s, strlen(s) + 1);
        }
        cvp_json_end_array(j);
        break;
    }
    case CVP_VALUE_BOOL:
        cvp_json_string(j, "bool");
        cvp_json_key(j, "value");
        cvp_json_bool(j, v->boolean);
        break;
    case CVP_VALUE_TUPLE:
        cvp_json_string(j, "tuple");
        cvp_json_key(j, "items");
        cvp_json_begin_array(j);
        for (size_t k = 0; k < v->count; k++)
            value_json(j, &v->items[k]);
        cvp_json_end_array(j);
        break;
    default:
        cvp_json_string(j, v->kind == CVP_VALUE_SLICE ? "slice" : "none");
        break;
    }
    cvp_json_end_object(j);
}

/* How deeply tuples nest in v (a tensor is 0). */
static size_t value_depth(const cvp_value *v)
{
    size_t deepest = 0;
    for (size_t k = 0; v->kind == CVP_VALUE_TUPLE && k < v->count; k++) {
        size_t d = value_depth(&v->items[k]);
        if (d > deepest)
            deepest = d;
    }
    return v->kind == CVP_VALUE_TUPLE ? deepest + 1 : 0;
}

/* Tuples nested deeper than this are refused: each level takes two levels
 * of the JSON writer, whose depth limit is an assertion. */
#define API_MAX_TUPLE_DEPTH 6

/* Binds every member of the JSON object `bindings` in env. */
static cvp_status bind_all(cvp_env *env, const char *bindings, cvp_error *err)
{
    cvp_json_node root = {0};
    if (bindings == NULL || bindings[0] == '\0')
        return CVP_OK;
    cvp_status st = cvp_json_read(&root, bindings, strlen(bindings),
                                  "<bindings>", err);
    if (st == CVP_OK && root.type != CVP_JSON_NODE_OBJECT)
        st = cvp_error_set(err, CVP_ERR_INPUT, "bindings: expected a JSON "
                           "object of NAME: \"tensor text\"");
    cvp_tensor_t t;
    cvp_tensor_init(t);
    for (size_t k = 0; st == CVP_OK && k < root.count; k++) {
        const cvp_json_node *value = &root.items[k];
        if (value->type != CVP_JSON_NODE_STRING) {
            st = cvp_error_set(err, CVP_ERR_INPUT, "bindings: '%s' must be a "
                               "tensor in the text form, as a string",
                               root.keys[k]);
            break;
        }
        char source[CVP_SOURCE_NAME_MAX];
        snprintf(source, sizeof source, "<binding %s>", root.keys[k]);
        st = cvp_tensor_parse_text(t, value->text, strlen(value->text), source,
                                   err);
        if (st == CVP_OK)
            st = cvp_env_bind(env, root.keys[k], t, err);
    }
    cvp_tensor_clear(t);
    cvp_json_node_clear(&root);
    return st;
}

int cvp_api_eval(const char *expression, const char *bindings, char **out)
{
    if (expression == NULL)
        return cvp_api_answer_text(out, CVP_ERR_INPUT, "no expression given");
    static const char source[] = "<expr>";
    cvp_lang_error lerr;
    cvp_lang_error_clear(&lerr);
    cvp_error err;
    cvp_error_clear(&err);
    cvp_ast_tree tree;
    cvp_ast_tree_init(&tree);
    cvp_env env;
    cvp_env_init(&env);
    cvp_value result;
    cvp_value_init(&result);
    int rc;
    cvp_status st = cvp_parse_expression(&tree, expression, strlen(expression),
                                         source, &lerr);
    if (st != CVP_OK) {
        rc = parse_failed(out, st, &lerr);
    } else if ((st = bind_all(&env, bindings, &err)) != CVP_OK) {
        rc = cvp_api_answer_text(out, st, err.message);
    } else if ((st = cvp_eval(&result, tree.root, &env, source, &lerr)) != CVP_OK) {
        rc = parse_failed(out, st, &lerr);
    } else if (value_depth(&result) > API_MAX_TUPLE_DEPTH) {
        rc = cvp_api_answer_format(out, CVP_ERR_LIMIT, "the value nests tuples "
                                   "more than %d deep", API_MAX_TUPLE_DEPTH);
    } else {
        cvp_json j;
        cvp_json_init(&j);
        value_json(&j, &result);
        rc = cvp_api_answer_text(out, CVP_OK, cvp_json_text(&j));
        cvp_json_clear(&j);
    }
    cvp_value_clear(&result);
    cvp_env_clear(&env);
    cvp_ast_tree_clear(&tree);
    return rc;
}
