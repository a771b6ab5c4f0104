/* matrix_print.c -- printing a matrix of entry texts (see matrix_print.h). */
#include "report/matrix_print.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/status.h"
#include "report/render_svg.h"
#include "report/render_util.h"

/* Characters a reader sees (UTF-8 continuation bytes do not count). */
static size_t visible_length(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void write_text(FILE *out, const cvp_figure_grid *m)
{
    size_t *width = calloc(m->cols ? m->cols : 1, sizeof *width);
    CVP_ASSERT(width != NULL);
    for (size_t j = 0; j < m->cols; j++)
        for (size_t i = 0; i < m->rows; i++) {
            size_t n = visible_length(m->cells[i * m->cols + j]);
            if (n > width[j])
                width[j] = n;
        }
    for (size_t i = 0; i < m->rows; i++) {
        fputc('[', out);
        for (size_t j = 0; j < m->cols; j++) {
            const char *cell = m->cells[i * m->cols + j];
            size_t pad = width[j] - visible_length(cell);
            /* Centred, the odd space on the right: "w11" over " 0 ". */
            cvp_render_indent(out, (int)(2 + pad / 2));
            cvp_render_put_visible(out, cell, strlen(cell));
            cvp_render_indent(out, (int)(pad - pad / 2));
        }
        fputs("  ]\n", out);
    }
    free(width);
}

static void put_markdown_cell(FILE *out, const char *cell)
{
    for (const char *p = cell; *p != '\0'; p++) {
        size_t run = strcspn(p, "|\\*_`<>");
        cvp_render_put_visible(out, p, run);
        p += run;
        if (*p == '\0')
            break;
        fputc('\\', out);
        fputc(*p, out);
    }
}

static void write_markdown(FILE *out, const cvp_figure_grid *m)
{
    fputs("|   |", out);
    for (size_t j = 0; j < m->cols; j++)
        fprintf(out, " %zu |", j + 1);
    fputs("\n| ---: |", out);
    for (size_t j = 0; j < m->cols; j++)
        fputs(" :---: |", out);
    fputc('\n', out);
    for (size_t i = 0; i < m->rows; i++) {
        fprintf(out, "| **%zu** |", i + 1);
        for (size_t j = 0; j < m->cols; j++) {
            fputc(' ', out);
            put_markdown_cell(out, m->cells[i * m->cols + j]);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
}

static void write_html(FILE *out, const cvp_figure_grid *m)
{
    fputs("<table class=\"matrix\">\n", out);
    for (size_t i = 0; i < m->rows; i++) {
        fputs("<tr>", out);
        for (size_t j = 0; j < m->cols; j++) {
            fputs("<td>", out);
            cvp_html_put(out, m->cells[i * m->cols + j]);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* Writes one entry for LaTeX: a name followed by digits (and commas)
 * becomes name_{digits}; '*' between factors becomes a thin space; TeX's
 * special characters are escaped. */
static void put_tex_cell(FILE *out, const char *cell)
{
    const char *p = cell;
    while (*p != '\0') {
        if (isalpha((unsigned char)*p)) {
            const char *name = p;
            while (isalpha((unsigned char)*p) || *p == '_')
                p++;
            const char *index = p;
            while (isdigit((unsigned char)*p) || (*p == ',' && isdigit((unsigned char)p[1])))
                p++;
            for (const char *q = name; q < index; q++)
                fputs(*q == '_' ? "\\_" : (char[2]){*q, '\0'}, out);
            if (p > index)
                fprintf(out, "_{%.*s}", (int)(p - index), index);
        } else if (*p == '*') {
            fputs("\\,", out);
            p++;
        } else if (strchr("#$%&{}~^\\", *p) != NULL) {
            fprintf(out, "\\char%d{}", (unsigned char)*p);
            p++;
        } else {
            size_t n = cvp_utf8_valid_length(p);
            if (n == 0) {
                fputs(CVP_RENDER_REPLACEMENT, out);
                n = 1;
            } else if (n == 1 && ((unsigned char)*p < 0x20 || *p == 0x7F)) {
                fputc(' ', out);
            } else {
                fwrite(p, 1, n, out);
            }
            p += n;
        }
    }
}

static void write_tex(FILE *out, const cvp_figure_grid *m)
{
    fputs("\\begin{bmatrix}\n", out);
    for (size_t i = 0; i < m->rows; i++) {
        for (size_t j = 0; j < m->cols; j++) {
            if (j > 0)
                fputs(" & ", out);
            put_tex_cell(out, m->cells[i * m->cols + j]);
        }
        fputs(i + 1 < m->rows ? " \\\\\n" : "\n", out);
    }
    fputs("\\end{bmatrix}\n", out);
}

int cvp_matrix_write(FILE *out, const cvp_figure_grid *m,
                     cvp_matrix_format format)
{
    switch (format) {
    case CVP_MATRIX_TEXT: write_text(out, m); break;
    case CVP_MATRIX_MARKDOWN: write_markdown(out, m); break;
    case CVP_MATRIX_HTML: write_html(out, m); break;
    case CVP_MATRIX_TEX: write_tex(out, m); break;
    }
    return cvp_render_finish(out);
}
