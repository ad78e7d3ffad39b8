# Every external library as an imported target, found the ordinary way.
find_package(PkgConfig REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PostgreSQL REQUIRED)
pkg_check_modules(CJSON REQUIRED IMPORTED_TARGET libcjson)
pkg_check_modules(CHECK REQUIRED IMPORTED_TARGET check)
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
