// /catalog and TileJSON vector_layers publish the layer registry (core/layers.hpp): every layer
// with its zooms and every field with its type, and the crimes layer's cluster and point zooms
// that the page reads instead of constants of its own. Handler tests without sockets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/layers.hpp"
#include "server/app.hpp"
#include "support/server_fixtures.hpp"

using namespace crimemap;
using namespace crimemap::server;
using namespace crimemap::server::testing;
using nlohmann::json;

namespace {
class CatalogLayers : public ::testing::Test {
  protected:
    void SetUp() override {
        app = std::make_unique<App>(Config{}, snapshots);
        app->context().set_renderer(std::make_shared<FakeRenderer>());
        app->context().swap_snapshot(small_snapshot(7));
    }
    json get_json(const std::string& target) {
        auto res = app->handle(get(target));
        EXPECT_EQ(res.status, 200) << target;
        return json::parse(res.body);
    }
    core::SnapshotHolder snapshots;
    std::unique_ptr<App> app;
};
}  // namespace

TEST_F(CatalogLayers, CatalogPublishesEveryLayerAndField) {
    auto j = get_json("/catalog");
    ASSERT_EQ(j["layers"].size(), core::layer_specs().size());
    for (std::size_t i = 0; i < core::layer_specs().size(); ++i) {
        const auto& spec = core::layer_specs()[i];
        const auto& layer = j["layers"][i];
        EXPECT_EQ(layer["name"], spec.name);
        EXPECT_EQ(layer["minzoom"], spec.minzoom);
        EXPECT_EQ(layer["maxzoom"], spec.maxzoom);
        const auto fields = core::all_fields(spec.kind);
        ASSERT_EQ(layer["fields"].size(), fields.size()) << spec.name;
        for (std::size_t k = 0; k < fields.size(); ++k) {
            const auto& f = layer["fields"][k];
            EXPECT_EQ(f["name"], fields[k].name);
            EXPECT_EQ(f["type"], core::type_name(fields[k].type));
            EXPECT_EQ(f["description"], fields[k].description);
            EXPECT_EQ(f["always"], fields[k].always);
            EXPECT_EQ(f.value("minzoom", spec.minzoom), fields[k].minzoom)
                << spec.name << "." << fields[k].name;
            EXPECT_EQ(f.value("maxzoom", spec.maxzoom), std::min(fields[k].maxzoom, spec.maxzoom));
        }
        if (spec.cluster_maxzoom >= 0) {
            EXPECT_EQ(layer["cluster_maxzoom"], spec.cluster_maxzoom);
            EXPECT_EQ(layer["point_minzoom"], spec.cluster_maxzoom + 1);
        } else {
            EXPECT_FALSE(layer.contains("cluster_maxzoom")) << spec.name;
        }
    }
    // The crimes layer's snap-point fields are marked with the zoom they start at.
    for (const auto& f : j["layers"][0]["fields"]) {
        if (f["name"] == "location_id") {
            EXPECT_EQ(f["minzoom"], j["layers"][0]["point_minzoom"]);
        }
    }
}

TEST_F(CatalogLayers, TileJsonVectorLayersNameEveryFieldWithItsType) {
    std::string all;
    for (const auto& spec : core::layer_specs()) {
        if (!all.empty()) all += ',';
        all += spec.name;
    }
    auto j = get_json("/tiles/" + all + ".json?indicator=ASC1");
    ASSERT_EQ(j["vector_layers"].size(), core::layer_specs().size());
    for (std::size_t i = 0; i < core::layer_specs().size(); ++i) {
        const auto& spec = core::layer_specs()[i];
        const auto& layer = j["vector_layers"][i];
        EXPECT_EQ(layer["id"], spec.name);
        const auto fields = core::all_fields(spec.kind);
        ASSERT_EQ(layer["fields"].size(), fields.size()) << spec.name;
        for (const auto& f : fields)
            EXPECT_EQ(layer["fields"][std::string(f.name)], core::type_name(f.type)) << f.name;
    }
}
