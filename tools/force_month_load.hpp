#pragma once
// The load loop the outcome and stop importers share around their own row parser and SQL: one
// file's rows parsed and COPYed into the kind's staging table, counted per (force, month); each
// (force, month) then replaced in one transaction under the crime lock and recorded in the kind's
// <kind>_loads table; the summary table at the end. One loop, so both imports count, skip and
// replace alike. (Crimes keep their own: per-reason skip counts, --timings and fault hooks.)
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/copy_in.hpp"
#include "store/pg.hpp"
#include "tools/common.hpp"
#include "tools/csv.hpp"
#include "tools/import_command.hpp"
#include "tools/import_row.hpp"
#include "tools/row_fields.hpp"

namespace crimemap::tools {

using ForceMonth = std::pair<std::string, int>;  // (force id, core::Month index)
using ForceMonthTallies = std::map<ForceMonth, ForceMonthTally>;

class ForceMonthLoader {
  public:
    // loads_table records each replaced (force, month): "outcome_loads", "stop_loads".
    ForceMonthLoader(store::Connection& db, std::string loads_table)
        : db_(db), loads_table_(std::move(loads_table)) {}

    // Reads csv's rows (header already read) into a COPY with copy_sql. parse(fields, at) checks a
    // row; force_of(row, at) names its force or says why it has none; stage(copy, row, force, line)
    // puts it. Rows that fail either are noted and counted against name_place (the file name's
    // force and month) when known, else as unplaced. Returns the file's tallies.
    template <class Row, class Parse, class ForceOf, class Stage>
    ForceMonthTallies stage_file(CsvReader& csv, const std::string& file, const std::string& source,
                                 const std::optional<ForceMonth>& name_place, const std::string& copy_sql,
                                 Parse parse, ForceOf force_of, Stage stage) {
        ForceMonthTallies file_tallies;
        store::CopyIn copy(db_, copy_sql);
        Progress progress(source);
        std::uint64_t n = 0;
        while (csv.next()) {
            progress.tick(++n);
            const RowPlace at{file, csv.line()};
            auto parsed =
                csv.unterminated_quote()
                    ? RowResult<Row>(row_error(at, "unterminated quoted field at the end of the file"))
                    : parse(csv.fields(), at);
            if (!parsed.ok()) {
                skip(parsed.error(), name_place, file_tallies);
                continue;
            }
            const Row& r = parsed.row();
            RowResult<std::string> force = force_of(r, at);
            if (!force.ok()) {
                skip(force.error(), std::nullopt, file_tallies);
                continue;
            }
            auto& t = file_tallies[{force.row(), r.month.index()}];
            ++t.read;
            ++t.loaded;
            if (!r.lon) ++t.no_location;
            stage(copy, r, force.row(), csv.line());
        }
        copy.finish();
        progress.done(n);
        return file_tallies;
    }

    // Adds one file's tallies to the totals and replaces each (force, month) it loaded rows for:
    // replace_rows(fm) deletes the old rows and inserts the staged ones (fm = {force, 'YYYY-MM-01'}),
    // then the load is recorded with source and counts; one transaction each.
    void replace(const ForceMonthTallies& file_tallies, const std::string& source,
                 const std::function<void(const store::Params& fm)>& replace_rows);

    // Prints the per-(force, month) table; returns the totals (skipped includes unplaced rows).
    ForceMonthTally print_table() const;
    std::uint64_t unplaced() const { return unplaced_; }
    const RowErrorLog& bad_rows() const { return bad_rows_; }

  private:
    void skip(const RowError& e, const std::optional<ForceMonth>& place, ForceMonthTallies& file_tallies);

    store::Connection& db_;
    std::string loads_table_;
    RowErrorLog bad_rows_;
    ForceMonthTallies tallies_;
    std::uint64_t unplaced_ = 0;
};

}  // namespace crimemap::tools
