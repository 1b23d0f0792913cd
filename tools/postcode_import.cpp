#include "tools/postcode_import.hpp"

#include "core/postcode.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/osgb.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <map>

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
constexpr std::array<Column, 14> code_columns{{
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
}};
constexpr std::size_t kStoredCodes = code_columns.size();

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

struct Totals {
    std::uint64_t read = 0, loaded = 0, terminated = 0, from_grid = 0, no_coords = 0, skipped = 0;
};

}  // namespace

int cmd_import_postcodes(const std::vector<std::string>& argv) {
    Args args(argv, {"database-url"}, {});
    if (args.help() || args.positional().empty()) {
        std::puts(
            "usage: crimemap import postcodes [--database-url URL] PATH...\n"
            "\n"
            "Loads ONS postcode directory CSVs, NSPL or ONSPD layout (read by header name), plain or\n"
            "gzipped; folders are searched for *.csv and *.csv.gz. Each postcode is inserted or updated\n"
            "(importing again changes nothing). Terminated postcodes are kept with their date. Where\n"
            "lat/long are missing or the 99.999999 placeholder, the OSGB36 grid reference is converted\n"
            "with PROJ (EPSG:27700 -> 4326). Pseudo codes such as E99999999 are stored as NULL.\n"
            "\n"
            "  --database-url URL  PostgreSQL URL (default: $CRIMEMAP_DATABASE_URL)");
        return args.help() ? 0 : 2;
    }
    auto files = collect_files(args.positional(), is_csv_file);
    if (files.empty()) throw CliError("no .csv or .csv.gz files under the given paths");
    auto start = std::chrono::steady_clock::now();
    store::Connection db(database_url(args));
    OsgbToWgs84 osgb;

    std::string staging_cols =
        "line bigint, pc_compact text, postcode text, outcode text, incode text, lon double precision,"
        " lat double precision, eastings integer, northings integer, quality smallint, introduced date, terminated date";
    for (std::size_t i = 0; i < kStoredCodes; ++i) staging_cols += std::string(", ") + code_columns[i].target + " text";
    db.exec("CREATE TEMP TABLE IF NOT EXISTS postcode_staging (" + staging_cols + ")");

    Totals all;
    std::uint64_t shown = 0;
    for (const auto& path : files) {
        CsvReader csv(open_file_source(path.string()));
        if (!csv.next()) throw CliError(path.string() + ": empty file");
        std::map<std::string, int> header;
        for (std::size_t i = 0; i < csv.size(); ++i) header[to_lower(trim(csv[i]))] = static_cast<int>(i);
        const std::size_t width = csv.size();
        int c_pc = find(header, {"pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode"});
        if (c_pc < 0) throw CliError(path.string() + ": not an NSPL/ONSPD file (no pcds/pcd column)");
        int c_intr = find(header, {"dointr"}), c_term = find(header, {"doterm"});
        int c_east = find(header, {"oseast1m"}), c_north = find(header, {"osnrth1m"}), c_qual = find(header, {"osgrdind"});
        int c_lat = find(header, {"lat"}), c_lon = find(header, {"long", "lon", "lng"});
        std::array<int, kStoredCodes> c_codes{};
        for (std::size_t i = 0; i < kStoredCodes; ++i)
            c_codes[i] = find(header, {code_columns[i].sources[0], code_columns[i].sources[1], code_columns[i].sources[2]});
        auto get = [&](int idx) { return idx < 0 ? std::string_view{} : trim(csv[static_cast<std::size_t>(idx)]); };

        db.exec("TRUNCATE postcode_staging");
        db.copy_begin("COPY postcode_staging FROM STDIN");
        std::string buf;
        Totals t;
        Progress progress(path.filename().string());
        auto bad = [&](const std::string& why) {
            ++t.skipped;
            if (shown++ < 10)
                std::fprintf(stderr, "%s:%llu: %s\n", path.string().c_str(), static_cast<unsigned long long>(csv.line()), why.c_str());
        };
        while (csv.next()) {
            ++t.read;
            progress.tick(t.read);
            if (csv.size() != width) {
                bad("got " + std::to_string(csv.size()) + " fields, expected " + std::to_string(width));
                continue;
            }
            auto pc = core::parse_postcode(get(c_pc));
            if (!pc) {
                bad("unreadable postcode '" + std::string(get(c_pc)) + "'");
                continue;
            }
            double lat = 0, lon = 0, east = 0, north = 0;
            bool has_ll = parse_double(get(c_lat), lat) && parse_double(get(c_lon), lon) && lat < 99.0 && !(lat == 0 && lon == 0);
            bool has_grid = parse_double(get(c_east), east) && parse_double(get(c_north), north) && get(c_qual) != "9";
            if (!has_ll && has_grid) {
                if (auto ll = osgb.convert(east, north)) {
                    lon = ll->lon;
                    lat = ll->lat;
                    has_ll = true;
                    ++t.from_grid;
                }
            }
            if (!has_ll) ++t.no_coords;
            auto term = ons_month_date(get(c_term));
            if (term) ++t.terminated;
            ++t.loaded;
            char num[64];
            buf += std::to_string(csv.line());
            buf += '\t';
            buf += pc->compact;
            buf += '\t';
            buf += pc->display;
            buf += '\t';
            buf += pc->outcode();
            buf += '\t';
            buf += pc->incode();
            buf += '\t';
            if (has_ll) {
                std::snprintf(num, sizeof num, "%.6f\t%.6f", lon, lat);
                buf += num;
            } else {
                buf += "\\N\t\\N";
            }
            buf += '\t';
            if (has_grid) {
                std::snprintf(num, sizeof num, "%lld\t%lld", static_cast<long long>(east), static_cast<long long>(north));
                buf += num;
            } else {
                buf += "\\N\t\\N";
            }
            buf += '\t';
            auto q = get(c_qual);
            if (q.size() == 1 && q[0] >= '0' && q[0] <= '9') buf += q;
            else buf += "\\N";
            buf += '\t';
            auto intr = ons_month_date(get(c_intr));
            buf += intr ? *intr : std::string("\\N");
            buf += '\t';
            buf += term ? *term : std::string("\\N");
            for (std::size_t i = 0; i < kStoredCodes; ++i) {
                buf += '\t';
                auto v = ons_code(get(c_codes[i]));
                if (v.empty()) store::append_copy_null(buf);
                else store::append_copy_field(buf, v);
            }
            buf += '\n';
            if (buf.size() >= (1 << 20)) {
                db.copy_send(buf);
                buf.clear();
            }
        }
        if (!buf.empty()) db.copy_send(buf);
        db.copy_end();
        progress.done(t.read);

        std::string cols = "pc_compact, postcode, outcode, incode, lon, lat, eastings, northings, quality, introduced, terminated";
        std::string updates;
        for (std::size_t i = 0; i < kStoredCodes; ++i) cols += std::string(", ") + code_columns[i].target;
        for (const char* c : {"postcode", "outcode", "incode", "lon", "lat", "eastings", "northings", "quality", "introduced", "terminated"})
            updates += std::string(updates.empty() ? "" : ", ") + c + " = EXCLUDED." + c;
        for (std::size_t i = 0; i < kStoredCodes; ++i)
            updates += std::string(", ") + code_columns[i].target + " = EXCLUDED." + code_columns[i].target;
        store::Transaction tx(db);
        // A postcode listed twice in one file: the later row wins.
        db.exec("INSERT INTO postcodes (" + cols + ") SELECT DISTINCT ON (pc_compact) " + cols +
                " FROM postcode_staging ORDER BY pc_compact, line DESC ON CONFLICT (pc_compact) DO UPDATE SET " + updates);
        tx.commit();
        std::printf("%s: %s rows, %s loaded (%s terminated, %s located from the grid reference, %s without coordinates), %s skipped\n",
                    path.filename().string().c_str(), with_commas(t.read).c_str(), with_commas(t.loaded).c_str(),
                    with_commas(t.terminated).c_str(), with_commas(t.from_grid).c_str(), with_commas(t.no_coords).c_str(),
                    with_commas(t.skipped).c_str());
        all.read += t.read;
        all.loaded += t.loaded;
        all.skipped += t.skipped;
    }
    double s = seconds_since(start);
    if (shown > 10) std::fprintf(stderr, "... and %s more bad rows not shown\n", with_commas(shown - 10).c_str());
    std::printf("import postcodes: %s loaded, %s skipped in %.1f s (%s rows/s)\n", with_commas(all.loaded).c_str(),
                with_commas(all.skipped).c_str(), s, with_commas(per_second(all.read, s)).c_str());
    return 0;
}

}  // namespace crimemap::tools
