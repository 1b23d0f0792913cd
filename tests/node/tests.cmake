# HTTP tests of the JSON APIs and the npm postcodesio-client against a crimemapd on the seeded
# sample (tests/node/run_api_tests.sh starts its own database and server).
if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/node_modules/postcodesio-client)
  message(FATAL_ERROR "tests/node: node_modules is not installed; run scripts/setup (npm ci in tests/node/)")
endif()
if(TARGET crimemap AND TARGET crimemapd)
  add_test(NAME api_http_node
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_api_tests.sh $<TARGET_FILE:crimemap> $<TARGET_FILE:crimemapd>
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(api_http_node PROPERTIES LABELS integration RUN_SERIAL TRUE TIMEOUT 600)
endif()

# docker/compose.yml against the topology scripts/cluster runs (Docker does not run here).
find_program(CRIMEMAP_NODE NAMES node nodejs)
add_test(NAME cluster_compose_node COMMAND ${CRIMEMAP_NODE} --test ${CMAKE_CURRENT_LIST_DIR}/cluster/compose.test.mjs)
set_tests_properties(cluster_compose_node PROPERTIES LABELS cluster TIMEOUT 60)
