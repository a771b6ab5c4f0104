/* proof_internal.h -- private to the .proof parser (proof_parser.c,
 * proof_statement.c, proof_shape.c, proof_method.c, proof_storage.c);
 * nothing outside src/lang/proof_*.c includes it.
 *
 * Files: proof_parser.c (grammar, claims, files, shared helpers),
 * proof_statement.c (statements and name checks), proof_shape.c (shape
 * expressions), proof_method.c (`by`), proof_storage.c (memory).
 *
 * Storage: everything a cvp_proof_file owns apart from expression nodes
 * lives in one arena (file->storage), so a file is freed in one sweep and
 * a parse that fails half-way leaks nothing.  Arrays that grow while a
 * claim is read are reallocated inside the arena; the old copies stay
 * until the file is cleared, which at most doubles their footprint.
 *
 * Names: each claim's dims, tensors and lets share one namespace, kept in
 * a hash table while the claim is read, so lookups stay constant-time
 * however many names a (hostile) claim declares.
 */
#ifndef CVP_PROOF_INTERNAL_H
#define CVP_PROOF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/parser.h"
#include "lang/proof.h"

/* ---- arena ------------------------------------------------------------ */

typedef struct cvp_proof_chunk cvp_proof_chunk;

typedef struct {
    cvp_proof_chunk *chunks;  /* newest first */
} cvp_proof_arena;

/* A new, empty arena (malloc'ed), or NULL when out of memory. */
cvp_proof_arena *cvp_proof_arena_new(void);

/* Frees the arena and everything allocated from it; NULL is allowed. */
void cvp_proof_arena_free(cvp_proof_arena *arena);

/* `size` zeroed bytes aligned for any type, or NULL when out of memory. */
void *cvp_proof_arena_alloc(cvp_proof_arena *arena, size_t size);

/* A NUL-terminated copy of text[0..len-1], or NULL. */
char *cvp_proof_arena_strdup(cvp_proof_arena *arena, const char *text,
                             size_t len);

/* Makes room for one more element in an array of `count` elements of
 * `elem` bytes with room for *capacity: returns the array (moved when it
 * had to grow, with *capacity updated), or NULL when out of memory (the
 * old array is then unchanged). */
void *cvp_proof_arena_reserve(cvp_proof_arena *arena, void *array,
                              size_t count, size_t *capacity, size_t elem);

/* ---- the names of one claim ------------------------------------------ */

typedef enum { CVP_SYM_DIM, CVP_SYM_TENSOR, CVP_SYM_LET } cvp_symbol_kind;

typedef struct {
    const char *name;      /* borrowed (from the arena); NULL: free slot */
    cvp_symbol_kind kind;
    size_t index;          /* into the claim's dims, tensors or lets */
    cvp_srcpos pos;        /* where it was declared */
} cvp_symbol;

typedef struct {
    cvp_symbol *slots;     /* open addressing, capacity a power of two */
    size_t capacity, count;
} cvp_symbols;

void cvp_symbols_init(cvp_symbols *symbols);
void cvp_symbols_clear(cvp_symbols *symbols);   /* frees; empty again */

/* The symbol called name[0..len-1], or NULL. */
const cvp_symbol *cvp_symbols_find(const cvp_symbols *symbols,
                                   const char *name, size_t len);

/* Adds a symbol whose name is not in the table yet; false when out of
 * memory. */
bool cvp_symbols_add(cvp_symbols *symbols, const cvp_symbol *symbol);

/* "dim", "tensor", "let". */
const char *cvp_symbol_kind_name(cvp_symbol_kind kind);

/* ---- parsing state shared by the proof_*.c files ------------------------ */

typedef struct {
    cvp_parser parser;         /* tokens and expressions */
    cvp_proof_file *file;
    cvp_proof_arena *arena;
    const char *source_name;   /* the file's copy */
    const char *text;          /* the whole source */
    cvp_lang_error *err;
    cvp_proof_claim *claim;    /* the claim being read */
    cvp_symbols symbols;       /* its names */
    size_t claim_capacity, implementation_capacity;
    size_t dim_capacity, constraint_capacity, tensor_capacity,
        let_capacity, show_capacity, note_capacity;
    bool saw_by;
    cvp_srcpos by_pos;
} cvp_proof_state;

/* Records a CVP_ERR_INPUT at `pos` and returns it. */
cvp_status cvp_proof_fail(cvp_proof_state *st, cvp_srcpos pos,
                          const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds a warning at `pos` to the file's notes (the parse goes on);
 * fails only when memory runs out. */
cvp_status cvp_proof_note(cvp_proof_state *st, cvp_srcpos pos,
                          const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Records CVP_ERR_LIMIT "out of memory ..." at the current token. */
cvp_status cvp_proof_out_of_memory(cvp_proof_state *st);

/* Records "expected WHAT, found TOKEN" at the current token. */
cvp_status cvp_proof_expected(cvp_proof_state *st, const char *what);

/* Reads the digits of the current NUMBER token as a long (*out), failing
 * with "expected WHAT, found ..." on a non-integer literal and with a
 * range error when it does not fit (or, with `negative`, when its
 * negation does not fit).  Does not advance. */
cvp_status cvp_proof_integer_token(cvp_proof_state *st, bool negative,
                                   const char *what, long *out);

/* INT := ['-'] DIGITS, then advances; *pos is where it starts (at the
 * sign, if any). */
cvp_status cvp_proof_parse_int(cvp_proof_state *st, const char *what,
                               long *out, cvp_srcpos *pos);

/* Parses a shape expression (grammar in proof_parser.c) at the current
 * token; names must be dims of the current claim. */
cvp_status cvp_proof_parse_shape(cvp_proof_state *st, cvp_shape_expr **out);

/* Parses one statement of a claim (proof_statement.c); the current token
 * starts it. */
cvp_status cvp_proof_parse_statement(cvp_proof_state *st);

/* True (with *word the statement's keyword) when the token is one of the
 * statement keywords. */
bool cvp_proof_statement_word(const cvp_token *token, const char **word);

/* Parses an `implementation` declaration (proof_implementation.c); the
 * current token is `implementation`. */
cvp_status cvp_proof_parse_implementation(cvp_proof_state *st);

/* The implementation called name (declared so far), or NULL. */
const cvp_proof_implementation *cvp_proof_find_implementation(
    const cvp_proof_state *st, const char *name, size_t len);

/* Checks a call of an implementation's operation ("impl.op", a name with
 * a '.'): the implementation is declared and the operation exists. */
cvp_status cvp_proof_check_implementation_call(cvp_proof_state *st,
                                               const cvp_ast_node *call);

/* Parses a `by` line (proof_method.c); the current token is `by`. */
cvp_status cvp_proof_parse_by(cvp_proof_state *st);

#endif
