/* render_svg.c -- escaping and inline SVG for the HTML report (see
 * render_svg.h).
 *
 * Sizes are computed from the text lengths with a monospace font assumed
 * (about 0.62 em per character), so no script is needed to lay a grid out
 * and the file draws the same with networking disabled.  Numbers are
 * written with integer arithmetic only: no locale can turn "12.5" into
 * "12,5" inside an SVG attribute. */
#include "report/render_svg.h"

#include <string.h>

#include "report/render_util.h"

void cvp_html_put_len(FILE *out, const char *text, size_t len)
{
    size_t k = 0;
    while (k < len) {
        unsigned char ch = (unsigned char)text[k];
        size_t n = cvp_utf8_valid_length(text + k);
        if (n == 0 || k + n > len) {
            fputs(CVP_RENDER_REPLACEMENT, out);
            k++;
            continue;
        }
        switch (ch) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            /* XML 1.0 has no form for most control characters at all, so
             * they are shown as text (\x1b), as the text report does. */
            if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F)
                fprintf(out, "\\x%02x", ch);
            else
                fwrite(text + k, 1, n, out);
        }
        k += n;
    }
}

void cvp_html_put(FILE *out, const char *text)
{
    if (text != NULL)
        cvp_html_put_len(out, text, strlen(text));
}

/* Characters a reader sees (UTF-8 sequences count once). */
static size_t visible_length(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static size_t longest_cell(const cvp_figure_grid *g)
{
    size_t longest = 1;
    for (size_t k = 0; k < g->rows * g->cols; k++) {
        size_t n = visible_length(g->cells[k]);
        if (n > longest)
            longest = n;
    }
    return longest;
}

int cvp_svg_grid_is_symbolic(const cvp_figure_grid *g)
{
    return g->rows <= CVP_SVG_SYMBOLIC_MAX_ROWS
           && g->cols <= CVP_SVG_SYMBOLIC_MAX_COLS
           && longest_cell(g) <= CVP_SVG_SYMBOLIC_MAX_TEXT;
}

static void svg_open(FILE *out, size_t width, size_t height, const char *kind,
                     const cvp_figure_grid *g)
{
    fprintf(out, "<svg width=\"%zu\" "
                 "height=\"%zu\" viewBox=\"0 0 %zu %zu\" role=\"img\" "
                 "aria-label=\"", width, height, width, height);
    if (g != NULL) {
        cvp_html_put(out, g->label);
        fprintf(out, ", %zu by %zu, %s", g->rows, g->cols, kind);
    } else {
        fputs(kind, out);
    }
    fputs("\">", out);
}

static void symbolic_grid(FILE *out, const cvp_figure_grid *g)
{
    /* Cell width: 8 px per character of a 13 px monospace font, and a
     * little air; rows 22 px.  A 1 px margin keeps the outer lines. */
    size_t cw = 8 * longest_cell(g) + 14, ch = 22;
    size_t width = cw * g->cols + 2, height = ch * g->rows + 2;
    svg_open(out, width, height, "entries", g);
    fprintf(out, "<rect x=\"1\" y=\"1\" width=\"%zu\" height=\"%zu\" "
                 "class=\"gframe\"/>", width - 2, height - 2);
    for (size_t i = 0; i < g->rows; i++)
        for (size_t j = 0; j < g->cols; j++) {
            size_t k = i * g->cols + j;
            unsigned mark = g->marks[k];
            const char *cls = mark & CVP_CELL_DIFFERS ? "cdiff"
                            : mark & CVP_CELL_PADDING ? "cpad"
                            : mark & CVP_CELL_ZERO    ? "czero"
                                                      : "cval";
            fprintf(out, "<rect x=\"%zu\" y=\"%zu\" width=\"%zu\" height=\"%zu\" "
                         "class=\"%s\"/>", 1 + j * cw, 1 + i * ch, cw, ch, cls);
            fprintf(out, "<text x=\"%zu\" y=\"%zu\" class=\"t%s\">",
                    1 + j * cw + cw / 2, 1 + i * ch + 15, cls);
            cvp_html_put(out, g->cells[k]);
            fputs("</text>", out);
        }
    fputs("</svg>", out);
}

static void sparsity_grid(FILE *out, const cvp_figure_grid *g)
{
    /* Squares of 2..8 px, so a picture stays within about 640 px. */
    size_t longer = g->rows > g->cols ? g->rows : g->cols;
    size_t cell = longer == 0 ? 8 : 640 / longer;
    if (cell > 8)
        cell = 8;
    if (cell < 2)
        cell = 2;
    size_t width = cell * g->cols + 2, height = cell * g->rows + 2;
    svg_open(out, width, height, "nonzero pattern", g);
    fprintf(out, "<rect x=\"1\" y=\"1\" width=\"%zu\" height=\"%zu\" "
                 "class=\"sframe\"/>", width - 2, height - 2);
    for (size_t i = 0; i < g->rows; i++)
        for (size_t j = 0; j < g->cols; j++) {
            unsigned mark = g->marks[i * g->cols + j];
            if ((mark & CVP_CELL_ZERO) && !(mark & CVP_CELL_DIFFERS))
                continue;
            fprintf(out, "<rect x=\"%zu\" y=\"%zu\" width=\"%zu\" height=\"%zu\" "
                         "class=\"%s\"/>", 1 + j * cell, 1 + i * cell, cell, cell,
                    mark & CVP_CELL_DIFFERS ? "sdiff" : "snz");
        }
    fputs("</svg>", out);
}

void cvp_svg_grid(FILE *out, const cvp_figure_grid *g)
{
    if (cvp_svg_grid_is_symbolic(g))
        symbolic_grid(out, g);
    else
        sparsity_grid(out, g);
}

/* Writes a count with thousands separators (5,898,240,000) when it is a
 * plain decimal integer, else as it is. */
static void put_grouped(FILE *out, const char *value)
{
    const char *digits = value[0] == '-' ? value + 1 : value;
    size_t n = strlen(digits);
    if (n == 0 || strspn(digits, "0123456789") != n) {
        cvp_html_put(out, value);
        return;
    }
    if (digits != value)
        fputc('-', out);
    for (size_t k = 0; k < n; k++) {
        if (k > 0 && (n - k) % 3 == 0)
            fputc(',', out);
        fputc(digits[k], out);
    }
}

/* Characters put_grouped writes. */
static size_t grouped_length(const char *value)
{
    size_t n = visible_length(value);
    size_t digits = value[0] == '-' ? n - 1 : n;
    return strspn(value + (value[0] == '-'), "0123456789") == digits && digits > 0
               ? n + (digits - 1) / 3
               : n;
}

void cvp_svg_bars(FILE *out, const cvp_figure *f)
{
    double largest = 0;
    size_t longest_value = 1;
    for (size_t b = 0; b < f->bar_count; b++) {
        if (f->bars[b].magnitude > largest)
            largest = f->bars[b].magnitude;
        size_t n = grouped_length(f->bars[b].value);
        if (n > longest_value)
            longest_value = n;
    }
    /* Each bar: its label on one line, the bar and its number under it. */
    size_t track = 420, row = 46, width = track + 8 * longest_value + 24;
    size_t height = row * f->bar_count + 4;
    svg_open(out, width, height, "bar chart of exact counts", NULL);
    for (size_t b = 0; b < f->bar_count; b++) {
        const cvp_figure_bar *bar = &f->bars[b];
        double share = largest > 0 && bar->magnitude > 0 ? bar->magnitude / largest : 0;
        size_t length = (size_t)(share * (double)track + 0.5);
        if (length < 2)
            length = 2;
        size_t y = b * row;
        fprintf(out, "<text x=\"2\" y=\"%zu\" class=\"blabel\">", y + 14);
        cvp_html_put(out, bar->label);
        fprintf(out, "</text><rect x=\"2\" y=\"%zu\" width=\"%zu\" height=\"18\" "
                     "class=\"bar\"/>", y + 20, length);
        fprintf(out, "<text x=\"%zu\" y=\"%zu\" class=\"bvalue\">", length + 10, y + 34);
        put_grouped(out, bar->value);
        fputs("</text>", out);
    }
    fputs("</svg>", out);
}
