/* proof_parser.c -- reads .proof files into cvp_proof_file (proof.h).
 *
 * GRAMMAR (the README quotes this block)
 *
 *   file       := { NEWLINE | implementation | claim } EOF
 *   implementation := 'implementation' NAME '=' 'command' STRING
 *                 'layout' ( 'nchw' | 'nhwc' ) [ 'timeout' INT ]
 *                 (see proof_implementation.c)
 *   claim      := ( 'claim' | 'refute' ) STRING '{'
 *                 { NEWLINE | statement } '}' ( NEWLINE | EOF )
 *   statement  := ( dim | where | tensor | let | show | by )
 *                 ( NEWLINE | EOF | before the claim's '}' )
 *   dim        := 'dim' NAME { ',' NAME } ( 'in' INT '..' INT | '>=' INT )
 *   where      := 'where' relation { ',' relation }
 *   relation   := comparison { 'or' comparison }
 *   comparison := shape ( '<=' | '<' | '==' | '>=' | '>' ) shape
 *   tensor     := 'tensor' NAME '[' [ shape { ',' shape } ] ']'
 *                 [ 'values' INT '..' INT ]
 *   let        := 'let' NAME '=' expression
 *   show       := 'show' expression ( '==' expression | 'in' 'subgrad' '(' expression ',' NAME ')' )
 *   by         := 'by' method { ',' method }
 *   method     := METHOD [ '(' [ option { ',' option } [ ',' ] ] ')' ]
 *   option     := NAME '=' INT
 *
 *   shape      := product { ( '+' | '-' ) product }
 *   product    := factor { ( '*' | '//' | '/' ) factor }
 *   factor     := '-' factor | DIGITS | DIM | '(' shape ')'
 *
 *   INT        := [ '-' ] DIGITS          a long; no '.', no exponent
 *   STRING     := '"' { CHAR | '\"' | '\\' | '\n' } '"'    on one line
 *   NAME, DIGITS, expression: as in lang/parser.h (an expression, like
 *              every statement, ends at the end of its line)
 *   METHOD     := 'exact' | 'random' | 'symbolic' | 'all_shapes' | 'bounded'
 *               | 'regions'
 *   options    exact, random: trials (>= 1), seed (>= 0); exact: ties (>= 0);
 *              bounded: prec, tol, trials, seed; regions: cells (>= 1),
 *              seed; symbolic, all_shapes: none
 *
 * '#' starts a comment that runs to the end of the line; blank lines and
 * comments may appear anywhere.  The statement words are ordinary
 * identifiers, recognised only where a statement starts.
 *
 * Rules beyond the grammar:
 *   - a dim's bounds are >= 0 and LO <= HI; `dim M >= LO` is unbounded;
 *     a tensor's `values LO..HI` needs LO <= HI (negative bounds are fine);
 *   - names are unique within a claim across dims, tensors and lets, and
 *     'true' and 'false' cannot be declared;
 *   - a shape or `where` names dims declared on an earlier line; `//` in
 *     shapes is floor division (as in Python); `/` there still means the
 *     same, with a deprecation note in the file's notes (in expressions
 *     '/' is exact division, so one symbol would have two meanings);
 *   - a `where` line is a conjunction of its relations, and `A or B` is
 *     one relation that holds when either side does (`or` binds tighter
 *     than the ',');
 *   - in `let` and `show`, a newline inside '(' ... ')' or '[' ... ']'
 *     continues the expression (lang/parser.h), and the show's text
 *     joins its lines with single spaces, without their comments;
 *   - a tensor has at most 8 shape entries; `tensor s[]` is a scalar;
 *   - in `let` and `show`, every name used as a value is a dim (an
 *     integer scalar there), a tensor or a let declared on an earlier line
 *     (function names and keyword argument names are the evaluator's
 *     business);
 *   - a claim has at least one `show` (all of them must hold) and at most
 *     one `by` line, which names each method and each option once;
 *   - a `show`'s text is kept as written, from after `show` to the end of
 *     the line without its comment, trimmed.
 *
 * Every error is CVP_ERR_INPUT at the offending token; the first one
 * ends the parse.  Reading is single-pass and the expression and shape
 * parsers bound their nesting, so no input can exhaust the stack.
 */
#include "lang/proof_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/suggest.h"

/* ---- helpers shared with proof_shape.c and proof_method.c ------------- */

cvp_status cvp_proof_fail(cvp_proof_state *st, cvp_srcpos pos,
                          const char *format, ...)
{
    char message[CVP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    return cvp_lang_error_set(st->err, CVP_ERR_INPUT, st->source_name, pos,
                              "%s", message);
}

cvp_status cvp_proof_note(cvp_proof_state *st, cvp_srcpos pos,
                          const char *format, ...)
{
    cvp_proof_file *file = st->file;
    cvp_lang_error *notes = cvp_proof_arena_reserve(
        st->arena, file->notes, file->note_count, &st->note_capacity,
        sizeof *notes);
    if (notes == NULL)
        return cvp_proof_out_of_memory(st);
    file->notes = notes;
    char message[CVP_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    cvp_lang_error *note = &notes[file->note_count++];
    cvp_lang_error_clear(note);
    cvp_lang_error_set(note, CVP_ERR_INPUT, st->source_name, pos, "%s",
                       message);
    note->status = CVP_OK;   /* a warning: the file still parses */
    return CVP_OK;
}

cvp_status cvp_proof_out_of_memory(cvp_proof_state *st)
{
    return cvp_lang_error_set(st->err, CVP_ERR_LIMIT, st->source_name,
                              st->parser.current.pos,
                              "out of memory while reading the proof file");
}

cvp_status cvp_proof_expected(cvp_proof_state *st, const char *what)
{
    return cvp_parser_fail_expected(&st->parser, what);
}

cvp_status cvp_proof_integer_token(cvp_proof_state *st, bool negative,
                                   const char *what, long *out)
{
    cvp_token token = st->parser.current;
    if (token.kind != CVP_TOK_NUMBER)
        return cvp_proof_expected(st, what);
    for (size_t i = 0; i < token.len; i++)
        if (token.text[i] < '0' || token.text[i] > '9')
            return cvp_proof_expected(st, what);
    unsigned long limit = negative ? (unsigned long)LONG_MAX + 1
                                   : (unsigned long)LONG_MAX;
    unsigned long value = 0;
    for (size_t i = 0; i < token.len; i++) {
        unsigned long digit = (unsigned long)(token.text[i] - '0');
        if (value > (limit - digit) / 10) {
            char shown[48];
            cvp_lang_quote(shown, sizeof shown, token.text, token.len);
            if (negative)
                return cvp_proof_fail(st, token.pos,
                                      "integer -%s is too small (the "
                                      "smallest is %ld)", shown, LONG_MIN);
            return cvp_proof_fail(st, token.pos,
                                  "integer %s is too large (the largest is "
                                  "%ld)", shown, LONG_MAX);
        }
        value = 10 * value + digit;
    }
    if (!negative)
        *out = (long)value;
    else if (value == (unsigned long)LONG_MAX + 1)
        *out = LONG_MIN;
    else
        *out = -(long)value;
    return CVP_OK;
}

cvp_status cvp_proof_parse_int(cvp_proof_state *st, const char *what,
                               long *out, cvp_srcpos *pos)
{
    cvp_status status;
    bool negative = st->parser.current.kind == CVP_TOK_MINUS;
    *pos = st->parser.current.pos;
    if (negative && (status = cvp_parser_advance(&st->parser)) != CVP_OK)
        return status;
    if ((status = cvp_proof_integer_token(st, negative, what, out)) != CVP_OK)
        return status;
    return cvp_parser_advance(&st->parser);
}

/* ---- claims and files ------------------------------------------------- */

static cvp_status begin_claim(cvp_proof_state *st)
{
    cvp_proof_file *file = st->file;
    cvp_token keyword = st->parser.current;
    if (file->claim_count >= CVP_PROOF_MAX_CLAIMS)
        return cvp_lang_error_set(st->err, CVP_ERR_LIMIT, st->source_name,
                                  keyword.pos,
                                  "too many claims in one file (more than "
                                  "%d)", CVP_PROOF_MAX_CLAIMS);
    cvp_proof_claim *claims = cvp_proof_arena_reserve(
        st->arena, file->claims, file->claim_count, &st->claim_capacity,
        sizeof *claims);
    if (claims == NULL)
        return cvp_proof_out_of_memory(st);
    file->claims = claims;
    st->claim = &claims[file->claim_count++];
    memset(st->claim, 0, sizeof *st->claim);
    st->claim->is_refute = cvp_token_is_word(&keyword, "refute");
    st->claim->pos = keyword.pos;
    cvp_symbols_clear(&st->symbols);
    st->dim_capacity = st->constraint_capacity = st->tensor_capacity = 0;
    st->let_capacity = st->show_capacity = 0;
    st->saw_by = false;
    return CVP_OK;
}

/* The title after `claim` / `refute`, then '{'. */
static cvp_status parse_header(cvp_proof_state *st)
{
    cvp_proof_claim *claim = st->claim;
    const char *keyword = claim->is_refute ? "refute" : "claim";
    cvp_status status = cvp_parser_advance(&st->parser);
    if (status != CVP_OK)
        return status;
    cvp_token title = st->parser.current;
    if (title.kind != CVP_TOK_STRING) {
        char what[96];
        snprintf(what, sizeof what, "a title in double quotes after '%s'",
                 keyword);
        return cvp_proof_expected(st, what);
    }
    char *text = cvp_proof_arena_alloc(st->arena, title.len);
    if (text == NULL)
        return cvp_proof_out_of_memory(st);
    if (cvp_token_string_value(text, &title) == 0)
        return cvp_proof_fail(st, title.pos, "the title of a %s cannot be "
                              "empty", keyword);
    claim->title = text;
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
        return status;
    if (st->parser.current.kind != CVP_TOK_LBRACE)
        return cvp_proof_expected(st, "'{' after the title");
    return cvp_parser_advance(&st->parser);
}

static cvp_status parse_claim(cvp_proof_state *st)
{
    cvp_status status;
    if ((status = begin_claim(st)) != CVP_OK
        || (status = parse_header(st)) != CVP_OK)
        return status;
    cvp_proof_claim *claim = st->claim;
    const char *keyword = claim->is_refute ? "refute" : "claim";
    for (;;) {
        cvp_token token = st->parser.current;
        if (token.kind == CVP_TOK_RBRACE)
            break;
        if (token.kind == CVP_TOK_EOF)
            return cvp_proof_fail(st, claim->pos,
                                  "this %s is missing its closing '}' "
                                  "(reached the end of the file)", keyword);
        status = token.kind == CVP_TOK_NEWLINE
                     ? cvp_parser_advance(&st->parser)
                     : cvp_proof_parse_statement(st);
        if (status != CVP_OK)
            return status;
    }
    if (claim->show_count == 0)
        return cvp_proof_fail(st, claim->pos,
                              "this %s has no 'show' statement (it needs at "
                              "least one)", keyword);
    if ((status = cvp_parser_advance(&st->parser)) != CVP_OK)
        return status;
    if (st->parser.current.kind != CVP_TOK_NEWLINE
        && st->parser.current.kind != CVP_TOK_EOF)
        return cvp_proof_expected(st, "end of line after the '}' that closes "
                                      "the claim");
    return CVP_OK;
}

static cvp_status parse_top_level(cvp_proof_state *st)
{
    for (;;) {
        cvp_token token = st->parser.current;
        cvp_status status = CVP_OK;
        if (token.kind == CVP_TOK_EOF)
            return CVP_OK;
        if (token.kind == CVP_TOK_NEWLINE) {
            status = cvp_parser_advance(&st->parser);
        } else if (cvp_token_is_word(&token, "claim")
                   || cvp_token_is_word(&token, "refute")) {
            status = parse_claim(st);
        } else if (cvp_token_is_word(&token, "implementation")) {
            status = cvp_proof_parse_implementation(st);
        } else if (token.kind == CVP_TOK_RBRACE) {
            return cvp_proof_fail(st, token.pos, "'}' without an open claim");
        } else if (token.kind == CVP_TOK_IDENT) {
            const char *keyword;
            if (cvp_proof_statement_word(&token, &keyword))
                return cvp_proof_fail(st, token.pos,
                                      "'%s' outside a claim (statements go "
                                      "between a claim's '{' and '}')",
                                      keyword);
            char word[80];
            cvp_lang_quote(word, sizeof word, token.text, token.len);
            cvp_suggest suggest;
            cvp_suggest_init(&suggest, word);
            cvp_suggest_consider(&suggest, "claim");
            cvp_suggest_consider(&suggest, "refute");
            cvp_suggest_consider(&suggest, "implementation");
            if (suggest.best != NULL)
                return cvp_proof_fail(st, token.pos,
                                      "expected 'claim' or 'refute', found "
                                      "identifier '%s' (did you mean '%s'?)",
                                      word, suggest.best);
            return cvp_proof_expected(st, "'claim' or 'refute'");
        } else {
            return cvp_proof_expected(st, "'claim' or 'refute'");
        }
        if (status != CVP_OK)
            return status;
    }
}

cvp_status cvp_proof_parse(cvp_proof_file *file, const char *text, size_t len,
                           const char *source_name, cvp_lang_error *err)
{
    cvp_proof_file_clear(file);
    cvp_lang_error_clear(err);
    if (source_name == NULL)
        source_name = "<input>";
    cvp_proof_state st;
    memset(&st, 0, sizeof st);
    st.file = file;
    st.err = err;
    st.text = text;
    st.source_name = source_name;
    cvp_symbols_init(&st.symbols);
    cvp_status status = CVP_OK;
    file->storage = st.arena = cvp_proof_arena_new();
    char *name = st.arena != NULL
                     ? cvp_proof_arena_strdup(st.arena, source_name,
                                              strlen(source_name))
                     : NULL;
    if (name == NULL)
        status = cvp_proof_out_of_memory(&st);
    if (status == CVP_OK) {
        file->source_name = st.source_name = name;
        cvp_lexer lexer;
        cvp_lexer_init(&lexer, text, len, name);
        lexer.newline_tokens = true;
        lexer.string_tokens = true;
        status = cvp_parser_init_lexer(&st.parser, &file->tree, &lexer, err);
    }
    if (status == CVP_OK)
        status = parse_top_level(&st);
    cvp_symbols_clear(&st.symbols);
    if (status != CVP_OK)
        cvp_proof_file_clear(file);
    return status;
}

cvp_status cvp_proof_parse_file(cvp_proof_file *file, const char *path,
                                cvp_lang_error *err)
{
    const cvp_srcpos nowhere = {0, 0};
    cvp_proof_file_clear(file);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cvp_lang_error_set(err, CVP_ERR_INPUT, path, nowhere,
                                  "cannot read: %s", strerror(errno));
    /* Read in growing steps rather than trusting a size from stat: pipes
     * and special files have none. */
    const size_t limit = (size_t)CVP_PROOF_MAX_FILE_SIZE;
    char *text = NULL;
    size_t len = 0, capacity = 0;
    cvp_status status = CVP_OK;
    for (;;) {
        if (len == capacity) {
            size_t grown = capacity ? 2 * capacity : 64 * 1024;
            if (grown > limit + 1)
                grown = limit + 1;
            char *bigger = realloc(text, grown);
            if (bigger == NULL) {
                status = cvp_lang_error_set(err, CVP_ERR_LIMIT, path, nowhere,
                                            "out of memory while reading");
                break;
            }
            text = bigger;
            capacity = grown;
        }
        size_t n = fread(text + len, 1, capacity - len, f);
        len += n;
        if (len > limit) {
            status = cvp_lang_error_set(err, CVP_ERR_LIMIT, path, nowhere,
                                        "file is larger than %zu bytes (16 "
                                        "MiB), the limit for a proof file",
                                        limit);
            break;
        }
        if (n == 0) {
            if (ferror(f))
                status = cvp_lang_error_set(err, CVP_ERR_INPUT, path, nowhere,
                                            "cannot read: %s",
                                            strerror(errno));
            break;
        }
    }
    fclose(f);
    if (status == CVP_OK)
        status = cvp_proof_parse(file, text, len, path, err);
    free(text);
    return status;
}
