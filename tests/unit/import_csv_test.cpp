// The streaming CSV reader behind every import: quoting, BOM, line ends, line numbers.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/common.hpp"
#include "tools/csv.hpp"

using crimemap::tools::CsvReader;
using crimemap::tools::string_source;

namespace {

std::vector<std::vector<std::string>> read_all(const std::string& text,
                                               std::vector<std::uint64_t>* lines = nullptr) {
    CsvReader csv(string_source(text));
    std::vector<std::vector<std::string>> out;
    while (csv.next()) {
        out.emplace_back(csv.fields().begin(), csv.fields().end());
        if (lines) lines->push_back(csv.line());
    }
    return out;
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

TEST(ImportCsv, PlainFieldsAndLineEnds) {
    EXPECT_EQ(read_all("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
    EXPECT_EQ(read_all("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
    EXPECT_EQ(read_all("a,b\r1,2"), (Rows{{"a", "b"}, {"1", "2"}}));  // old Mac line ends, no final newline
    EXPECT_EQ(read_all("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(ImportCsv, SmallReadBuffersGiveTheSameRecords) {
    // Records, quotes, CRLF pairs and the BOM cross buffer refills at every position.
    const std::string text =
        "\xEF\xBB\xBFh1,h2,h3\r\n\"a,\"\"b\"\"\",c,\r\n\"two\nlines\",x,y\rlast,,\"\"\n,\n";
    std::vector<std::uint64_t> want_lines;
    const auto want = read_all(text, &want_lines);
    ASSERT_EQ(want.size(), 5u);
    EXPECT_EQ(want[0], (std::vector<std::string>{"h1", "h2", "h3"}));
    EXPECT_EQ(want[1], (std::vector<std::string>{"a,\"b\"", "c", ""}));
    for (std::size_t buffer : {1, 4, 5, 6, 7, 13, 64}) {
        CsvReader csv(string_source(text), buffer);
        Rows got;
        std::vector<std::uint64_t> lines;
        while (csv.next()) {
            got.emplace_back(csv.fields().begin(), csv.fields().end());
            lines.push_back(csv.line());
        }
        EXPECT_EQ(got, want) << "buffer " << buffer;
        EXPECT_EQ(lines, want_lines) << "buffer " << buffer;
    }
}

TEST(ImportCsv, EmptyFieldsAreKept) {
    // An anti-social-behaviour row: empty Crime ID, empty Context at the end.
    EXPECT_EQ(read_all(",2018-10,,x,\n"), (Rows{{"", "2018-10", "", "x", ""}}));
    EXPECT_EQ(read_all(",\n"), (Rows{{"", ""}}));
}

TEST(ImportCsv, QuotedFields) {
    EXPECT_EQ(read_all("\"a,b\",c\n"), (Rows{{"a,b", "c"}}));
    EXPECT_EQ(read_all("\"say \"\"hi\"\"\",x\n"), (Rows{{"say \"hi\"", "x"}}));
    EXPECT_EQ(read_all("\"\",x\n"), (Rows{{"", "x"}}));
    EXPECT_EQ(read_all("\"HR1 1AA\",\"E06000019\",52.060745\n"),
              (Rows{{"HR1 1AA", "E06000019", "52.060745"}}));
}

TEST(ImportCsv, QuotedNewlinesStayInTheField) {
    std::vector<std::uint64_t> lines;
    auto rows = read_all("h1,h2\n\"two\nlines\",x\r\nnext,y\n", &lines);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1], (std::vector<std::string>{"two\nlines", "x"}));
    EXPECT_EQ(rows[2], (std::vector<std::string>{"next", "y"}));
    EXPECT_EQ(lines,
              (std::vector<std::uint64_t>{1, 2, 4}));  // the record after a two-line field starts on line 4
}

TEST(ImportCsv, ByteOrderMarkIsSkipped) {
    auto rows = read_all(
        "\xEF\xBB\xBF"
        "Crime ID,Month\r\nabc,2018-10\r\n");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], "Crime ID");
}

TEST(ImportCsv, BlankLinesAreSkippedButCounted) {
    std::vector<std::uint64_t> lines;
    auto rows = read_all("a\n\n\r\nb\n\n", &lines);
    EXPECT_EQ(rows, (Rows{{"a"}, {"b"}}));
    EXPECT_EQ(lines, (std::vector<std::uint64_t>{1, 4}));
}

TEST(ImportCsv, UnterminatedQuoteIsFlagged) {
    CsvReader csv(string_source("a,b\n1,\"never closed\n"));
    ASSERT_TRUE(csv.next());
    EXPECT_FALSE(csv.unterminated_quote());
    ASSERT_TRUE(csv.next());
    EXPECT_TRUE(csv.unterminated_quote());
    EXPECT_FALSE(csv.next());
}

TEST(ImportCsv, EmptyInput) {
    EXPECT_TRUE(read_all("").empty());
    EXPECT_TRUE(read_all("\xEF\xBB\xBF").empty());
}

TEST(ImportCsv, LongRecordsAcrossBufferBoundaries) {
    // Fields longer than the reader's 256 KiB buffer, with quotes straddling refills.
    std::string big(300000, 'x');
    std::string text = "\"" + big + "\"\"q\"," + big + "\n1,2\n";
    auto rows = read_all(text);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], big + "\"q");
    EXPECT_EQ(rows[0][1], big);
    EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "2"}));
}

TEST(ImportCsv, ReadsGzipAndPlainFilesAlike) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() /
                   ("cm_csv_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::create_directories(dir);
    const std::string text = "a,b\n\"x,y\",2\n";
    {
        std::FILE* f = std::fopen((dir / "plain.csv").c_str(), "wb");
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
        gzFile g = gzopen((dir / "packed.csv.gz").c_str(), "wb");
        gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
        gzclose(g);
    }
    for (const char* name : {"plain.csv", "packed.csv.gz"}) {
        CsvReader csv(crimemap::tools::open_file_source((dir / name).string()));
        ASSERT_TRUE(csv.next());
        ASSERT_TRUE(csv.next()) << name;
        EXPECT_EQ(csv[0], "x,y") << name;
        EXPECT_FALSE(csv.next());
    }
    EXPECT_THROW(crimemap::tools::open_file_source((dir / "missing.csv").string()),
                 crimemap::tools::CliError);
    fs::remove_all(dir);
}
