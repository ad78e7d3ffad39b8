#ifndef LL_SQS_SOURCE_H
#define LL_SQS_SOURCE_H
/* The SQS event source mapping of one function (its events.sqs): pollers
 * that receive, batch, invoke and delete as Lambda does. See ll_source.h. */
#include "ll_config.h"
#include "ll_source.h"

/* A source for fn (which must have fn->sqs); region names the queue's ARN.
 * *out is freed with ll_sqs_source_free after its stop. */
ll_status ll_sqs_source_new(const ll_function_cfg *fn, const char *region, ll_source **out);
void ll_sqs_source_free(ll_source *s);

#endif
