// docs/openapi.json against the route table (every route described, every described path routed,
// path parameters named as in the patterns, operationIds = route names, every error answer the
// {"status","error"} envelope) and GET /openapi.json through App::handle (the same document,
// servers from the request, strong ETag, 304, gzip, cache policy). The document's validity as
// OpenAPI 3.1 and its examples against the real server are checked in tests/node/openapi.test.mjs.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "server/app.hpp"
#include "server/gzip.hpp"
#include "server/routes.hpp"
#include "support/server_fixtures.hpp"

using namespace crimemap;
using namespace crimemap::server;
using namespace crimemap::server::testing;
using nlohmann::json;

namespace {
json read_document() {
    std::ifstream in(std::string(CRIMEMAP_SOURCE_DIR) + "/docs/openapi.json");
    if (!in) throw std::runtime_error("docs/openapi.json not found");
    return json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "{name}" and "{name}.ext" segments of a router pattern or an OpenAPI path, in order.
std::vector<std::string> template_names(std::string_view path) {
    std::vector<std::string> names;
    static const std::regex param(R"(\{([A-Za-z_][A-Za-z0-9_]*)\})");
    const std::string text(path);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), param); it != std::sregex_iterator(); ++it)
        names.push_back((*it)[1]);
    return names;
}

// Resolves a local "$ref" (#/components/...) one level.
const json& resolve(const json& doc, const json& node) {
    if (!node.contains("$ref")) return node;
    std::string ref = node["$ref"];
    EXPECT_TRUE(ref.starts_with("#/")) << ref;
    return doc.at(json::json_pointer(ref.substr(1)));
}

const std::set<std::string> http_methods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};
}  // namespace

TEST(OpenApiDocument, IsOpenApi31WithInfoAndPaths) {
    const json doc = read_document();
    EXPECT_EQ(doc.at("openapi"), "3.1.0");
    EXPECT_TRUE(doc.at("info").at("title").is_string());
    EXPECT_TRUE(doc.at("info").at("version").is_string());
    EXPECT_TRUE(doc.at("paths").is_object());
}

TEST(OpenApiDocument, DescribesExactlyTheRouteTable) {
    const json doc = read_document();
    // method + path template as the router has them; patterns use OpenAPI's own syntax, including
    // a parameter with a literal suffix ("{y}.mvt", "{layers}.json").
    std::map<std::pair<std::string, std::string>, std::string> routed;
    for (const auto& r : route_table())
        routed[{lower(to_string(r.method)), std::string(r.pattern)}] = std::string(r.name);

    std::map<std::pair<std::string, std::string>, std::string> described;
    for (const auto& [path, item] : doc.at("paths").items())
        for (const auto& [method, operation] : item.items())
            if (http_methods.contains(method)) described[{method, path}] = operation.value("operationId", "");

    for (const auto& [key, name] : routed) {
        auto it = described.find(key);
        EXPECT_NE(it, described.end())
            << "route not in docs/openapi.json: " << key.first << " " << key.second;
        if (it == described.end()) continue;
        EXPECT_EQ(it->second, name) << "operationId of " << key.first << " " << key.second
                                    << " should be the route name";
    }
    for (const auto& [key, name] : described)
        EXPECT_TRUE(routed.contains(key))
            << "docs/openapi.json describes an unrouted path: " << key.first << " " << key.second;
    EXPECT_EQ(described.size(), routed.size());
}

TEST(OpenApiDocument, PathParametersMatchTheTemplates) {
    const json doc = read_document();
    for (const auto& [path, item] : doc.at("paths").items()) {
        const auto names = template_names(path);
        const std::set<std::string> want(names.begin(), names.end());
        EXPECT_EQ(want.size(), names.size()) << "repeated parameter in " << path;
        for (const auto& [method, operation] : item.items()) {
            if (!http_methods.contains(method)) continue;
            std::set<std::string> declared;
            for (const auto* params : {&item, &operation})
                if (params->contains("parameters"))
                    for (const auto& p : params->at("parameters")) {
                        const json& param = resolve(doc, p);
                        if (param.at("in") != "path") continue;
                        EXPECT_EQ(param.value("required", false), true) << path << " " << param["name"];
                        EXPECT_TRUE(param.contains("example") || param.contains("examples"))
                            << path << " " << param["name"];
                        declared.insert(param.at("name").get<std::string>());
                    }
            EXPECT_EQ(declared, want) << method << " " << path;
        }
    }
}

TEST(OpenApiDocument, EveryOperationHasAnswersAndErrorsUseTheEnvelope) {
    const json doc = read_document();
    const json& error_schema = doc.at("components").at("schemas").at("Error");
    EXPECT_EQ(error_schema.at("required"), json({"status", "error"}));
    std::set<std::string> operation_ids;
    for (const auto& [path, item] : doc.at("paths").items())
        for (const auto& [method, operation] : item.items()) {
            if (!http_methods.contains(method)) continue;
            EXPECT_TRUE(operation_ids.insert(operation.at("operationId")).second)
                << "duplicate operationId " << operation["operationId"];
            EXPECT_TRUE(operation.contains("summary")) << method << " " << path;
            const json& responses = operation.at("responses");
            bool success = false;
            for (const auto& [status, response] : responses.items()) {
                if (status.starts_with("2")) success = true;
                if (!status.starts_with("4") && !status.starts_with("5")) continue;
                // Every error is JSON {"status": N, "error": "..."}: the Error schema, directly
                // or through allOf (postcodes.io's 404 with its terminated block).
                const json& r = resolve(doc, response);
                const json& direct = r.at("content").at("application/json").at("schema");
                const json& schema =
                    direct.value("$ref", "") == "#/components/schemas/Error" ? direct : resolve(doc, direct);
                const bool envelope = schema.value("$ref", "") == "#/components/schemas/Error" ||
                                      (schema.contains("allOf") && schema["allOf"].at(0).value("$ref", "") ==
                                                                       "#/components/schemas/Error");
                EXPECT_TRUE(envelope) << method << " " << path << " " << status;
            }
            // x-crimemap-no-data: postcodes.io routes whose data we lack (places, Scotland) answer
            // postcodes.io's 404 only.
            EXPECT_TRUE(success || operation.value("x-crimemap-no-data", false))
                << method << " " << path << " has no 2xx answer";
        }
}

namespace {
class OpenApiRoute : public ::testing::Test {
  protected:
    void SetUp() override { make_app(Config{}); }
    void make_app(Config config) {
        app = std::make_unique<App>(std::move(config), snapshots);
        app->context().swap_snapshot(small_snapshot(3));
    }
    core::SnapshotHolder snapshots;
    std::unique_ptr<App> app;
};
}  // namespace

TEST_F(OpenApiRoute, ServesTheDocumentWithServersFromTheRequest) {
    auto res = app->handle(
        get("/openapi.json", {{"Host", "maps.example.org:8443"}, {"X-Forwarded-Proto", "https"}}));
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(header(res, "Content-Type"), "application/json");
    EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=60");
    json served = json::parse(res.body);
    EXPECT_EQ(served.at("servers"),
              json::parse(R"([{"url":"https://maps.example.org:8443","description":"this server"}])"));
    // Everything but servers is docs/openapi.json as checked in.
    json expected = read_document();
    served.erase("servers");
    expected.erase("servers");
    EXPECT_EQ(served, expected);

    // --public-url wins over the Host header.
    Config config;
    config.public_url = "https://crime.example.gov.uk";
    make_app(config);
    auto fixed = app->handle(get("/openapi.json", {{"Host", "evil.example"}}));
    EXPECT_EQ(json::parse(fixed.body)["servers"][0]["url"], "https://crime.example.gov.uk");
}

TEST_F(OpenApiRoute, StrongEtagPerBaseUrlAnd304) {
    auto a = app->handle(get("/openapi.json", {{"Host", "a.example"}}));
    auto again = app->handle(get("/openapi.json", {{"Host", "a.example"}}));
    auto b = app->handle(get("/openapi.json", {{"Host", "b.example"}}));
    const std::string etag = header(a, "ETag");
    ASSERT_FALSE(etag.empty());
    EXPECT_FALSE(etag.starts_with("W/")) << etag;
    EXPECT_EQ(header(again, "ETag"), etag);
    EXPECT_EQ(again.body, a.body);
    EXPECT_NE(header(b, "ETag"), etag);  // different servers, different bytes

    auto cached = app->handle(get("/openapi.json", {{"Host", "a.example"}, {"If-None-Match", etag}}));
    EXPECT_EQ(cached.status, 304);
    EXPECT_TRUE(cached.body.empty());
    EXPECT_EQ(header(cached, "ETag"), etag);
    EXPECT_EQ(app->handle(get("/openapi.json", {{"Host", "b.example"}, {"If-None-Match", etag}})).status,
              200);
}

TEST_F(OpenApiRoute, GzippedWhenAccepted) {
    auto plain = app->handle(get("/openapi.json", {{"Host", "a.example"}}));
    auto gz = app->handle(get("/openapi.json", {{"Host", "a.example"}, {"Accept-Encoding", "gzip"}}));
    ASSERT_EQ(gz.status, 200);
    EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
    EXPECT_NE(header(gz, "Vary").find("Accept-Encoding"), std::string::npos);
    EXPECT_LT(gz.body.size(), plain.body.size() / 4);
    auto unpacked = gzip_decompress(gz.body);
    ASSERT_TRUE(unpacked.has_value());
    EXPECT_EQ(*unpacked, plain.body);
    // Each encoding has its own strong ETag; either one revalidates.
    EXPECT_NE(header(gz, "ETag"), header(plain, "ETag"));
    EXPECT_FALSE(header(gz, "ETag").starts_with("W/"));
    EXPECT_EQ(app->handle(get("/openapi.json", {{"Host", "a.example"},
                                                {"Accept-Encoding", "gzip"},
                                                {"If-None-Match", header(gz, "ETag")}}))
                  .status,
              304);
    EXPECT_EQ(header(plain, "Vary").find("Accept-Encoding") != std::string::npos, true);
    EXPECT_EQ(
        app->handle(get("/openapi.json", {{"Host", "a.example"}, {"Accept-Encoding", "gzip;q=0"}})).body,
        plain.body);
}

TEST_F(OpenApiRoute, CatalogLinksTheDocument) {
    auto res = app->handle(get("/catalog"));
    ASSERT_EQ(res.status, 200);
    const json catalog = json::parse(res.body);
    EXPECT_EQ(catalog.at("openapi"), "/openapi.json");
    // and that link is routed here
    EXPECT_EQ(app->handle(get(catalog["openapi"].get<std::string>())).status, 200);
}
