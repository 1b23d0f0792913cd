#pragma once
// `crimemap import lookups`: ONS code -> name maps (JSON objects, as in postcodes.io's data/ folder,
// plain or gzipped) into code_names, and ONS district -> county CSVs (tools/district_county_import.hpp). The
// JSON parser is pure and unit-tested (tests/unit/import_lookup_test.cpp).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crimemap::tools {

// code_names kind for a lookup file name ("districts" -> "lad", "wards" -> "ward", "nhsHa" ->
// "nhs_ha", "pcts" -> "pct"; a trailing ".json" of a "wards.json.gz" stem is ignored).
std::string lookup_kind_for_file(std::string_view stem);

// A 9-character GSS code (a capital letter, 8 digits), not a pseudo code (X99999999).
bool is_gss_code(std::string_view code);

struct CodeName {
    std::string kind, code, name;  // name trimmed
};
struct CodeNames {
    std::vector<CodeName> entries;  // in the document's key order
    std::uint64_t ignored = 0;      // keys that are not GSS codes, values that are not strings
};
// The entries of a code -> name object, all of the given kind; nullopt when doc is not an object.
// Values are names, or objects as postcodes.io's ccgs.json and nuts.json write them:
// {"name": N, "ccg19cdh": "18C"} adds a ("ccg_id", code, "18C") entry, and nuts.json's
// {"code": "TLG11", "name": N} (keyed by district) adds ("nuts_code", district, "TLG11") next to
// ("nuts", district, N). Those keyed kinds are looked up by kind (core::ApiData::keyed).
std::optional<CodeNames> parse_code_names(const nlohmann::json& doc, const std::string& kind);

int cmd_import_lookups(const std::vector<std::string>& argv);

}  // namespace crimemap::tools
