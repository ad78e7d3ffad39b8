/* The identity an API Gateway authoriser put in the event, read as hostile
 * input: the claims come from whoever issued the token. Honoured:
 *   REST API (1.0), Cognito user pool authoriser: requestContext.authorizer.claims.sub
 *   REST API (1.0), Lambda authoriser:            requestContext.authorizer.principalId
 *   HTTP API (2.0), JWT authoriser:               requestContext.authorizer.jwt.claims.sub
 * No authoriser: no authorizer member, null, or an object without any of the
 * members an authoriser writes (claims, principalId, jwt, lambda, iam; null
 * counts as absent): REST APIs have been seen to send "authorizer":{} on
 * routes without one. Then API keys only. An authoriser's member that gives no
 * usable subject (another kind, a missing or non-string claim, a subject that
 * is not a customer id) fails closed: the order routes answer 403 rather than
 * show every customer's orders. */
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

/* Whether the context holds anything an authoriser writes. */
static bool names_an_authoriser(const cJSON *auth) {
  static const char *const marks[] = {"claims", "principalId", "jwt", "lambda", "iam"};
  if (!cJSON_IsObject(auth)) return !cJSON_IsNull(auth);
  for (const cJSON *m = auth->child; m; m = m->next)
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
      if (m->string && strcmp(m->string, marks[i]) == 0 && !cJSON_IsNull(m)) return true;
  return false;
}

void api_auth_read(api_request *req) {
  memset(&req->identity, 0, sizeof req->identity);
  int nrc, nauth;
  const cJSON *rc = only_member(req->root, "requestContext", &nrc);
  const cJSON *auth = only_member(rc, "authorizer", &nauth);
  if (nrc <= 1 && nauth <= 1 && (nauth == 0 || !names_an_authoriser(auth))) return; /* API keys only */
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
