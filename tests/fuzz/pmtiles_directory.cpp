// libFuzzer harness: the PMTiles directory and header decoders (core/pmtiles_writer.hpp) on hostile
// bytes, as a reader of an archive from elsewhere would meet them (a --basemap file).
// Oracles besides "no crash": a decoded directory encodes back to a directory that decodes to the
// same entries; a decoded header encodes back to the same 127 bytes' meaning.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/pmtiles_writer.hpp"
#include "fuzz_check.hpp"

using crimemap::fuzz::fuzz_check;
namespace pm = crimemap::core::pmtiles;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (auto entries = pm::decode_directory(bytes)) {
        fuzz_check(entries->size() <= bytes.size(), "more entries than bytes");
        bool ascending = true;
        for (std::size_t i = 1; i < entries->size(); ++i)
            ascending = ascending && (*entries)[i].tile_id >= (*entries)[i - 1].tile_id;
        fuzz_check(ascending, "delta-coded tile ids went backwards");
        auto again = pm::decode_directory(pm::encode_directory(*entries));
        fuzz_check(again && *again == *entries, "a directory does not survive encode and decode");
    }
    if (auto header = pm::decode_header(bytes)) {
        auto again = pm::decode_header(pm::encode_header(*header));
        fuzz_check(again && *again == *header, "a header does not survive encode and decode");
    }
    for (std::size_t i = 0; i + 8 <= size && i < 64; i += 8) {
        std::uint64_t id = 0;
        for (int b = 7; b >= 0; --b) id = (id << 8) | data[i + static_cast<std::size_t>(b)];
        if (auto t = pm::tile_from_id(id))
            fuzz_check(pm::tile_id(*t) == id, "tile id -> z/x/y -> tile id is not the identity");
    }
    return 0;
}
