#include "core/json_input.hpp"

#include <utility>
#include <vector>

namespace crimemap::core {
namespace {
using nlohmann::json;

// Builds the value as nlohmann's own DOM parser does (a stack of open containers), but stops at
// the first limit crossed: returning false from a callback ends sax_parse at once, so a body of
// 200,000 '[' costs 33 pushes, not 200,000.
class BoundedBuilder {
  public:
    BoundedBuilder(json& root, const JsonLimits& limits) : root_(root), limits_(limits) {}

    bool null() { return value(nullptr); }
    bool boolean(bool v) { return value(v); }
    bool number_integer(json::number_integer_t v) { return value(v); }
    bool number_unsigned(json::number_unsigned_t v) { return value(v); }
    bool number_float(json::number_float_t v, const json::string_t&) { return value(v); }
    bool string(json::string_t& v) {
        if (has_nul(v)) return fail(JsonProblem::nul, "Text contains a NUL character");
        return value(std::move(v));
    }
    bool binary(json::binary_t&) { return fail(JsonProblem::syntax, "Binary values are not JSON"); }

    bool start_object(std::size_t) { return open(json::value_t::object); }
    bool key(json::string_t& k) {
        if (has_nul(k)) return fail(JsonProblem::nul, "Text contains a NUL character");
        if (!count_item()) return false;
        // A repeated key keeps the last value, as nlohmann's parser does.
        object_member_ = &(*stack_.back())[k];
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(json::value_t::array); }
    bool end_array() { return close(); }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
        return fail(JsonProblem::syntax, "Body is not valid JSON at byte " + std::to_string(position));
    }

    JsonProblem problem() const noexcept { return problem_; }
    const std::string& message() const noexcept { return message_; }

  private:
    static bool has_nul(const std::string& s) noexcept { return s.find('\0') != std::string::npos; }

    bool fail(JsonProblem p, std::string message) {
        if (problem_ == JsonProblem::none) {
            problem_ = p;
            message_ = std::move(message);
        }
        return false;
    }

    bool count_item() {
        if (++items_.back() > limits_.max_items) {
            const bool array = stack_.back()->is_array();
            return fail(JsonProblem::too_many_items,
                        std::string(array ? "JSON array with more than " : "JSON object with more than ") +
                            std::to_string(limits_.max_items) + (array ? " items" : " keys"));
        }
        return true;
    }

    // Places a value where the parser is: the root, the next array element or the member whose key
    // was just read. Returns where it went, or nullptr when a limit was crossed.
    template <class V>
    json* place(V&& v) {
        if (stack_.empty()) {
            root_ = json(std::forward<V>(v));
            return &root_;
        }
        json* top = stack_.back();
        if (top->is_array()) {
            if (!count_item()) return nullptr;
            top->emplace_back(std::forward<V>(v));
            return &top->back();
        }
        *object_member_ = json(std::forward<V>(v));
        return object_member_;
    }
    template <class V>
    bool value(V&& v) {
        return place(std::forward<V>(v)) != nullptr;
    }

    bool open(json::value_t type) {
        if (stack_.size() >= limits_.max_depth)
            return fail(JsonProblem::too_deep,
                        "JSON nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
        json* where = place(type);
        if (!where) return false;
        stack_.push_back(where);
        items_.push_back(0);
        return true;
    }
    bool close() {
        stack_.pop_back();
        items_.pop_back();
        return true;
    }

    json& root_;
    const JsonLimits& limits_;
    std::vector<json*> stack_;        // open containers, outermost first
    std::vector<std::size_t> items_;  // items read so far in each open container
    json* object_member_ = nullptr;
    JsonProblem problem_ = JsonProblem::none;
    std::string message_;
};

bool is_continuation(unsigned char c) noexcept { return (c & 0xC0) == 0x80; }

}  // namespace

Result<json> read_json(std::string_view body, const JsonLimits& limits, JsonProblem* problem) {
    auto report = [&](JsonProblem p, Error e) -> Result<json> {
        if (problem) *problem = p;
        return e;
    };
    if (problem) *problem = JsonProblem::none;
    if (body.size() > limits.max_bytes)
        return report(JsonProblem::too_large,
                      Error{ErrorCode::payload_too_large,
                            "Body larger than " + std::to_string(limits.max_bytes) + " bytes"});
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return report(JsonProblem::syntax, bad_request("Body is empty: expected JSON"));
    // nlohmann's lexer takes a raw NUL for the end of input, so "[1]\0anything" would read as [1]:
    // refused instead of cut.
    if (body.find('\0') != std::string_view::npos)
        return report(JsonProblem::nul, bad_request("Text contains a NUL character"));
    json root;
    BoundedBuilder builder(root, limits);
    const bool ok =
        json::sax_parse(body.begin(), body.end(), &builder, json::input_format_t::json, true, false);
    if (!ok || builder.problem() != JsonProblem::none) {
        if (builder.problem() == JsonProblem::none)
            return report(JsonProblem::syntax, bad_request("Body is not valid JSON"));
        return report(builder.problem(), bad_request(builder.message()));
    }
    return root;
}

json bounded_echo(const json& v, std::size_t max_bytes) {
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (s.size() <= max_bytes) return s;
        std::size_t cut = max_bytes;
        while (cut > 0 && is_continuation(static_cast<unsigned char>(s[cut]))) --cut;
        return s.substr(0, cut);
    }
    if (v.is_array() || v.is_object() || v.is_binary() || v.is_discarded()) return nullptr;
    return v;
}

std::size_t utf8_length(std::string_view text) noexcept {
    std::size_t n = 0;
    for (char c : text)
        if (!is_continuation(static_cast<unsigned char>(c))) ++n;
    return n;
}

std::optional<Error> check_text(std::string_view text, std::string_view what, std::size_t max_chars) {
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u == 0) return bad_request("Invalid " + std::string(what) + ": text contains a NUL character");
        if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7F)
            return bad_request("Invalid " + std::string(what) + ": control characters are not allowed");
    }
    if (utf8_length(text) > max_chars)
        return bad_request("Invalid " + std::string(what) + ": longer than " + std::to_string(max_chars) +
                           " characters");
    return std::nullopt;
}

}  // namespace crimemap::core
