/* render_json.c -- the JSON rendering of a report (schema_version 3:
 * version 2 wrote every method's "strength", also of a method that found
 * a counterexample, and had no "failure" in a counterexample; version 1
 * had no "tested" outcome, and its "passed" included claims that only
 * sampling supported).
 *
 * The schema is docs/report-schema.json, the fields are explained in
 * docs/report-format.md.  Stability rules kept here: keys are written in a
 * fixed order, every key is always present (null when the record has no
 * value), and any change to a key's meaning or type bumps schema_version.
 *
 * Strings: '"' and '\' are escaped, newline, tab, carriage return,
 * backspace and form feed use their two-character escapes, every other
 * control character (and DEL) is \u00XX, valid UTF-8 passes through
 * unchanged, and each byte that is not valid UTF-8 becomes \ufffd, so the
 * output is always valid UTF-8 JSON.
 *
 * Numbers: counts are integers; seconds have exactly six decimals and are
 * never NaN or infinite (see cvp_render_format_seconds); the seed is a
 * decimal string, because 64-bit seeds above 2^53 would be silently
 * rounded by readers that parse every number as a double (jq,
 * JavaScript), and a rounded seed reproduces a different run.
 *
 * "shard" is null but in a report of `check --shard K/N`, where it says
 * which shard of how many, and how many claims the whole run has
 * (report/report_read.h reads it back for merge-reports).
 */
#include "report/render.h"

#include <string.h>

#include "report/render_util.h"

static void json_string(FILE *out, const char *text)
{
    if (text == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p != '\0';) {
        unsigned char ch = (unsigned char)*p;
        size_t n = cvp_utf8_valid_length(p);
        if (n == 0) {
            fputs("\\ufffd", out);
            p++;
            continue;
        }
        switch (ch) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\b':
            fputs("\\b", out);
            break;
        case '\f':
            fputs("\\f", out);
            break;
        default:
            if (ch < 0x20 || ch == 0x7F)
                fprintf(out, "\\u%04x", ch);
            else
                fwrite(p, 1, n, out);
        }
        p += n;
    }
    fputc('"', out);
}

/* `"key": ` at the given indentation. */
static void json_key(FILE *out, int indent, const char *key)
{
    cvp_render_indent(out, indent);
    fprintf(out, "\"%s\": ", key);
}

static void json_string_member(FILE *out, int indent, const char *key,
                               const char *value, bool last)
{
    json_key(out, indent, key);
    json_string(out, value);
    fputs(last ? "\n" : ",\n", out);
}

static void json_seconds_member(FILE *out, int indent, double seconds,
                                bool last)
{
    char text[32];
    cvp_render_format_seconds(text, sizeof text, seconds, 6);
    json_key(out, indent, "seconds");
    fprintf(out, "%s%s\n", text, last ? "" : ",");
}

/* A line number, or null when unknown (<= 0). */
static void json_line_member(FILE *out, int indent, const char *key, int line)
{
    json_key(out, indent, key);
    if (line > 0)
        fprintf(out, "%d,\n", line);
    else
        fputs("null,\n", out);
}

static void write_counterexample(FILE *out, int indent,
                                 const cvp_counterexample *x)
{
    fputs("{\n", out);
    json_string_member(out, indent + 2, "shape", x->shape, false);
    json_key(out, indent + 2, "inputs");
    if (x->input_count == 0)
        fputs("[],\n", out);
    else {
        fputs("[\n", out);
        for (size_t k = 0; k < x->input_count; k++) {
            cvp_render_indent(out, indent + 4);
            /* An input always has a name; "" stands in for a missing one,
             * as in the schema's type. */
            fputs("{\"name\": ", out);
            json_string(out, x->input_names[k] != NULL ? x->input_names[k] : "");
            fputs(", \"value\": ", out);
            json_string(out, x->input_values[k] != NULL ? x->input_values[k] : "");
            /* only when true, so earlier readers see the same members */
            if (x->input_unused != NULL && x->input_unused[k])
                fputs(", \"unused\": true", out);
            fputs(k + 1 < x->input_count ? "},\n" : "}\n", out);
        }
        cvp_render_indent(out, indent + 2);
        fputs("],\n", out);
    }
    json_line_member(out, indent + 2, "show_line", x->show_line);
    json_string_member(out, indent + 2, "lhs", x->lhs, false);
    json_string_member(out, indent + 2, "rhs", x->rhs, false);
    json_string_member(out, indent + 2, "differences", x->differences, false);
    json_string_member(out, indent + 2, "failure", x->failure, false);
    json_string_member(out, indent + 2, "first_term", x->first_term, true);
    cvp_render_indent(out, indent);
    fputc('}', out);
}

static void write_method(FILE *out, int indent, const cvp_claim_result *c,
                         const cvp_method_result *m, bool last)
{
    cvp_render_indent(out, indent);
    fputs("{\n", out);
    int in = indent + 2;
    json_string_member(out, in, "method", cvp_method_name(m->method), false);
    json_string_member(out, in, "outcome", cvp_outcome_name(m->outcome), false);
    /* What the statement holding by this method means; null when this
     * method's outcome does not say it holds (a counterexample, say). */
    json_string_member(out, in, "strength",
                       cvp_render_statement_holds(c, m)
                           ? cvp_method_strength(m->method) : NULL,
                       false);
    json_key(out, in, "shapes");
    fprintf(out, "%zu,\n", m->shapes);
    json_key(out, in, "instances");
    fprintf(out, "%zu,\n", m->instances);
    json_seconds_member(out, in, m->seconds, false);
    json_string_member(out, in, "evidence", m->evidence, false);
    json_string_member(out, in, "reason", m->reason, false);
    json_key(out, in, "counterexample");
    if (m->counterexample != NULL)
        write_counterexample(out, in, m->counterexample);
    else
        fputs("null", out);
    fputc('\n', out);
    cvp_render_indent(out, indent);
    fputs(last ? "}\n" : "},\n", out);
}

static void write_claim(FILE *out, int indent, const cvp_claim_result *c,
                        bool last)
{
    cvp_render_indent(out, indent);
    fputs("{\n", out);
    int in = indent + 2;
    json_string_member(out, in, "title", c->title != NULL ? c->title : "",
                       false);
    json_string_member(out, in, "kind", c->is_refute ? "refute" : "claim",
                       false);
    json_string_member(out, in, "file", c->file, false);
    json_line_member(out, in, "line", c->line);
    json_string_member(out, in, "statement", c->statement, false);
    /* only when there is one, so reports of runs without errors read as
     * before */
    if (c->error != NULL)
        json_string_member(out, in, "error", c->error, false);
    json_string_member(out, in, "outcome", cvp_outcome_name(c->outcome),
                       false);
    json_seconds_member(out, in, c->seconds, false);
    json_key(out, in, "methods");
    if (c->method_count == 0)
        fputs("[]\n", out);
    else {
        fputs("[\n", out);
        for (size_t k = 0; k < c->method_count; k++)
            write_method(out, in + 2, c, &c->methods[k], k + 1 == c->method_count);
        cvp_render_indent(out, in);
        fputs("]\n", out);
    }
    cvp_render_indent(out, indent);
    fputs(last ? "}\n" : "},\n", out);
}

int cvp_report_write_json(FILE *out, const cvp_report *r,
                          const cvp_render_options *o)
{
    size_t passed, failed, undecided;
    cvp_report_counts(r, &passed, &failed, &undecided);
    size_t tested = cvp_report_tested_count(r);
    fputs("{\n  \"schema_version\": 3,\n", out);
    json_string_member(out, 2, "tool_version", r->tool_version, false);
    fprintf(out, "  \"seed\": \"%llu\",\n", r->seed);
    if (r->shard_count == 0)
        fputs("  \"shard\": null,\n", out);
    else
        fprintf(out,
                "  \"shard\": {\"index\": %zu, \"count\": %zu, "
                "\"claims\": %zu},\n",
                r->shard_index, r->shard_count, r->shard_total);
    fprintf(out,
            "  \"summary\": {\"passed\": %zu, \"tested\": %zu, "
            "\"failed\": %zu, \"undecided\": %zu},\n",
            passed, tested, failed, undecided);
    json_key(out, 2, "claims");
    if (r->claim_count == 0)
        fputs("[]\n", out);
    else {
        fputs("[\n", out);
        for (size_t k = 0; k < r->claim_count; k++)
            write_claim(out, 4, &r->claims[k], k + 1 == r->claim_count);
        fputs("  ]\n", out);
    }
    fputs("}\n", out);
    return cvp_render_finish(out);
}
