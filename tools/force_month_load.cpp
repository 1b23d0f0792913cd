#include "tools/force_month_load.hpp"

#include <cstdio>

#include "core/month.hpp"

namespace crimemap::tools {

namespace {
// The same lock as crime replacement: refresh deletes snap locations nobody uses.
constexpr const char* kCrimeLock = "SELECT pg_advisory_xact_lock(7260491002)";
}  // namespace

void ForceMonthLoader::skip(const RowError& e, const std::optional<ForceMonth>& place,
                            ForceMonthTallies& file_tallies) {
    bad_rows_.note(e);
    if (!place) {
        ++unplaced_;
        return;
    }
    auto& t = file_tallies[*place];
    ++t.read;
    ++t.skipped;
}

void ForceMonthLoader::replace(const ForceMonthTallies& file_tallies, const std::string& source,
                               const std::function<void(const store::Params& fm)>& replace_rows) {
    for (const auto& [key, t] : file_tallies) {
        tallies_[key] += t;
        if (t.loaded == 0) continue;
        const std::string month = core::Month::from_index(key.second).str() + "-01";
        store::Params fm{key.first, month};
        store::Transaction tx(db_);
        db_.exec(kCrimeLock);
        replace_rows(fm);
        db_.query("INSERT INTO " + loads_table_ +
                      " (force_id, month, source, rows_loaded, rows_skipped)"
                      " VALUES ($1, $2::date, $3, $4, $5) ON CONFLICT (force_id, month) DO UPDATE SET"
                      " source = EXCLUDED.source, rows_loaded = EXCLUDED.rows_loaded,"
                      " rows_skipped = EXCLUDED.rows_skipped, loaded_at = now()",
                  {key.first, month, source, std::to_string(t.loaded), std::to_string(t.skipped)});
        tx.commit();
    }
}

ForceMonthTally ForceMonthLoader::print_table() const {
    ForceMonthTally all;
    std::printf("%-28s %10s %10s %10s %12s\n", "force month", "read", "loaded", "skipped", "no location");
    for (const auto& [key, t] : tallies_) {
        std::printf("%-28s %10s %10s %10s %12s\n",
                    (key.first + " " + core::Month::from_index(key.second).str()).c_str(),
                    with_commas(t.read).c_str(), with_commas(t.loaded).c_str(),
                    with_commas(t.skipped).c_str(), with_commas(t.no_location).c_str());
        all += t;
    }
    all.skipped += unplaced_;
    return all;
}

}  // namespace crimemap::tools
