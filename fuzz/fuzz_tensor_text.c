/* fuzz_tensor_text.c -- libFuzzer target: the tensor text format
 * (io/tensor_text.h).
 *
 * The input is parsed from a buffer of exactly `size` bytes (no
 * terminating NUL, so an over-read is an AddressSanitizer report).  A
 * tensor that parses is written back with cvp_tensor_write_text and read
 * again: the header promises that the text reads back as an equal tensor
 * (except for a zero dimension before the last one, which the grammar
 * cannot spell), so any difference is a bug of the reader or the writer.
 * A failed parse must be an input error or a limit, never anything else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/tensor_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool spellable(const cvp_tensor_t t)
{
    for (int a = 0; a + 1 < t->rank; a++)
        if (t->shape[a] == 0)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (text == NULL)
        return 0;
    if (size)
        memcpy(text, data, size);
    cvp_tensor_t t, back;
    cvp_error err;
    cvp_tensor_init(t);
    cvp_tensor_init(back);
    cvp_status st = cvp_tensor_parse_text(t, text, size, "fuzz", &err);
    if (st != CVP_OK && st != CVP_ERR_INPUT && st != CVP_ERR_LIMIT)
        abort();
    if (st == CVP_OK && spellable(t)) {
        char *out = NULL;
        size_t out_len = 0;
        FILE *f = open_memstream(&out, &out_len);
        if (f == NULL)
            abort();
        if (cvp_tensor_write_text(f, t) != 0)
            abort();
        fclose(f);
        st = cvp_tensor_parse_text(back, out, out_len, "written", &err);
        if (st != CVP_OK || !cvp_tensor_equal(t, back))
            abort();   /* the written text does not read back */
        free(out);
    }
    cvp_tensor_clear(back);
    cvp_tensor_clear(t);
    free(text);
    return 0;
}
