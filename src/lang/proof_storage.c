/* proof_storage.c -- the arena that owns a parsed .proof file, the table
 * of a claim's names, and cvp_proof_file_init/clear (see
 * proof_internal.h for why they look the way they do). */
#include "lang/proof_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------ */

/* Most allocations are small (names, shape nodes, a few array slots);
 * chunks of this size keep malloc calls few.  Larger requests get a chunk
 * of their own. */
#define CHUNK_BYTES ((size_t)64 * 1024)

struct cvp_proof_chunk {
    cvp_proof_chunk *next;
    size_t used, size;        /* in bytes of data[] */
    max_align_t data[];       /* aligned for anything */
};

cvp_proof_arena *cvp_proof_arena_new(void)
{
    return calloc(1, sizeof(cvp_proof_arena));
}

void cvp_proof_arena_free(cvp_proof_arena *arena)
{
    if (arena == NULL)
        return;
    cvp_proof_chunk *chunk = arena->chunks;
    while (chunk != NULL) {
        cvp_proof_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    free(arena);
}

static cvp_proof_chunk *new_chunk(size_t size)
{
    if (size > SIZE_MAX - sizeof(cvp_proof_chunk))
        return NULL;
    cvp_proof_chunk *chunk = calloc(1, sizeof *chunk + size);
    if (chunk != NULL)
        chunk->size = size;
    return chunk;
}

void *cvp_proof_arena_alloc(cvp_proof_arena *arena, size_t size)
{
    const size_t align = sizeof(max_align_t);
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - align)
        return NULL;
    size = (size + align - 1) / align * align;
    cvp_proof_chunk *head = arena->chunks;
    if (head != NULL && head->size - head->used >= size) {
        void *p = (char *)head->data + head->used;
        head->used += size;
        return p;  /* chunks come zeroed from calloc and are never reused */
    }
    if (size > CHUNK_BYTES / 4) {
        /* A chunk of its own, kept behind the head so the head's free
         * space still serves the small requests that follow. */
        cvp_proof_chunk *big = new_chunk(size);
        if (big == NULL)
            return NULL;
        big->used = size;
        if (head != NULL) {
            big->next = head->next;
            head->next = big;
        } else {
            arena->chunks = big;
        }
        return big->data;
    }
    cvp_proof_chunk *chunk = new_chunk(CHUNK_BYTES);
    if (chunk == NULL)
        return NULL;
    chunk->next = head;
    arena->chunks = chunk;
    chunk->used = size;
    return chunk->data;
}

char *cvp_proof_arena_strdup(cvp_proof_arena *arena, const char *text,
                             size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *copy = cvp_proof_arena_alloc(arena, len + 1);
    if (copy != NULL && len > 0)
        memcpy(copy, text, len);
    return copy;
}

void *cvp_proof_arena_reserve(cvp_proof_arena *arena, void *array,
                              size_t count, size_t *capacity, size_t elem)
{
    if (count < *capacity)
        return array;
    size_t grown = *capacity ? 2 * *capacity : 4;
    if (grown < *capacity || grown > SIZE_MAX / elem)
        return NULL;
    void *bigger = cvp_proof_arena_alloc(arena, grown * elem);
    if (bigger == NULL)
        return NULL;
    if (count > 0)
        memcpy(bigger, array, count * elem);
    *capacity = grown;
    return bigger;
}

/* ---- names ------------------------------------------------------------ */

void cvp_symbols_init(cvp_symbols *symbols)
{
    symbols->slots = NULL;
    symbols->capacity = 0;
    symbols->count = 0;
}

void cvp_symbols_clear(cvp_symbols *symbols)
{
    free(symbols->slots);
    cvp_symbols_init(symbols);
}

/* FNV-1a: simple, and good enough for identifiers. */
static size_t hash_name(const char *name, size_t len)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 1099511628211u;
    }
    return (size_t)h;
}

/* The slot holding name[0..len-1], or the free slot where it would go. */
static cvp_symbol *probe(cvp_symbol *slots, size_t capacity, const char *name,
                         size_t len)
{
    size_t mask = capacity - 1;
    for (size_t i = hash_name(name, len) & mask;; i = (i + 1) & mask)
        if (slots[i].name == NULL
            || (strncmp(slots[i].name, name, len) == 0
                && slots[i].name[len] == '\0'))
            return &slots[i];
}

const cvp_symbol *cvp_symbols_find(const cvp_symbols *symbols,
                                   const char *name, size_t len)
{
    if (symbols->capacity == 0)
        return NULL;
    const cvp_symbol *slot = probe(symbols->slots, symbols->capacity, name,
                                   len);
    return slot->name != NULL ? slot : NULL;
}

bool cvp_symbols_add(cvp_symbols *symbols, const cvp_symbol *symbol)
{
    /* Keep the table at most half full so probes stay short (and always
     * end at a free slot). */
    if (2 * (symbols->count + 1) > symbols->capacity) {
        size_t grown = symbols->capacity ? 2 * symbols->capacity : 16;
        cvp_symbol *slots = calloc(grown, sizeof *slots);
        if (slots == NULL)
            return false;
        for (size_t i = 0; i < symbols->capacity; i++)
            if (symbols->slots[i].name != NULL)
                *probe(slots, grown, symbols->slots[i].name,
                       strlen(symbols->slots[i].name)) = symbols->slots[i];
        free(symbols->slots);
        symbols->slots = slots;
        symbols->capacity = grown;
    }
    *probe(symbols->slots, symbols->capacity, symbol->name,
           strlen(symbol->name)) = *symbol;
    symbols->count++;
    return true;
}

const char *cvp_symbol_kind_name(cvp_symbol_kind kind)
{
    switch (kind) {
    case CVP_SYM_DIM: return "dim";
    case CVP_SYM_TENSOR: return "tensor";
    case CVP_SYM_LET: return "let";
    }
    return "name";
}

/* ---- the file --------------------------------------------------------- */

void cvp_proof_file_init(cvp_proof_file *file)
{
    file->source_name = NULL;
    cvp_ast_tree_init(&file->tree);
    file->implementation_count = 0;
    file->implementations = NULL;
    file->claim_count = 0;
    file->claims = NULL;
    file->note_count = 0;
    file->notes = NULL;
    file->storage = NULL;
}

void cvp_proof_file_clear(cvp_proof_file *file)
{
    cvp_ast_tree_clear(&file->tree);
    cvp_proof_arena_free(file->storage);
    cvp_proof_file_init(file);
}
