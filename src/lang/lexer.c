/* lexer.c -- turns source text into tokens (see lexer.h). */
#include "lang/lexer.h"

#include <string.h>

void cvp_lexer_init(cvp_lexer *lexer, const char *text, size_t len,
                    const char *source_name)
{
    lexer->text = text;
    lexer->len = len;
    lexer->offset = 0;
    lexer->pos.line = 1;
    lexer->pos.col = 1;
    lexer->source_name = source_name;
    lexer->newline_tokens = false;
    lexer->string_tokens = false;
}

static int peek_at(const cvp_lexer *lexer, size_t ahead)
{
    size_t at = lexer->offset + ahead;
    return at < lexer->len ? (unsigned char)lexer->text[at] : -1;
}

/* Moves past one byte, keeping (line, col) in step.  Columns advance on
 * every byte that starts a character, so UTF-8 continuation bytes
 * (10xxxxxx) do not count. */
static void advance(cvp_lexer *lexer)
{
    unsigned char c = (unsigned char)lexer->text[lexer->offset];
    lexer->offset++;
    if (c == '\n') {
        lexer->pos.line++;
        lexer->pos.col = 1;
    } else if ((c & 0xC0) != 0x80) {
        lexer->pos.col++;
    }
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static bool is_ident_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_ident_char(int c) { return is_ident_start(c) || is_digit(c); }

static void skip_blanks_and_comments(cvp_lexer *lexer)
{
    for (;;) {
        int c = peek_at(lexer, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
            || (c == '\n' && !lexer->newline_tokens)) {
            advance(lexer);
        } else if (c == '#') {
            while (peek_at(lexer, 0) != -1 && peek_at(lexer, 0) != '\n')
                advance(lexer);
        } else {
            return;
        }
    }
}

static void skip_digits(cvp_lexer *lexer)
{
    while (is_digit(peek_at(lexer, 0)))
        advance(lexer);
}

static cvp_status malformed_number(const cvp_lexer *lexer, size_t start,
                                   size_t end, cvp_srcpos pos,
                                   const char *why, cvp_lang_error *err)
{
    char shown[64];
    cvp_lang_quote(shown, sizeof shown, lexer->text + start, end - start);
    return cvp_lang_error_set(err, CVP_ERR_INPUT, lexer->source_name, pos,
                              "malformed number '%s': %s", shown, why);
}

/* Reads a number starting at a digit.  On error the lexer is rewound to
 * the start of the number, as lexer.h promises. */
static cvp_status lex_number(cvp_lexer *lexer, cvp_token *token,
                             cvp_lang_error *err)
{
    cvp_lexer start = *lexer;
    const char *why = NULL;
    skip_digits(lexer);
    if (peek_at(lexer, 0) == '.' && peek_at(lexer, 1) != '.') {
        advance(lexer);
        if (!is_digit(peek_at(lexer, 0)))
            why = "a digit must follow the decimal point";
        skip_digits(lexer);
    }
    if (why == NULL && (peek_at(lexer, 0) == 'e' || peek_at(lexer, 0) == 'E')) {
        advance(lexer);
        if (peek_at(lexer, 0) == '+' || peek_at(lexer, 0) == '-')
            advance(lexer);
        if (!is_digit(peek_at(lexer, 0)))
            why = "the exponent needs digits";
        skip_digits(lexer);
    }
    if (why == NULL && is_ident_char(peek_at(lexer, 0)))
        why = "a number cannot run into a name (write 2*x, not 2x)";
    if (why != NULL) {
        /* show the whole run of number-like characters */
        while (is_ident_char(peek_at(lexer, 0)) || peek_at(lexer, 0) == '.')
            advance(lexer);
        cvp_status status = malformed_number(lexer, start.offset,
                                             lexer->offset, start.pos, why,
                                             err);
        *lexer = start;
        return status;
    }
    token->kind = CVP_TOK_NUMBER;
    token->text = lexer->text + start.offset;
    token->len = lexer->offset - start.offset;
    token->pos = start.pos;
    return CVP_OK;
}

/* True when the line ends `ahead` bytes on (at a newline, a CRLF, or the
 * end of the text). */
static bool line_ends_at(const cvp_lexer *lexer, size_t ahead)
{
    int c = peek_at(lexer, ahead);
    return c == -1 || c == '\n'
           || (c == '\r' && peek_at(lexer, ahead + 1) == '\n');
}

/* Reads a string starting at '"'.  A string must end on its line: a
 * forgotten quote then fails at the string itself, not many lines later.
 * On error the lexer is rewound to the opening quote. */
static cvp_status lex_string(cvp_lexer *lexer, cvp_token *token,
                             cvp_lang_error *err)
{
    cvp_lexer start = *lexer;
    advance(lexer);
    for (;;) {
        int c = peek_at(lexer, 0);
        int next = peek_at(lexer, 1);
        if (line_ends_at(lexer, 0)
            || (c == '\\' && line_ends_at(lexer, 1))) {
            *lexer = start;
            return cvp_lang_error_set(err, CVP_ERR_INPUT, lexer->source_name,
                                      start.pos,
                                      "unterminated string (a string must "
                                      "end with '\"' on its line)");
        }
        if (c == '"')
            break;
        if (c == '\\' && next != '"' && next != '\\' && next != 'n') {
            cvp_srcpos pos = lexer->pos;
            advance(lexer);
            size_t n = 1;
            if (next >= 0xC0)  /* show a whole UTF-8 sequence */
                while (n < 4 && lexer->offset + n < lexer->len
                       && (((unsigned char)lexer->text[lexer->offset + n])
                           & 0xC0) == 0x80)
                    n++;
            char shown[32];
            cvp_lang_quote(shown, sizeof shown, lexer->text + lexer->offset,
                           n);
            *lexer = start;
            return cvp_lang_error_set(err, CVP_ERR_INPUT, lexer->source_name,
                                      pos,
                                      "unknown escape '\\%s' in string (use "
                                      "\\\", \\\\ or \\n)", shown);
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            cvp_srcpos pos = lexer->pos;
            *lexer = start;
            return cvp_lang_error_set(err, CVP_ERR_INPUT, lexer->source_name,
                                      pos,
                                      "control character 0x%02x in string "
                                      "(write a newline as \\n)", c);
        }
        advance(lexer);
        if (c == '\\')
            advance(lexer);
    }
    advance(lexer);  /* the closing quote */
    token->kind = CVP_TOK_STRING;
    token->text = lexer->text + start.offset;
    token->len = lexer->offset - start.offset;
    token->pos = start.pos;
    return CVP_OK;
}

size_t cvp_token_string_value(char *out, const cvp_token *token)
{
    size_t n = 0;
    /* Between the quotes; the lexer has checked every escape. */
    for (size_t i = 1; i + 1 < token->len; i++) {
        char c = token->text[i];
        if (c == '\\') {
            c = token->text[++i];
            if (c == 'n')
                c = '\n';
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

/* Punctuation, longest match first. */
static const struct {
    const char *text;
    cvp_token_kind kind;
} punctuation[] = {
    {"==", CVP_TOK_EQ}, {"<=", CVP_TOK_LE}, {">=", CVP_TOK_GE},
    {"**", CVP_TOK_STARSTAR}, {"//", CVP_TOK_SLASHSLASH},
    {"..", CVP_TOK_DOTDOT}, {".", CVP_TOK_DOT},
    {"(", CVP_TOK_LPAREN}, {")", CVP_TOK_RPAREN},
    {"[", CVP_TOK_LBRACKET}, {"]", CVP_TOK_RBRACKET},
    {"{", CVP_TOK_LBRACE}, {"}", CVP_TOK_RBRACE},
    {",", CVP_TOK_COMMA}, {"=", CVP_TOK_ASSIGN},
    {"<", CVP_TOK_LT}, {">", CVP_TOK_GT},
    {"+", CVP_TOK_PLUS}, {"-", CVP_TOK_MINUS}, {"*", CVP_TOK_STAR},
    {"/", CVP_TOK_SLASH}, {"@", CVP_TOK_AT}, {":", CVP_TOK_COLON},
};

cvp_status cvp_lexer_next(cvp_lexer *lexer, cvp_token *token,
                          cvp_lang_error *err)
{
    skip_blanks_and_comments(lexer);
    token->text = lexer->text + lexer->offset;
    token->pos = lexer->pos;
    token->len = 0;
    int c = peek_at(lexer, 0);
    if (c == -1) {
        token->kind = CVP_TOK_EOF;
        return CVP_OK;
    }
    if (c == '\n') {
        token->kind = CVP_TOK_NEWLINE;
        token->len = 1;
        advance(lexer);
        return CVP_OK;
    }
    if (is_digit(c))
        return lex_number(lexer, token, err);
    if (c == '"' && lexer->string_tokens)
        return lex_string(lexer, token, err);
    if (is_ident_start(c)) {
        size_t start = lexer->offset;
        while (is_ident_char(peek_at(lexer, 0)))
            advance(lexer);
        token->kind = CVP_TOK_IDENT;
        token->len = lexer->offset - start;
        return CVP_OK;
    }
    size_t remaining = lexer->len - lexer->offset;
    for (size_t i = 0; i < sizeof punctuation / sizeof punctuation[0]; i++) {
        size_t n = strlen(punctuation[i].text);
        if (n <= remaining
            && memcmp(lexer->text + lexer->offset, punctuation[i].text, n) == 0) {
            token->kind = punctuation[i].kind;
            token->len = n;
            for (size_t k = 0; k < n; k++)
                advance(lexer);
            return CVP_OK;
        }
    }
    /* Show a whole UTF-8 sequence, not just its first byte. */
    size_t n = 1;
    if (c >= 0xC0)
        while (n < 4 && n < remaining
               && (((unsigned char)lexer->text[lexer->offset + n]) & 0xC0) == 0x80)
            n++;
    char shown[32];
    cvp_lang_quote(shown, sizeof shown, lexer->text + lexer->offset, n);
    return cvp_lang_error_set(err, CVP_ERR_INPUT, lexer->source_name,
                              lexer->pos, "unexpected character '%s'", shown);
}

const char *cvp_token_kind_name(cvp_token_kind kind)
{
    switch (kind) {
    case CVP_TOK_EOF: return "end of input";
    case CVP_TOK_NEWLINE: return "newline";
    case CVP_TOK_IDENT: return "identifier";
    case CVP_TOK_NUMBER: return "number";
    case CVP_TOK_LPAREN: return "'('";
    case CVP_TOK_RPAREN: return "')'";
    case CVP_TOK_LBRACKET: return "'['";
    case CVP_TOK_RBRACKET: return "']'";
    case CVP_TOK_LBRACE: return "'{'";
    case CVP_TOK_RBRACE: return "'}'";
    case CVP_TOK_COMMA: return "','";
    case CVP_TOK_ASSIGN: return "'='";
    case CVP_TOK_EQ: return "'=='";
    case CVP_TOK_LE: return "'<='";
    case CVP_TOK_GE: return "'>='";
    case CVP_TOK_LT: return "'<'";
    case CVP_TOK_GT: return "'>'";
    case CVP_TOK_PLUS: return "'+'";
    case CVP_TOK_MINUS: return "'-'";
    case CVP_TOK_STAR: return "'*'";
    case CVP_TOK_SLASH: return "'/'";
    case CVP_TOK_STARSTAR: return "'**'";
    case CVP_TOK_SLASHSLASH: return "'//'";
    case CVP_TOK_AT: return "'@'";
    case CVP_TOK_DOTDOT: return "'..'";
    case CVP_TOK_DOT: return "'.'";
    case CVP_TOK_COLON: return "':'";
    case CVP_TOK_STRING: return "string";
    }
    return "token";
}

bool cvp_token_is_word(const cvp_token *token, const char *word)
{
    size_t n = strlen(word);
    return token->kind == CVP_TOK_IDENT && token->len == n
           && memcmp(token->text, word, n) == 0;
}
