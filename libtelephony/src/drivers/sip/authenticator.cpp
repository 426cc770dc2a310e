// UAS digest authentication (see authenticator.hpp).
#include "authenticator.hpp"

#include <openssl/rand.h>

#include <cstdio>

#include "telephony/sip/uri.hpp"

namespace telephony::sip {

namespace {
std::chrono::seconds wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
}
}  // namespace

Authenticator::Authenticator() {
  unsigned char rnd[16];
  RAND_bytes(rnd, sizeof rnd);
  char hex[33];
  for (int i = 0; i < 16; ++i) std::snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
  secret_ = hex;
}

// nonce = <seconds, hex>/<first 32 hex of SHA-256(secret:seconds)>: the server keeps no state,
// and a nonce older than nonce_lifetime is answered with stale=true.
std::string Authenticator::make_nonce(std::chrono::seconds now) const {
  char ts[17];
  std::snprintf(ts, sizeof ts, "%llx", static_cast<unsigned long long>(now.count()));
  return std::string(ts) + "/" + digest_hash(DigestAlgorithm::SHA256, secret_ + ":" + ts).substr(0, 32);
}

bool Authenticator::nonce_valid(std::string_view nonce, unsigned lifetime, bool* stale) const {
  auto slash = nonce.find('/');
  if (slash == std::string_view::npos || slash > 16) return false;
  const std::string ts(nonce.substr(0, slash));
  if (digest_hash(DigestAlgorithm::SHA256, secret_ + ":" + ts).substr(0, 32) != nonce.substr(slash + 1)) return false;
  unsigned long long issued = 0;
  if (std::sscanf(ts.c_str(), "%llx", &issued) != 1) return false;
  const auto now = static_cast<unsigned long long>(wall_now().count());
  *stale = now > issued + lifetime;
  return true;
}

std::vector<std::string> Authenticator::challenges(std::string_view realm, bool stale,
                                                   const std::vector<std::string>& algorithms) const {
  const std::string nonce = make_nonce(wall_now());
  const std::string opaque = digest_hash(DigestAlgorithm::MD5, nonce).substr(0, 16);
  std::vector<std::string> out;
  for (const auto& name : algorithms) {
    const auto alg = name == "SHA-256" ? DigestAlgorithm::SHA256 : DigestAlgorithm::MD5;
    std::string v = "Digest realm=\"";
    v.append(realm).append("\",nonce=\"").append(nonce).append("\",opaque=\"").append(opaque);
    v.append("\",algorithm=").append(to_string(alg)).append(",qop=\"auth\"");
    if (stale) v.append(",stale=true");
    out.push_back(std::move(v));
  }
  return out;
}

Authenticator::Verdict Authenticator::verify(const Message& req, const AuthOptions& auth, std::string_view realm,
                                             unsigned nonce_lifetime, Presented* presented) const {
  // Several Authorization headers may be present (one per realm); use the one for our realm.
  std::optional<DigestCredentials> creds;
  bool malformed = false;
  for (Header h : {Header::Authorization, Header::ProxyAuthorization}) {
    req.for_each(h, [&](const HeaderField& f) {
      if (creds) return;
      auto c = parse_digest_credentials(f.value);
      if (!c) {
        malformed = true;
        return;
      }
      if (c->realm == realm) creds = *c;
    });
  }
  if (!creds) return malformed ? Verdict::Malformed : Verdict::NoCredentials;
  if (presented) *presented = Presented{std::string(creds->username), std::string(creds->nonce), std::string(creds->response)};
  if (creds->username != auth.username) return Verdict::WrongUser;
  bool stale = false;
  if (!nonce_valid(creds->nonce, nonce_lifetime, &stale)) return Verdict::WrongPassword;
  std::string ha1;
  if (auth.auth_type == "md5") {
    if (creds->algorithm != DigestAlgorithm::MD5) return Verdict::WrongPassword;
    ha1 = auth.md5_cred;
  } else {
    ha1 = digest_ha1(creds->algorithm, auth.username, realm, auth.password);
  }
  const auto expected = digest_response(creds->algorithm, ha1, req.method_name(), creds->uri, creds->nonce, creds->nc,
                                        creds->cnonce, creds->qop);
  if (!digest_equal(expected, creds->response)) return Verdict::WrongPassword;
  // A right answer to an expired nonce: ask again with stale=true (no new password needed).
  return stale ? Verdict::Stale : Verdict::Ok;
}

std::string Authenticator::nonce_of(std::string_view challenge) {
  auto c = parse_digest_challenge(challenge);
  return c ? std::string(c->nonce) : std::string();
}

void Authenticator::record_failure(const std::string& source_ip, unsigned window_seconds) {
  std::lock_guard lock(mu_);
  auto& f = failures_[source_ip];
  const auto now = std::chrono::steady_clock::now();
  if (f.count == 0 || now - f.window_start > std::chrono::seconds(window_seconds)) {
    f.count = 0;
    f.window_start = now;
  }
  ++f.count;
}

bool Authenticator::blocked(const std::string& source_ip, unsigned limit, unsigned window_seconds) const {
  if (limit == 0) return false;
  std::lock_guard lock(mu_);
  auto it = failures_.find(source_ip);
  if (it == failures_.end()) return false;
  if (std::chrono::steady_clock::now() - it->second.window_start > std::chrono::seconds(window_seconds)) return false;
  return it->second.count >= limit;
}

void Authenticator::forget_old(unsigned window_seconds) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(failures_, [&](const auto& kv) { return now - kv.second.window_start > std::chrono::seconds(window_seconds); });
}

}  // namespace telephony::sip
