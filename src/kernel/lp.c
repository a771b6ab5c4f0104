/* lp.c -- strict homogeneous linear inequalities over Q, by Gordan's
 * alternative and the convex hull test of hull.c (see lp.h). */
#include "kernel/lp.h"

#include <stdlib.h>

#include "kernel/hull.h"

void cvp_lp_result_init(cvp_lp_result *r)
{
    r->feasible = false;
    r->n = r->m = 0;
    r->direction = NULL;
    r->multipliers = NULL;
}

static mpq_t *new_vector(size_t count)
{
    mpq_t *v = malloc((count ? count : 1) * sizeof *v);
    CVP_ASSERT(v != NULL);
    for (size_t k = 0; k < count; k++)
        mpq_init(v[k]);
    return v;
}

static void free_vector(mpq_t *v, size_t count)
{
    for (size_t k = 0; v != NULL && k < count; k++)
        mpq_clear(v[k]);
    free(v);
}

void cvp_lp_result_clear(cvp_lp_result *r)
{
    free_vector(r->direction, r->n);
    free_vector(r->multipliers, r->m);
    r->direction = r->multipliers = NULL;
    r->n = r->m = 0;
}

/* ---- the checks: plain exact arithmetic, nothing from the simplex ---- */

bool cvp_lp_check_direction(const mpq_t *rows, size_t m, size_t n,
                            const mpq_t *d)
{
    mpq_t s, p;
    mpq_init(s);
    mpq_init(p);
    bool ok = true;
    for (size_t i = 0; ok && i < m; i++) {
        mpq_set_ui(s, 0, 1);
        for (size_t j = 0; j < n; j++) {
            mpq_mul(p, rows[i * n + j], d[j]);
            mpq_add(s, s, p);
        }
        ok = mpq_sgn(s) > 0;
    }
    mpq_clear(s);
    mpq_clear(p);
    return ok;
}

bool cvp_lp_check_multipliers(const mpq_t *rows, size_t m, size_t n,
                              const mpq_t *y)
{
    mpq_t s, p;
    mpq_init(s);
    mpq_init(p);
    bool ok = m > 0;
    for (size_t i = 0; ok && i < m; i++) {
        ok = mpq_sgn(y[i]) >= 0;
        mpq_add(s, s, y[i]);
    }
    ok = ok && mpq_cmp_ui(s, 1, 1) == 0;
    for (size_t j = 0; ok && j < n; j++) {
        mpq_set_ui(s, 0, 1);
        for (size_t i = 0; i < m; i++) {
            mpq_mul(p, y[i], rows[i * n + j]);
            mpq_add(s, s, p);
        }
        ok = mpq_sgn(s) == 0;
    }
    mpq_clear(s);
    mpq_clear(p);
    return ok;
}

/* ---- the decision ----------------------------------------------------- */

/* d := d / max_j |d_j| (d is not zero: it satisfies a strict inequality). */
static void normalise(mpq_t *d, size_t n)
{
    mpq_t big, a;
    mpq_init(big);
    mpq_init(a);
    for (size_t j = 0; j < n; j++) {
        mpq_abs(a, d[j]);
        if (mpq_cmp(a, big) > 0)
            mpq_set(big, a);
    }
    if (mpq_sgn(big) != 0)
        for (size_t j = 0; j < n; j++)
            mpq_div(d[j], d[j], big);
    mpq_clear(big);
    mpq_clear(a);
}

cvp_status cvp_lp_strict_feasible(cvp_lp_result *r, const mpq_t *rows,
                                  size_t m, size_t n, cvp_error *err)
{
    cvp_lp_result_clear(r);
    cvp_lp_result_init(r);
    r->n = n;
    r->m = m;
    if (m == 0) {
        r->feasible = true;
        r->direction = new_vector(n);
        return CVP_OK;
    }
    if (n == 0) {
        /* Every row is the empty (zero) vector: 0 > 0 fails. */
        r->multipliers = new_vector(m);
        mpq_set_ui(r->multipliers[0], 1, 1);
        CVP_ASSERT(cvp_lp_check_multipliers(rows, m, n, r->multipliers));
        return CVP_OK;
    }
    /* The rows as points of Q^n, and the origin. */
    cvp_tensor_struct *points = malloc(m * sizeof *points);
    const cvp_tensor_struct **pointers = malloc(m * sizeof *pointers);
    CVP_ASSERT(points != NULL && pointers != NULL);
    cvp_tensor_t origin;
    cvp_tensor_init(origin);
    cvp_status st = cvp_tensor_resize(origin, 1, (size_t[]){n}, err);
    size_t made = 0;
    for (; st == CVP_OK && made < m; made++) {
        cvp_tensor_init(&points[made]);
        pointers[made] = &points[made];
        st = cvp_tensor_resize(&points[made], 1, (size_t[]){n}, err);
        for (size_t j = 0; st == CVP_OK && j < n; j++)
            mpq_set(cvp_tensor_at(&points[made], j), rows[made * n + j]);
    }
    cvp_hull_result h;
    cvp_hull_result_init(&h);
    if (st == CVP_OK)
        st = cvp_hull_member(&h, origin, pointers, m, err);
    if (st == CVP_OK && h.member) {
        r->feasible = false;
        r->multipliers = new_vector(m);
        for (size_t i = 0; i < m; i++)
            mpq_set(r->multipliers[i], h.weights[i]);
        CVP_ASSERT(cvp_lp_check_multipliers(rows, m, n, r->multipliers));
    } else if (st == CVP_OK) {
        /* u . a_i <= t < u . 0 = 0, so d = -u has a_i . d >= -t > 0. */
        r->feasible = true;
        r->direction = new_vector(n);
        for (size_t j = 0; j < n; j++)
            mpq_neg(r->direction[j], h.direction[j]);
        normalise(r->direction, n);
        CVP_ASSERT(cvp_lp_check_direction(rows, m, n, r->direction));
    }
    cvp_hull_result_clear(&h);
    for (size_t k = 0; k < made; k++)
        cvp_tensor_clear(&points[k]);
    cvp_tensor_clear(origin);
    free(points);
    free(pointers);
    return st;
}

/* ---- sparse systems, block by block ------------------------------------ */

bool cvp_lp_check_direction_sparse(const cvp_lp_row *rows, size_t m,
                                   const mpq_t *d)
{
    mpq_t s, p;
    mpq_init(s);
    mpq_init(p);
    bool ok = true;
    for (size_t i = 0; ok && i < m; i++) {
        mpq_set_ui(s, 0, 1);
        for (size_t k = 0; k < rows[i].len; k++) {
            mpq_mul(p, rows[i].coef[k], d[rows[i].index[k]]);
            mpq_add(s, s, p);
        }
        ok = mpq_sgn(s) > 0;
    }
    mpq_clear(s);
    mpq_clear(p);
    return ok;
}

bool cvp_lp_check_multipliers_sparse(const cvp_lp_row *rows, size_t m,
                                     size_t n, const mpq_t *y)
{
    mpq_t *sum = new_vector(n);
    mpq_t s, p;
    mpq_init(s);
    mpq_init(p);
    bool ok = m > 0;
    for (size_t i = 0; ok && i < m; i++) {
        ok = mpq_sgn(y[i]) >= 0;
        mpq_add(s, s, y[i]);
        for (size_t k = 0; ok && k < rows[i].len; k++) {
            mpq_mul(p, y[i], rows[i].coef[k]);
            mpq_add(sum[rows[i].index[k]], sum[rows[i].index[k]], p);
        }
    }
    ok = ok && mpq_cmp_ui(s, 1, 1) == 0;
    for (size_t j = 0; ok && j < n; j++)
        ok = mpq_sgn(sum[j]) == 0;
    mpq_clear(s);
    mpq_clear(p);
    free_vector(sum, n);
    return ok;
}

/* A block whose every row reads x_a > 0, x_a < 0 or x_a > x_b up to a
 * positive factor (a ReLU or a maximum applied to the inputs themselves)
 * is an order question: nodes are the block's variables and a node Z for
 * 0, each row an edge u -> v meaning d_v > d_u.  The system is feasible
 * iff that graph has no cycle: then d_v = rank(v) - rank(Z) in a
 * topological order; else the rows of a cycle, each divided by its
 * factor, sum to 0.  Fills `sub` (block-local, like
 * cvp_lp_strict_feasible) and returns true, or returns false when some
 * row is of another kind.  The caller checks the certificate. */
/* a = -b (and so neither is 0, as stored coefficients never are). */
static bool opposite(mpq_srcptr a, mpq_srcptr b)
{
    mpq_t sum;
    mpq_init(sum);
    mpq_add(sum, a, b);
    bool zero = mpq_sgn(sum) == 0;
    mpq_clear(sum);
    return zero;
}

static bool by_order(cvp_lp_result *sub, const cvp_lp_row *rows,
                     const size_t *in_rows, size_t bm, const size_t *local,
                     size_t bn)
{
    size_t *tail = malloc(bm * sizeof *tail), *head = malloc(bm * sizeof *head);
    CVP_ASSERT(tail != NULL && head != NULL);
    size_t zero = bn;
    bool ok = true;
    for (size_t t = 0; ok && t < bm; t++) {
        const cvp_lp_row *row = &rows[in_rows[t]];
        if (row->len == 1) {
            bool up = mpq_sgn(row->coef[0]) > 0;
            size_t a = local[row->index[0]];
            tail[t] = up ? zero : a;
            head[t] = up ? a : zero;
        } else if (row->len == 2 && opposite(row->coef[0], row->coef[1])) {
            bool first_up = mpq_sgn(row->coef[0]) > 0;
            size_t a = local[row->index[0]], b = local[row->index[1]];
            tail[t] = first_up ? b : a;
            head[t] = first_up ? a : b;
        } else {
            ok = false;
        }
    }
    if (!ok) {
        free(tail);
        free(head);
        return false;
    }
    /* In-edges of every node (compressed rows), in-degrees, Kahn's sort. */
    size_t nodes = bn + 1;
    size_t *start = calloc(nodes + 1, sizeof *start);
    size_t *in_edge = malloc(bm * sizeof *in_edge);
    size_t *indeg = calloc(nodes, sizeof *indeg);
    size_t *rank = malloc(nodes * sizeof *rank);
    size_t *queue = malloc(nodes * sizeof *queue);
    size_t *out_start = calloc(nodes + 1, sizeof *out_start);
    size_t *out_edge = malloc(bm * sizeof *out_edge);
    CVP_ASSERT(start && in_edge && indeg && rank && queue && out_start && out_edge);
    for (size_t t = 0; t < bm; t++) {
        start[head[t] + 1]++;
        out_start[tail[t] + 1]++;
    }
    for (size_t v = 0; v < nodes; v++) {
        start[v + 1] += start[v];
        out_start[v + 1] += out_start[v];
    }
    for (size_t t = 0; t < bm; t++)
        in_edge[start[head[t]] + indeg[head[t]]++] = t;
    for (size_t v = 0; v < nodes; v++)
        rank[v] = 0;          /* here: out-edges placed so far */
    for (size_t t = 0; t < bm; t++)
        out_edge[out_start[tail[t]] + rank[tail[t]]++] = t;
    size_t qh = 0, qt = 0;
    for (size_t v = 0; v < nodes; v++) {
        rank[v] = SIZE_MAX;
        if (indeg[v] == 0)
            queue[qt++] = v;
    }
    while (qh < qt) {
        size_t u = queue[qh];
        rank[u] = qh++;
        for (size_t k = out_start[u]; k < out_start[u + 1]; k++)
            if (--indeg[head[out_edge[k]]] == 0)
                queue[qt++] = head[out_edge[k]];
    }
    mpq_t w;
    mpq_init(w);
    if (qt == nodes) {
        sub->feasible = true;
        sub->n = bn;
        sub->m = bm;
        sub->direction = new_vector(bn);
        for (size_t v = 0; v < bn; v++) {
            mpq_set_si(sub->direction[v], (long)rank[v] - (long)rank[zero], 1);
        }
        normalise(sub->direction, bn);
    } else {
        /* Walk back along in-edges among the unsorted nodes (each has
         * one) until a node repeats: the edges from there on are a
         * cycle.  queue[] now records the edge taken out of each node. */
        size_t *step = queue, *seen = indeg;
        for (size_t v = 0; v < nodes; v++)
            seen[v] = SIZE_MAX;
        size_t v = 0;
        while (rank[v] != SIZE_MAX)
            v++;
        size_t count = 0;
        while (seen[v] == SIZE_MAX) {
            seen[v] = count++;
            size_t e = SIZE_MAX;
            for (size_t k = start[v]; k < start[v + 1] && e == SIZE_MAX; k++)
                if (rank[tail[in_edge[k]]] == SIZE_MAX)
                    e = in_edge[k];
            CVP_ASSERT(e != SIZE_MAX);
            step[v] = e;
            v = tail[e];
        }
        sub->feasible = false;
        sub->n = bn;
        sub->m = bm;
        sub->multipliers = new_vector(bm);
        mpq_t total;
        mpq_init(total);
        size_t u = v;
        do {
            size_t e = step[u];
            const cvp_lp_row *row = &rows[in_rows[e]];
            mpq_abs(w, row->coef[0]);
            mpq_inv(w, w);
            mpq_add(sub->multipliers[e], sub->multipliers[e], w);
            mpq_add(total, total, w);
            u = tail[e];
        } while (u != v);
        for (size_t t = 0; t < bm; t++)
            mpq_div(sub->multipliers[t], sub->multipliers[t], total);
        mpq_clear(total);
    }
    mpq_clear(w);
    free(tail);
    free(head);
    free(start);
    free(in_edge);
    free(indeg);
    free(rank);
    free(queue);
    free(out_start);
    free(out_edge);
    return true;
}

/* A block in general: the dense LP on its own variables. */
static cvp_status by_simplex(cvp_lp_result *sub, const cvp_lp_row *rows,
                             const size_t *in_rows, size_t bm,
                             const size_t *local, size_t bn, cvp_error *err)
{
    if ((bn + 2) > CVP_LP_MAX_BLOCK_ENTRIES / (bm + bn + 2))
        return cvp_error_set(err, CVP_ERR_LIMIT, "%zu inequalities coupled "
                             "through %zu variables: more than the %d entries "
                             "allowed to one simplex tableau", bm, bn,
                             CVP_LP_MAX_BLOCK_ENTRIES);
    mpq_t *dense = new_vector(bm * bn);
    for (size_t t = 0; t < bm; t++) {
        const cvp_lp_row *row = &rows[in_rows[t]];
        for (size_t k = 0; k < row->len; k++)
            mpq_set(dense[t * bn + local[row->index[k]]], row->coef[k]);
    }
    cvp_status st = cvp_lp_strict_feasible(sub, dense, bm, bn, err);
    free_vector(dense, bm * bn);
    return st;
}

static size_t find_root(size_t *parent, size_t v)
{
    while (parent[v] != v) {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    return v;
}

cvp_status cvp_lp_strict_feasible_sparse(cvp_lp_result *r, const cvp_lp_row *rows,
                                         size_t m, size_t n, cvp_error *err)
{
    cvp_lp_result_clear(r);
    cvp_lp_result_init(r);
    /* Blocks: union-find over the variables, a row joining its own;
     * a row without variables is a block of its own (it is infeasible). */
    size_t *parent = malloc((n ? n : 1) * sizeof *parent);
    size_t *block = malloc((m ? m : 1) * sizeof *block);   /* row -> block key */
    size_t *local = malloc((n ? n : 1) * sizeof *local);   /* var -> block position */
    size_t *in_rows = malloc((m ? m : 1) * sizeof *in_rows);
    size_t *in_vars = malloc((n ? n : 1) * sizeof *in_vars);
    bool *done = calloc(m ? m : 1, sizeof *done);
    CVP_ASSERT(parent && block && local && in_rows && in_vars && done);
    for (size_t j = 0; j < n; j++)
        parent[j] = j;
    for (size_t i = 0; i < m; i++)
        for (size_t k = 1; k < rows[i].len; k++) {
            size_t a = find_root(parent, rows[i].index[0]);
            size_t b = find_root(parent, rows[i].index[k]);
            if (a != b)
                parent[a] = b;
        }
    for (size_t i = 0; i < m; i++)
        block[i] = rows[i].len ? find_root(parent, rows[i].index[0]) : n + i;
    r->n = n;
    r->m = m;
    r->feasible = true;
    r->direction = new_vector(n);
    cvp_status st = CVP_OK;
    cvp_lp_result sub;
    cvp_lp_result_init(&sub);
    for (size_t first = 0; st == CVP_OK && r->feasible && first < m; first++) {
        if (done[first])
            continue;
        /* The block of row `first`: its rows, then its variables. */
        size_t bm = 0, bn = 0;
        for (size_t i = first; i < m; i++)
            if (block[i] == block[first]) {
                done[i] = true;
                in_rows[bm++] = i;
            }
        for (size_t t = 0; t < bm; t++) {
            const cvp_lp_row *row = &rows[in_rows[t]];
            for (size_t k = 0; k < row->len; k++)
                local[row->index[k]] = SIZE_MAX;
        }
        for (size_t t = 0; t < bm; t++) {
            const cvp_lp_row *row = &rows[in_rows[t]];
            for (size_t k = 0; k < row->len; k++)
                if (local[row->index[k]] == SIZE_MAX) {
                    local[row->index[k]] = bn;
                    in_vars[bn++] = row->index[k];
                }
        }
        cvp_lp_result_clear(&sub);
        cvp_lp_result_init(&sub);
        if (!by_order(&sub, rows, in_rows, bm, local, bn))
            st = by_simplex(&sub, rows, in_rows, bm, local, bn, err);
        if (st != CVP_OK)
            break;
        if (st == CVP_OK && sub.feasible) {
            for (size_t v = 0; v < bn; v++)
                mpq_set(r->direction[in_vars[v]], sub.direction[v]);
        } else if (st == CVP_OK) {
            r->feasible = false;
            r->multipliers = new_vector(m);
            for (size_t t = 0; t < bm; t++)
                mpq_set(r->multipliers[in_rows[t]], sub.multipliers[t]);
        }
    }
    cvp_lp_result_clear(&sub);
    if (st == CVP_OK && !r->feasible) {
        free_vector(r->direction, n);
        r->direction = NULL;
        CVP_ASSERT(cvp_lp_check_multipliers_sparse(rows, m, n, r->multipliers));
    } else if (st == CVP_OK) {
        /* Each block's direction has largest entry 1, so the whole has. */
        CVP_ASSERT(cvp_lp_check_direction_sparse(rows, m, r->direction));
    }
    free(parent);
    free(block);
    free(local);
    free(in_rows);
    free(in_vars);
    free(done);
    return st;
}
