/* figures_internal.h -- shared by figures.c and figures_counterexample.c. */
#ifndef CVP_FIGURES_INTERNAL_H
#define CVP_FIGURES_INTERNAL_H

#include "report/figures.h"
#include "kernel/tensor.h"

/* Appends the pictures of every counterexample of result's methods. */
void figures_add_counterexamples(cvp_claim_result *result);

#endif
