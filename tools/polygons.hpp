#pragma once
// Reads polygon features from anything GDAL/OGR opens (GeoJSON, TopoJSON, KML, Shapefile,
// GeoPackage; .gz and .zip through GDAL's /vsigzip/ and /vsizip/), reprojects them to WGS84
// lon/lat, repairs invalid ones with GEOS (the ST_MakeValid algorithm, polygonal parts kept) and
// hands each one over as a MultiPolygon in hex WKB. Not thread-safe (one GEOS context per reader).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace crimemap::tools {

// Which attribute holds the area code and name. Empty = detect: for kind lsoa the first field
// named like LSOA11CD/LSOA21CD (any case), ward WDyyCD, lad LADyyCD (or LAyyCD), msoa MSOAyyCD,
// pfa PFAyyCD; then any *yyCD field; then code/id. The name field is the code field with NM for
// CD (LSOA11NM), else name/Name.
struct FieldChoice {
    std::string code_field;
    std::string name_field;
    std::string population_field = {};  // only when given (never detected): residents of the area
};
// Pure helper, unit-tested: picks (code field, name field) among field names for a kind.
// Returns an empty code field when none fits.
FieldChoice detect_fields(const std::string& kind, const std::vector<std::string>& fields,
                          const FieldChoice& given);

struct PolygonFeature {
    std::string code;
    std::string name;
    std::string wkb_hex;                     // MultiPolygon, EPSG:4326, 2D
    bool repaired = false;                   // was invalid, made valid
    std::optional<std::int32_t> population;  // from FieldChoice::population_field, when readable
};

struct PolygonFileStats {
    std::uint64_t features = 0, loaded = 0, repaired = 0, no_code = 0, not_polygon = 0, empty = 0;
    std::uint64_t no_population = 0;  // loaded features whose population field is empty or unreadable
    std::string layers;               // layer names read
    std::string code_field, name_field;
};

class PolygonReader {
  public:
    PolygonReader();
    ~PolygonReader();
    PolygonReader(const PolygonReader&) = delete;
    PolygonReader& operator=(const PolygonReader&) = delete;

    // Calls sink for every polygonal feature of every layer. Throws CliError when the file cannot
    // be opened or a given field is missing. With need_code false, features without a code are
    // passed with an empty code (the caller names them, e.g. from the file name).
    PolygonFileStats read(const std::string& path, const std::string& kind, const FieldChoice& fields,
                          bool need_code, const std::function<void(PolygonFeature&&)>& sink);

    // Valid-or-repaired MultiPolygon hex WKB from any WKB geometry (exposed for tests); nullopt
    // when nothing polygonal remains.
    std::optional<std::string> to_valid_multipolygon(const unsigned char* wkb, std::size_t size,
                                                     bool& repaired);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace crimemap::tools
