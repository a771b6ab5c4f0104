/* render_util.c -- helpers shared by the renderers (see render_util.h). */
#include "report/render_util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/status.h"
#include "report/tensor_summary.h"

size_t cvp_utf8_valid_length(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    /* The ranges of RFC 3629's UTF8-2/3/4 productions: the second byte's
     * range is narrower after E0, ED, F0 and F4, which is what rules out
     * overlong forms, surrogates and code points above U+10FFFF. */
    unsigned char lo = 0x80, hi = 0xBF;
    size_t length;
    if (u[0] < 0x80)
        return 1;
    else if (u[0] >= 0xC2 && u[0] <= 0xDF)
        length = 2;
    else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
        length = 3;
        if (u[0] == 0xE0)
            lo = 0xA0;
        else if (u[0] == 0xED)
            hi = 0x9F;
    } else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
        length = 4;
        if (u[0] == 0xF0)
            lo = 0x90;
        else if (u[0] == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (u[1] < lo || u[1] > hi)
        return 0;
    /* u[1] was a continuation byte, so not NUL: reading on is safe. */
    for (size_t k = 2; k < length; k++)
        if (u[k] < 0x80 || u[k] > 0xBF)
            return 0;
    return length;
}

void cvp_render_put_visible(FILE *out, const char *s, size_t len)
{
    size_t k = 0;
    while (k < len) {
        unsigned char ch = (unsigned char)s[k];
        size_t n = cvp_utf8_valid_length(s + k);
        if (n == 0 || k + n > len) {
            fputs(CVP_RENDER_REPLACEMENT, out);
            k++;
        } else if (n == 1 && ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F)) {
            fprintf(out, "\\x%02x", ch);
            k++;
        } else {
            fwrite(s + k, 1, n, out);
            k += n;
        }
    }
}

void cvp_render_indent(FILE *out, int indent)
{
    fprintf(out, "%*s", indent, "");
}

void cvp_render_block(FILE *out, int indent, const char *name,
                      const char *suffix, const char *text, bool below)
{
    if (text == NULL)
        return;
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        len--;
    bool has_label = name != NULL || suffix != NULL;
    bool multiline = memchr(text, '\n', len) != NULL;

    if (has_label) {
        cvp_render_indent(out, indent);
        if (name != NULL)
            cvp_render_put_visible(out, name, strlen(name));
        if (suffix != NULL)
            fputs(suffix, out);
        if (!multiline && !below) {
            if (len > 0) {
                fputc(' ', out);
                cvp_render_put_visible(out, text, len);
            }
            fputc('\n', out);
            return;
        }
        fputc('\n', out);
        indent += 2;
    }
    size_t start = 0;
    while (start < len) {
        const char *newline = memchr(text + start, '\n', len - start);
        size_t end = newline != NULL ? (size_t)(newline - text) : len;
        if (end > start) {
            cvp_render_indent(out, indent);
            cvp_render_put_visible(out, text + start, end - start);
        }
        fputc('\n', out);
        start = end + 1;
    }
}

void cvp_render_counterexample_body(FILE *out, int indent,
                                    const cvp_counterexample *c,
                                    const cvp_render_options *o)
{
    cvp_shown_values shown;
    cvp_shown_init(&shown, c, o != NULL && o->full);
    for (size_t k = 0; k < c->input_count; k++)
        cvp_render_block(out, indent,
                         c->input_names[k] != NULL ? c->input_names[k] : "input",
                         " =", shown.inputs[k], false);
    cvp_render_left_out(out, indent, c, &shown);
    cvp_render_block(out, indent, NULL, "left side =", shown.lhs, false);
    cvp_render_block(out, indent, NULL, "right side =", shown.rhs, false);
    cvp_render_block(out, indent, NULL, "differing entries:", c->differences,
                     true);
    cvp_render_block(out, indent, NULL, "implementation failure:", c->failure,
                     true);
    cvp_render_block(out, indent, NULL, "first differing term:",
                     c->first_term, false);
    cvp_shown_clear(&shown);
}

void cvp_render_left_out(FILE *out, int indent, const cvp_counterexample *c,
                         const cvp_shown_values *shown)
{
    size_t n = 0;
    for (size_t k = 0; k < c->input_count; k++)
        if (shown->inputs[k] == NULL && c->input_values[k] != NULL)
            n++;
    if (n == 0)
        return;
    cvp_render_indent(out, indent);
    size_t listed = 0;
    for (size_t k = 0; k < c->input_count; k++) {
        if (shown->inputs[k] != NULL || c->input_values[k] == NULL)
            continue;
        fprintf(out, "%s%s", listed == 0 ? "" : listed + 1 == n ? " and " : ", ",
                c->input_names[k] != NULL ? c->input_names[k] : "input");
        listed++;
    }
    fprintf(out, ": not in the failing show, left out (--full or the JSON "
            "report shows %s)\n", n == 1 ? "it" : "them");
}

char *cvp_render_left_out_text(const cvp_counterexample *c,
                               const cvp_shown_values *shown)
{
    char *text = NULL;
    size_t len = 0;
    FILE *stream = open_memstream(&text, &len);
    CVP_ASSERT(stream != NULL);
    cvp_render_left_out(stream, 0, c, shown);
    CVP_ASSERT(fclose(stream) == 0);
    if (len == 0) {
        free(text);
        return NULL;
    }
    return text;
}

static bool same_text(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

bool cvp_counterexample_same(const cvp_counterexample *a,
                             const cvp_counterexample *b)
{
    if (a->input_count != b->input_count || a->show_line != b->show_line
        || !same_text(a->shape, b->shape) || !same_text(a->lhs, b->lhs)
        || !same_text(a->rhs, b->rhs) || !same_text(a->differences, b->differences)
        || !same_text(a->failure, b->failure))
        return false;
    for (size_t k = 0; k < a->input_count; k++)
        if (!same_text(a->input_names[k], b->input_names[k])
            || !same_text(a->input_values[k], b->input_values[k]))
            return false;
    return true;
}

/* Adds the entries of a tensor text to *entries and those that are not
 * 0 to *nonzero: an entry is a run of characters between brackets,
 * commas and white space. */
static void count_entries(const char *text, size_t *entries, size_t *nonzero)
{
    if (text == NULL)
        return;
    for (const char *p = text; *p != '\0';) {
        size_t len = strcspn(p, "[], \t\n");
        if (len == 0) {
            p++;
            continue;
        }
        ++*entries;
        *nonzero += !(len == 1 && p[0] == '0');
        p += len;
    }
}

/* Whether counterexample a is smaller than b: fewer nonzero input
 * entries, then fewer input entries (a smaller shape). */
static bool smaller(const cvp_counterexample *a, const cvp_counterexample *b)
{
    size_t ea = 0, na = 0, eb = 0, nb = 0;
    for (size_t k = 0; k < a->input_count; k++)
        count_entries(a->input_values[k], &ea, &na);
    for (size_t k = 0; k < b->input_count; k++)
        count_entries(b->input_values[k], &eb, &nb);
    return na != nb ? na < nb : ea < eb;
}

/* Whether a record holds an instance a reader can replay: inputs, sides
 * or an implementation's failure (a symbolic record may hold only its
 * first differing term, when no instance in Q was found). */
static bool concrete(const cvp_counterexample *x)
{
    return x->input_count > 0 || x->lhs != NULL || x->rhs != NULL
           || x->failure != NULL;
}

size_t cvp_render_main_counterexample(const cvp_claim_result *c)
{
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < c->method_count; k++) {
        const cvp_counterexample *x = c->methods[k].counterexample;
        if (x != NULL && concrete(x)
            && (best == SIZE_MAX || smaller(x, c->methods[best].counterexample)))
            best = k;
    }
    return best;
}

const char *cvp_render_counterexample_note(char *buf, size_t size,
                                           const cvp_claim_result *c, size_t k,
                                           const cvp_render_options *o)
{
    const cvp_counterexample *x = c->methods[k].counterexample;
    size_t main = cvp_render_main_counterexample(c);
    if (x == NULL || main == k || main == SIZE_MAX || !concrete(x))
        return NULL;
    /* The same instance found again (by exact confirming symbolic, say)
     * is shown once: main is the first method among equals to have it. */
    if (cvp_counterexample_same(x, c->methods[main].counterexample)) {
        snprintf(buf, size, "same counterexample as %s",
                 cvp_method_name(c->methods[main].method));
        return buf;
    }
    if (o != NULL && o->full) {
        for (size_t j = 0; j < k; j++) {
            const cvp_counterexample *y = c->methods[j].counterexample;
            if (y != NULL && cvp_counterexample_same(x, y)) {
                snprintf(buf, size, "same counterexample as %s",
                         cvp_method_name(c->methods[j].method));
                return buf;
            }
        }
        return NULL;
    }
    /* the possessive of all_shapes and regions is a bare apostrophe */
    const char *name = cvp_method_name(c->methods[main].method);
    size_t len = strlen(name);
    snprintf(buf, size, "a different counterexample, no smaller than %s%s "
             "(--full or the JSON report shows it)", name,
             len > 0 && name[len - 1] == 's' ? "'" : "'s");
    return buf;
}

const char cvp_render_tested_note[] =
    "tested, not proved: the claim held on every instance tried, but only "
    "sampling supports it (exact, or a test-impl sweep)";

const char *cvp_render_claim_label(const cvp_claim_result *c)
{
    if (c->error != NULL)
        return "ERROR";   /* not judged: an input error (its reason) */
    switch (c->outcome) {
    case CVP_OUTCOME_PASSED:
        return c->is_refute ? "PASS (refuted as expected)" : "PASS";
    case CVP_OUTCOME_TESTED:
        return "TESTED";
    case CVP_OUTCOME_FAILED:
        return "FAIL";
    case CVP_OUTCOME_UNDECIDED:
    case CVP_OUTCOME_NOT_APPLICABLE:
        return "UNDECIDED";
    }
    CVP_ASSERT(!"cvp_outcome out of range");
    return NULL;
}

bool cvp_render_claim_shown(const cvp_claim_result *c,
                            const cvp_render_options *o)
{
    /* Undecided claims count as not verified, so quiet keeps them; a
     * TESTED claim was not proved, so it stays too. */
    return o == NULL || !o->quiet || c->outcome != CVP_OUTCOME_PASSED;
}

bool cvp_render_statement_holds(const cvp_claim_result *c,
                                const cvp_method_result *m)
{
    return m->outcome ==
           (c->is_refute ? CVP_OUTCOME_FAILED : CVP_OUTCOME_PASSED);
}

void cvp_render_format_seconds(char *buf, size_t size, double seconds,
                               int decimals)
{
    CVP_ASSERT(decimals >= 0 && decimals <= 9);
    if (!isfinite(seconds) || seconds < 0)
        seconds = 0;
    if (seconds > 1e9)
        seconds = 1e9;
    long long scale = 1;
    for (int k = 0; k < decimals; k++)
        scale *= 10;
    /* At most 10^9 * 10^9 units: fits in a long long.  Rounded by hand
     * (seconds >= 0) rather than with llround, which would need libm. */
    long long units = (long long)(seconds * (double)scale + 0.5);
    if (decimals == 0)
        snprintf(buf, size, "%lld", units);
    else
        snprintf(buf, size, "%lld.%0*lld", units / scale, decimals,
                 units % scale);
}

void cvp_render_format_counts(char *buf, size_t size, size_t shapes,
                              size_t instances)
{
    snprintf(buf, size, "%zu shape%s, %zu instance%s", shapes,
             shapes == 1 ? "" : "s", instances, instances == 1 ? "" : "s");
}

void cvp_render_format_summary(char *buf, size_t size, const cvp_report *r)
{
    size_t passed, failed, undecided;
    cvp_report_counts(r, &passed, &failed, &undecided);
    size_t tested = cvp_report_tested_count(r);
    /* "tested" only when some claim is, so a run that proved everything
     * reads as before */
    char tested_part[48] = "";
    if (tested > 0)
        snprintf(tested_part, sizeof tested_part, ", %zu tested", tested);
    int used = snprintf(buf, size, "%zu passed%s, %zu failed", passed,
                        tested_part, failed);
    if (undecided > 0 && used >= 0 && (size_t)used < size)
        used += snprintf(buf + used, size - (size_t)used, ", %zu undecided",
                         undecided);
    /* claims with an input error are among the undecided ones */
    size_t errors = cvp_report_error_count(r);
    if (errors > 0 && used >= 0 && (size_t)used < size)
        snprintf(buf + used, size - (size_t)used, " (%zu with an input error)",
                 errors);
}

int cvp_render_finish(FILE *out)
{
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
