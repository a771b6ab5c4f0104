/* symbolic.c -- textbook-named indeterminates (see symbolic.h). */
#include "eval/symbolic.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void cvp_symbolic_entry_name(char *buf, size_t bufsize, const char *name,
                             int rank, const size_t *shape, size_t flat)
{
    CVP_ASSERT(bufsize > 0);
    size_t index[CVP_MAX_RANK];
    bool wide = false;
    for (int a = rank; a-- > 0;) {
        index[a] = shape[a] ? flat % shape[a] : 0;
        flat = shape[a] ? flat / shape[a] : 0;
        wide |= shape[a] > 9;
    }
    int used;
    /* One capital letter is the textbook's matrix name; its entries are
     * written in lower case. */
    if (name[0] != '\0' && name[1] == '\0' && isupper((unsigned char)name[0]))
        used = snprintf(buf, bufsize, "%c", tolower((unsigned char)name[0]));
    else
        used = snprintf(buf, bufsize, "%s", name);
    for (int a = 0; a < rank && used >= 0 && (size_t)used < bufsize; a++)
        used += snprintf(buf + used, bufsize - (size_t)used, "%s%zu",
                         wide && a > 0 ? "," : "", index[a] + 1);
}

cvp_status cvp_symbolic_bind(cvp_env *env, cvp_ring *R, const char *name,
                             int rank, const size_t *shape, cvp_error *err)
{
    if (cvp_env_lookup(env, name) != NULL)
        return cvp_error_set(err, CVP_ERR_INPUT, "'%s' is given twice", name);
    cvp_tensor_t t;
    cvp_tensor_init_ring(t, R);
    cvp_status st = cvp_tensor_resize(t, rank, shape, err);
    for (size_t k = 0; st == CVP_OK && k < t->size; k++) {
        char entry[128];
        cvp_symbolic_entry_name(entry, sizeof entry, name, rank, shape, k);
        cvp_poly_set_var(R, cvp_tensor_elem(t, k), cvp_ring_poly_add_var(R, entry));
    }
    if (st == CVP_OK)
        st = cvp_env_bind(env, name, t, err);
    cvp_tensor_clear(t);
    return st;
}

void cvp_symbolic_format_entry(char *buf, size_t bufsize,
                               const cvp_tensor_struct *t, size_t flat)
{
    CVP_ASSERT(bufsize >= 4 && flat < t->size);
    buf[0] = '\0';
    t->ring->format(t->ring, buf, bufsize, cvp_tensor_elem(t, flat));
    buf[bufsize - 1] = '\0';
    /* The ring formats truncate silently; a full buffer may have been
     * cut, so say so rather than show a wrong-looking polynomial. */
    if (strlen(buf) == bufsize - 1)
        memcpy(buf + bufsize - 4, "...", 4);
}
