#include "tools/lookup_import.hpp"

#include <cstdio>
#include <fstream>
#include <map>

#include "store/copy_in.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/district_county_import.hpp"
#include "tools/import_command.hpp"

namespace crimemap::tools {
namespace fs = std::filesystem;

std::string lookup_kind_for_file(std::string_view stem) {
    static const std::map<std::string, std::string, std::less<>> kinds = {
        {"lsoa", "lsoa"},
        {"msoa", "msoa"},
        {"wards", "ward"},
        {"ward", "ward"},
        {"districts", "lad"},
        {"lad", "lad"},
        {"police_force_areas", "pfa"},
        {"pfa", "pfa"},
        {"counties", "county"},
        {"regions", "region"},
        {"countries", "country"},
        {"constituencies", "pcon"},
        {"parliamentary_constituencies", "pcon"},
        {"pcon", "pcon"},
        {"ccgs", "ccg"},
        {"ccg", "ccg"},
        {"parishes", "parish"},
        {"nuts", "nuts"},
        {"european_registers", "eer"},
        {"nhs_ha", "nhs_ha"},
        {"nhsha", "nhs_ha"},
        {"pcts", "pct"},
        {"pct", "pct"},
    };
    if (stem.size() > 5 && stem.substr(stem.size() - 5) == ".json") stem.remove_suffix(5);
    std::string s = to_lower(stem);
    if (auto it = kinds.find(s); it != kinds.end()) return it->second;
    return s;
}

bool is_gss_code(std::string_view code) {
    bool gss = code.size() == 9 && code[0] >= 'A' && code[0] <= 'Z';
    for (std::size_t i = 1; gss && i < 9; ++i) gss = code[i] >= '0' && code[i] <= '9';
    return gss && code.substr(1) != "99999999";
}

std::optional<CodeNames> parse_code_names(const nlohmann::json& doc, const std::string& kind) {
    if (!doc.is_object()) return std::nullopt;
    CodeNames out;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        const std::string& code = it.key();
        const auto& v = it.value();
        auto text = [&](const char* key) -> std::string {
            auto f = v.find(key);
            return f != v.end() && f->is_string() ? std::string(trim(f->get<std::string>())) : std::string();
        };
        if (!is_gss_code(code) || !(v.is_string() || (v.is_object() && !text("name").empty()))) {
            ++out.ignored;
            continue;
        }
        if (v.is_string()) {
            out.entries.push_back({kind, code, std::string(trim(v.get<std::string>()))});
            continue;
        }
        out.entries.push_back({kind, code, text("name")});
        if (auto id = text("ccg19cdh"); !id.empty()) out.entries.push_back({"ccg_id", code, id});
        if (auto nuts = text("code"); !nuts.empty() && kind == "nuts")
            out.entries.push_back({"nuts_code", code, nuts});
    }
    return out;
}

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import lookups [--kind K] [--database-url URL] PATH...\n"
    "\n"
    "Loads ONS code -> name maps (JSON objects {\"E06000019\": \"Herefordshire, County of\"}, as in\n"
    "postcodes.io's data/ folder; .json or .json.gz) into code_names. ccgs.json's ccg19cdh and\n"
    "nuts.json's district -> {code, name} are kept too (codes.ccg_id, nuts, codes.nuts). The kind comes from "
    "the file name (lsoa,\n"
    "wards -> ward, districts -> lad, police_force_areas -> pfa, counties -> county, regions ->\n"
    "region, countries -> country, constituencies -> pcon, nhsHa -> nhs_ha, pcts -> pct, ...) unless --kind "
    "is given. Keys that\n"
    "are not 9-character GSS codes and pseudo codes (X99999999) are ignored; files that are not\n"
    "a JSON object are skipped with a note.\n"
    "\n"
    "CSV files (plain or gzipped) are ONS district -> county lookups, read by header name:\n"
    "LADyyCD and CTYyyCD (\"Local Authority District to County\") or LTLAyyCD and UTLAyyCD (lower\n"
    "to upper tier), with the NM columns as names when present. They set the county of each\n"
    "district of a two-tier area (rows whose county is the district itself are unitaries and are\n"
    "skipped); `crimemap refresh` then gives districts without an indicator value of their own\n"
    "their county's value on the performance layer. Without such a file, refresh takes the most\n"
    "common county code among each district's postcodes.\n"
    "\n"
    "  --kind K            code_names kind for every JSON file\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

// Writes one file's names through a staging table (duplicates: one of them wins).
void write_code_names(store::Connection& db, const CodeNames& names) {
    store::Transaction tx(db);
    db.exec("TRUNCATE lookup_staging");
    {
        store::CopyIn copy(db, "COPY lookup_staging FROM STDIN");
        for (const auto& e : names.entries) copy.put_row({e.kind, e.code, e.name});
        copy.finish();
    }
    db.exec(
        "INSERT INTO code_names (kind, code, name) SELECT DISTINCT ON (kind, code) kind, code, name FROM "
        "lookup_staging"
        " ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name");
    tx.commit();
}

}  // namespace

int cmd_import_lookups(const std::vector<std::string>& argv) {
    auto opened = open_import(argv, {kHelp,
                                     {"kind"},
                                     {},
                                     [](const fs::path& p) {
                                         return name_ends_with(p, ".json") || name_ends_with(p, ".json.gz") ||
                                                is_csv_file(p);
                                     },
                                     "no .json, .json.gz or .csv files under the given paths"});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    store::Connection& db = s.db;
    db.exec("CREATE TEMP TABLE IF NOT EXISTS lookup_staging (kind text, code text, name text)");
    for (const auto& path : s.files) {
        if (!name_ends_with(path, ".json") && !name_ends_with(path, ".json.gz")) {
            import_district_county_csv(db, path);
            continue;
        }
        nlohmann::json doc;
        try {
            // Plain or gzipped (open_file_source looks at the bytes).
            auto src = open_file_source(path.string());
            std::string text;
            char buf[65536];
            while (std::size_t n = src->read(buf, sizeof buf)) text.append(buf, n);
            doc = nlohmann::json::parse(text);
        } catch (const nlohmann::json::exception& e) {
            throw CliError(path.string() + ": not valid JSON (" + e.what() + ")");
        }
        std::string kind = s.args.get_or("kind", lookup_kind_for_file(path.stem().string()));
        auto names = parse_code_names(doc, kind);
        if (!names) {
            std::printf("%s: skipped (not a code -> name object)\n", path.filename().string().c_str());
            continue;
        }
        write_code_names(db, *names);
        std::printf("%s: %s %s names", path.filename().string().c_str(),
                    with_commas(names->entries.size()).c_str(), kind.c_str());
        if (names->ignored) std::printf(" (%s entries ignored)", with_commas(names->ignored).c_str());
        std::printf("\n");
    }
    return 0;
}

}  // namespace crimemap::tools
