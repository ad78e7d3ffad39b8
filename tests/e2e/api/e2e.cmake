# e2e of the api function on the local stack (lambda-local + PostgreSQL + fauxqs),
# in both API Gateway formats. Included from tests/integration/api so that it is
# registered without touching tests/e2e/CMakeLists.txt; exit 77 = skipped.
if(TARGET lambda-local AND TARGET bootstrap AND TARGET fn_api)
  foreach(fmt IN ITEMS rest http)
    add_test(NAME e2e.api.orders_${fmt}
      COMMAND ${CMAKE_CURRENT_LIST_DIR}/e2e_orders.sh ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR} ${fmt})
    set_tests_properties(e2e.api.orders_${fmt} PROPERTIES LABELS e2e TIMEOUT 180 SKIP_RETURN_CODE 77
      REQUIRED_FILES "$<TARGET_FILE:lambda-local>;$<TARGET_FILE:bootstrap>")
  endforeach()
endif()
