# fn_orders: the order model (validation), the orders aggregate's SQL, the
# outbox and idempotency records. Included by functions/api/CMakeLists.txt
# (and by functions/common/CMakeLists.txt if it wants to); guarded so that
# including it twice is harmless.
if(NOT TARGET fn_orders)
  set(_fn_orders_dir ${CMAKE_CURRENT_LIST_DIR})
  add_library(fn_orders STATIC
    ${_fn_orders_dir}/order_validate.c
    ${_fn_orders_dir}/order_sql.c
    ${_fn_orders_dir}/order_store.c
    ${_fn_orders_dir}/outbox_store.c
    ${_fn_orders_dir}/idempotency_hash.c)
  target_include_directories(fn_orders PUBLIC ${PROJECT_INCLUDE_DIR} PRIVATE ${_fn_orders_dir})
  target_link_libraries(fn_orders PUBLIC fn_common orders::runtime PkgConfig::CJSON OpenSSL::Crypto
    PostgreSQL::PostgreSQL PRIVATE project_options m)
endif()
