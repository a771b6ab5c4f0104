/* testutil_proof.c -- helpers shared by the .proof parser tests. */
#include "testutil_proof.h"

#include <string.h>

cvp_status tu_proof_parse(cvp_proof_file *file, const char *source,
                          cvp_lang_error *err)
{
    return cvp_proof_parse(file, source, strlen(source), "t.proof", err);
}

void tu_proof_parse_ok(cvp_proof_file *file, const char *source)
{
    cvp_lang_error err;
    if (tu_proof_parse(file, source, &err) != CVP_OK) {
        char text[1024];
        cvp_lang_error_format(text, sizeof text, &err);
        fail_msg("did not parse: %s\n--- source:\n%s", text, source);
    }
}

void tu_expect_ast(const cvp_ast_node *node, const char *want)
{
    char text[512];
    assert_non_null(node);
    cvp_ast_to_string(text, sizeof text, node);
    assert_string_equal(text, want);
}
