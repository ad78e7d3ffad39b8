/* package_probe: a stand-in for bootstrap with the same shared libraries (libcurl, libpq, cJSON,
 * OpenSSL, zlib), so that scripts/package can be tested before and apart from the real handlers.
 * Prints one line of versions and exits 0 when every library loaded and answered. */
#include <stdio.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <zlib.h>

int main(void) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return 1;
  int n = printf("curl=%s pq=%d cjson=%s openssl=%s zlib=%s\n", curl_version(), PQlibVersion(),
                 cJSON_Version(), OpenSSL_version(OPENSSL_VERSION), zlibVersion());
  SSL_CTX_free(ctx);
  curl_global_cleanup();
  return n > 0 ? 0 : 1;
}
