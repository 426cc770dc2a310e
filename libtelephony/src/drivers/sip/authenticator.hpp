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

  // WWW-Authenticate values to send, one per algorithm ("MD5", "SHA-256": the auth's
  // supported_algorithms_uas), all with the same nonce.
  std::vector<std::string> challenges(std::string_view realm, bool stale,
                                      const std::vector<std::string>& algorithms = {"MD5"}) const;

  enum class Verdict { Ok, NoCredentials, WrongUser, WrongPassword, Stale, Malformed };
  // What the credentials said, for the security events (InvalidPassword's ReceivedChallenge and
  // ReceivedHash).
  struct Presented {
    std::string username;
    std::string nonce;
    std::string response;
  };
  // Checks the Authorization (or Proxy-Authorization) of `req` against `auth`.
  Verdict verify(const Message& req, const AuthOptions& auth, std::string_view realm, unsigned nonce_lifetime,
                 Presented* presented = nullptr) const;
  // The nonce of a challenge value built by challenges().
  static std::string nonce_of(std::string_view challenge);

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
