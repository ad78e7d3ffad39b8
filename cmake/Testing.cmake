# How every suite is named and run under valgrind.
#
# Names mirror the source tree: <label>.<area>.<suite>, the label being the
# kind of test (unit, integration, e2e, infra, valgrind, fuzz), the area the
# folder of what it tests (runtime, aws, common, api, db, lambda_local, ...),
# so that `ctest -L unit` or `ctest -R '\.api\.'` pick what one expects.

find_program(ORDERS_VALGRIND valgrind)

# orders_valgrind_test(<area>.<suite> <target>
#                      [TRACE_CHILDREN] [SKIP_CHILDREN <pattern>]
#                      [LEAK_KINDS <kinds>] [TIMEOUT <s>] [ENVIRONMENT <VAR=value>...])
# The suite <target> under valgrind as `valgrind.<area>.<suite>`: an invalid
# access or a leak of LEAK_KINDS (default: definite) fails it. Not in the sanitizer build (valgrind
# cannot run ASan binaries), and not where valgrind is missing.
function(orders_valgrind_test name target)
  cmake_parse_arguments(V "TRACE_CHILDREN" "SKIP_CHILDREN;TIMEOUT;LEAK_KINDS" "ENVIRONMENT" ${ARGN})
  if(NOT ORDERS_VALGRIND OR PROJECT_SANITIZE OR NOT TARGET ${target})
    return()
  endif()
  set(children "")
  if(V_TRACE_CHILDREN)
    list(APPEND children --trace-children=yes)
  endif()
  if(V_SKIP_CHILDREN)
    list(APPEND children --trace-children-skip=${V_SKIP_CHILDREN})
  endif()
  if(NOT V_LEAK_KINDS)
    set(V_LEAK_KINDS definite)
  endif()
  if(NOT V_TIMEOUT)
    set(V_TIMEOUT 600)
  endif()
  add_test(NAME valgrind.${name}
    COMMAND ${ORDERS_VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=${V_LEAK_KINDS}
            ${children} --quiet $<TARGET_FILE:${target}>)
  set_tests_properties(valgrind.${name} PROPERTIES LABELS valgrind TIMEOUT ${V_TIMEOUT})
  if(V_ENVIRONMENT)
    set_tests_properties(valgrind.${name} PROPERTIES ENVIRONMENT "${V_ENVIRONMENT}")
  endif()
endfunction()
