#pragma once
// Checks decoded MVT features against the layer registry (core/layers.hpp): every property is a
// declared field of the layer, allowed at the tile's zoom, with the declared type, appears at most
// once per feature, and `always` fields are on every feature. Collects what was seen, so a test can
// also require that every declared field appeared somewhere. Test-only, header-only.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "core/layers.hpp"
#include "support/mvt_decode.hpp"

namespace crimemap::testing {

inline core::FieldType decoded_type(const DecodedValue& v) {
    if (std::holds_alternative<std::string>(v)) return core::FieldType::string;
    if (std::holds_alternative<bool>(v)) return core::FieldType::boolean;
    return core::FieldType::number;  // int64 (int/uint/sint) or double (double/float)
}

// Field name -> types seen, per layer name.
using SeenFields = std::map<std::string, std::map<std::string, std::set<core::FieldType>>>;

// Raw tag count of every feature of `layer_name` (the decoder's map would hide a repeated key).
inline std::vector<int> raw_tag_counts(const std::string& mvt, const std::string& layer_name) {
    vector_tile::Tile tile;
    if (!tile.ParseFromString(mvt)) throw std::runtime_error("not a vector tile");
    std::vector<int> out;
    for (const auto& l : tile.layers())
        if (l.name() == layer_name)
            for (const auto& f : l.features()) out.push_back(f.tags_size() / 2);
    return out;
}

// Checks every layer of a decoded tile at zoom z; `mvt` is the raw tile for the repeat check.
inline void check_tile_fields(const std::string& mvt, int z, SeenFields& seen, const std::string& where) {
    const auto tile = decode_tile(mvt);
    for (const auto& [name, layer] : tile) {
        const core::LayerSpec* spec = nullptr;
        for (const auto& s : core::layer_specs())
            if (s.name == name) spec = &s;
        ASSERT_NE(spec, nullptr) << where << ": layer " << name << " is not in the registry";
        std::map<std::string, const core::FieldSpec*> declared;
        for (const auto& f : core::all_fields(spec->kind)) declared[std::string(f.name)] = &f;
        const auto tags = raw_tag_counts(mvt, name);
        ASSERT_EQ(tags.size(), layer.features.size());
        for (std::size_t i = 0; i < layer.features.size(); ++i) {
            const auto& feature = layer.features[i];
            EXPECT_EQ(static_cast<std::size_t>(tags[i]), feature.props.size())
                << where << ": a key repeats in a feature";
            for (const auto& [key, value] : feature.props) {
                auto it = declared.find(key);
                if (it == declared.end()) {
                    ADD_FAILURE() << where << ": " << name << "." << key
                                  << " is not declared in core/layers.hpp";
                    continue;
                }
                const core::FieldSpec& f = *it->second;
                EXPECT_EQ(core::type_name(decoded_type(value)), core::type_name(f.type))
                    << where << ": " << name << "." << key << " has another type than declared";
                EXPECT_TRUE(z >= f.minzoom && z <= f.maxzoom)
                    << where << ": " << name << "." << key << " at z" << z << ", declared for z" << f.minzoom
                    << "-" << f.maxzoom;
                seen[name][key].insert(decoded_type(value));
            }
            for (const auto& [key, f] : declared) {
                if (f->always && z >= f->minzoom && z <= f->maxzoom) {
                    EXPECT_TRUE(feature.props.count(key))
                        << where << ": " << name << "." << key << " is declared always but missing";
                }
            }
        }
    }
}

// Every declared field of `kind` was seen (with its declared type, checked above).
inline void expect_every_field_seen(core::LayerKind kind, const SeenFields& seen) {
    const auto& spec = core::layer_spec(kind);
    auto layer = seen.find(std::string(spec.name));
    ASSERT_NE(layer, seen.end()) << "no feature of layer " << spec.name << " was checked";
    for (const auto& f : core::all_fields(kind))
        EXPECT_TRUE(layer->second.count(std::string(f.name)))
            << spec.name << "." << f.name << " never appeared";
}

}  // namespace crimemap::testing
