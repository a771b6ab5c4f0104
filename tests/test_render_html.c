/* test_render_html.c -- the pictures and the HTML, JUnit and matrix
 * renderings: figure records (check/verdict.h), figures computed from a
 * claim (report/figures.h), textbook names (eval/symbolic.h),
 * report/render_html.c, render_junit.c, render_svg.c, matrix_print.c.
 *
 * Expected values are written out by hand: the explicit matrix of a 2x2
 * kernel on a 3x3 input is the textbook's 4 x 9 matrix whose first row is
 * w11 w12 0 w21 w22 0 0 0 0 (y11 = w11 x11 + w12 x12 + w21 x21 + w22
 * x22, vec row-major), rot180 reverses both axes, and the escapes are
 * those of HTML/XML.  Run under valgrind (make check-valgrind) to see that
 * the figure records free everything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "report/figures.h"
#include "eval/symbolic.h"
#include "check/verdict.h"
#include "lang/proof.h"
#include "report/matrix_print.h"
#include "report/render.h"
#include "report/render_svg.h"

/* ---- helpers ---------------------------------------------------------- */

typedef int (*writer)(FILE *, const cvp_report *, const cvp_render_options *);

/* Renders r with `write` into a new malloc'd string. */
static char *render(writer write, const cvp_report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(write(out, r, NULL), 0);
    fclose(out);
    return text;
}

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p != NULL;
         p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- escaping and names ---------------------------------------------- */

static void test_html_escaping(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    /* Markup, a terminal escape, and a byte that is not UTF-8. */
    cvp_html_put(out, "<a href=\"x\">&'\x1b[31m\xff");
    fclose(out);
    assert_string_equal(text, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\x1b[31m\xEF\xBF\xBD");
    free(text);
}

static void test_textbook_names(void **state)
{
    (void)state;
    char name[64];
    size_t shape2[] = {2, 3};
    cvp_symbolic_entry_name(name, sizeof name, "W", 2, shape2, 0);
    assert_string_equal(name, "w11");
    cvp_symbolic_entry_name(name, sizeof name, "W", 2, shape2, 5);   /* [1,2] */
    assert_string_equal(name, "w23");
    /* A dimension above 9 separates the indices. */
    size_t shape_wide[] = {2, 12};
    cvp_symbolic_entry_name(name, sizeof name, "X", 2, shape_wide, 23);   /* [1,11] */
    assert_string_equal(name, "x2,12");
    /* A longer name is kept as it is. */
    size_t shape1[] = {3};
    cvp_symbolic_entry_name(name, sizeof name, "K1", 1, shape1, 2);
    assert_string_equal(name, "K13");
}

/* ---- matrix printing ---------------------------------------------------- */

static void fill(cvp_figure_grid *g, const char *const *cells)
{
    for (size_t k = 0; k < g->rows * g->cols; k++)
        cvp_set_text(&g->cells[k], cells[k]);
}

static char *print_matrix(const cvp_figure_grid *g, cvp_matrix_format format)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(cvp_matrix_write(out, g, format), 0);
    fclose(out);
    return text;
}

static void test_matrix_print(void **state)
{
    (void)state;
    cvp_report r;
    cvp_report_init(&r, NULL, 0);
    cvp_claim_result *c = cvp_report_add_claim(&r, "m", false, NULL, 0, NULL);
    cvp_figure *f = cvp_claim_add_figure(c, CVP_FIGURE_GRIDS, NULL);
    cvp_figure_grid *g = cvp_figure_add_grid(f, NULL, 2, 3);
    static const char *const cells[] = {"w11", "0", "2*w12", "-1/2", "x1,10", "a|b"};
    fill(g, cells);

    /* Column widths 4, 5, 5, each after two spaces; an entry is centred
     * with the odd space on its right: "w11" in 4 is "w11 ", "0" in 5 is
     * "  0  ", "a|b" in 5 is " a|b ". */
    char *text = print_matrix(g, CVP_MATRIX_TEXT);
    assert_string_equal(text,
                        "[  w11     0    2*w12  ]\n"
                        "[  -1/2  x1,10   a|b   ]\n");
    free(text);
    text = print_matrix(g, CVP_MATRIX_TEX);
    assert_string_equal(text,
                        "\\begin{bmatrix}\n"
                        "w_{11} & 0 & 2\\,w_{12} \\\\\n"
                        "-1/2 & x_{1,10} & a|b\n"
                        "\\end{bmatrix}\n");
    free(text);
    text = print_matrix(g, CVP_MATRIX_MARKDOWN);
    assert_non_null(strstr(text, "| **2** | -1/2 | x1,10 | a\\|b |\n"));
    free(text);
    text = print_matrix(g, CVP_MATRIX_HTML);
    assert_non_null(strstr(text, "<tr><td>-1/2</td><td>x1,10</td><td>a|b</td></tr>"));
    free(text);
    cvp_report_clear(&r);
}

/* ---- HTML and JUnit of a hand-made report ------------------------------ */

static void build_report(cvp_report *r)
{
    cvp_report_init(r, "1.0", 7);
    cvp_claim_result *c = cvp_report_add_claim(r, "a <b> & \"c\"", false,
                                               "p/q.proof", 3, "show A == B");
    cvp_method_result *m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_FAILED;
    cvp_counterexample *x = cvp_method_add_counterexample(m);
    cvp_set_text(&x->shape, "M=1");
    cvp_counterexample_add_input(x, "A", "[1, 2]\n");
    cvp_set_text(&x->lhs, "[1, 2]\n");
    cvp_set_text(&x->rhs, "[1, 3]\n");
    m = cvp_claim_add_method(c, CVP_METHOD_SYMBOLIC);
    m->outcome = CVP_OUTCOME_NOT_APPLICABLE;
    cvp_set_text(&m->reason, "relu < polynomials");
    cvp_claim_decide(c);
    cvp_figure *f = cvp_claim_add_figure(c, CVP_FIGURE_GRIDS, "cx");
    cvp_figure_grid *g = cvp_figure_add_grid(f, "left side", 1, 2);
    static const char *const cells[] = {"1", "2"};
    fill(g, cells);
    g->marks[1] = CVP_CELL_DIFFERS;
    /* A 30 x 30 identity is too wide for its entries: its nonzero
     * pattern is drawn, one dark square per 1. */
    f = cvp_claim_add_figure(c, CVP_FIGURE_GRIDS, "large");
    g = cvp_figure_add_grid(f, "identity", 30, 30);
    for (size_t k = 0; k < 900; k++) {
        bool diagonal = k / 30 == k % 30;
        cvp_set_text(&g->cells[k], diagonal ? "1" : "0");
        g->marks[k] = diagonal ? 0 : CVP_CELL_ZERO;
    }
    f = cvp_claim_add_figure(c, CVP_FIGURE_BARS, "costs");
    cvp_figure_add_bar(f, "mults(E)", "5898240000", 5898240000.0);

    c = cvp_report_add_claim(r, "second", true, "p/q.proof", 9, NULL);
    m = cvp_claim_add_method(c, CVP_METHOD_EXACT);
    m->outcome = CVP_OUTCOME_PASSED;
    cvp_claim_decide(c);
}

static void test_html(void **state)
{
    (void)state;
    cvp_report r;
    build_report(&r);
    char *html = render(cvp_report_write_html, &r);
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "a &lt;b&gt; &amp; &quot;c&quot;"));
    assert_null(strstr(html, "<b>"));
    assert_null(strstr(html, "<script"));
    assert_non_null(strstr(html, "<p id=\"summary\"><strong>1 passed, 1 failed</strong>"));
    assert_non_null(strstr(html, ">PASS (refuted as expected)</span>"));
    assert_non_null(strstr(html, ">exact: failed</span>"));
    assert_non_null(strstr(html, ">symbolic: not_applicable</span>"));
    assert_non_null(strstr(html, "relu &lt; polynomials"));
    /* One differing cell marked, one plain; the bar's exact number. */
    assert_int_equal(count(html, "class=\"cdiff\""), 1);
    assert_int_equal(count(html, "class=\"cval\""), 1);
    assert_non_null(strstr(html, ">5,898,240,000</text>"));
    assert_int_equal(count(html, "class=\"snz\""), 30);
    assert_non_null(strstr(html, "(30&#215;30, nonzero pattern)"));
    free(html);
    cvp_report_clear(&r);
}

static void test_junit(void **state)
{
    (void)state;
    cvp_report r;
    build_report(&r);
    char *xml = render(cvp_report_write_junit, &r);
    assert_non_null(strstr(xml, "<testsuites name=\"convproof\" tests=\"3\" "
                                "failures=\"1\" errors=\"0\" skipped=\"1\""));
    assert_int_equal(count(xml, "<testsuite "), 1);
    assert_int_equal(count(xml, "<testcase "), 3);
    assert_non_null(strstr(xml, "classname=\"p.q\" name=\"a &lt;b&gt; &amp; "
                                "&quot;c&quot; [exact]\""));
    assert_non_null(strstr(xml, "<failure message=\"counterexample found\" "
                                "type=\"counterexample\">show A == B\n"
                                "counterexample at shape M=1:\nA = [1, 2]\n"
                                "left side = [1, 2]\nright side = [1, 3]\n"
                                "</failure>"));
    assert_non_null(strstr(xml, "<skipped message=\"not applicable: relu &lt; "
                                "polynomials\"/>"));
    assert_non_null(strstr(xml, "name=\"second (refute) [exact]\""));
    free(xml);
    cvp_report_clear(&r);
}

/* ---- figures computed from a claim --------------------------------------- */

static const char exercise_5_7[] =
    "claim \"5-7\" {\n"
    "  dim M, N in 1..4\n"
    "  dim U, V in 1..3\n"
    "  where U <= M, V <= N\n"
    "  tensor X[M, N]\n"
    "  tensor W[U, V]\n"
    "  tensor D[M - U + 1, N - V + 1]\n"
    "  show transpose(jacobian(xcorr(W, X), X)) == jacobian(wide(rot180(W), D), D)\n"
    "  by symbolic\n"
    "}\n";

static void test_figures_of_exercise_5_7(void **state)
{
    (void)state;
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    assert_int_equal(cvp_proof_parse(&file, exercise_5_7, strlen(exercise_5_7),
                                     "t.proof", NULL), CVP_OK);
    cvp_report r;
    cvp_report_init(&r, NULL, 1);
    cvp_check_options options;
    cvp_check_options_default(&options);
    assert_int_equal(cvp_check_claim(&r, &file, 0, &options, NULL), CVP_OK);
    cvp_figures_add(&r.claims[0], &file, 0);
    const cvp_claim_result *c = &r.claims[0];

    /* The matrices, at M = N = 3, U = V = 2: C, its transpose, and the
     * backward pass's matrix, in that order. */
    assert_true(c->figure_count >= 2);
    const cvp_figure *f = &c->figures[0];
    assert_int_equal(f->kind, CVP_FIGURE_GRIDS);
    assert_non_null(strstr(f->caption, "M=3, N=3, U=2, V=2"));
    assert_int_equal(f->grid_count, 3);
    const cvp_figure_grid *C = &f->grids[0];
    assert_string_equal(C->label, "jacobian(xcorr(W, X), X)");
    assert_int_equal(C->rows, 4);
    assert_int_equal(C->cols, 9);
    static const char *const row0[] = {"w11", "w12", "0", "w21", "w22", "0", "0", "0", "0"};
    static const char *const row3[] = {"0", "0", "0", "0", "w11", "w12", "0", "w21", "w22"};
    for (size_t j = 0; j < 9; j++) {
        assert_string_equal(C->cells[j], row0[j]);
        assert_string_equal(C->cells[3 * 9 + j], row3[j]);
        assert_int_equal(C->marks[j] & CVP_CELL_ZERO, strcmp(row0[j], "0") == 0);
    }
    const cvp_figure_grid *T = &f->grids[1], *B = &f->grids[2];
    assert_string_equal(T->label, "left: transpose(jacobian(xcorr(W, X), X))");
    assert_string_equal(B->label, "jacobian(wide(rot180(W), D), D)");
    assert_int_equal(B->rows, 9);
    assert_int_equal(B->cols, 4);
    /* Exercise 5-7 in the picture: the backward matrix is C transposed. */
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 9; j++) {
            assert_string_equal(B->cells[j * 4 + i], C->cells[i * 9 + j]);
            assert_string_equal(T->cells[j * 4 + i], C->cells[i * 9 + j]);
        }

    /* W beside rot180(W): both axes reversed. */
    f = &c->figures[1];
    assert_int_equal(f->grid_count, 2);
    assert_string_equal(f->grids[0].label, "W");
    assert_string_equal(f->grids[1].label, "rot180(W)");
    static const char *const w[] = {"w11", "w12", "w21", "w22"};
    static const char *const rot[] = {"w22", "w21", "w12", "w11"};
    for (size_t k = 0; k < 4; k++) {
        assert_string_equal(f->grids[0].cells[k], w[k]);
        assert_string_equal(f->grids[1].cells[k], rot[k]);
    }
    cvp_report_clear(&r);
    cvp_proof_file_clear(&file);
}

static const char padded_and_false[] =
    "claim \"pad\" {\n"
    "  tensor X[2, 2]\n"
    "  show sum(pad(X, 1)) == sum(X) + 1\n"
    "  by exact\n"
    "}\n";

static void test_figures_padding_and_counterexample(void **state)
{
    (void)state;
    cvp_proof_file file;
    cvp_proof_file_init(&file);
    assert_int_equal(cvp_proof_parse(&file, padded_and_false, strlen(padded_and_false),
                                     "t.proof", NULL), CVP_OK);
    cvp_report r;
    cvp_report_init(&r, NULL, 1);
    cvp_check_options options;
    cvp_check_options_default(&options);
    assert_int_equal(cvp_check_claim(&r, &file, 0, &options, NULL), CVP_OK);
    assert_int_equal(r.claims[0].outcome, CVP_OUTCOME_FAILED);
    cvp_figures_add(&r.claims[0], &file, 0);
    const cvp_claim_result *c = &r.claims[0];
    assert_int_equal(c->figure_count, 2);

    /* pad(X, 1) of a 2x2 input: a 4x4 ring of 12 padding zeros. */
    const cvp_figure_grid *p = &c->figures[0].grids[1];
    assert_int_equal(p->rows, 4);
    assert_int_equal(p->cols, 4);
    size_t padding = 0;
    for (size_t k = 0; k < 16; k++)
        padding += (p->marks[k] & CVP_CELL_PADDING) != 0;
    assert_int_equal(padding, 12);
    assert_string_equal(p->cells[5], "x11");
    assert_string_equal(p->cells[10], "x22");

    /* The counterexample: sum(pad(X, 1)) = sum(X) never equals sum(X) + 1,
     * so the shrunk instance is X = 0, the sides 0 and 1, which differ. */
    const cvp_figure *f = &c->figures[1];
    assert_non_null(strstr(f->caption, "Counterexample (exact)"));
    assert_int_equal(f->grid_count, 3);
    assert_string_equal(f->grids[1].label, "left side");
    assert_string_equal(f->grids[1].cells[0], "0");
    assert_string_equal(f->grids[2].cells[0], "1");
    assert_true(f->grids[1].marks[0] & CVP_CELL_DIFFERS);
    assert_true(f->grids[2].marks[0] & CVP_CELL_DIFFERS);
    cvp_report_clear(&r);
    cvp_proof_file_clear(&file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escaping),
        cmocka_unit_test(test_textbook_names),
        cmocka_unit_test(test_matrix_print),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_figures_of_exercise_5_7),
        cmocka_unit_test(test_figures_padding_and_counterexample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
