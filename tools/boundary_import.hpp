#pragma once
// `crimemap import boundaries`: areas of one kind from anything GDAL/OGR reads (GeoJSON, TopoJSON,
// KML, Shapefile, GeoPackage, also .gz/.zip). The reader is tools/polygons.hpp (field detection
// unit-tested), the writer tools/area_writer.hpp. Upserts by (kind, code): importing again changes
// nothing.
#include <string>
#include <vector>

namespace crimemap::tools {

int cmd_import_boundaries(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
