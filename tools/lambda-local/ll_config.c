/* local/stack.json: parsed with cJSON from an explicit length, every field
 * type-checked, unknown keys refused so that a typo is an error, not a
 * silently ignored setting. */
#include "ll_config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ll_config_internal.h"
#include "ll_json.h"
#include "lr/buf.h"

#define LL_EXPAND_MAX 4096

static ll_status ll_expand_var(lr_buf *b, const char *spec, size_t n, char *err, size_t errcap) {
  char name[128];
  const char *def = NULL;
  size_t name_len = n, def_len = 0;
  const char *sep = memmem(spec, n, ":-", 2);
  if (sep) {
    name_len = (size_t)(sep - spec);
    def = sep + 2;
    def_len = n - name_len - 2;
  }
  if (name_len == 0 || name_len >= sizeof name) {
    ll_err_set(err, errcap, "bad variable reference ${%.*s}", (int)(n > 64 ? 64 : n), spec);
    return LL_CONFIG;
  }
  memcpy(name, spec, name_len);
  name[name_len] = '\0';
  const char *v = getenv(name);
  if (v && *v) return lr_buf_adds(b, v) == LR_BUF_OK ? LL_OK : LL_TOO_BIG;
  if (def) return lr_buf_add(b, def, def_len) == LR_BUF_OK ? LL_OK : LL_TOO_BIG;
  ll_err_set(err, errcap, "environment variable %s is not set (use ${%s:-default})", name, name);
  return LL_CONFIG;
}

ll_status ll_config_expand(const char *in, char **out, char *err, size_t errcap) {
  lr_buf b;
  lr_buf_init(&b, LL_EXPAND_MAX);
  ll_status st = LL_OK;
  for (const char *p = in; *p && st == LL_OK;) {
    const char *open = strstr(p, "${");
    if (!open) {
      st = lr_buf_adds(&b, p) == LR_BUF_OK ? LL_OK : LL_TOO_BIG;
      break;
    }
    const char *close = strchr(open + 2, '}');
    if (!close) {
      ll_err_set(err, errcap, "unterminated ${ in \"%.64s\"", in);
      st = LL_CONFIG;
      break;
    }
    if (lr_buf_add(&b, p, (size_t)(open - p)) != LR_BUF_OK) st = LL_TOO_BIG;
    if (st == LL_OK) st = ll_expand_var(&b, open + 2, (size_t)(close - open - 2), err, errcap);
    p = close + 1;
  }
  if (st == LL_TOO_BIG) ll_err_set(err, errcap, "value longer than %d bytes after expansion", LL_EXPAND_MAX);
  if (st != LL_OK) {
    lr_buf_free(&b);
    return st;
  }
  *out = lr_buf_take(&b, NULL);
  return *out ? LL_OK : LL_NOMEM;
}

/* A string field: absent → def (may be NULL), wrong type → error. */
ll_status ll_get_string(const cJSON *obj, const char *key, const char *def, char **out,
                               char *err, size_t errcap) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!it) {
    *out = def ? strdup(def) : NULL;
    return def && !*out ? LL_NOMEM : LL_OK;
  }
  if (!cJSON_IsString(it) || !it->valuestring[0]) {
    ll_err_set(err, errcap, "\"%s\" must be a non-empty string", key);
    return LL_CONFIG;
  }
  return ll_config_expand(it->valuestring, out, err, errcap);
}

ll_status ll_get_int(const cJSON *obj, const char *key, int def, int lo, int hi, int *out,
                            char *err, size_t errcap) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!it) {
    *out = def;
    return LL_OK;
  }
  double d = cJSON_IsNumber(it) ? it->valuedouble : -1e18;
  if (d < lo || d > hi || d != (double)(int)d) {
    ll_err_set(err, errcap, "\"%s\" must be an integer from %d to %d", key, lo, hi);
    return LL_CONFIG;
  }
  *out = (int)d;
  return LL_OK;
}

ll_status ll_check_keys(const cJSON *obj, const char *const *allowed, const char *where,
                               char *err, size_t errcap) {
  if (!cJSON_IsObject(obj)) {
    ll_err_set(err, errcap, "%s must be an object", where);
    return LL_CONFIG;
  }
  for (const cJSON *it = obj->child; it; it = it->next) {
    size_t i = 0;
    while (allowed[i] && strcmp(allowed[i], it->string) != 0) i++;
    if (!allowed[i]) {
      ll_err_set(err, errcap, "%s: unknown key \"%.64s\"", where, it->string);
      return LL_CONFIG;
    }
  }
  return LL_OK;
}

static ll_status ll_env_put(ll_function_cfg *f, const char *name, const char *value, char *err,
                            size_t errcap) {
  size_t i = 0;
  while (i < f->env_count && strcmp(f->env[i].name, name) != 0) i++;
  if (i == LL_MAX_ENV) {
    ll_err_set(err, errcap, "function %s: more than %d environment variables", f->name, LL_MAX_ENV);
    return LL_CONFIG;
  }
  char *v = NULL;
  ll_status st = ll_config_expand(value, &v, err, errcap);
  if (st != LL_OK) return st;
  if (i < f->env_count) {
    free(f->env[i].value);
    f->env[i].value = v;
    return LL_OK;
  }
  f->env[i].name = strdup(name);
  if (!f->env[i].name) {
    free(v);
    return LL_NOMEM;
  }
  f->env[i].value = v;
  f->env_count++;
  return LL_OK;
}

static bool ll_env_name_ok(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9')) return false;
  for (; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
      return false;
  return true;
}

static ll_status ll_parse_env(ll_function_cfg *f, const cJSON *env, char *err, size_t errcap) {
  if (!env) return LL_OK;
  if (!cJSON_IsObject(env)) {
    ll_err_set(err, errcap, "function %s: \"env\" must be an object of strings", f->name);
    return LL_CONFIG;
  }
  for (const cJSON *it = env->child; it; it = it->next) {
    if (!cJSON_IsString(it) || !ll_env_name_ok(it->string)) {
      ll_err_set(err, errcap, "function %s: env \"%.64s\" must be a [A-Za-z_][A-Za-z0-9_]* name with a string value",
                 f->name, it->string);
      return LL_CONFIG;
    }
    ll_status st = ll_env_put(f, it->string, it->valuestring, err, errcap);
    if (st != LL_OK) return st;
  }
  return LL_OK;
}

static ll_status ll_resolve_path(char **path, const char *base_dir) {
  if ((*path)[0] == '/' || !base_dir) return LL_OK;
  lr_buf b;
  lr_buf_init(&b, PATH_MAX);
  if (lr_buf_addf(&b, "%s/%s", base_dir, *path) != LR_BUF_OK) {
    lr_buf_free(&b);
    return LL_CONFIG;
  }
  char *joined = lr_buf_take(&b, NULL);
  if (!joined) return LL_NOMEM;
  free(*path);
  *path = joined;
  return LL_OK;
}

/* The function's bootstrap, else the top-level one; expanded and resolved. */
static ll_status ll_parse_bootstrap(ll_function_cfg *f, const cJSON *fj, const cJSON *root, const char *base_dir,
                                    char *err, size_t errcap) {
  const cJSON *own = cJSON_GetObjectItemCaseSensitive(fj, "bootstrap");
  const cJSON *dflt = cJSON_GetObjectItemCaseSensitive(root, "bootstrap");
  const cJSON *b = own ? own : dflt;
  if (!b) {
    ll_err_set(err, errcap, "function %s: no \"bootstrap\" (set it here or at the top level)", f->name);
    return LL_CONFIG;
  }
  if (!cJSON_IsString(b) || !b->valuestring[0]) {
    ll_err_set(err, errcap, "\"bootstrap\" must be a non-empty string");
    return LL_CONFIG;
  }
  ll_status st = ll_config_expand(b->valuestring, &f->bootstrap, err, errcap);
  return st == LL_OK ? ll_resolve_path(&f->bootstrap, base_dir) : st;
}

static const char *const ll_function_keys[] = {"handler", "bootstrap", "timeout", "memory",
                                               "concurrency", "env", "description", "events", NULL};

static ll_status ll_parse_function(ll_function_cfg *f, const cJSON *fj, const cJSON *root,
                                   const char *base_dir, char *err, size_t errcap) {
  char where[160];
  snprintf(where, sizeof where, "function %.100s", f->name);
  ll_status st = ll_check_keys(fj, ll_function_keys, where, err, errcap);
  if (st == LL_OK) st = ll_get_string(fj, "handler", f->name, &f->handler, err, errcap);
  if (st == LL_OK) st = ll_parse_bootstrap(f, fj, root, base_dir, err, errcap);
  if (st == LL_OK) st = ll_get_int(fj, "timeout", 3, 1, LL_MAX_TIMEOUT_S, &f->timeout_s, err, errcap);
  if (st == LL_OK) st = ll_get_int(fj, "memory", 128, 128, 10240, &f->memory_mb, err, errcap);
  if (st == LL_OK) st = ll_get_int(fj, "concurrency", 1, 1, LL_MAX_CONCURRENCY, &f->concurrency, err, errcap);
  if (st == LL_OK) st = ll_parse_env(f, cJSON_GetObjectItemCaseSensitive(root, "env"), err, errcap);
  if (st == LL_OK) st = ll_parse_env(f, cJSON_GetObjectItemCaseSensitive(fj, "env"), err, errcap);
  if (st == LL_OK) st = ll_config_parse_events(f, cJSON_GetObjectItemCaseSensitive(fj, "events"), err, errcap);
  if (st != LL_OK && err && !err[0]) ll_err_set(err, errcap, "%s: %s", where, ll_status_message(st));
  return st;
}

static ll_status ll_parse_functions(ll_config *c, const cJSON *root, const char *base_dir, char *err,
                                    size_t errcap) {
  const cJSON *fns = cJSON_GetObjectItemCaseSensitive(root, "functions");
  if (!cJSON_IsObject(fns) || !fns->child) {
    ll_err_set(err, errcap, "\"functions\" must be a non-empty object");
    return LL_CONFIG;
  }
  for (const cJSON *fj = fns->child; fj; fj = fj->next) {
    if (c->function_count == LL_MAX_FUNCTIONS || !ll_env_name_ok(fj->string)) {
      ll_err_set(err, errcap, "function \"%.64s\": bad name or more than %d functions", fj->string, LL_MAX_FUNCTIONS);
      return LL_CONFIG;
    }
    ll_function_cfg *f = &c->functions[c->function_count++];
    f->name = strdup(fj->string);
    if (!f->name) return LL_NOMEM;
    ll_status st = ll_parse_function(f, fj, root, base_dir, err, errcap);
    if (st != LL_OK) return st;
  }
  return LL_OK;
}

static const char *const ll_http_keys[] = {"function", "host", "port", "format", "stage", "timeout", NULL};

static ll_status ll_parse_http(ll_config *c, const cJSON *root, char *err, size_t errcap) {
  const cJSON *h = cJSON_GetObjectItemCaseSensitive(root, "http");
  c->http_port = 3000;
  c->api_timeout_s = 29;
  c->http_format = LL_API_REST;
  if (!h) return (c->http_host = strdup("127.0.0.1")) && (c->stage = strdup("local")) ? LL_OK : LL_NOMEM;
  ll_status st = ll_check_keys(h, ll_http_keys, "\"http\"", err, errcap);
  char *format = NULL;
  if (st == LL_OK) st = ll_get_string(h, "function", NULL, &c->http_function, err, errcap);
  if (st == LL_OK) st = ll_get_string(h, "host", "127.0.0.1", &c->http_host, err, errcap);
  if (st == LL_OK) st = ll_get_string(h, "stage", "local", &c->stage, err, errcap);
  if (st == LL_OK) st = ll_get_int(h, "port", 3000, 0, 65535, &c->http_port, err, errcap);
  if (st == LL_OK) st = ll_get_int(h, "timeout", 29, 1, LL_MAX_TIMEOUT_S, &c->api_timeout_s, err, errcap);
  if (st == LL_OK) st = ll_get_string(h, "format", "rest", &format, err, errcap);
  if (st == LL_OK && strcmp(format, "rest") != 0 && strcmp(format, "http") != 0) {
    ll_err_set(err, errcap, "\"http\".\"format\" must be \"rest\" (payload 1.0) or \"http\" (payload 2.0)");
    st = LL_CONFIG;
  }
  if (st == LL_OK) c->http_format = strcmp(format, "http") == 0 ? LL_API_HTTP : LL_API_REST;
  free(format);
  if (st == LL_OK && c->http_function && !ll_config_function(c, c->http_function)) {
    ll_err_set(err, errcap, "\"http\".\"function\" names no function: %.64s", c->http_function);
    st = LL_CONFIG;
  }
  return st;
}

/* Rule names are unique in an account and region, and `trigger RULE` finds a rule by its name. */
static ll_status ll_check_rule_names(const ll_config *c, char *err, size_t errcap) {
  for (size_t i = 0; i < c->function_count; i++)
    for (size_t j = 0; j < c->functions[i].schedule_count; j++) {
      const ll_schedule_cfg *r = NULL;
      ll_config_rule(c, c->functions[i].schedules[j].name, &r);
      if (r != &c->functions[i].schedules[j]) {
        ll_err_set(err, errcap, "schedule rule %.64s is defined twice", r->name);
        return LL_CONFIG;
      }
    }
  return LL_OK;
}

static const char *const ll_root_keys[] = {"region", "bootstrap", "env", "functions", "http", "description", NULL};

ll_status ll_config_parse(const char *json, size_t len, const char *base_dir, ll_config *out,
                          char *err, size_t errcap) {
  memset(out, 0, sizeof *out);
  cJSON *root = ll_json_parse(json, len);
  if (!root) {
    const char *at = cJSON_GetErrorPtr();
    size_t off = at && at >= json && at <= json + len ? (size_t)(at - json) : len;
    ll_err_set(err, errcap, "not one valid JSON document (near byte %zu)", off);
    return LL_CONFIG;
  }
  ll_status st = ll_check_keys(root, ll_root_keys, "the top level", err, errcap);
  if (st == LL_OK) st = ll_get_string(root, "region", "us-east-1", &out->region, err, errcap);
  if (st == LL_OK) st = ll_parse_functions(out, root, base_dir, err, errcap);
  if (st == LL_OK) st = ll_parse_http(out, root, err, errcap);
  if (st == LL_OK) st = ll_check_rule_names(out, err, errcap);
  cJSON_Delete(root);
  if (st != LL_OK) ll_config_free(out);
  return st;
}

static ll_status ll_read_file(const char *path, lr_buf *b, char *err, size_t errcap) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    ll_err_set(err, errcap, "%s: %s", path, strerror(errno));
    return LL_IO;
  }
  char chunk[8192];
  size_t n;
  ll_status st = LL_OK;
  while (st == LL_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if (lr_buf_add(b, chunk, n) != LR_BUF_OK) st = LL_TOO_BIG;
  if (st == LL_OK && ferror(f)) st = LL_IO;
  fclose(f);
  if (st != LL_OK) ll_err_set(err, errcap, "%s: %s", path, ll_status_message(st));
  return st;
}

ll_status ll_config_load(const char *path, ll_config *out, char *err, size_t errcap) {
  memset(out, 0, sizeof *out);
  lr_buf b;
  lr_buf_init(&b, LL_CONFIG_MAX_BYTES);
  ll_status st = ll_read_file(path, &b, err, errcap);
  char *dir = strdup(path);
  if (!dir) st = LL_NOMEM;
  if (st == LL_OK) {
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    st = ll_config_parse(lr_buf_str(&b), b.len, slash ? dir : ".", out, err, errcap);
  }
  free(dir);
  lr_buf_free(&b);
  return st;
}

void ll_config_free(ll_config *c) {
  if (!c) return;
  for (size_t i = 0; i < c->function_count; i++) {
    ll_function_cfg *f = &c->functions[i];
    free(f->name);
    free(f->handler);
    free(f->bootstrap);
    for (size_t j = 0; j < f->env_count; j++) {
      free(f->env[j].name);
      free(f->env[j].value);
    }
    ll_config_free_events(f);
  }
  free(c->region);
  free(c->http_function);
  free(c->http_host);
  free(c->stage);
  memset(c, 0, sizeof *c);
}

const ll_function_cfg *ll_config_function(const ll_config *c, const char *name) {
  for (size_t i = 0; i < c->function_count; i++)
    if (strcmp(c->functions[i].name, name) == 0) return &c->functions[i];
  return NULL;
}

const ll_function_cfg *ll_config_rule(const ll_config *c, const char *rule, const ll_schedule_cfg **out) {
  for (size_t i = 0; i < c->function_count; i++)
    for (size_t j = 0; j < c->functions[i].schedule_count; j++)
      if (strcmp(c->functions[i].schedules[j].name, rule) == 0) {
        if (out) *out = &c->functions[i].schedules[j];
        return &c->functions[i];
      }
  return NULL;
}
