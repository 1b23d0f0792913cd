# JavaScript tests of web/ (included by tests/CMakeLists.txt). Each test starts its own stack:
# a fresh database on CRIMEMAP_TEST_DATABASE_URL, `crimemap migrate` + `seed data/sample`, and a
# crimemapd on a free port (web/tests/harness.mjs). Screenshots: $CRIMEMAP_TEST_OUTPUT/web/.
#   web_browser     the map page and the widget in headless Chromium (playwright-core)
#   web_pmtiles     a `crimemap export tiles` archive drawn by MapLibre through the pmtiles protocol
#   web_mvt_decode  our tiles decoded with @mapbox/vector-tile, checked against the JSON APIs
#   web_team_text   team text in the page is escaped, never markup (no server needed)
#   web_a11y        axe-core (WCAG 2.1 AA) on every page, a keyboard-only walk, choropleth text tables
#   web_palette     the choropleth palette stays ordered for colour-blind readers (no server needed)
# Missing tools fail the configure step: a test that silently drops out is worse than a red build.
find_program(CRIMEMAP_NODE NAMES node nodejs)
if(NOT CRIMEMAP_NODE)
  message(FATAL_ERROR "web: node not found; run scripts/setup (or configure with -DCRIMEMAP_BUILD_TESTS=OFF)")
endif()
find_program(CRIMEMAP_CHROMIUM NAMES chromium chromium-browser)
if(NOT CRIMEMAP_CHROMIUM)
  message(FATAL_ERROR "web: chromium not found; run scripts/setup (or configure with -DCRIMEMAP_BUILD_TESTS=OFF)")
endif()
if(NOT EXISTS ${PROJECT_SOURCE_DIR}/web/node_modules/playwright-core)
  message(FATAL_ERROR "web: web/node_modules is not installed; run scripts/setup (npm ci in web/)")
endif()

set(_web ${PROJECT_SOURCE_DIR}/web)
# Keeps web/dist (MapLibre's browser files) in step with web/node_modules; a no-op when current,
# and only a warning when `npm ci` has not run yet.
add_custom_target(crimemap_web ALL
  COMMAND ${CRIMEMAP_NODE} ${_web}/build.mjs --if-installed
  WORKING_DIRECTORY ${_web}
  COMMENT "web: MapLibre files into web/dist"
  VERBATIM)

set(_web_env
  CRIMEMAP_BUILD_DIR=${PROJECT_BINARY_DIR}
  CRIMEMAP_CHROMIUM=${CRIMEMAP_CHROMIUM})

add_test(NAME web_browser
  COMMAND ${CRIMEMAP_NODE} --test --test-reporter=spec --test-concurrency=1 ${_web}/tests/browser.test.mjs
  WORKING_DIRECTORY ${_web})
# Browser tests run alone: two Chromiums with SwiftShader on two cores starve each other.
set_tests_properties(web_browser PROPERTIES LABELS "browser" RUN_SERIAL TRUE TIMEOUT 900 ENVIRONMENT "${_web_env}")

add_test(NAME web_pmtiles
  COMMAND ${CRIMEMAP_NODE} --test --test-reporter=spec ${_web}/tests/pmtiles.test.mjs
  WORKING_DIRECTORY ${_web})
set_tests_properties(web_pmtiles PROPERTIES LABELS "browser" RUN_SERIAL TRUE TIMEOUT 900 ENVIRONMENT "${_web_env}")

add_test(NAME web_mvt_decode
  COMMAND ${CRIMEMAP_NODE} --test --test-reporter=spec ${_web}/tests/mvt-decode.test.mjs
  WORKING_DIRECTORY ${_web})
set_tests_properties(web_mvt_decode PROPERTIES LABELS "browser;node;integration" RUN_SERIAL TRUE TIMEOUT 900
  ENVIRONMENT "${_web_env}")

add_test(NAME web_team_text
  COMMAND ${CRIMEMAP_NODE} --test --test-reporter=spec ${_web}/tests/team-text.test.mjs
  WORKING_DIRECTORY ${_web})
set_tests_properties(web_team_text PROPERTIES LABELS "node" TIMEOUT 120)

add_test(NAME web_a11y
  COMMAND ${CRIMEMAP_NODE} --test --test-reporter=spec --test-concurrency=1 ${_web}/tests/a11y.test.mjs
  WORKING_DIRECTORY ${_web})
set_tests_properties(web_a11y PROPERTIES LABELS "browser" RUN_SERIAL TRUE TIMEOUT 900 ENVIRONMENT "${_web_env}")

add_test(NAME web_palette
  COMMAND ${CRIMEMAP_NODE} --test --test-reporter=spec ${_web}/tests/palette.test.mjs
  WORKING_DIRECTORY ${_web})
set_tests_properties(web_palette PROPERTIES LABELS "node" TIMEOUT 120)
