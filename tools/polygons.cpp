#include "tools/polygons.hpp"

#include <gdal_priv.h>
#include <geos_c.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <cctype>
#include <cmath>
#include <cstdarg>
#include <mutex>
#include <regex>

#include "tools/common.hpp"

namespace crimemap::tools {

FieldChoice detect_fields(const std::string& kind, const std::vector<std::string>& fields,
                          const FieldChoice& given) {
    auto find_exact = [&](const std::string& want) -> std::string {
        for (const auto& f : fields)
            if (to_lower(f) == to_lower(want)) return f;
        return {};
    };
    auto find_re = [&](const std::string& pattern) -> std::string {
        std::regex re(pattern, std::regex::icase);
        for (const auto& f : fields)
            if (std::regex_match(f, re)) return f;
        return {};
    };
    FieldChoice out;
    if (!given.code_field.empty()) {
        out.code_field = find_exact(given.code_field);
    } else {
        static const std::pair<const char*, const char*> by_kind[] = {
            {"lsoa", "lsoa[0-9]{2}cd"}, {"msoa", "msoa[0-9]{2}cd"},
            {"ward", "wdc?[0-9]{2}cd"}, {"lad", "lad?[0-9]{2}cd"},
            {"pfa", "pfa[0-9]{2}cd"},   {"neighbourhood", "(nbhd|neighbourhood)_?(id|code)"},
        };
        for (const auto& [k, pattern] : by_kind)
            if (kind == k) out.code_field = find_re(pattern);
        if (out.code_field.empty()) out.code_field = find_re("[a-z]+[0-9]{2}cd");
        if (out.code_field.empty()) out.code_field = find_exact("code");
        if (out.code_field.empty()) out.code_field = find_exact("id");
    }
    if (!given.name_field.empty()) {
        out.name_field = find_exact(given.name_field);
    } else {
        if (out.code_field.size() > 2 && to_lower(out.code_field.substr(out.code_field.size() - 2)) == "cd")
            out.name_field = find_exact(out.code_field.substr(0, out.code_field.size() - 2) + "NM");
        if (out.name_field.empty()) out.name_field = find_exact("name");
    }
    return out;
}

namespace {

std::once_flag gdal_once;

void geos_message(const char*, void*) {}

struct OgrFeatureDeleter {
    void operator()(OGRFeature* f) const noexcept { OGRFeature::DestroyFeature(f); }
};
struct DatasetDeleter {
    void operator()(GDALDataset* d) const noexcept { GDALClose(d); }
};
struct CtDeleter {
    void operator()(OGRCoordinateTransformation* c) const noexcept {
        OGRCoordinateTransformation::DestroyCT(c);
    }
};
struct GeomDeleter {
    void operator()(OGRGeometry* g) const noexcept { OGRGeometryFactory::destroyGeometry(g); }
};

std::string gdal_path(const std::string& path) {
    std::string lower = to_lower(path);
    if (lower.ends_with(".gz") && !lower.ends_with(".tar.gz")) return "/vsigzip/" + path;
    if (lower.ends_with(".zip")) return "/vsizip/" + path;
    return path;
}

}  // namespace

struct PolygonReader::Impl {
    GEOSContextHandle_t ctx = nullptr;
    GEOSWKBReader* reader = nullptr;
    GEOSWKBWriter* writer = nullptr;
    Impl() {
        ctx = GEOS_init_r();
        GEOSContext_setNoticeMessageHandler_r(ctx, geos_message, nullptr);
        GEOSContext_setErrorMessageHandler_r(ctx, geos_message, nullptr);
        reader = GEOSWKBReader_create_r(ctx);
        writer = GEOSWKBWriter_create_r(ctx);
        GEOSWKBWriter_setOutputDimension_r(ctx, writer, 2);
        GEOSWKBWriter_setByteOrder_r(ctx, writer, GEOS_WKB_NDR);
    }
    ~Impl() {
        GEOSWKBWriter_destroy_r(ctx, writer);
        GEOSWKBReader_destroy_r(ctx, reader);
        GEOS_finish_r(ctx);
    }
    // Appends clones of the polygons inside g (recursively) to out.
    void collect_polygons(const GEOSGeometry* g, std::vector<GEOSGeometry*>& out) {
        int type = GEOSGeomTypeId_r(ctx, g);
        if (type == GEOS_POLYGON) {
            if (!GEOSisEmpty_r(ctx, g)) out.push_back(GEOSGeom_clone_r(ctx, g));
        } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
            int n = GEOSGetNumGeometries_r(ctx, g);
            for (int i = 0; i < n; ++i) collect_polygons(GEOSGetGeometryN_r(ctx, g, i), out);
        }
    }
};

PolygonReader::PolygonReader() : impl_(std::make_unique<Impl>()) {
    std::call_once(gdal_once, [] {
        GDALAllRegister();
        CPLSetErrorHandler(CPLQuietErrorHandler);
    });
}

PolygonReader::~PolygonReader() = default;

std::optional<std::string> PolygonReader::to_valid_multipolygon(const unsigned char* wkb, std::size_t size,
                                                                bool& repaired) {
    auto* ctx = impl_->ctx;
    auto destroy = [ctx](GEOSGeometry* g) {
        if (g) GEOSGeom_destroy_r(ctx, g);
    };
    std::unique_ptr<GEOSGeometry, decltype(destroy)> g(GEOSWKBReader_read_r(ctx, impl_->reader, wkb, size),
                                                       destroy);
    if (!g) return std::nullopt;
    repaired = false;
    if (GEOSisValid_r(ctx, g.get()) != 1) {
        GEOSGeometry* fixed = GEOSMakeValid_r(ctx, g.get());
        if (!fixed) return std::nullopt;
        g.reset(fixed);
        repaired = true;
    }
    std::vector<GEOSGeometry*> parts;
    impl_->collect_polygons(g.get(), parts);
    if (parts.empty()) return std::nullopt;
    std::unique_ptr<GEOSGeometry, decltype(destroy)> multi(
        GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts.data(),
                                    static_cast<unsigned>(parts.size())),
        destroy);
    if (!multi) {
        for (auto* p : parts) GEOSGeom_destroy_r(ctx, p);
        return std::nullopt;
    }
    // Parts of a repaired geometry may overlap once regrouped; one more pass settles it.
    if (repaired && GEOSisValid_r(ctx, multi.get()) != 1) {
        GEOSGeometry* fixed = GEOSMakeValid_r(ctx, multi.get());
        if (!fixed) return std::nullopt;
        std::vector<GEOSGeometry*> again;
        impl_->collect_polygons(fixed, again);
        GEOSGeom_destroy_r(ctx, fixed);
        if (again.empty()) return std::nullopt;
        multi.reset(GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, again.data(),
                                                static_cast<unsigned>(again.size())));
        if (!multi) return std::nullopt;
    }
    std::size_t hex_size = 0;
    unsigned char* hex = GEOSWKBWriter_writeHEX_r(ctx, impl_->writer, multi.get(), &hex_size);
    if (!hex) return std::nullopt;
    std::string out(reinterpret_cast<char*>(hex), hex_size);
    GEOSFree_r(ctx, hex);
    return out;
}

PolygonFileStats PolygonReader::read(const std::string& path, const std::string& kind,
                                     const FieldChoice& given, bool need_code,
                                     const std::function<void(PolygonFeature&&)>& sink) {
    std::unique_ptr<GDALDataset, DatasetDeleter> ds(GDALDataset::Open(
        gdal_path(path).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!ds) {
        std::string msg = CPLGetLastErrorMsg();
        throw CliError(path + ": GDAL cannot read it as vector data" + (msg.empty() ? "" : " (" + msg + ")"));
    }
    PolygonFileStats stats;
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::vector<unsigned char> wkb;

    for (OGRLayer* layer : ds->GetLayers()) {
        if (!stats.layers.empty()) stats.layers += ",";
        stats.layers += layer->GetName();
        OGRFeatureDefn* defn = layer->GetLayerDefn();
        std::vector<std::string> names;
        for (int i = 0; i < defn->GetFieldCount(); ++i)
            names.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
        FieldChoice fc = detect_fields(kind, names, given);
        if (!given.code_field.empty() && fc.code_field.empty())
            throw CliError(path + ": layer " + layer->GetName() + " has no field '" + given.code_field + "'");
        if (!given.name_field.empty() && fc.name_field.empty())
            throw CliError(path + ": layer " + layer->GetName() + " has no field '" + given.name_field + "'");
        if (need_code && fc.code_field.empty()) {
            std::string list;
            for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
            throw CliError(path + ": cannot tell which field holds the " + kind + " code (fields: " + list +
                           "); use --code-field");
        }
        stats.code_field = fc.code_field;
        stats.name_field = fc.name_field;
        int code_idx = fc.code_field.empty() ? -1 : defn->GetFieldIndex(fc.code_field.c_str());
        int name_idx = fc.name_field.empty() ? -1 : defn->GetFieldIndex(fc.name_field.c_str());
        int population_idx = -1;
        if (!given.population_field.empty()) {
            for (std::size_t i = 0; i < names.size() && population_idx < 0; ++i)
                if (to_lower(names[i]) == to_lower(given.population_field))
                    population_idx = static_cast<int>(i);
            if (population_idx < 0)
                throw CliError(path + ": layer " + layer->GetName() + " has no field '" +
                               given.population_field + "'");
        }

        std::unique_ptr<OGRCoordinateTransformation, CtDeleter> ct;
        if (const OGRSpatialReference* src = layer->GetSpatialRef()) {
            std::unique_ptr<OGRSpatialReference> s(src->Clone());
            s->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
            if (!s->IsSame(&wgs84)) {
                ct.reset(OGRCreateCoordinateTransformation(s.get(), &wgs84));
                if (!ct) throw CliError(path + ": no transformation from the layer's CRS to WGS84");
            }
        }
        layer->ResetReading();
        while (std::unique_ptr<OGRFeature, OgrFeatureDeleter> f{layer->GetNextFeature()}) {
            ++stats.features;
            PolygonFeature out;
            if (code_idx >= 0 && f->IsFieldSetAndNotNull(code_idx))
                out.code = trim(f->GetFieldAsString(code_idx));
            if (name_idx >= 0 && f->IsFieldSetAndNotNull(name_idx))
                out.name = trim(f->GetFieldAsString(name_idx));
            if (population_idx >= 0 && f->IsFieldSetAndNotNull(population_idx)) {
                switch (defn->GetFieldDefn(population_idx)->GetType()) {
                    case OFTInteger:
                    case OFTInteger64:
                    case OFTReal: {
                        double v = std::round(f->GetFieldAsDouble(population_idx));
                        if (v >= 0 && v <= 2147483647.0) out.population = static_cast<std::int32_t>(v);
                        break;
                    }
                    default: out.population = parse_population(f->GetFieldAsString(population_idx));
                }
            }
            if (need_code && out.code.empty()) {
                ++stats.no_code;
                continue;
            }
            std::unique_ptr<OGRGeometry, GeomDeleter> g(f->StealGeometry());
            if (!g || g->IsEmpty()) {
                ++stats.empty;
                continue;
            }
            g.reset(OGRGeometryFactory::forceToMultiPolygon(g.release()));
            if (!g || wkbFlatten(g->getGeometryType()) != wkbMultiPolygon) {
                ++stats.not_polygon;
                continue;
            }
            g->flattenTo2D();
            if (ct && g->transform(ct.get()) != OGRERR_NONE) {
                ++stats.not_polygon;
                continue;
            }
            wkb.resize(g->WkbSize());
            g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
            bool repaired = false;
            auto hex = to_valid_multipolygon(wkb.data(), wkb.size(), repaired);
            if (!hex) {
                ++stats.empty;
                continue;
            }
            out.wkb_hex = std::move(*hex);
            out.repaired = repaired;
            if (repaired) ++stats.repaired;
            if (population_idx >= 0 && !out.population) ++stats.no_population;
            ++stats.loaded;
            sink(std::move(out));
        }
    }
    return stats;
}

}  // namespace crimemap::tools
