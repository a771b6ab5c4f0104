/* cli_shard.h -- one run split over machines: `convproof check --shard
 * K/N` checks one part of the claims, `convproof merge-reports` joins the
 * JSON reports of the parts into the report of the whole run.
 *
 * Which claims a shard checks: the claims of all files given, numbered
 * from 0 in file order and then claim order (the order of the report of
 * a whole run), go round-robin: claim i belongs to shard (i mod N) + 1.
 * Round-robin rather than contiguous blocks because the claims of one
 * file tend to cost alike (one file holds the slow all_shapes sweeps,
 * another the quick exact checks), and a block split would give one shard
 * the whole slow file.  Every shard parses every file (numbering needs
 * them all, and a syntax error anywhere stops every shard as it stops the
 * whole run).  Random choices depend on the claim, not on what else ran
 * (as for --jobs), so a claim's verdict is the same in any shard.
 *
 * The JSON report of a shard says which shard it is, of how many, and how
 * many claims the whole run has ("shard" in docs/report-format.md), so
 * merge-reports needs the shards in no particular order, and refuses a
 * set that is not exactly shards 1..N of one run: a missing or repeated
 * shard, different N or claim totals, different tool versions or seeds
 * (one report has one seed, and shards run with different seeds are not
 * one run), or a shard with the wrong number of claims.  Reports of whole
 * runs (no "shard") are joined in the order given, under the same checks
 * of version and seed.
 */
#ifndef CVP_CLI_SHARD_H
#define CVP_CLI_SHARD_H

#include <stdbool.h>
#include <stddef.h>

/* --shard K/N; count 0 means the whole run. */
typedef struct {
    size_t index, count;
} cvp_cli_shard;

/* Most shards --shard accepts. */
#define CVP_CLI_SHARD_MAX 100000

/* Parses "K/N": decimal digits only, 1 <= K <= N <= CVP_CLI_SHARD_MAX.
 * Prints "convproof check: ..." and returns false otherwise. */
bool cvp_cli_parse_shard(cvp_cli_shard *shard, const char *text);

/* Whether claim number `claim` (0-based, over all files) is the shard's. */
static inline bool cvp_cli_shard_has(const cvp_cli_shard *shard, size_t claim)
{
    return shard->count == 0 || claim % shard->count == shard->index - 1;
}

/* How many of `total` claims shard `index` of `count` gets. */
static inline size_t cvp_cli_shard_size(size_t index, size_t count, size_t total)
{
    return total >= index ? (total - index) / count + 1 : 0;
}

/* `convproof merge-reports [options] REPORT.json...` (cli_shard.c). */
int cvp_cli_merge_reports(int argc, char **argv);

#endif
