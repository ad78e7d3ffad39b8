/* The identity an API Gateway authoriser put in the event, read as hostile
 * input: the claims come from whoever issued the token. Honoured:
 *   REST API (1.0), Cognito user pool authoriser: requestContext.authorizer.claims.sub
 *   REST API (1.0), Lambda authoriser:            requestContext.authorizer.principalId
 *   HTTP API (2.0), JWT authoriser:               requestContext.authorizer.jwt.claims.sub
 * No authorizer member (or null): no authoriser, API keys only. An authorizer
 * member that names no identity we read (another kind, a missing or repeated
 * claim, a non-string, a subject that is not a customer id) fails closed: the
 * order routes answer 403 rather than show every customer's orders. */
#include <string.h>

#include "api_internal.h"

/* The member called name when the object has exactly one; NULL when it has
 * none or several. api_event_parse refuses repeated keys already; this keeps
 * a guess about which sub wins out of the identity if that ever changes. */
static const cJSON *only_member(const cJSON *o, const char *name, int *count) {
  const cJSON *found = NULL;
  *count = 0;
  if (!cJSON_IsObject(o)) return NULL;
  for (const cJSON *m = o->child; m; m = m->next)
    if (m->string && strcmp(m->string, name) == 0) found = m, (*count)++;
  return *count == 1 ? found : NULL;
}

static const cJSON *member(const cJSON *o, const char *name) {
  int n;
  return only_member(o, name, &n);
}

static const cJSON *claims_sub(const cJSON *claims) {
  return cJSON_IsObject(claims) ? member(claims, "sub") : NULL;
}

/* The subject's JSON value, or NULL when the authoriser context names none. */
static const cJSON *subject_of(const cJSON *auth, api_format format) {
  if (format == API_FORMAT_HTTP_V2) return claims_sub(member(member(auth, "jwt"), "claims"));
  int nclaims;
  const cJSON *claims = only_member(auth, "claims", &nclaims);
  if (nclaims > 0) return claims_sub(claims); /* Cognito: never fall back to another member */
  return member(auth, "principalId");
}

void api_auth_read(api_request *req) {
  memset(&req->identity, 0, sizeof req->identity);
  int nrc, nauth;
  const cJSON *rc = only_member(req->root, "requestContext", &nrc);
  const cJSON *auth = only_member(rc, "authorizer", &nauth);
  if (nrc <= 1 && (nauth == 0 || cJSON_IsNull(auth))) return; /* API keys only */
  req->identity.state = API_IDENTITY_INVALID; /* from here on, only a valid subject lets through */
  const char *sub = cJSON_GetStringValue(auth ? subject_of(auth, req->format) : NULL);
  if (!sub || !order_customer_id_valid(sub, strlen(sub))) return;
  memcpy(req->identity.subject, sub, strlen(sub) + 1);
  req->identity.state = API_IDENTITY_SUBJECT;
}

const char *api_auth_subject(const api_request *req) {
  return req->identity.state == API_IDENTITY_SUBJECT ? req->identity.subject : NULL;
}

bool api_auth_owns(const api_request *req, const char *customer_id) {
  const char *sub = api_auth_subject(req);
  return !sub || (customer_id && strcmp(sub, customer_id) == 0);
}
