/* replay.c -- runs a fuzz target's harness on files, without libFuzzer.
 *
 *     replay_TARGET FILE...
 *
 * Linked with one fuzz/fuzz_TARGET.c, this is an ordinary program: it
 * feeds each file to LLVMFuzzerTestOneInput, as the fuzzer would.  `make
 * check` runs it on the seed corpus and on every input that once made a
 * target fail (tests/fuzz/regressions/TARGET/), so those stay fixed in
 * every build, including the sanitizer and valgrind runs.  A harness
 * signals a failure by aborting (or by a sanitizer report); reaching the
 * end means every file passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        unsigned char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = len;
    return buf;
}

int main(int argc, char **argv)
{
    for (int k = 1; k < argc; k++) {
        size_t size = 0;
        unsigned char *data = read_all(argv[k], &size);
        if (data == NULL) {
            fprintf(stderr, "replay: cannot read %s\n", argv[k]);
            return 2;
        }
        /* An exactly sized copy, so that an over-read is seen. */
        unsigned char *exact = malloc(size ? size : 1);
        if (exact == NULL)
            return 3;
        for (size_t i = 0; i < size; i++)
            exact[i] = data[i];
        free(data);
        LLVMFuzzerTestOneInput(exact, size);
        free(exact);
    }
    printf("replay: %d input(s) passed\n", argc - 1);
    return 0;
}
