#include "core/postcode.hpp"

#include <cctype>

namespace crimemap::core {
namespace {
bool alpha(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

std::string squeeze_upper(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    return out;
}

bool valid_outcode(std::string_view o) {
    // A9, A99, AA9, AA99, A9A, AA9A
    switch (o.size()) {
        case 2: return alpha(o[0]) && digit(o[1]);
        case 3:
            return (alpha(o[0]) && digit(o[1]) && digit(o[2])) ||
                   (alpha(o[0]) && alpha(o[1]) && digit(o[2])) || (alpha(o[0]) && digit(o[1]) && alpha(o[2]));
        case 4: return alpha(o[0]) && alpha(o[1]) && digit(o[2]) && (digit(o[3]) || alpha(o[3]));
        default: return false;
    }
}
}  // namespace

std::optional<Postcode> parse_postcode(std::string_view text) {
    std::string c = squeeze_upper(text);
    if (c.size() < 5 || c.size() > 7) return std::nullopt;
    std::string_view in = std::string_view(c).substr(c.size() - 3);
    std::string_view out = std::string_view(c).substr(0, c.size() - 3);
    if (!(digit(in[0]) && alpha(in[1]) && alpha(in[2])) || !valid_outcode(out)) return std::nullopt;
    return Postcode{c, std::string(out) + " " + std::string(in)};
}

std::optional<std::string> parse_outcode(std::string_view text) {
    std::string c = squeeze_upper(text);
    if (!valid_outcode(c)) return std::nullopt;
    return c;
}

}  // namespace crimemap::core
