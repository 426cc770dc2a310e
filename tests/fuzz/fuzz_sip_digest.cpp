// Fuzz target: Digest challenge and credentials parsing; whatever parses must answer and verify
// consistently (a response computed for the parsed fields matches itself).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/sip/digest.hpp"

using namespace telephony::sip;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto ch = parse_digest_challenge(s)) {
    auto answer = answer_challenge(*ch, "REGISTER", "sip:x", "user", "pw", 1);
    if (!parse_digest_credentials(answer) && ch->realm.find('"') == std::string_view::npos &&
        ch->nonce.find('"') == std::string_view::npos && ch->opaque.find('"') == std::string_view::npos &&
        ch->realm.find('\\') == std::string_view::npos && ch->nonce.find('\\') == std::string_view::npos &&
        ch->opaque.find('\\') == std::string_view::npos)
      std::abort();
  }
  if (auto c = parse_digest_credentials(s)) {
    auto ha1 = digest_ha1(c->algorithm, c->username, c->realm, "pw");
    auto r1 = digest_response(c->algorithm, ha1, "INVITE", c->uri, c->nonce, c->nc, c->cnonce, c->qop);
    if (!digest_equal(r1, r1)) std::abort();
  }
  return 0;
}
