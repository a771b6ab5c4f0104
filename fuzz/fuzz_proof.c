/* fuzz_proof.c -- libFuzzer target: the .proof language.
 *
 * The input is a whole .proof file.  It is parsed with cvp_proof_parse,
 * which also runs the statement and shape checks (names, ranges, shape
 * expressions, methods).  A file that parses is then walked the way the
 * checker walks it before evaluating anything: every tensor shape and
 * every `where` constraint is evaluated at the lower and at the upper end
 * of the dim ranges (shape expressions may overflow or divide by zero
 * there; cvp_shape_eval must say so instead of trapping), and every shape
 * expression is printed.  Nothing is evaluated on tensors: the parser's
 * job is to turn hostile text into either an error or a tree the rest of
 * the program can trust.
 *
 * The text is copied into a buffer of exactly `size` bytes, without a
 * terminating NUL, so a read past the end is an AddressSanitizer report.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/proof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk_claim(const cvp_proof_claim *claim)
{
    long values[CVP_PROOF_MAX_NAMES];
    if (claim->dim_count > CVP_PROOF_MAX_NAMES)
        abort();   /* the parser promised this limit */
    for (int end = 0; end < 2; end++) {
        for (size_t k = 0; k < claim->dim_count; k++) {
            const cvp_proof_dim *d = &claim->dims[k];
            if (d->lo < 0 || (!d->unbounded && d->hi < d->lo))
                abort();   /* ranges are checked by the parser */
            values[k] = (end == 0 || d->unbounded) ? d->lo : d->hi;
        }
        for (size_t k = 0; k < claim->constraint_count; k++) {
            bool holds;
            (void)cvp_proof_constraint_eval(&holds, &claim->constraints[k],
                                            values);
        }
        for (size_t k = 0; k < claim->tensor_count; k++) {
            const cvp_proof_tensor *t = &claim->tensors[k];
            if (t->rank < 0 || t->rank > CVP_MAX_RANK)
                abort();
            for (int a = 0; a < t->rank; a++) {
                long v;
                (void)cvp_shape_eval(&v, t->shape[a], values);
            }
        }
    }
    char buf[256];
    for (size_t k = 0; k < claim->tensor_count; k++)
        for (int a = 0; a < claim->tensors[k].rank; a++)
            cvp_shape_to_string(buf, sizeof buf, claim->tensors[k].shape[a],
                                claim->dims);
    for (size_t k = 0; k < claim->constraint_count; k++) {
        cvp_shape_to_string(buf, sizeof buf, claim->constraints[k].lhs,
                            claim->dims);
        cvp_shape_to_string(buf, sizeof buf, claim->constraints[k].rhs,
                            claim->dims);
    }
    for (size_t k = 0; k < claim->method_count; k++) {
        long v;
        (void)cvp_proof_method_option(&claim->methods[k], "trials", &v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    if (text == NULL)
        return 0;
    if (size)
        memcpy(text, data, size);
    cvp_proof_file file;
    cvp_lang_error err;
    cvp_proof_file_init(&file);
    cvp_status st = cvp_proof_parse(&file, text, size, "fuzz.proof", &err);
    if (st == CVP_OK) {
        for (size_t k = 0; k < file.claim_count; k++)
            walk_claim(&file.claims[k]);
    } else if (file.claim_count != 0) {
        abort();   /* documented: a failed parse leaves the file empty */
    }
    cvp_proof_file_clear(&file);
    free(text);
    return 0;
}
