/* fuzz_npy.c -- libFuzzer target: the .npy reader (io/npy.h).
 *
 * The input is a whole .npy image, read with cvp_npy_parse from a buffer
 * of exactly `size` bytes.  The header is hostile: its dictionary, shape,
 * dtype and lengths all come from the input, and nothing may be allocated
 * or read on the strength of an unchecked number.  A tensor that is read
 * must be well formed: its size is the product of its shape, and every
 * entry is a canonical rational (the kernel relies on that).  A failure
 * must be an input error or a limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tensor(const cvp_tensor_t t)
{
    if (t->rank < 0 || t->rank > CVP_MAX_RANK)
        abort();
    size_t n = 1;
    for (int a = 0; a < t->rank; a++)
        n *= t->shape[a];
    if (n != t->size)
        abort();
    mpz_t g;
    mpz_init(g);
    for (size_t k = 0; k < t->size; k++) {
        mpq_srcptr q = cvp_tensor_at_const(t, k);
        mpz_gcd(g, mpq_numref(q), mpq_denref(q));
        if (mpz_sgn(mpq_denref(q)) <= 0 || mpz_cmp_ui(g, 1) != 0)
            abort();   /* not canonical */
    }
    mpz_clear(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    if (size)
        memcpy(copy, data, size);
    cvp_tensor_t t;
    cvp_error err;
    cvp_tensor_init(t);
    cvp_status st = cvp_npy_parse(t, copy, size, "fuzz.npy", &err);
    if (st == CVP_OK)
        check_tensor(t);
    else if (st != CVP_ERR_INPUT && st != CVP_ERR_LIMIT)
        abort();
    cvp_tensor_clear(t);
    free(copy);
    return 0;
}
