/* lexer.h -- tokens of the convproof language.
 *
 * One lexer serves the `eval` expressions and (later) the multi-line proof
 * files, so it knows every token either needs:
 *
 *   identifier  [A-Za-z_][A-Za-z0-9_]*      (true/false/... are identifiers
 *                                            here; the parser gives meaning)
 *   number      DIGITS ['.' DIGITS] [('e'|'E') ['+'|'-'] DIGITS]
 *               kept as literal text (see lang/literal.h for its value);
 *               no sign (a '-' is an operator), no leading '.', and a '.'
 *               directly followed by another '.' ends the number, so
 *               "1..3" is 1 .. 3.  A number running into a letter ("2x",
 *               "1e") is an error.
 *   punctuation ( ) [ ] { } , = == <= >= < > + - * ** / // @ .. . :
 *   string      '"' { character | '\"' | '\\' | '\n' } '"'
 *               a token only when the lexer is asked for strings (proof
 *               titles); the expression language has none, so there '"'
 *               stays an unexpected character.  A string ends on its line;
 *               raw control characters other than tab are refused.
 *   comment     '#' to the end of the line (skipped)
 *   newline     '\n', a token only when the lexer is asked for newlines
 *               (proof files separate statements with them); otherwise
 *               it is white space like ' ', '\t', '\r', '\f', '\v'.
 *
 * Positions are (line, col), 1-based; see lang_error.h for how columns
 * count.
 *
 * Ownership: the lexer and its tokens point into the caller's text, which
 * must outlive them; nothing is allocated, so there is nothing to free.  A
 * cvp_lexer is a plain value: copying it gives an independent cursor
 * (the parser looks ahead that way).
 */
#ifndef CVP_LEXER_H
#define CVP_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/lang_error.h"

typedef enum {
    CVP_TOK_EOF,
    CVP_TOK_NEWLINE,
    CVP_TOK_IDENT,
    CVP_TOK_NUMBER,
    CVP_TOK_LPAREN,     /* ( */
    CVP_TOK_RPAREN,     /* ) */
    CVP_TOK_LBRACKET,   /* [ */
    CVP_TOK_RBRACKET,   /* ] */
    CVP_TOK_LBRACE,     /* { */
    CVP_TOK_RBRACE,     /* } */
    CVP_TOK_COMMA,      /* , */
    CVP_TOK_ASSIGN,     /* = */
    CVP_TOK_EQ,         /* == */
    CVP_TOK_LE,         /* <= */
    CVP_TOK_GE,         /* >= */
    CVP_TOK_LT,         /* < */
    CVP_TOK_GT,         /* > */
    CVP_TOK_PLUS,       /* + */
    CVP_TOK_MINUS,      /* - */
    CVP_TOK_STAR,       /* * */
    CVP_TOK_SLASH,      /* / */
    CVP_TOK_AT,         /* @ */
    CVP_TOK_DOTDOT,     /* .. */
    CVP_TOK_DOT,        /* . (between an implementation and an operation) */
    CVP_TOK_COLON,      /* : */
    CVP_TOK_STARSTAR,   /* ** */
    CVP_TOK_SLASHSLASH, /* // */
    CVP_TOK_STRING      /* "..." with its quotes; see cvp_token_string_value */
} cvp_token_kind;

typedef struct {
    cvp_token_kind kind;
    const char *text;   /* points into the source; not NUL-terminated */
    size_t len;         /* 0 for EOF */
    cvp_srcpos pos;     /* of the first character */
} cvp_token;

typedef struct {
    const char *text;         /* the whole source (borrowed) */
    size_t len;
    size_t offset;            /* next byte to read */
    cvp_srcpos pos;           /* position of text[offset] */
    const char *source_name;  /* for errors (borrowed) */
    bool newline_tokens;      /* report '\n' as CVP_TOK_NEWLINE */
    bool string_tokens;       /* read "..." as CVP_TOK_STRING */
} cvp_lexer;

/* Starts a lexer on text[0..len-1] (which may contain any bytes,
 * including NUL).  `source_name` is borrowed for error messages; it
 * may be NULL.  Newlines are white space until newline_tokens is set;
 * '"' is an error until string_tokens is set. */
void cvp_lexer_init(cvp_lexer *lexer, const char *text, size_t len,
                    const char *source_name);

/* Reads the next token into *token.  At the end of the text it returns
 * CVP_TOK_EOF (again and again).  On a malformed token it returns
 * CVP_ERR_INPUT with a located message in `err` (which may be NULL) and
 * leaves the lexer where the bad token starts. */
cvp_status cvp_lexer_next(cvp_lexer *lexer, cvp_token *token,
                          cvp_lang_error *err);

/* A short human name for a token kind, as used in "expected ')'":
 * "')'", "identifier", "number", "end of input", "newline". */
const char *cvp_token_kind_name(cvp_token_kind kind);

/* The value of a CVP_TOK_STRING token: the characters between the quotes
 * with \" \\ \n resolved, written NUL-terminated to `out`, which needs
 * room for token->len bytes (the value is always shorter than its token).
 * Returns the value's length.  Only for tokens the lexer produced. */
size_t cvp_token_string_value(char *out, const cvp_token *token);

/* True when the token is the identifier `word` exactly. */
bool cvp_token_is_word(const cvp_token *token, const char *word);

#endif
