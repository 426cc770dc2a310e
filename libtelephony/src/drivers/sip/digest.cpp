// Digest parsing and hashing (see telephony/sip/digest.hpp).
#include "telephony/sip/digest.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>

#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {

// Calls f(name, value) for each "name=value" of a comma-separated auth-param list. Values keep
// their quotes. Returns an error naming what could not be read.
template <class F>
Result<void> for_each_auth_param(std::string_view s, F&& f) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_lws(s[i]) || s[i] == ',')) ++i;
    if (i >= s.size()) break;
    std::size_t name_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ',' && !is_lws(s[i])) ++i;
    auto name = s.substr(name_start, i - name_start);
    while (i < s.size() && is_lws(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') return fail("parameter '" + std::string(name) + "' has no value");
    ++i;
    while (i < s.size() && is_lws(s[i])) ++i;
    std::size_t value_start = i;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\') ++i;
        ++i;
      }
      if (i >= s.size()) return fail("unterminated quoted value of '" + std::string(name) + "'");
      ++i;
    } else {
      while (i < s.size() && s[i] != ',' && !is_lws(s[i])) ++i;
    }
    f(name, s.substr(value_start, i - value_start));
  }
  return {};
}

std::string_view strip_quotes(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

Result<std::string_view> digest_params(std::string_view value) {
  value = trim_lws(value);
  if (value.size() < 7 || !iequals(value.substr(0, 6), "Digest") || !is_lws(value[6]))
    return fail("authentication scheme is not Digest");
  return value.substr(7);
}

Result<DigestAlgorithm> algorithm_from(std::string_view v) {
  v = strip_quotes(v);
  if (v.empty() || iequals(v, "MD5")) return DigestAlgorithm::MD5;
  if (iequals(v, "SHA-256")) return DigestAlgorithm::SHA256;
  return fail("unsupported digest algorithm '" + std::string(v) + "'");
}

}  // namespace

std::string_view to_string(DigestAlgorithm a) { return a == DigestAlgorithm::MD5 ? "MD5" : "SHA-256"; }

bool DigestChallenge::offers_auth_qop() const {
  bool found = false;
  for_each_value(qop, [&](std::string_view v) {
    if (iequals(v, "auth")) found = true;
  });
  return found;
}

Result<DigestChallenge> parse_digest_challenge(std::string_view header_value) {
  auto params = digest_params(header_value);
  if (!params) return Unexpected<Error>{params.error()};
  DigestChallenge ch;
  Result<void> bad_alg;
  auto r = for_each_auth_param(*params, [&](std::string_view n, std::string_view v) {
    if (iequals(n, "realm")) ch.realm = strip_quotes(v);
    else if (iequals(n, "nonce")) ch.nonce = strip_quotes(v);
    else if (iequals(n, "opaque")) ch.opaque = strip_quotes(v);
    else if (iequals(n, "qop")) ch.qop = strip_quotes(v);
    else if (iequals(n, "stale")) ch.stale = iequals(strip_quotes(v), "true");
    else if (iequals(n, "algorithm")) {
      auto a = algorithm_from(v);
      if (a) ch.algorithm = *a;
      else bad_alg = Unexpected<Error>{a.error()};
    }
  });
  if (!r) return Unexpected<Error>{r.error()};
  if (!bad_alg) return Unexpected<Error>{bad_alg.error()};
  if (ch.realm.empty()) return fail("challenge has no realm");
  if (ch.nonce.empty()) return fail("challenge has no nonce");
  return ch;
}

Result<DigestCredentials> parse_digest_credentials(std::string_view header_value) {
  auto params = digest_params(header_value);
  if (!params) return Unexpected<Error>{params.error()};
  DigestCredentials c;
  Result<void> bad_alg;
  auto r = for_each_auth_param(*params, [&](std::string_view n, std::string_view v) {
    if (iequals(n, "username")) c.username = strip_quotes(v);
    else if (iequals(n, "realm")) c.realm = strip_quotes(v);
    else if (iequals(n, "nonce")) c.nonce = strip_quotes(v);
    else if (iequals(n, "uri")) c.uri = strip_quotes(v);
    else if (iequals(n, "response")) c.response = strip_quotes(v);
    else if (iequals(n, "cnonce")) c.cnonce = strip_quotes(v);
    else if (iequals(n, "nc")) c.nc = strip_quotes(v);
    else if (iequals(n, "qop")) c.qop = strip_quotes(v);
    else if (iequals(n, "opaque")) c.opaque = strip_quotes(v);
    else if (iequals(n, "algorithm")) {
      auto a = algorithm_from(v);
      if (a) c.algorithm = *a;
      else bad_alg = Unexpected<Error>{a.error()};
    }
  });
  if (!r) return Unexpected<Error>{r.error()};
  if (!bad_alg) return Unexpected<Error>{bad_alg.error()};
  for (auto [name, v] : {std::pair<const char*, std::string_view>{"username", c.username},
                         {"realm", c.realm}, {"nonce", c.nonce}, {"uri", c.uri}, {"response", c.response}})
    if (v.empty()) return fail(std::string("credentials have no ") + name);
  if (!c.qop.empty() && (c.cnonce.empty() || c.nc.empty())) return fail("qop without cnonce/nc");
  return c;
}

std::string digest_hash(DigestAlgorithm a, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, a == DigestAlgorithm::MD5 ? EVP_md5() : EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    hex[2 * i] = kHex[out[i] >> 4];
    hex[2 * i + 1] = kHex[out[i] & 15];
  }
  return hex;
}

std::string digest_ha1(DigestAlgorithm a, std::string_view user, std::string_view realm, std::string_view password) {
  std::string s;
  s.reserve(user.size() + realm.size() + password.size() + 2);
  s.append(user).append(":").append(realm).append(":").append(password);
  return digest_hash(a, s);
}

std::string digest_response(DigestAlgorithm a, std::string_view ha1, std::string_view method, std::string_view uri,
                            std::string_view nonce, std::string_view nc, std::string_view cnonce,
                            std::string_view qop) {
  std::string a2;
  a2.append(method).append(":").append(uri);
  const std::string ha2 = digest_hash(a, a2);
  std::string kd;
  kd.append(ha1).append(":").append(nonce).append(":");
  if (!qop.empty()) kd.append(nc).append(":").append(cnonce).append(":").append(qop).append(":");
  kd.append(ha2);
  return digest_hash(a, kd);
}

std::string answer_challenge(const DigestChallenge& ch, std::string_view method, std::string_view uri,
                             std::string_view username, std::string_view password, unsigned nc) {
  const bool qop = ch.offers_auth_qop();
  char nc_text[9];
  std::snprintf(nc_text, sizeof nc_text, "%08x", nc);
  unsigned char rnd[8];
  RAND_bytes(rnd, sizeof rnd);
  char cnonce[17];
  for (int i = 0; i < 8; ++i) std::snprintf(cnonce + 2 * i, 3, "%02x", rnd[i]);
  const auto ha1 = digest_ha1(ch.algorithm, username, ch.realm, password);
  const auto resp = digest_response(ch.algorithm, ha1, method, uri, ch.nonce, qop ? nc_text : "", qop ? cnonce : "",
                                    qop ? "auth" : "");
  std::string out = "Digest username=\"";
  out.append(username).append("\", realm=\"").append(ch.realm).append("\", nonce=\"").append(ch.nonce);
  out.append("\", uri=\"").append(uri).append("\", response=\"").append(resp).append("\", algorithm=");
  out.append(to_string(ch.algorithm));
  if (qop) out.append(", qop=auth, nc=").append(nc_text).append(", cnonce=\"").append(cnonce).append("\"");
  if (!ch.opaque.empty()) out.append(", opaque=\"").append(ch.opaque).append("\"");
  return out;
}

bool digest_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'F') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'F') y = static_cast<char>(y + 32);
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

}  // namespace telephony::sip
