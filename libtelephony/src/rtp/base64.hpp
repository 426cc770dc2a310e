// Strict base64 (RFC 4648) for SDES key material: decoding rejects anything that is not a
// complete, canonical encoding, because a key that decodes "mostly" is a wrong key.
// Internal: not installed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace telephony::rtp {

std::string base64_encode(std::span<const std::uint8_t> bytes);
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace telephony::rtp
