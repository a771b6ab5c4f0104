/* parser.h -- the expression language of convproof.
 *
 * GRAMMAR (the README quotes this block)
 *
 *   expression     := additive
 *   additive       := multiplicative { ('+' | '-') multiplicative }
 *   multiplicative := unary { ('*' | '/' | '//' | '@') unary }
 *   unary          := ('-' | '+') unary | power
 *   power          := postfix [ '**' unary ]          pow(postfix, unary)
 *   postfix        := primary { '[' subscript { ',' subscript } [','] ']'
 *                             | '.' 'T' }
 *   subscript      := expression
 *                   | [ expression ] ':' [ expression ] [ ':' [ expression ] ]
 *   primary        := NUMBER
 *                   | 'true' | 'false'
 *                   | NAME
 *                   | NAME '(' [ argument { ',' argument } [','] ] ')'
 *                   | NAME '.' NAME '(' [ argument ... ] ')'
 *                                                         an operation of an
 *                                                         external implementation
 *                   | '(' expression ')'                  grouping
 *                   | '(' ')'                             empty tuple
 *                   | '(' expression ',' ')'              1-tuple
 *                   | '(' expression ',' expression { ',' expression }
 *                         [','] ')'                       tuple
 *                   | '[' [ expression { ',' expression } [','] ] ']'
 *                                                         tensor literal
 *   argument       := [ NAME '=' ] expression
 *
 *   NAME    := [A-Za-z_][A-Za-z0-9_]*   ('true' and 'false' are reserved)
 *   NUMBER  := DIGITS ['.' DIGITS] [('e'|'E') ['+'|'-'] DIGITS]
 *
 * Binary operators are left-associative; '*', '/' and '@' bind tighter
 * than '+' and '-' (as in Python, '@' has the precedence of '*'), and a
 * unary sign binds tighter than all of them, so -2 @ X is (-2) @ X and
 * 1 - 2 - 3 is (1 - 2) - 3.  As in Python, '**' binds tighter than a sign
 * on its left and is right-associative: -X ** 2 is -(X ** 2) and
 * 2 ** 3 ** 2 is 2 ** 9.  White space is free; '#' starts a comment
 * that runs to the end of the line.  Inside '(' ... ')' and '[' ... ']'
 * a newline continues the expression (as in Python), also in the
 * line-based proof files.  Positional arguments may not follow keyword
 * arguments.
 *
 * Sugar: the postfix and power forms are calls of registered functions,
 * so every method treats them like the functions they stand for:
 *   X ** n        pow(X, n)
 *   a // b        floordiv(a, b) (Python's floor division, elementwise)
 *   X.T           transpose(X)
 *   X[s1, s2]     index(X, s1, s2), where a subscript a:b:c is
 *                 slice(start=a, stop=b, step=c) with the absent parts
 *                 left out.
 * `NAME.T(` ... is still an implementation's operation T.
 *
 * Meaning (given by the evaluator, eval/eval.h): a NUMBER is an exact
 * rational scalar (0.25 is 1/4, 1e-3 is 1/1000); 2/3 divides two
 * literals exactly; '*', '+', '-' are elementwise with NumPy broadcasting;
 * '/' divides exactly, elementwise with broadcasting; '@' is matrix
 * multiplication; tuples are
 * keyword values such as stride=(2, 1); `impl.conv2d(X, K)` (no spaces
 * around the '.') is one call node named "impl.conv2d", run by the
 * implementation a proof file declares; a bracketed list stacks
 * equal-shaped items into a tensor, so [[1, 2], [3, 4]] is a 2x2 matrix.
 *
 * Errors are CVP_ERR_INPUT located at the offending token, e.g.
 * "<expr>:1:17: expected ')' to close '(' at column 5, found end of
 * input".  Nesting deeper than CVP_AST_MAX_DEPTH is an error rather than
 * a stack overflow.  Out of memory, and number literals with exponents
 * over the limits of lang/literal.h, are CVP_ERR_LIMIT.
 */
#ifndef CVP_PARSER_H
#define CVP_PARSER_H

#include "lang/ast.h"
#include "lang/lexer.h"

/* Parses text[0..len-1] as exactly one expression (then end of input).
 * `tree` must be initialised and empty; on success tree->root is the
 * expression, on failure the tree may hold partial nodes and must be
 * cleared as usual.  `source_name` names the text in errors (borrowed,
 * e.g. "<expr>").  The text may be freed after the call. */
cvp_status cvp_parse_expression(cvp_ast_tree *tree, const char *text,
                                size_t len, const char *source_name,
                                cvp_lang_error *err);

/* ---- a parser for embedding in larger grammars (proof files) -------- */

typedef struct {
    cvp_lexer lexer;         /* positioned after `current` */
    cvp_token current;       /* the lookahead token */
    cvp_ast_tree *tree;      /* receives the nodes (borrowed) */
    cvp_lang_error *err;     /* receives the first error (borrowed) */
    int nesting;             /* current recursion depth */
    long exponent_budget;    /* see lang/literal.h */
    int bracket_depth;       /* open '(' and '[': newlines inside continue
                                the expression (skipped by the parser) */
} cvp_parser;

/* Starts a parser over text (borrowed until parsing is done) and reads
 * the first token.  With `newline_tokens`, '\n' is a token (which ends an
 * expression) instead of white space, for line-based grammars. */
cvp_status cvp_parser_init(cvp_parser *parser, cvp_ast_tree *tree,
                           const char *text, size_t len,
                           const char *source_name, bool newline_tokens,
                           cvp_lang_error *err);

/* Like cvp_parser_init, but over a lexer the caller has set up (e.g. with
 * both newline and string tokens); the lexer is copied, and the text it
 * reads stays borrowed until parsing is done. */
cvp_status cvp_parser_init_lexer(cvp_parser *parser, cvp_ast_tree *tree,
                                 const cvp_lexer *lexer, cvp_lang_error *err);

/* Moves to the next token. */
cvp_status cvp_parser_advance(cvp_parser *parser);

/* Parses one expression starting at the current token and stores it in
 * *out (a node of parser->tree); stops at the first token that cannot
 * continue it. */
cvp_status cvp_parser_expression(cvp_parser *parser, cvp_ast_node **out);

/* Records "expected WHAT, found TOKEN" at the current token (the way the
 * expression parser words it, e.g. "expected ')', found identifier 'x'")
 * and returns CVP_ERR_INPUT. */
cvp_status cvp_parser_fail_expected(cvp_parser *parser, const char *what);

/* Writes how the current token is named in messages: "identifier 'foo'",
 * "number '2.5'", "')'", "end of input". */
void cvp_parser_describe_current(const cvp_parser *parser, char *buf,
                                 size_t size);

#endif
