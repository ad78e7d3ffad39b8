/* Endpoint resolution: explicit override, the AWS SDKs' environment
 * variables, or the regional AWS endpoint. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_endpoint.h"
#include "aws_internal.h"

static bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

static bool parse_port(const char *p, size_t n, int *port) {
  if (n == 0 || n > 5) return false;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return false;
    v = v * 10 + (p[i] - '0');
  }
  if (v < 1 || v > 65535) return false;
  *port = v;
  return true;
}

/* host[:port] or [v6][:port]; n bytes at a. */
static bool parse_authority(lr_aws_endpoint *ep, const char *a, size_t n) {
  size_t host_end = 0;
  if (n && a[0] == '[') {
    const char *close = memchr(a, ']', n);
    if (!close) return false;
    host_end = (size_t)(close - a) + 1;
    for (size_t i = 1; i + 1 < host_end; i++)
      if (!((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f') || (a[i] >= 'A' && a[i] <= 'F') || a[i] == ':' || a[i] == '.'))
        return false;
  } else {
    while (host_end < n && host_char(a[host_end])) host_end++;
  }
  if (host_end == 0 || host_end > LR_AWS_MAX_HOST) return false;
  memcpy(ep->host, a, host_end);
  ep->host[host_end] = '\0';
  if (host_end == n) return true;
  if (a[host_end] != ':') return false;
  return parse_port(a + host_end + 1, n - host_end - 1, &ep->port);
}

static bool parse_path(lr_aws_endpoint *ep, const char *p) {
  size_t n = strlen(p);
  while (n && p[n - 1] == '/') n--;
  if (n > LR_AWS_MAX_BASE_PATH || !lr_aws__is_clean_text(p, n) || memchr(p, ' ', n) || memchr(p, '\t', n))
    return false;
  memcpy(ep->base_path, p, n);
  ep->base_path[n] = '\0';
  return true;
}

lr_aws_status lr_aws__endpoint_parse(lr_aws_endpoint *ep, const char *url, char *err) {
  memset(ep, 0, sizeof *ep);
  size_t len = url ? strnlen(url, LR_AWS_MAX_ENDPOINT + 1) : 0;
  if (len == 0 || len > LR_AWS_MAX_ENDPOINT) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the endpoint URL is empty or too long");
  const char *rest;
  if (strncasecmp(url, "https://", 8) == 0) {
    ep->https = 1;
    rest = url + 8;
  } else if (strncasecmp(url, "http://", 7) == 0) {
    rest = url + 7;
  } else {
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the endpoint URL must start with http:// or https://");
  }
  if (strpbrk(rest, "?#@")) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the endpoint URL may not hold user info, a query or a fragment");
  const char *slash = strchr(rest, '/');
  size_t alen = slash ? (size_t)(slash - rest) : strlen(rest);
  if (!parse_authority(ep, rest, alen)) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the endpoint URL has a bad host or port");
  if (slash && !parse_path(ep, slash)) return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "the endpoint URL has a bad path");
  ep->overridden = 1;
  return LR_AWS_OK;
}

lr_aws_status lr_aws__endpoint_resolve(lr_aws_endpoint *ep, const char *env_suffix,
                                       const char *prefix, const char *region,
                                       const char *override, char *err) {
  char name[64];
  snprintf(name, sizeof name, "AWS_ENDPOINT_URL_%s", env_suffix);
  const char *url = override && *override ? override : getenv(name);
  if (!url || !*url) url = getenv("AWS_ENDPOINT_URL");
  if (url && *url) return lr_aws__endpoint_parse(ep, url, err);
  memset(ep, 0, sizeof *ep);
  ep->https = 1;
  int n = snprintf(ep->host, sizeof ep->host, "%s.%s.amazonaws.com", prefix, region ? region : "");
  if (!region || !*region || n < 0 || (size_t)n >= sizeof ep->host)
    return lr_aws__fail(err, LR_AWS_BAD_ARGUMENT, "no usable region for the %s endpoint", prefix);
  return LR_AWS_OK;
}

const char *lr_aws__endpoint_authority(const lr_aws_endpoint *ep, char *buf, size_t cap) {
  if (ep->port) snprintf(buf, cap, "%s:%d", ep->host, ep->port);
  else snprintf(buf, cap, "%s", ep->host);
  return buf;
}
