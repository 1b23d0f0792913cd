#pragma once
// British National Grid (OSGB36, EPSG:27700) eastings/northings to WGS84 (EPSG:4326) lon/lat with
// PROJ. Without the OSTN15 grid installed PROJ uses the 7-parameter Helmert transformation
// (a few metres, i.e. ~1e-4 degrees at most). Not thread-safe: one converter per thread.
#include <memory>
#include <optional>

namespace crimemap::tools {

struct LonLat {
    double lon;
    double lat;
};

class OsgbToWgs84 {
  public:
    OsgbToWgs84();  // throws std::runtime_error when PROJ cannot build the transformation
    ~OsgbToWgs84();
    OsgbToWgs84(const OsgbToWgs84&) = delete;
    OsgbToWgs84& operator=(const OsgbToWgs84&) = delete;
    // nullopt when PROJ fails for this point (e.g. far outside the grid's area).
    std::optional<LonLat> convert(double easting, double northing) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace crimemap::tools
