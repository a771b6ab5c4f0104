/* fast_winograd_1d.h -- the one-dimensional transforms of F(4x4, 3x3),
 * included by fast_winograd_impl.h (residues) and fast_winograd_exact.c
 * (integers), each with its own WT (the signed type of the sums) and
 * WN(name) (the name with the representation's suffix).
 *
 * With the interpolation points 0, 1, -1, 2, -2 and infinity (Lavin and
 * Gray), one dimension of each transform is
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
 *          0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
 *   24 G = [6 0 0; -4 -4 -4; -4 4 -4; 1 2 4; 1 -2 4; 0 0 24],
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1],
 * and a 2D transform applies it to the columns, then to the rows. */

/* o := B^T d (six entries each, strides so and sd). */
static inline void WN(input_1d)(WT *o, size_t so, const WT *d, size_t sd)
{
    const WT d0 = d[0], d1 = d[sd], d2 = d[2 * sd], d3 = d[3 * sd],
             d4 = d[4 * sd], d5 = d[5 * sd];
    o[0] = 4 * d0 - 5 * d2 + d4;
    o[so] = -4 * d1 - 4 * d2 + d3 + d4;
    o[2 * so] = 4 * d1 - 4 * d2 - d3 + d4;
    o[3 * so] = -2 * d1 - d2 + 2 * d3 + d4;
    o[4 * so] = 2 * d1 - d2 - 2 * d3 + d4;
    o[5 * so] = 4 * d1 - 5 * d3 + d5;
}

/* o (six entries) := 24 G g (three entries). */
static inline void WN(kernel_1d)(WT *o, size_t so, const WT *g, size_t sg)
{
    const WT g0 = g[0], g1 = g[sg], g2 = g[2 * sg];
    o[0] = 6 * g0;
    o[so] = -4 * (g0 + g1 + g2);
    o[2 * so] = -4 * (g0 - g1 + g2);
    o[3 * so] = g0 + 2 * g1 + 4 * g2;
    o[4 * so] = g0 - 2 * g1 + 4 * g2;
    o[5 * so] = 24 * g2;
}

/* o (four entries) := A^T m (six entries). */
static inline void WN(output_1d)(WT *o, size_t so, const WT *m, size_t sm)
{
    const WT m1 = m[sm], m2 = m[2 * sm], m3 = m[3 * sm], m4 = m[4 * sm];
    o[0] = m[0] + m1 + m2 + m3 + m4;
    o[so] = m1 - m2 + 2 * (m3 - m4);
    o[2 * so] = m1 + m2 + 4 * (m3 + m4);
    o[3 * so] = m1 - m2 + 8 * (m3 - m4) + m[5 * sm];
}
