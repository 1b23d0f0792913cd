// store::CopyIn, the importers' COPY FROM STDIN guard: rows land escaped and typed, a finished COPY
// reports server-side errors, and an aborted or abandoned COPY loads nothing and leaves the
// connection usable.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/copy_in.hpp"
#include "support/test_db.hpp"

using crimemap::store::CopyIn;
using crimemap::store::PgError;
using crimemap::test::TestDatabase;

namespace {

void make_table(crimemap::store::Connection& c) {
    c.exec("CREATE TABLE copy_target (id integer NOT NULL, label text)");
}

}  // namespace

TEST(ImportCopyIn, RowsLandEscapedWithNulls) {
    TestDatabase db;
    auto c = db.connect();
    make_table(c);
    const std::vector<std::optional<std::string>> labels = {"plain",       "tab\there",  "new\nline",
                                                            "back\\slash", std::nullopt, ""};
    {
        // A tiny chunk size makes every row its own send.
        CopyIn copy(c, "COPY copy_target FROM STDIN", 8);
        for (std::size_t i = 0; i < labels.size(); ++i) {
            std::optional<std::string_view> label;
            if (labels[i]) label = *labels[i];
            copy.put_row({std::to_string(i), label});
        }
        EXPECT_EQ(copy.rows(), labels.size());
        copy.finish();
        EXPECT_FALSE(copy.active());
    }
    auto r = c.query("SELECT id, label FROM copy_target ORDER BY id");
    ASSERT_EQ(static_cast<std::size_t>(r.size()), labels.size());
    for (int i = 0; i < r.size(); ++i) {
        EXPECT_EQ(r.int64(i, 0), i);
        EXPECT_EQ(r.opt_text(i, 1), labels[static_cast<std::size_t>(i)]) << i;
    }
}

TEST(ImportCopyIn, PreformattedTextToo) {
    TestDatabase db;
    auto c = db.connect();
    make_table(c);
    CopyIn copy(c, "COPY copy_target FROM STDIN");
    copy.put("1\ta\n2\t\\N\n");
    copy.finish();
    EXPECT_EQ(db.count("SELECT count(*) FROM copy_target WHERE label IS NULL"), 1);
    EXPECT_EQ(db.count("SELECT sum(id) FROM copy_target"), 3);
}

TEST(ImportCopyIn, FinishReportsBadDataAndTheConnectionStaysUsable) {
    TestDatabase db;
    auto c = db.connect();
    make_table(c);
    {
        CopyIn copy(c, "COPY copy_target FROM STDIN");
        copy.put_row({"1", "fine"});
        copy.put_row({"not a number", "bad"});
        EXPECT_THROW(copy.finish(), PgError);
        EXPECT_FALSE(copy.active());
    }
    EXPECT_EQ(c.query("SELECT count(*) FROM copy_target").int64(0, 0), 0);
}

TEST(ImportCopyIn, AbortLoadsNothingAndTheConnectionStaysUsable) {
    TestDatabase db;
    auto c = db.connect();
    make_table(c);
    CopyIn copy(c, "COPY copy_target FROM STDIN", 1);  // rows already sent before the abort
    copy.put_row({"1", "sent"});
    copy.put_row({"2", "sent"});
    copy.abort("the file turned out to be truncated");
    EXPECT_FALSE(copy.active());
    copy.abort("twice is harmless");
    EXPECT_THROW(copy.finish(), PgError);  // nothing left to finish
    EXPECT_EQ(c.query("SELECT count(*) FROM copy_target").int64(0, 0), 0);
}

TEST(ImportCopyIn, AnExceptionAbortsTheCopy) {
    TestDatabase db;
    auto c = db.connect();
    make_table(c);
    EXPECT_THROW(
        {
            CopyIn copy(c, "COPY copy_target FROM STDIN");
            copy.put_row({"1", "never committed"});
            throw std::runtime_error("an unreadable file");
        },
        std::runtime_error);
    EXPECT_EQ(c.query("SELECT count(*) FROM copy_target").int64(0, 0), 0);
    // Inside a transaction the aborted COPY fails the transaction, which rolls back cleanly.
    EXPECT_THROW(
        {
            crimemap::store::Transaction tx(c);
            c.exec("INSERT INTO copy_target VALUES (7, 'before the copy')");
            CopyIn copy(c, "COPY copy_target FROM STDIN");
            copy.put_row({"8", "in the copy"});
            throw std::runtime_error("fault");
        },
        std::runtime_error);
    EXPECT_EQ(c.query("SELECT count(*) FROM copy_target").int64(0, 0), 0);
    c.exec("INSERT INTO copy_target VALUES (9, 'after')");
    EXPECT_EQ(c.query("SELECT count(*) FROM copy_target").int64(0, 0), 1);
}

TEST(ImportCopyIn, NotACopyStatementIsRefused) {
    TestDatabase db;
    auto c = db.connect();
    make_table(c);
    EXPECT_THROW(CopyIn(c, "SELECT 1"), PgError);
    EXPECT_THROW(CopyIn(c, "COPY no_such_table FROM STDIN"), PgError);
    EXPECT_EQ(c.query("SELECT count(*) FROM copy_target").int64(0, 0), 0);
}
