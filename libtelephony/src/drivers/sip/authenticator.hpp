// Digest authentication as UAS (RFC 3261 §22.4): stateless nonces that expire (stale=true),
// MD5 and SHA-256 challenges, checking credentials against an auth object, and the per-source
// failure counter that turns repeated failures into 403s without a challenge.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "telephony/sip/digest.hpp"
#include "telephony/sip/message.hpp"
#include "telephony/sip/options.hpp"

namespace telephony::sip {

class Authenticator {
 public:
  Authenticator();

  // WWW-Authenticate values to send (MD5 first: every UA reads it; SHA-256 for those that prefer it).
  std::vector<std::string> challenges(std::string_view realm, bool stale) const;

  enum class Verdict { Ok, NoCredentials, WrongUser, WrongPassword, Stale, Malformed };
  // Checks the Authorization (or Proxy-Authorization) of `req` against `auth`.
  Verdict verify(const Message& req, const AuthOptions& auth, std::string_view realm, unsigned nonce_lifetime,
                 std::string* username_out = nullptr) const;

  // Failure counting per source address (rate limiting of guessing).
  void record_failure(const std::string& source_ip, unsigned window_seconds);
  bool blocked(const std::string& source_ip, unsigned limit, unsigned window_seconds) const;
  void forget_old(unsigned window_seconds);

 private:
  std::string make_nonce(std::chrono::seconds now) const;
  bool nonce_valid(std::string_view nonce, unsigned lifetime, bool* stale) const;

  std::string secret_;
  mutable std::mutex mu_;
  struct Failures {
    unsigned count = 0;
    std::chrono::steady_clock::time_point window_start;
  };
  std::map<std::string, Failures> failures_;
};

}  // namespace telephony::sip
