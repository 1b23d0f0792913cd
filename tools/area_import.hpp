#pragma once
// `crimemap import neighbourhoods` (police.uk-style <force>/<id>.kml boundaries with optional
// <id>.json team records; the team activity writer is tools/neighbourhood_import.hpp), and, for the
// callers that include this header, `crimemap import boundaries` (tools/boundary_import.hpp). Both
// upsert areas by (kind, code) through tools/area_writer.hpp, so importing again changes nothing.
#include <string>
#include <vector>

#include "tools/boundary_import.hpp"

namespace crimemap::tools {

int cmd_import_neighbourhoods(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
