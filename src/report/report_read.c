/* report_read.c -- a JSON report back into its records (report_read.h).
 *
 * Each reader below takes a node and the path that names it in messages,
 * checks what it needs, and fills one record; the first refusal ends the
 * read.  The words a report may contain for outcomes are listed once, in
 * `outcomes` (a new verdict word is one more line there); methods come
 * from check/verdict.h's own list.
 */
#include "report/report_read.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/json_read.h"

/* Every outcome a report may name (its word is cvp_outcome_name's). */
static const cvp_outcome outcomes[] = {
    CVP_OUTCOME_PASSED,
    CVP_OUTCOME_TESTED,      /* a claim's only, never a method's */
    CVP_OUTCOME_FAILED,
    CVP_OUTCOME_UNDECIDED,
    CVP_OUTCOME_NOT_APPLICABLE,
};

typedef struct {
    const char *source;
    cvp_error *err;
} context;

/* Writes the path of a value ("claims[2].methods"), cut short if need be
 * (it only names a place in a message). */
static void place(char *out, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void place(char *out, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(out, size, format, args);
    va_end(args);
}

/* Refuses node at `path` ("claims[2].line"): "SOURCE:L:C: PATH: what". */
static cvp_status refuse(const context *cx, const cvp_json_node *node,
                         const char *path, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static cvp_status refuse(const context *cx, const cvp_json_node *node,
                         const char *path, const char *format, ...)
{
    char what[CVP_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    return cvp_error_set(cx->err, CVP_ERR_INPUT, "%s:%d:%d: %s%s%s", cx->source,
                         node->line, node->col, path, path[0] ? ": " : "", what);
}

/* The member `key` of object `node` (at `path`), which must be there. */
static cvp_status member(const context *cx, const cvp_json_node *node,
                         const char *path, const char *key,
                         const cvp_json_node **out)
{
    *out = cvp_json_node_member(node, key);
    if (*out == NULL)
        return refuse(cx, node, path, "the key \"%s\" is missing", key);
    return CVP_OK;
}

static cvp_status want_type(const context *cx, const cvp_json_node *node,
                            const char *path, cvp_json_node_type type)
{
    if (node->type != type)
        return refuse(cx, node, path, "%s where %s belongs",
                      cvp_json_node_type_name(node->type),
                      cvp_json_node_type_name(type));
    return CVP_OK;
}

/* A count: a JSON integer from 0 to `max`, written without fraction or
 * exponent (as the writer writes counts). */
static cvp_status read_count(const context *cx, const cvp_json_node *parent,
                             const char *path, const char *key,
                             unsigned long long max, unsigned long long *out)
{
    const cvp_json_node *n;
    char where[256];
    place(where, sizeof where, "%s%s%s", path, path[0] ? "." : "", key);
    cvp_status st = member(cx, parent, path, key, &n);
    if (st == CVP_OK)
        st = want_type(cx, n, where, CVP_JSON_NODE_NUMBER);
    if (st != CVP_OK)
        return st;
    unsigned long long v = 0;
    for (const char *c = n->text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return refuse(cx, n, where, "%s is not a whole number >= 0", n->text);
        unsigned d = (unsigned)(*c - '0');
        if (v > (max - d) / 10)
            return refuse(cx, n, where, "%s is too large", n->text);
        v = 10 * v + d;
    }
    *out = v;
    return CVP_OK;
}

/* A line: an integer >= 1, or null (unknown) read as 0. */
static cvp_status read_line(const context *cx, const cvp_json_node *parent,
                            const char *path, const char *key, int *out)
{
    const cvp_json_node *n;
    cvp_status st = member(cx, parent, path, key, &n);
    if (st != CVP_OK)
        return st;
    *out = 0;
    if (n->type == CVP_JSON_NODE_NULL)
        return CVP_OK;
    unsigned long long v;
    st = read_count(cx, parent, path, key, INT_MAX, &v);
    if (st == CVP_OK && v == 0) {
        char where[256];
        place(where, sizeof where, "%s.%s", path, key);
        return refuse(cx, n, where, "a line number is 1 or more, or null");
    }
    *out = (int)v;
    return st;
}

/* Seconds: a number >= 0.  Converted by hand (digits, point, exponent),
 * not by strtod, whose decimal point follows the locale. */
static cvp_status read_seconds(const context *cx, const cvp_json_node *parent,
                               const char *path, double *out)
{
    const cvp_json_node *n;
    char where[256];
    place(where, sizeof where, "%s.seconds", path);
    cvp_status st = member(cx, parent, path, "seconds", &n);
    if (st == CVP_OK)
        st = want_type(cx, n, where, CVP_JSON_NODE_NUMBER);
    if (st != CVP_OK)
        return st;
    if (n->text[0] == '-')
        return refuse(cx, n, where, "seconds are never negative");
    double v = 0, scale = 1;
    const char *c = n->text;
    for (; *c >= '0' && *c <= '9'; c++)
        v = 10 * v + (*c - '0');
    if (*c == '.')
        for (c++; *c >= '0' && *c <= '9'; c++) {
            scale /= 10;
            v += scale * (*c - '0');
        }
    if (*c == 'e' || *c == 'E') {
        c++;
        bool negative = *c == '-';
        if (*c == '-' || *c == '+')
            c++;
        long e = 0;
        for (; *c >= '0' && *c <= '9'; c++)
            e = e < 10000 ? 10 * e + (*c - '0') : e;
        for (; e > 0; e--)
            v = negative ? v / 10 : v * 10;
    }
    *out = v;
    return CVP_OK;
}

/* A text member: a string, or null when `nullable` (read as NULL). */
static cvp_status read_text(const context *cx, const cvp_json_node *parent,
                            const char *path, const char *key, bool nullable,
                            char **out)
{
    const cvp_json_node *n;
    cvp_status st = member(cx, parent, path, key, &n);
    if (st != CVP_OK)
        return st;
    if (nullable && n->type == CVP_JSON_NODE_NULL) {
        cvp_set_text(out, NULL);
        return CVP_OK;
    }
    if (n->type != CVP_JSON_NODE_STRING) {
        char where[256];
        place(where, sizeof where, "%s%s%s", path, path[0] ? "." : "", key);
        return refuse(cx, n, where, "%s where a string%s belongs",
                      cvp_json_node_type_name(n->type), nullable ? " or null" : "");
    }
    cvp_set_text(out, n->text);
    return CVP_OK;
}

/* An outcome word (the `outcomes` table). */
static cvp_status read_outcome(const context *cx, const cvp_json_node *parent,
                               const char *path, bool of_claim, cvp_outcome *out)
{
    char *word = NULL;
    cvp_status st = read_text(cx, parent, path, "outcome", false, &word);
    if (st != CVP_OK)
        return st;
    for (size_t k = 0; k < sizeof outcomes / sizeof outcomes[0]; k++)
        if (strcmp(word, cvp_outcome_name(outcomes[k])) == 0
            && (of_claim || outcomes[k] != CVP_OUTCOME_TESTED)) {
            *out = outcomes[k];
            free(word);
            return CVP_OK;
        }
    char known[256] = "";
    for (size_t k = 0; k < sizeof outcomes / sizeof outcomes[0]; k++) {
        strncat(known, k ? ", " : "", sizeof known - strlen(known) - 1);
        strncat(known, cvp_outcome_name(outcomes[k]), sizeof known - strlen(known) - 1);
    }
    char where[256];
    place(where, sizeof where, "%s.outcome", path);
    st = refuse(cx, cvp_json_node_member(parent, "outcome"), where,
                "unknown outcome \"%.100s\" (known: %s)", word, known);
    free(word);
    return st;
}

static cvp_status read_counterexample(const context *cx, const cvp_json_node *n,
                                      const char *path, cvp_method_result *m)
{
    cvp_status st = want_type(cx, n, path, CVP_JSON_NODE_OBJECT);
    if (st != CVP_OK)
        return st;
    cvp_counterexample *x = cvp_method_add_counterexample(m);
    const cvp_json_node *inputs;
    char where[256];
    place(where, sizeof where, "%s.inputs", path);
    if ((st = read_text(cx, n, path, "shape", true, &x->shape)) != CVP_OK
        || (st = member(cx, n, path, "inputs", &inputs)) != CVP_OK
        || (st = want_type(cx, inputs, where, CVP_JSON_NODE_ARRAY)) != CVP_OK)
        return st;
    for (size_t k = 0; k < inputs->count; k++) {
        const cvp_json_node *in = &inputs->items[k];
        char at[256];
        place(at, sizeof at, "%s[%zu]", where, k);
        char *name = NULL, *value = NULL;
        if ((st = want_type(cx, in, at, CVP_JSON_NODE_OBJECT)) == CVP_OK
            && (st = read_text(cx, in, at, "name", false, &name)) == CVP_OK
            && (st = read_text(cx, in, at, "value", false, &value)) == CVP_OK)
            cvp_counterexample_add_input(x, name, value);
        free(name);
        free(value);
        if (st != CVP_OK)
            return st;
        /* "unused" (optional, true when present) */
        const cvp_json_node *unused = cvp_json_node_member(in, "unused");
        if (unused != NULL) {
            char key[300];
            place(key, sizeof key, "%s.unused", at);
            if ((st = want_type(cx, unused, key, CVP_JSON_NODE_BOOL)) != CVP_OK)
                return st;
            if (unused->boolean)
                cvp_counterexample_mark_unused(x, x->input_count - 1);
        }
    }
    if ((st = read_line(cx, n, path, "show_line", &x->show_line)) != CVP_OK
        || (st = read_text(cx, n, path, "lhs", true, &x->lhs)) != CVP_OK
        || (st = read_text(cx, n, path, "rhs", true, &x->rhs)) != CVP_OK
        || (st = read_text(cx, n, path, "differences", true, &x->differences)) != CVP_OK
        || (st = read_text(cx, n, path, "first_term", true, &x->first_term)) != CVP_OK)
        return st;
    /* "failure" is new in version 3; a version 2 report has none */
    if (cvp_json_node_member(n, "failure") != NULL
        && (st = read_text(cx, n, path, "failure", true, &x->failure)) != CVP_OK)
        return st;
    return CVP_OK;
}

static cvp_status read_method(const context *cx, const cvp_json_node *n,
                              const char *path, cvp_claim_result *c)
{
    cvp_status st = want_type(cx, n, path, CVP_JSON_NODE_OBJECT);
    char *name = NULL;
    if (st == CVP_OK)
        st = read_text(cx, n, path, "method", false, &name);
    if (st != CVP_OK)
        return st;
    int found = -1;
    for (int m = 0; m < CVP_METHOD_COUNT; m++)
        if (strcmp(name, cvp_method_name((cvp_method)m)) == 0)
            found = m;
    if (found < 0) {
        char where[256];
        place(where, sizeof where, "%s.method", path);
        st = refuse(cx, cvp_json_node_member(n, "method"), where,
                    "unknown method \"%.100s\"", name);
    }
    free(name);
    if (st != CVP_OK)
        return st;
    cvp_method_result *m = cvp_claim_add_method(c, (cvp_method)found);
    unsigned long long shapes, instances;
    char *strength = NULL;
    const cvp_json_node *x;
    st = read_outcome(cx, n, path, false, &m->outcome);
    if (st == CVP_OK)
        st = read_text(cx, n, path, "strength", true, &strength);
    free(strength);
    if (st != CVP_OK
        || (st = read_count(cx, n, path, "shapes", SIZE_MAX, &shapes)) != CVP_OK
        || (st = read_count(cx, n, path, "instances", SIZE_MAX, &instances)) != CVP_OK
        || (st = read_seconds(cx, n, path, &m->seconds)) != CVP_OK
        || (st = read_text(cx, n, path, "evidence", true, &m->evidence)) != CVP_OK
        || (st = read_text(cx, n, path, "reason", true, &m->reason)) != CVP_OK
        || (st = member(cx, n, path, "counterexample", &x)) != CVP_OK)
        return st;
    m->shapes = (size_t)shapes;
    m->instances = (size_t)instances;
    if (x->type != CVP_JSON_NODE_NULL) {
        char where[256];
        place(where, sizeof where, "%s.counterexample", path);
        return read_counterexample(cx, x, where, m);
    }
    return CVP_OK;
}

static cvp_status read_claim(const context *cx, const cvp_json_node *n,
                             const char *path, cvp_report *r)
{
    cvp_status st = want_type(cx, n, path, CVP_JSON_NODE_OBJECT);
    char *title = NULL, *kind = NULL, *file = NULL, *statement = NULL;
    int line = 0;
    if (st == CVP_OK
        && (st = read_text(cx, n, path, "title", false, &title)) == CVP_OK
        && (st = read_text(cx, n, path, "kind", false, &kind)) == CVP_OK
        && strcmp(kind, "claim") != 0 && strcmp(kind, "refute") != 0) {
        char where[256];
        place(where, sizeof where, "%s.kind", path);
        st = refuse(cx, cvp_json_node_member(n, "kind"), where,
                    "\"%.100s\" is neither \"claim\" nor \"refute\"", kind);
    }
    if (st == CVP_OK
        && (st = read_text(cx, n, path, "file", true, &file)) == CVP_OK
        && (st = read_line(cx, n, path, "line", &line)) == CVP_OK
        && (st = read_text(cx, n, path, "statement", true, &statement)) == CVP_OK) {
        cvp_claim_result *c = cvp_report_add_claim(r, title, strcmp(kind, "refute") == 0,
                                                   file, line, statement);
        const cvp_json_node *methods;
        char where[256];
        place(where, sizeof where, "%s.methods", path);
        /* "error" is there only for a claim with an input error */
        if (cvp_json_node_member(n, "error") != NULL)
            st = read_text(cx, n, path, "error", false, &c->error);
        if (st == CVP_OK
            && (st = read_outcome(cx, n, path, true, &c->outcome)) == CVP_OK
            && (st = read_seconds(cx, n, path, &c->seconds)) == CVP_OK
            && (st = member(cx, n, path, "methods", &methods)) == CVP_OK
            && (st = want_type(cx, methods, where, CVP_JSON_NODE_ARRAY)) == CVP_OK)
            for (size_t k = 0; st == CVP_OK && k < methods->count; k++) {
                char at[256];
                place(at, sizeof at, "%s[%zu]", where, k);
                st = read_method(cx, &methods->items[k], at, c);
            }
    }
    free(title);
    free(kind);
    free(file);
    free(statement);
    return st;
}

/* The shard member: null, or {index, count, claims} with 1 <= index <=
 * count and count <= claims (a shard of nothing is not made). */
static cvp_status read_shard(const context *cx, const cvp_json_node *root,
                             cvp_report *r)
{
    const cvp_json_node *n = cvp_json_node_member(root, "shard");
    if (n == NULL || n->type == CVP_JSON_NODE_NULL)
        return CVP_OK;   /* a report of a whole run (or one before shards) */
    cvp_status st = want_type(cx, n, "shard", CVP_JSON_NODE_OBJECT);
    unsigned long long index, count, total;
    if (st != CVP_OK
        || (st = read_count(cx, n, "shard", "index", SIZE_MAX, &index)) != CVP_OK
        || (st = read_count(cx, n, "shard", "count", SIZE_MAX, &count)) != CVP_OK
        || (st = read_count(cx, n, "shard", "claims", SIZE_MAX, &total)) != CVP_OK)
        return st;
    if (index < 1 || index > count)
        return refuse(cx, n, "shard", "index %llu is not between 1 and count %llu",
                      index, count);
    r->shard_index = (size_t)index;
    r->shard_count = (size_t)count;
    r->shard_total = (size_t)total;
    return CVP_OK;
}

/* The summary must count what the claims say. */
static cvp_status check_summary(const context *cx, const cvp_json_node *root,
                                const cvp_report *r)
{
    const cvp_json_node *n;
    cvp_status st = member(cx, root, "", "summary", &n);
    if (st == CVP_OK)
        st = want_type(cx, n, "summary", CVP_JSON_NODE_OBJECT);
    if (st != CVP_OK)
        return st;
    size_t counted[4];
    cvp_report_counts(r, &counted[0], &counted[2], &counted[3]);
    counted[1] = cvp_report_tested_count(r);
    static const char *const keys[4] = {"passed", "tested", "failed", "undecided"};
    for (size_t k = 0; k < 4; k++) {
        unsigned long long said;
        st = read_count(cx, n, "summary", keys[k], SIZE_MAX, &said);
        if (st != CVP_OK)
            return st;
        if (said != counted[k])
            return refuse(cx, n, "summary", "%s is %llu, but %zu claims are %s",
                          keys[k], said, counted[k], keys[k]);
    }
    return CVP_OK;
}

static cvp_status read_report(const context *cx, const cvp_json_node *root,
                              cvp_report *r)
{
    cvp_status st = want_type(cx, root, "report", CVP_JSON_NODE_OBJECT);
    unsigned long long version, seed;
    char *tool = NULL, *seed_text = NULL;
    if (st != CVP_OK
        || (st = read_count(cx, root, "", "schema_version", INT_MAX, &version)) != CVP_OK)
        return st;
    /* Version 3 only added "failure" and a null "strength", which this
     * reader does not keep, so version 2 reads the same. */
    if (version != 2 && version != 3)
        return refuse(cx, cvp_json_node_member(root, "schema_version"),
                      "schema_version", "version %llu; this convproof reads 2 "
                      "and 3", version);
    if ((st = read_text(cx, root, "", "tool_version", true, &tool)) != CVP_OK
        || (st = read_text(cx, root, "", "seed", false, &seed_text)) != CVP_OK) {
        free(tool);
        return st;
    }
    /* the seed: decimal digits, no leading zero, at most 2^64 - 1 */
    const cvp_json_node *sn = cvp_json_node_member(root, "seed");
    bool ok = seed_text[0] != '\0' && (seed_text[0] != '0' || seed_text[1] == '\0');
    seed = 0;
    for (const char *c = seed_text; ok && *c != '\0'; c++) {
        unsigned d = (unsigned)(*c - '0');
        ok = *c >= '0' && *c <= '9' && seed <= (ULLONG_MAX - d) / 10;
        seed = 10 * seed + d;
    }
    if (!ok)
        st = refuse(cx, sn, "seed", "\"%.40s\" is not a seed (a decimal "
                                    "integer below 2^64)", seed_text);
    free(seed_text);
    if (st != CVP_OK) {
        free(tool);
        return st;
    }
    cvp_report_init(r, tool, seed);
    free(tool);
    const cvp_json_node *claims;
    if ((st = read_shard(cx, root, r)) != CVP_OK
        || (st = member(cx, root, "", "claims", &claims)) != CVP_OK
        || (st = want_type(cx, claims, "claims", CVP_JSON_NODE_ARRAY)) != CVP_OK)
        return st;
    for (size_t k = 0; k < claims->count; k++) {
        char at[64];
        place(at, sizeof at, "claims[%zu]", k);
        if ((st = read_claim(cx, &claims->items[k], at, r)) != CVP_OK)
            return st;
    }
    return check_summary(cx, root, r);
}

cvp_status cvp_report_read_json(cvp_report *r, const char *text, size_t len,
                                const char *source, cvp_error *err)
{
    cvp_json_node root;
    context cx = {source, err};
    memset(r, 0, sizeof *r);
    cvp_status st = cvp_json_read(&root, text, len, source, err);
    if (st != CVP_OK)
        return st;
    st = read_report(&cx, &root, r);
    cvp_json_node_clear(&root);
    if (st != CVP_OK)
        cvp_report_clear(r);
    return st;
}
