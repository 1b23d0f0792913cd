#pragma once
// Integration-test helper: a whole text file, gzipped or plain, read with zlib directly, so tests
// check the importers against a reading independent of their own CSV and gzip readers.
// Header-only.
#include <zlib.h>

#include <stdexcept>
#include <string>

namespace crimemap::test {

// The file's text (gunzipped when it is gzip; zlib passes plain files through); throws
// std::runtime_error when it cannot be opened.
inline std::string read_gz_text(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + path);
    std::string text;
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    gzclose(f);
    return text;
}

}  // namespace crimemap::test
