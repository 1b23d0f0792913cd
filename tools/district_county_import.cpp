#include "tools/district_county_import.hpp"

#include <cctype>
#include <cstdio>
#include <map>

#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/lookup_import.hpp"

namespace crimemap::tools {

RowResult<DistrictCountyColumns> map_district_county_header(const std::vector<std::string_view>& header,
                                                            const RowPlace& at) {
    std::vector<std::string> names;
    names.reserve(header.size());
    for (const auto& f : header) names.push_back(to_lower(trim(f)));
    // <prefix><two digits><suffix>, the first prefix that has one winning.
    auto find = [&](std::initializer_list<const char*> prefixes, const char* suffix) -> int {
        for (const char* prefix : prefixes)
            for (std::size_t i = 0; i < names.size(); ++i) {
                const std::string& n = names[i];
                std::string p(prefix);
                if (n.size() == p.size() + 4 && n.starts_with(p) && n.ends_with(suffix) &&
                    std::isdigit(static_cast<unsigned char>(n[p.size()])) &&
                    std::isdigit(static_cast<unsigned char>(n[p.size() + 1])))
                    return static_cast<int>(i);
            }
        return -1;
    };
    DistrictCountyColumns c;
    c.lad = find({"lad", "ltla"}, "cd");
    c.lad_name = find({"lad", "ltla"}, "nm");
    c.county = find({"cty", "utla"}, "cd");
    c.county_name = find({"cty", "utla"}, "nm");
    if (c.lad < 0 || c.county < 0)
        return row_error(at,
                         "not a district -> county lookup (expected LADyyCD and CTYyyCD, or LTLAyyCD and "
                         "UTLAyyCD columns)");
    return c;
}

DistrictCountyRow parse_district_county_row(const DistrictCountyColumns& cols,
                                            const std::vector<std::string_view>& fields) {
    auto at = [&](int i) {
        return i >= 0 && static_cast<std::size_t>(i) < fields.size()
                   ? trim(fields[static_cast<std::size_t>(i)])
                   : std::string_view{};
    };
    DistrictCountyRow row;
    row.lad = at(cols.lad);
    if (!is_gss_code(row.lad)) return row;
    row.lad_name = at(cols.lad_name);
    std::string county(at(cols.county));
    if (!is_gss_code(county) || county == row.lad) {
        row.kind = DistrictCountyRow::Kind::unitary;
        return row;
    }
    row.kind = DistrictCountyRow::Kind::two_tier;
    row.county = std::move(county);
    row.county_name = at(cols.county_name);
    return row;
}

void import_district_county_csv(store::Connection& db, const std::filesystem::path& path) {
    const std::string file = path.string();
    CsvReader csv(open_file_source(file));
    if (!csv.next()) throw CliError(file + ": empty file");
    auto cols = map_district_county_header(csv.fields(), RowPlace{file, csv.line()});
    // The header is the whole file's problem: reported without a line number, as before.
    if (!cols.ok()) throw CliError(file + ": " + cols.error().reason);
    std::map<std::string, std::string> counties;
    std::map<std::pair<std::string, std::string>, std::string> code_names;
    std::uint64_t rows = 0, unitary = 0, ignored = 0;
    while (csv.next()) {
        ++rows;
        auto r = parse_district_county_row(cols.row(), csv.fields());
        if (r.kind == DistrictCountyRow::Kind::no_district) {
            ++ignored;
            continue;
        }
        if (!r.lad_name.empty()) code_names[{"lad", r.lad}] = r.lad_name;
        if (r.kind == DistrictCountyRow::Kind::unitary) {
            ++unitary;
            continue;
        }
        if (!r.county_name.empty()) code_names[{"county", r.county}] = r.county_name;
        counties[r.lad] = r.county;
    }
    store::Transaction tx(db);
    for (const auto& [lad, county] : counties)
        db.query(
            "INSERT INTO district_counties (lad, county, source) VALUES ($1, $2, $3)"
            " ON CONFLICT (lad) DO UPDATE SET county = EXCLUDED.county, source = EXCLUDED.source",
            {lad, county, path.filename().string()});
    for (const auto& [key, name] : code_names)
        db.query(
            "INSERT INTO code_names (kind, code, name) VALUES ($1, $2, $3)"
            " ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name",
            {key.first, key.second, name});
    tx.commit();
    std::printf("%s: %s districts with a county", path.filename().string().c_str(),
                with_commas(counties.size()).c_str());
    if (unitary) std::printf(", %s without (unitary)", with_commas(unitary).c_str());
    if (ignored) std::printf(", %s rows ignored (no district code)", with_commas(ignored).c_str());
    std::printf(" of %s rows; run crimemap refresh to apply\n", with_commas(rows).c_str());
}

}  // namespace crimemap::tools
