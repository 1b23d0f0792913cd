#pragma once
// UK postcodes: normalisation of any case and spacing to the compact and display forms.
#include <optional>
#include <string>
#include <string_view>

namespace crimemap::core {

struct Postcode {
    std::string compact;  // 'HR11AA' (upper case, no spaces): the database key
    std::string display;  // 'HR1 1AA'
    std::string outcode() const { return display.substr(0, display.find(' ')); }
    std::string incode() const { return display.substr(display.find(' ') + 1); }
};

// Accepts 'hr11aa', ' HR1  1AA ', 'HR1 1AA'; rejects anything that is not outward + inward code
// shaped (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA).
std::optional<Postcode> parse_postcode(std::string_view text);

// An outward code alone ('HR1', 'tf10'), normalised to upper case.
std::optional<std::string> parse_outcode(std::string_view text);

}  // namespace crimemap::core
