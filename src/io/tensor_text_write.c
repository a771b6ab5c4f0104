/* tensor_text_write.c -- writing tensors in the exact text form.
 *
 * The output is the grammar of tensor_text.h with canonical entries
 * ("5", "-2/3"), so cvp_tensor_parse_text reads back an equal tensor.
 * Rank >= 2 puts each innermost row on its own line, indented to line up
 * under the opening brackets, like NumPy prints arrays:
 *     [[1, 2],
 *      [3, 4]]
 */
#include "io/tensor_text.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "kernel/packed.h"

static bool write_rational(FILE *stream, mpq_srcptr q)
{
    /* mpq_out_str writes "num" or "num/den" from the canonical form. */
    return mpq_out_str(stream, 10, q) != 0;
}

/* Entry k of t in canonical form: from the packed form when t has one
 * (num / den reduced by gcd(|num|, den), which fits a word), else the
 * rational. */
static bool write_entry(FILE *stream, const cvp_tensor_t t, size_t k)
{
    if (!cvp_tensor_is_packed(t))
        return write_rational(stream, cvp_tensor_at(t, k));
    int64_t num = cvp_tensor_packed_num_const(t)[k];
    mpz_srcptr den = cvp_tensor_packed_den_const(t);
    if (num == 0 || mpz_cmp_ui(den, 1) == 0)
        return fprintf(stream, "%" PRId64, num) > 0;
    uint64_t m = num < 0 ? (uint64_t)0 - (uint64_t)num : (uint64_t)num;
    uint64_t g = mpz_gcd_ui(NULL, den, (unsigned long)m);
    mpz_t d;
    mpz_init(d);
    mpz_divexact_ui(d, den, (unsigned long)g);
    bool ok = fprintf(stream, "%s%" PRIu64, num < 0 ? "-" : "", m / g) > 0;
    if (ok && mpz_cmp_ui(d, 1) != 0)
        ok = fputc('/', stream) != EOF && mpz_out_str(stream, 10, d) != 0;
    mpz_clear(d);
    return ok;
}

/* Writes the sub-tensor at `level` starting at entry *next.  Innermost
 * rows go on one line; each deeper level is indented by one space per
 * open bracket so the columns line up. */
static bool write_level(FILE *stream, const cvp_tensor_t t, int level,
                        size_t *next)
{
    bool ok = fputc('[', stream) != EOF;
    size_t dim = t->shape[level];
    for (size_t i = 0; ok && i < dim; i++) {
        if (level == t->rank - 1) {
            if (i > 0)
                ok = fputs(", ", stream) != EOF;
            ok = ok && write_entry(stream, t, (*next)++);
        } else {
            if (i > 0) {
                ok = fputs(",\n", stream) != EOF;
                for (int k = 0; ok && k <= level; k++)
                    ok = fputc(' ', stream) != EOF;
            }
            ok = ok && write_level(stream, t, level + 1, next);
        }
    }
    return ok && fputc(']', stream) != EOF;
}

int cvp_tensor_write_text(FILE *stream, const cvp_tensor_t t)
{
    bool ok;
    if (t->rank == 0) {
        ok = write_entry(stream, t, 0);
    } else {
        size_t next = 0;
        ok = write_level(stream, t, 0, &next);
    }
    ok = ok && fputc('\n', stream) != EOF;
    /* Flush so that a full disk is reported here, not lost at fclose. */
    ok = ok && fflush(stream) == 0;
    return ok ? 0 : -1;
}

cvp_status cvp_tensor_write_text_file(const char *path, const cvp_tensor_t t,
                                      cvp_error *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return cvp_error_set(err, CVP_ERR_INPUT,
                             "%s: cannot open for writing: %s", path,
                             strerror(errno));
    errno = 0;
    int rc = cvp_tensor_write_text(f, t);
    int e = errno;
    if (fclose(f) != 0 && rc == 0) {
        e = errno;
        rc = -1;
    }
    if (rc != 0)
        return cvp_error_set(err, CVP_ERR_INPUT, "%s: write error: %s", path,
                             e ? strerror(e) : "unknown error");
    return CVP_OK;
}
