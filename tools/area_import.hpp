#pragma once
// `crimemap import boundaries` (areas of one kind from GDAL-readable files) and
// `crimemap import neighbourhoods` (police.uk-style <force>/<id>.kml boundaries with optional
// <id>.json team records). Both upsert areas by (kind, code), so importing again changes nothing.
#include <string>
#include <vector>

namespace crimemap::tools {

int cmd_import_boundaries(const std::vector<std::string>& argv);
int cmd_import_neighbourhoods(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
