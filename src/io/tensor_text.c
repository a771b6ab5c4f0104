/* tensor_text.c -- reading the exact text form of tensors (writing is in
 * tensor_text_write.c).
 *
 * The grammar and the error format are specified in tensor_text.h; one
 * entry is read by tensor_text_entry.c.  The parser is iterative with an
 * explicit stack bounded by CVP_MAX_RANK, so a hostile input of a million
 * '[' is rejected at the ninth one instead of overflowing the C stack.  Entries are collected in a growable array and
 * moved into the tensor only once the shape is known, so `out` is left
 * untouched when parsing fails.
 *
 * Rectangularity: the first list to close at nesting depth d fixes the
 * length of every list at depth d; the first entry (or the first empty
 * list) fixes the rank.  Both are checked as the text is read, so an error
 * points at the first place where the text stops being a tensor.
 */
#include "io/read_file.h"
#include "io/tensor_text_internal.h"
#include "kernel/packed.h"

#include <stdlib.h>
#include <string.h>

/* The growing list of entries read so far: int64 integers while every
 * entry is a small integer (no GMP object at all), rationals from the
 * first entry that is not. */
typedef struct {
    int64_t *ints;           /* while !rational */
    mpq_t *items;            /* once rational */
    size_t count, capacity;  /* capacity items are mpq_init'ed */
    size_t int_capacity;
    bool rational;
} entry_list;

static void entry_list_clear(entry_list *l)
{
    for (size_t k = 0; k < l->capacity; k++)
        mpq_clear(l->items[k]);
    free(l->items);
    free(l->ints);
}

/* Appends an integer (the list is not yet rational); false when out of
 * memory. */
static bool entry_list_push_int(entry_list *l, int64_t v)
{
    if (l->count == l->int_capacity) {
        size_t cap = l->int_capacity ? 2 * l->int_capacity : 16;
        if (cap > SIZE_MAX / sizeof(int64_t))
            return false;
        int64_t *grown = realloc(l->ints, cap * sizeof(int64_t));
        if (grown == NULL)
            return false;
        l->ints = grown;
        l->int_capacity = cap;
    }
    l->ints[l->count++] = v;
    return true;
}

/* Returns the next free slot, or NULL when out of memory; the list
 * becomes rational (the integers so far are converted). */
static mpq_ptr entry_list_push(entry_list *l)
{
    if (!l->rational) {
        size_t n = l->count;
        l->count = 0;
        l->rational = true;
        for (size_t k = 0; k < n; k++) {
            mpq_ptr q = entry_list_push(l);
            if (q == NULL)
                return NULL;
            mpq_set_si(q, (long)l->ints[k], 1);
        }
        free(l->ints);
        l->ints = NULL;
        l->int_capacity = 0;
    }
    if (l->count == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 16;
        if (cap > SIZE_MAX / sizeof(mpq_t))
            return NULL;
        mpq_t *grown = realloc(l->items, cap * sizeof(mpq_t));
        if (grown == NULL)
            return NULL;
        l->items = grown;
        for (size_t k = l->capacity; k < cap; k++)
            mpq_init(l->items[k]);
        l->capacity = cap;
    }
    return l->items[l->count++];
}

static const char *plural(size_t n) { return n == 1 ? "entry" : "entries"; }

typedef struct {
    int depth;                        /* lists currently open */
    int rank;                         /* -1 until known */
    size_t count[CVP_MAX_RANK + 1];   /* children so far of open list d */
    text_pos opened[CVP_MAX_RANK + 1];
    size_t shape[CVP_MAX_RANK];       /* length of lists at depth d+1 */
    bool known[CVP_MAX_RANK];
} nesting;

/* Records one more child of the innermost open list (if any). */
static cvp_status add_child(parser *p, nesting *n, text_pos at)
{
    int d = n->depth;
    if (d == 0)
        return CVP_OK;
    n->count[d]++;
    if (n->known[d - 1] && n->count[d] > n->shape[d - 1])
        return fail_at(p, at, CVP_ERR_INPUT,
                       "ragged nesting: expected %zu %s in this list (like "
                       "the first list at this depth), found more",
                       n->shape[d - 1], plural(n->shape[d - 1]));
    return CVP_OK;
}

static cvp_status close_list(parser *p, nesting *n)
{
    int d = n->depth;
    size_t c = n->count[d];
    if (n->rank < 0)
        n->rank = d;  /* only an empty list can close before any entry */
    if (n->known[d - 1]) {
        if (c != n->shape[d - 1])
            return fail_at(p, here(p), CVP_ERR_INPUT,
                           "ragged nesting: expected %zu %s in this list "
                           "(like the first list at this depth), found %zu",
                           n->shape[d - 1], plural(n->shape[d - 1]), c);
    } else {
        n->known[d - 1] = true;
        n->shape[d - 1] = c;
    }
    advance(p);
    n->depth--;
    return CVP_OK;
}

static cvp_status parse(parser *p, cvp_tensor_t out)
{
    nesting n;
    memset(&n, 0, sizeof n);
    n.rank = -1;
    entry_list entries;
    memset(&entries, 0, sizeof entries);
    cvp_status st = CVP_OK;
    bool want_value = true;  /* else: after a value inside a list */
    char buf[32];

    for (;;) {
        skip_space(p);
        int c = peek(p);
        text_pos at = here(p);
        if (c == EOF) {
            if (n.depth == 0 && want_value) {
                st = fail_at(p, at, CVP_ERR_INPUT,
                             "empty input: expected a tensor");
            } else {
                st = fail_at(p, at, CVP_ERR_INPUT,
                             "unexpected end of input: the list opened at "
                             "%lu:%lu is not closed",
                             n.opened[n.depth].line, n.opened[n.depth].col);
            }
            goto done;
        }
        if (!want_value) {
            if (c == ',') {
                advance(p);
                want_value = true;
                continue;
            }
            if (c != ']') {
                st = fail_at(p, at, CVP_ERR_INPUT,
                             "expected ',' or ']', found %s",
                             describe(p, buf, sizeof buf));
                goto done;
            }
        }
        if (c == ']') {
            /* Closes a list: right after its '[' (empty), after a value,
             * or after a trailing ','. */
            if (n.depth == 0) {
                st = fail_at(p, at, CVP_ERR_INPUT, "unexpected ']'");
                goto done;
            }
            if ((st = close_list(p, &n)) != CVP_OK)
                goto done;
        } else if (c == '[') {
            if (n.depth == CVP_MAX_RANK) {
                st = fail_at(p, at, CVP_ERR_INPUT, "nesting deeper than %d "
                             "levels (the maximum rank)", CVP_MAX_RANK);
                goto done;
            }
            if (n.rank >= 0 && n.depth >= n.rank) {
                st = fail_at(p, at, CVP_ERR_INPUT, "mixed nesting: expected "
                             "an entry (the tensor has rank %d), found '['",
                             n.rank);
                goto done;
            }
            if ((st = add_child(p, &n, at)) != CVP_OK)
                goto done;
            advance(p);
            n.depth++;
            n.count[n.depth] = 0;
            n.opened[n.depth] = at;
            want_value = true;
            continue;
        } else if (c == ',') {
            st = fail_at(p, at, CVP_ERR_INPUT, "expected a value, found ','");
            goto done;
        } else if (is_digit(c) || c == '-' || c == '+' || c == '.') {
            if (n.rank < 0)
                n.rank = n.depth;
            if (n.depth < n.rank) {
                st = fail_at(p, at, CVP_ERR_INPUT, "mixed nesting: expected "
                             "'[' (the tensor has rank %d), found an entry",
                             n.rank);
                goto done;
            }
            if ((st = add_child(p, &n, at)) != CVP_OK)
                goto done;
            if (entries.count >= cvp_tensor_max_entries()) {
                st = fail_at(p, at, CVP_ERR_LIMIT, "more than %zu entries "
                             "(the limit; see --max-entries)",
                             cvp_tensor_max_entries());
                goto done;
            }
            int64_t small;
            if (!entries.rational && cvp_text_parse_small_int(p, &small)) {
                if (!entry_list_push_int(&entries, small)) {
                    st = fail_at(p, at, CVP_ERR_LIMIT, "out of memory");
                    goto done;
                }
            } else {
                mpq_ptr slot = entry_list_push(&entries);
                if (slot == NULL) {
                    st = fail_at(p, at, CVP_ERR_LIMIT, "out of memory");
                    goto done;
                }
                if ((st = cvp_text_parse_entry(p, slot)) != CVP_OK)
                    goto done;
            }
        } else {
            st = fail_at(p, at, CVP_ERR_INPUT, "unexpected %s",
                         describe(p, buf, sizeof buf));
            goto done;
        }
        /* A value (entry or list) is complete. */
        if (n.depth == 0)
            break;
        want_value = false;
    }

    skip_space(p);
    if (peek(p) != EOF) {
        st = fail_at(p, here(p), CVP_ERR_INPUT, "unexpected %s after the "
                     "tensor", describe(p, buf, sizeof buf));
        goto done;
    }

    cvp_tensor_t result;
    cvp_tensor_init(result);
    st = entries.rational ? cvp_tensor_resize(result, n.rank, n.shape, p->err)
                          : cvp_tensor_pack_start(result, n.rank, n.shape, p->err);
    if (st != CVP_OK) {
        cvp_error_prefix(p->err, "%s", p->name);
        cvp_tensor_clear(result);
        goto done;
    }
    /* Rectangularity was checked list by list, so the counts agree. */
    CVP_ASSERT(result->size == entries.count);
    if (entries.rational) {
        for (size_t k = 0; k < entries.count; k++)
            mpq_swap(cvp_tensor_at(result, k), entries.items[k]);
        /* Rationals that fit the packed form take it (kernel/packed.h). */
        cvp_tensor_pack(result);
    } else {
        if (entries.count > 0)
            memcpy(cvp_tensor_packed_num(result), entries.ints,
                   entries.count * sizeof *entries.ints);
        cvp_tensor_pack_finish(result);
    }
    cvp_tensor_swap(out, result);
    cvp_tensor_clear(result);

done:
    entry_list_clear(&entries);
    return st;
}

cvp_status cvp_tensor_parse_text(cvp_tensor_t out, const char *text,
                                 size_t len, const char *source_name,
                                 cvp_error *err)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.text = text;
    p.len = len;
    p.line = 1;
    p.col = 1;
    p.name = source_name != NULL ? source_name : "<text>";
    p.err = err;
    p.exponent_budget = CVP_TEXT_EXPONENT_BUDGET;
    cvp_status st = parse(&p, out);
    free(p.digits);
    return st;
}

cvp_status cvp_tensor_read_text_file(cvp_tensor_t out, const char *path,
                                     cvp_error *err)
{
    unsigned char *text = NULL;
    size_t len = 0;
    cvp_status st = cvp_io_read_file(path, &text, &len, err);
    if (st != CVP_OK)
        return st;
    st = cvp_tensor_parse_text(out, (const char *)text, len, path, err);
    free(text);
    return st;
}
