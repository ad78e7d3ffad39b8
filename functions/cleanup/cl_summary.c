/* The answers of the two tasks (also logged and emitted as EMF). */
#include "cl.h"

lr_buf_status cl_archive_summary_json(const cl_archive_summary *s, lr_buf *out) {
  return lr_buf_addf(out,
                     "{\"task\":\"archive\",\"archived\":%lld,\"objects\":%lld,\"bytes\":%lld,"
                     "\"keys_purged\":%lld,\"complete\":%s}",
                     s->archived, s->objects, s->bytes, s->keys_purged,
                     s->complete ? "true" : "false");
}

lr_buf_status cl_outbox_summary_json(const cl_outbox_summary *s, lr_buf *out) {
  return lr_buf_addf(out,
                     "{\"task\":\"outbox\",\"sent\":%lld,\"failed\":%lld,\"given_up\":%lld,"
                     "\"oldest_age_seconds\":%lld,\"complete\":%s}",
                     s->sent, s->failed, s->given_up, s->oldest_age_seconds,
                     s->complete ? "true" : "false");
}
