/* proof_implementation.c -- `implementation` declarations and the calls
 * that use them.
 *
 *   implementation := 'implementation' NAME '=' 'command' STRING
 *                     'layout' NAME [ 'timeout' INT ] ( NEWLINE | EOF )
 *
 * The layout is nchw (PyTorch: NCHW activations, OIHW kernels, bias [O])
 * or nhwc (the course code: NHWC, HWIO kernels, bias [1, 1, 1, O]); the
 * timeout is in seconds, 1..3600.  Names are unique among a file's
 * implementations; a claim calls NAME.operation(...) with an operation of
 * cvp_proof_impl_operations, after the declaration.
 */
#include "lang/proof_internal.h"

#include <stdio.h>
#include <string.h>

#include "lang/suggest.h"

const char *const cvp_proof_impl_operations[] = {
    "conv2d",
    "conv2d_backward_input",
    "conv2d_backward_weight",
    "conv2d_backward_bias",
    "max_pool2d",
    "max_pool2d_backward",
    "avg_pool2d",
    "avg_pool2d_backward",
};
const size_t cvp_proof_impl_operation_count =
    sizeof cvp_proof_impl_operations / sizeof cvp_proof_impl_operations[0];

#define MAX_IMPLEMENTATIONS 64
#define MAX_TIMEOUT 3600

const cvp_proof_implementation *cvp_proof_find_implementation(
    const cvp_proof_state *st, const char *name, size_t len)
{
    const cvp_proof_file *file = st->file;
    for (size_t i = 0; i < file->implementation_count; i++) {
        const char *have = file->implementations[i].name;
        if (strlen(have) == len && memcmp(have, name, len) == 0)
            return &file->implementations[i];
    }
    return NULL;
}

/* Expects the word `word` as the current token and moves past it. */
static cvp_status expect_word(cvp_proof_state *st, const char *word,
                              const char *what)
{
    if (!cvp_token_is_word(&st->parser.current, word))
        return cvp_proof_expected(st, what);
    return cvp_parser_advance(&st->parser);
}

/* The command string: non-empty, copied into the arena. */
static cvp_status parse_command(cvp_proof_state *st, const char **out)
{
    cvp_token token = st->parser.current;
    if (token.kind != CVP_TOK_STRING)
        return cvp_proof_expected(st, "the command in double quotes after "
                                      "'command'");
    char *text = cvp_proof_arena_alloc(st->arena, token.len);
    if (text == NULL)
        return cvp_proof_out_of_memory(st);
    if (cvp_token_string_value(text, &token) == 0)
        return cvp_proof_fail(st, token.pos, "the command cannot be empty");
    *out = text;
    return cvp_parser_advance(&st->parser);
}

static cvp_status parse_layout(cvp_proof_state *st, const char **out)
{
    cvp_token token = st->parser.current;
    if (token.kind != CVP_TOK_IDENT)
        return cvp_proof_expected(st, "a layout, nchw or nhwc, after 'layout'");
    if (cvp_token_is_word(&token, "nchw"))
        *out = "nchw";
    else if (cvp_token_is_word(&token, "nhwc"))
        *out = "nhwc";
    else {
        char word[80];
        cvp_lang_quote(word, sizeof word, token.text, token.len);
        return cvp_proof_fail(st, token.pos, "unknown layout '%s' (nchw: NCHW "
                              "inputs and OIHW kernels, as PyTorch; nhwc: NHWC "
                              "inputs and HWIO kernels, as the course code)",
                              word);
    }
    return cvp_parser_advance(&st->parser);
}

cvp_status cvp_proof_parse_implementation(cvp_proof_state *st)
{
    cvp_proof_file *file = st->file;
    cvp_srcpos keyword_pos = st->parser.current.pos;
    cvp_status status = cvp_parser_advance(&st->parser);
    if (status != CVP_OK)
        return status;
    cvp_token name = st->parser.current;
    if (name.kind != CVP_TOK_IDENT)
        return cvp_proof_expected(st, "a name after 'implementation'");
    const cvp_proof_implementation *earlier =
        cvp_proof_find_implementation(st, name.text, name.len);
    if (earlier != NULL)
        return cvp_proof_fail(st, name.pos, "implementation '%s' is already "
                              "declared on line %d", earlier->name,
                              earlier->pos.line);
    if (file->implementation_count >= MAX_IMPLEMENTATIONS)
        return cvp_lang_error_set(st->err, CVP_ERR_LIMIT, st->source_name,
                                  keyword_pos, "too many implementations in "
                                  "one file (more than %d)", MAX_IMPLEMENTATIONS);
    cvp_proof_implementation impl;
    memset(&impl, 0, sizeof impl);
    impl.pos = name.pos;
    impl.name = cvp_proof_arena_strdup(st->arena, name.text, name.len);
    if (impl.name == NULL)
        return cvp_proof_out_of_memory(st);
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
        return status;
    if (st->parser.current.kind != CVP_TOK_ASSIGN)
        return cvp_proof_expected(st, "'=' after the implementation's name");
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK
        || (status = expect_word(st, "command", "'command' after '='")) != CVP_OK
        || (status = parse_command(st, &impl.command)) != CVP_OK
        || (status = expect_word(st, "layout", "'layout' after the command"))
               != CVP_OK
        || (status = parse_layout(st, &impl.layout)) != CVP_OK)
        return status;
    if (cvp_token_is_word(&st->parser.current, "timeout")) {
        if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
            return status;
        cvp_srcpos pos;
        if ((status = cvp_proof_parse_int(st, "a timeout in seconds", &impl.timeout,
                                          &pos)) != CVP_OK)
            return status;
        if (impl.timeout < 1 || impl.timeout > MAX_TIMEOUT)
            return cvp_proof_fail(st, pos, "a timeout is 1..%d seconds",
                                  MAX_TIMEOUT);
    }
    if (st->parser.current.kind != CVP_TOK_NEWLINE
        && st->parser.current.kind != CVP_TOK_EOF)
        return cvp_proof_expected(st, "end of line after the implementation "
                                      "(options: timeout SECONDS)");
    cvp_proof_implementation *items = cvp_proof_arena_reserve(
        st->arena, file->implementations, file->implementation_count,
        &st->implementation_capacity, sizeof *items);
    if (items == NULL)
        return cvp_proof_out_of_memory(st);
    file->implementations = items;
    items[file->implementation_count++] = impl;
    return CVP_OK;
}

cvp_status cvp_proof_check_implementation_call(cvp_proof_state *st,
                                               const cvp_ast_node *call)
{
    const char *name = call->u.call.name;
    const char *dot = strchr(name, '.');
    size_t len = (size_t)(dot - name);
    const char *op = dot + 1;
    char shown[80];
    cvp_lang_quote(shown, sizeof shown, name, len);
    if (cvp_proof_find_implementation(st, name, len) == NULL) {
        cvp_suggest suggest;
        cvp_suggest_init(&suggest, shown);
        for (size_t i = 0; i < st->file->implementation_count; i++)
            cvp_suggest_consider(&suggest, st->file->implementations[i].name);
        if (suggest.best != NULL)
            return cvp_proof_fail(st, call->pos, "unknown implementation '%s' "
                                  "(did you mean '%s'?)", shown, suggest.best);
        return cvp_proof_fail(st, call->pos, "unknown implementation '%s' "
                              "(declare it before the claim: implementation "
                              "%s = command \"...\" layout nhwc)", shown, shown);
    }
    for (size_t i = 0; i < cvp_proof_impl_operation_count; i++)
        if (strcmp(op, cvp_proof_impl_operations[i]) == 0)
            return CVP_OK;
    cvp_srcpos op_pos = call->pos;
    op_pos.col += (int)len + 1;
    char op_shown[80];
    cvp_lang_quote(op_shown, sizeof op_shown, op, strlen(op));
    cvp_suggest suggest;
    cvp_suggest_init(&suggest, op_shown);
    for (size_t i = 0; i < cvp_proof_impl_operation_count; i++)
        cvp_suggest_consider(&suggest, cvp_proof_impl_operations[i]);
    if (suggest.best != NULL)
        return cvp_proof_fail(st, op_pos, "an implementation has no operation "
                              "'%s' (did you mean '%s'?)", op_shown, suggest.best);
    return cvp_proof_fail(st, op_pos, "an implementation has no operation '%s' "
                          "(it has conv2d, conv2d_backward_input/weight/bias, "
                          "max_pool2d, avg_pool2d and their _backward)", op_shown);
}
