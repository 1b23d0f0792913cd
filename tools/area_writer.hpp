#pragma once
// The writer of the polygon importers (`import boundaries`, `import neighbourhoods`): features go
// to a session temp table with COPY; commit_areas() unions the features of each (kind, code) and
// upserts them into areas (WGS84 and Web Mercator), inside the caller's transaction. A population
// already stored is kept unless the import brings one. Not thread-safe.
#include <string>

#include "store/pg.hpp"
#include "tools/polygons.hpp"

namespace crimemap::tools {

class AreaWriter {
  public:
    explicit AreaWriter(store::Connection& db);  // creates and empties area_staging
    void add(const std::string& kind, const PolygonFeature& f, bool derived, const std::string& source);
    // Upserts everything staged; returns the number of areas.
    long long commit_areas();

  private:
    void flush();
    store::Connection& db_;
    std::string buf_;
};

}  // namespace crimemap::tools
