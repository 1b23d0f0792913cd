#include "core/secrets.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace crimemap::core {

namespace {
constexpr char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, const unsigned char* bytes, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(hex_digits[bytes[i] >> 4]);
        out.push_back(hex_digits[bytes[i] & 15]);
    }
}
}  // namespace

std::string sha256_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    std::string out;
    out.reserve(2 * length);
    append_hex(out, digest, length);
    return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    // Lengths of hashes are public; only the content must not leak through timing.
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t n = a.size() < b.size() ? a.size() : b.size();
    for (std::size_t i = 0; i < n; ++i) diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
    return diff == 0;
}

std::string random_secret(std::string_view prefix, std::size_t bytes) {
    std::vector<unsigned char> buffer(bytes);
    if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
        throw std::runtime_error("no randomness available for a new secret");
    std::string out(prefix);
    append_hex(out, buffer.data(), buffer.size());
    return out;
}

}  // namespace crimemap::core
