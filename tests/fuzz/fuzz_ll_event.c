/* lambda-local's event builder: an HTTP request (method, target, headers,
 * body from the input, split at \n lines: METHOD\nTARGET\nName: value...\n\nBODY)
 * into both API Gateway event formats. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ll_apigw_event.h"

static char *next_line(char **p, char *end) {
  char *s = *p;
  if (s >= end) return NULL;
  char *nl = memchr(s, '\n', (size_t)(end - s));
  if (!nl) nl = end;
  *nl = '\0';
  *p = nl + 1;
  return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *p = buf, *end = buf + size;
  char *method = next_line(&p, end), *target = next_line(&p, end);
  ll_header h[LL_MAX_HEADERS];
  size_t n = 0;
  for (char *l; n < LL_MAX_HEADERS && (l = next_line(&p, end)) && *l;) {
    char *colon = strchr(l, ':');
    if (!colon) continue;
    *colon = '\0';
    h[n].name = l;
    h[n].value = colon[1] == ' ' ? colon + 2 : colon + 1;
    n++;
  }
  const char *body = p < end ? p : NULL;
  size_t body_len = p < end ? (size_t)(end - p) : 0;
  ll_http_request rq = {.method = method ? method : "GET", .target = target ? target : "/",
                        .protocol = "HTTP/1.1", .headers = h, .header_count = n, .body = body,
                        .body_len = body_len, .source_ip = "127.0.0.1", .request_id = "fuzz",
                        .epoch_ms = 1700000000000};
  for (int f = 0; f < 2; f++) {
    ll_apigw_opts o = {.format = f ? LL_API_HTTP : LL_API_REST, .stage = "$default"};
    char *json = NULL, err[256];
    size_t len = 0;
    if (ll_apigw_event(&rq, &o, &json, &len, err, sizeof err) == LL_OK) {
      if (strlen(json) != len) abort(); /* the event is text, no NUL inside */
      free(json);
    }
  }
  free(buf);
  return 0;
}
