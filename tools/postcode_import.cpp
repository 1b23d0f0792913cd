#include "tools/postcode_import.hpp"

#include <charconv>
#include <cstdio>
#include <map>

#include "store/copy_in.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/import_command.hpp"

namespace crimemap::tools {
namespace fs = std::filesystem;

std::string_view ons_code(std::string_view v) {
    v = trim(v);
    if (v.size() == 9 && v.substr(1) == "99999999") return {};
    return v;
}

std::optional<std::string> ons_month_date(std::string_view v) {
    v = trim(v);
    if (v.size() != 6) return std::nullopt;
    for (char c : v)
        if (c < '0' || c > '9') return std::nullopt;
    int month = (v[4] - '0') * 10 + (v[5] - '0');
    if (month < 1 || month > 12) return std::nullopt;
    return std::string(v.substr(0, 4)) + "-" + std::string(v.substr(4, 2)) + "-01";
}

namespace {

// Target columns of the staging table (and of postcodes), with the header names that feed them,
// NSPL name first, then ONSPD's.
struct Column {
    const char* target;
    std::array<const char*, 3> sources;
};
constexpr std::array<Column, kPostcodeCodes> code_columns{{
    {"country", {"ctry", nullptr, nullptr}},
    {"region", {"rgn", nullptr, nullptr}},
    {"county", {"cty", "oscty", nullptr}},
    {"lad", {"laua", "oslaua", nullptr}},
    {"ward", {"ward", "osward", nullptr}},
    {"parish", {"parish", nullptr, nullptr}},
    {"lsoa", {"lsoa11", nullptr, nullptr}},
    {"msoa", {"msoa11", nullptr, nullptr}},
    {"oa", {"oa11", nullptr, nullptr}},
    {"pcon", {"pcon", nullptr, nullptr}},
    {"pfa", {"pfa", nullptr, nullptr}},
    {"ccg", {"ccg", "sicbl", nullptr}},
    {"nhs_ha", {"hlthau", "oshlthau", nullptr}},
    {"ced", {"ced", nullptr, nullptr}},
    {"eer", {"eer", nullptr, nullptr}},
    {"pct", {"pct", nullptr, nullptr}},
    {"itl", {"itl", "nuts", nullptr}},
}};

int find(const std::map<std::string, int>& header, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (!n) continue;
        if (auto it = header.find(n); it != header.end()) return it->second;
    }
    return -1;
}

bool parse_double(std::string_view s, double& out) {
    s = trim(s);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

const std::array<const char*, kPostcodeCodes>& postcode_code_columns() {
    static const std::array<const char*, kPostcodeCodes> names = [] {
        std::array<const char*, kPostcodeCodes> n{};
        for (std::size_t i = 0; i < kPostcodeCodes; ++i) n[i] = code_columns[i].target;
        return n;
    }();
    return names;
}

std::optional<PostcodeColumns> map_postcode_header(const std::vector<std::string_view>& fields) {
    std::map<std::string, int> header;
    for (std::size_t i = 0; i < fields.size(); ++i) header[to_lower(trim(fields[i]))] = static_cast<int>(i);
    PostcodeColumns c;
    c.width = fields.size();
    c.postcode = find(header, {"pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode"});
    if (c.postcode < 0) return std::nullopt;
    c.introduced = find(header, {"dointr"});
    c.terminated = find(header, {"doterm"});
    c.east = find(header, {"oseast1m"});
    c.north = find(header, {"osnrth1m"});
    c.quality = find(header, {"osgrdind"});
    c.lat = find(header, {"lat"});
    c.lon = find(header, {"long", "lon", "lng"});
    for (std::size_t i = 0; i < kPostcodeCodes; ++i)
        c.codes[i] = find(
            header, {code_columns[i].sources[0], code_columns[i].sources[1], code_columns[i].sources[2]});
    return c;
}

RowResult<PostcodeRow> parse_postcode_row(const PostcodeColumns& cols,
                                          const std::vector<std::string_view>& fields,
                                          const GridToLonLat& grid_to_lonlat, const RowPlace& at) {
    if (fields.size() != cols.width)
        return row_error(
            at, "got " + std::to_string(fields.size()) + " fields, expected " + std::to_string(cols.width));
    auto get = [&](int idx) {
        return idx < 0 ? std::string_view{} : trim(fields[static_cast<std::size_t>(idx)]);
    };
    auto pc = core::parse_postcode(get(cols.postcode));
    if (!pc) return row_error(at, "unreadable postcode '" + std::string(get(cols.postcode)) + "'");
    PostcodeRow row;
    row.postcode = std::move(*pc);
    double lat = 0, lon = 0, east = 0, north = 0;
    bool has_ll = parse_double(get(cols.lat), lat) && parse_double(get(cols.lon), lon) && lat < 99.0 &&
                  !(lat == 0 && lon == 0);
    bool has_grid = parse_double(get(cols.east), east) && parse_double(get(cols.north), north) &&
                    get(cols.quality) != "9";
    if (has_ll) row.location = LonLat{lon, lat};
    if (!has_ll && has_grid) {
        if (auto ll = grid_to_lonlat(east, north)) {
            row.location = *ll;
            row.from_grid = true;
        }
    }
    // Whole metres, as PostgreSQL's integer columns take them (truncated, as the import always did).
    if (has_grid)
        row.grid = std::array<long long, 2>{static_cast<long long>(east), static_cast<long long>(north)};
    if (auto q = get(cols.quality); q.size() == 1 && q[0] >= '0' && q[0] <= '9') row.quality = q[0] - '0';
    row.introduced = ons_month_date(get(cols.introduced));
    row.terminated = ons_month_date(get(cols.terminated));
    for (std::size_t i = 0; i < kPostcodeCodes; ++i) {
        auto raw = get(cols.codes[i]);
        row.codes[i] = ons_code(raw);
        if (row.codes[i].empty() && !raw.empty()) row.pseudo.emplace_back(code_columns[i].target);
    }
    return row;
}

namespace {

constexpr std::string_view kHelp =
    "usage: crimemap import postcodes [--database-url URL] PATH...\n"
    "\n"
    "Loads ONS postcode directory CSVs, NSPL or ONSPD layout (read by header name), plain or\n"
    "gzipped; folders are searched for *.csv and *.csv.gz. Each postcode is inserted or updated\n"
    "(importing again changes nothing). Terminated postcodes are kept with their date. Where\n"
    "lat/long are missing or the 99.999999 placeholder, the OSGB36 grid reference is converted\n"
    "with PROJ (EPSG:27700 -> 4326). Pseudo codes such as E99999999 are stored as NULL (and the\n"
    "column named in pseudo_codes, so postcodes.io answers can write them back).\n"
    "\n"
    "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)";

struct Totals {
    std::uint64_t read = 0, loaded = 0, terminated = 0, from_grid = 0, no_coords = 0, skipped = 0;
};

std::optional<std::string_view> opt(std::string_view v) {
    if (v.empty()) return std::nullopt;
    return v;
}

// One row in postcode_staging's column order: coordinates with 6 decimals (about 0.1 m).
void stage(std::string& buf, std::uint64_t line, const PostcodeRow& r) {
    char num[64];
    buf += std::to_string(line);
    buf += '\t';
    store::append_copy_field(buf, r.postcode.compact);
    buf += '\t';
    store::append_copy_field(buf, r.postcode.display);
    buf += '\t';
    store::append_copy_field(buf, r.postcode.outcode());
    buf += '\t';
    store::append_copy_field(buf, r.postcode.incode());
    buf += '\t';
    if (r.location) {
        std::snprintf(num, sizeof num, "%.6f\t%.6f", r.location->lon, r.location->lat);
        buf += num;
    } else {
        buf += "\\N\t\\N";
    }
    buf += '\t';
    if (r.grid) {
        std::snprintf(num, sizeof num, "%lld\t%lld", (*r.grid)[0], (*r.grid)[1]);
        buf += num;
    } else {
        buf += "\\N\t\\N";
    }
    buf += '\t';
    buf += r.quality ? std::to_string(*r.quality) : std::string("\\N");
    buf += '\t';
    buf += r.introduced ? *r.introduced : std::string("\\N");
    buf += '\t';
    buf += r.terminated ? *r.terminated : std::string("\\N");
    for (const auto& code : r.codes) {
        buf += '\t';
        if (auto v = opt(code))
            store::append_copy_field(buf, *v);
        else
            store::append_copy_null(buf);
    }
    // A PostgreSQL array literal of plain column names (no quoting needed).
    std::string pseudo = "{";
    for (const auto& c : r.pseudo) pseudo += (pseudo.size() > 1 ? "," : "") + c;
    buf += '\t';
    store::append_copy_field(buf, pseudo + "}");
    buf += '\n';
}

}  // namespace

int cmd_import_postcodes(const std::vector<std::string>& argv) {
    auto opened =
        open_import(argv, {kHelp, {}, {}, is_csv_file, "no .csv or .csv.gz files under the given paths"});
    if (auto* status = std::get_if<int>(&opened)) return *status;
    auto& s = std::get<ImportSession>(opened);
    store::Connection& db = s.db;
    OsgbToWgs84 osgb;
    const GridToLonLat grid_to_lonlat = [&osgb](double east, double north) {
        return osgb.convert(east, north);
    };

    std::string staging_cols =
        "line bigint, pc_compact text, postcode text, outcode text, incode text, lon double precision,"
        " lat double precision, eastings integer, northings integer, quality smallint, introduced date, "
        "terminated date";
    for (const char* c : postcode_code_columns()) staging_cols += std::string(", ") + c + " text";
    staging_cols += ", pseudo_codes text[]";
    db.exec("CREATE TEMP TABLE IF NOT EXISTS postcode_staging (" + staging_cols + ")");

    Totals all;
    RowErrorLog bad_rows;
    for (const auto& path : s.files) {
        const std::string file = path.string();
        CsvReader csv(open_file_source(file));
        if (!csv.next()) throw CliError(file + ": empty file");
        auto cols = map_postcode_header(csv.fields());
        if (!cols) throw CliError(file + ": not an NSPL/ONSPD file (no pcds/pcd column)");

        db.exec("TRUNCATE postcode_staging");
        Totals t;
        {
            store::CopyIn copy(db, "COPY postcode_staging FROM STDIN");
            std::string row_text;
            Progress progress(path.filename().string());
            while (csv.next()) {
                ++t.read;
                progress.tick(t.read);
                auto parsed =
                    parse_postcode_row(*cols, csv.fields(), grid_to_lonlat, RowPlace{file, csv.line()});
                if (!parsed.ok()) {
                    ++t.skipped;
                    bad_rows.note(parsed.error());
                    continue;
                }
                const PostcodeRow& r = parsed.row();
                if (r.from_grid) ++t.from_grid;
                if (!r.location) ++t.no_coords;
                if (r.terminated) ++t.terminated;
                ++t.loaded;
                row_text.clear();
                stage(row_text, csv.line(), r);
                copy.put(row_text);
            }
            copy.finish();
            progress.done(t.read);
        }

        std::string cols_sql =
            "pc_compact, postcode, outcode, incode, lon, lat, eastings, northings, quality, introduced, "
            "terminated";
        std::string updates;
        for (const char* c : postcode_code_columns()) cols_sql += std::string(", ") + c;
        cols_sql += ", pseudo_codes";
        for (const char* c : {"postcode", "outcode", "incode", "lon", "lat", "eastings", "northings",
                              "quality", "introduced", "terminated"})
            updates += std::string(updates.empty() ? "" : ", ") + c + " = EXCLUDED." + c;
        for (const char* c : postcode_code_columns()) updates += std::string(", ") + c + " = EXCLUDED." + c;
        updates += ", pseudo_codes = EXCLUDED.pseudo_codes";
        store::Transaction tx(db);
        // A postcode listed twice in one file: the later row wins.
        std::string sql = "INSERT INTO postcodes (";
        sql += cols_sql;
        sql += ") SELECT DISTINCT ON (pc_compact) ";
        sql += cols_sql;
        sql +=
            " FROM postcode_staging ORDER BY pc_compact, line DESC ON CONFLICT (pc_compact) DO UPDATE SET ";
        sql += updates;
        db.exec(sql);
        tx.commit();
        std::printf(
            "%s: %s rows, %s loaded (%s terminated, %s located from the grid reference, %s without "
            "coordinates), %s skipped\n",
            path.filename().string().c_str(), with_commas(t.read).c_str(), with_commas(t.loaded).c_str(),
            with_commas(t.terminated).c_str(), with_commas(t.from_grid).c_str(),
            with_commas(t.no_coords).c_str(), with_commas(t.skipped).c_str());
        all.read += t.read;
        all.loaded += t.loaded;
        all.skipped += t.skipped;
    }
    double seconds = s.seconds();
    bad_rows.print_rest("bad rows not shown");
    std::printf("import postcodes: %s loaded, %s skipped in %.1f s (%s rows/s)\n",
                with_commas(all.loaded).c_str(), with_commas(all.skipped).c_str(), seconds,
                with_commas(per_second(all.read, seconds)).c_str());
    return 0;
}

}  // namespace crimemap::tools
