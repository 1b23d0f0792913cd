#pragma once
// `crimemap seed DIR`: migrate, then import everything a sample folder holds in dependency order,
// then refresh. The folder layout (data/sample/README.md):
//   boundaries/<kind>/...   (kind = pfa, lad, msoa, lsoa, ward; any GDAL-readable files)
//   neighbourhoods/<force>/<id>.kml [+ <id>.json]
//   lookups/*.json          postcodes/*.csv[.gz]      indicators/*.csv[.gz]
//   crimes/...              police.uk archive layout (YYYY-MM/YYYY-MM-<force>-street.csv[.gz])
// Missing folders are skipped.
#include <string>
#include <vector>

namespace crimemap::tools {

int cmd_seed(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
