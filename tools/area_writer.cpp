#include "tools/area_writer.hpp"

#include "store/copy_in.hpp"

namespace crimemap::tools {

namespace {
constexpr std::size_t kFlushBytes = std::size_t{4} << 20;
}

// Areas go through a staging table: features of one code from several files or layers are unioned,
// then each (kind, code) is inserted or updated in one transaction.
AreaWriter::AreaWriter(store::Connection& db) : db_(db) {
    db_.exec(
        "CREATE TEMP TABLE IF NOT EXISTS area_staging (kind text NOT NULL, code text NOT NULL, name text,"
        " derived boolean NOT NULL, source text, geom geometry NOT NULL, population integer)");
    db_.exec("TRUNCATE area_staging");
}

void AreaWriter::add(const std::string& kind, const PolygonFeature& f, bool derived,
                     const std::string& source) {
    store::append_copy_field(buf_, kind);
    buf_ += '\t';
    store::append_copy_field(buf_, f.code);
    buf_ += '\t';
    if (f.name.empty())
        store::append_copy_null(buf_);
    else
        store::append_copy_field(buf_, f.name);
    buf_ += derived ? "\tt\t" : "\tf\t";
    store::append_copy_field(buf_, source);
    buf_ += '\t';
    buf_ += f.wkb_hex;
    buf_ += '\t';
    if (f.population)
        buf_ += std::to_string(*f.population);
    else
        store::append_copy_null(buf_);
    buf_ += '\n';
    if (buf_.size() > kFlushBytes) flush();
}

long long AreaWriter::commit_areas() {
    flush();
    auto r = db_.query(
        "WITH grouped AS ("
        " SELECT kind, code, coalesce(max(name), code) AS name, bool_or(derived) AS derived, min(source) AS "
        "source,"
        "  max(population) AS population,"
        "  CASE WHEN count(*) = 1 THEN ST_Multi(ST_SetSRID((array_agg(geom))[1], 4326))"
        "   ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(ST_SetSRID(geom, 4326))), 3)) END AS "
        "geom"
        " FROM area_staging GROUP BY kind, code),"
        // A population already set (import population, an earlier --population-field) stays
        // unless this import brings one.
        " up AS (INSERT INTO areas (kind, code, name, derived, source, geom, geom_3857, population,"
        "  population_method, population_source)"
        " SELECT kind, code, name, derived, source, geom, ST_Transform(geom, 3857), population,"
        "  CASE WHEN population IS NOT NULL THEN 'boundary' END, CASE WHEN population IS NOT NULL THEN "
        "source END"
        " FROM grouped"
        " ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name, derived = EXCLUDED.derived,"
        " source = EXCLUDED.source, geom = EXCLUDED.geom, geom_3857 = EXCLUDED.geom_3857,"
        " population = coalesce(EXCLUDED.population, areas.population),"
        " population_method = coalesce(EXCLUDED.population_method, areas.population_method),"
        " population_source = coalesce(EXCLUDED.population_source, areas.population_source),"
        " population_period = CASE WHEN EXCLUDED.population IS NULL THEN areas.population_period END,"
        " population_lsoas = CASE WHEN EXCLUDED.population IS NULL THEN areas.population_lsoas END RETURNING "
        "1)"
        " SELECT count(*) FROM up");
    db_.exec("TRUNCATE area_staging");
    return r.int64(0, 0);
}

void AreaWriter::flush() {
    if (buf_.empty()) return;
    // One COPY per flush: the staging table fills between feature reads of GDAL.
    store::CopyIn copy(db_, "COPY area_staging FROM STDIN", buf_.size() + 1);
    copy.put(buf_);
    copy.finish();
    buf_.clear();
}

}  // namespace crimemap::tools
