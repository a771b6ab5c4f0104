/* testutil_proof.h -- helpers shared by the .proof parser tests
 * (test_proof_parser, test_proof_errors).
 *
 * Include as the first header (it includes testutil.h and with it
 * cmocka). */
#ifndef CVP_TESTUTIL_PROOF_H
#define CVP_TESTUTIL_PROOF_H

#include "testutil.h"

#include "lang/ast.h"
#include "lang/proof.h"

/* Parses `source` (source name "t.proof") into file; returns the status. */
cvp_status tu_proof_parse(cvp_proof_file *file, const char *source,
                          cvp_lang_error *err);

/* Parses `source`, which must parse (the test fails with the formatted
 * error and the source).  `file` is initialised (and may hold an earlier
 * parse, which this replaces). */
void tu_proof_parse_ok(cvp_proof_file *file, const char *source);

/* Fails unless node is there and prints as `want` (cvp_ast_to_string). */
void tu_expect_ast(const cvp_ast_node *node, const char *want);

#endif
