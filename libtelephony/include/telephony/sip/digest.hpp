// HTTP Digest authentication for SIP (RFC 3261 §22, RFC 2617, RFC 8760 for SHA-256): parsing
// WWW-/Proxy-Authenticate challenges and Authorization/Proxy-Authorization credentials, and
// computing the response both as UAS (checking) and UAC (answering a 401/407).
//
// Accepts: the scheme name in any case, parameters in any order with LWS around ',' and '=',
// quoted or token values (nc, algorithm and qop may be either), unknown parameters (skipped),
// qop lists ("auth,auth-int") in challenges. Rejects (an Error naming the parameter): a scheme
// other than Digest, a parameter without '=', an unterminated quoted string, a missing required
// parameter (realm and nonce in a challenge; username, realm, nonce, uri and response in
// credentials), an algorithm other than MD5 / SHA-256 (and their -sess forms are refused too).
// The parsed structs are views over the header value; nothing is allocated until a hash is
// computed.
#pragma once

#include <string>
#include <string_view>

#include "telephony/result.hpp"

namespace telephony::sip {

enum class DigestAlgorithm { MD5, SHA256 };
std::string_view to_string(DigestAlgorithm a);  // "MD5", "SHA-256"

struct DigestChallenge {
  std::string_view realm;
  std::string_view nonce;
  std::string_view opaque;
  std::string_view qop;        // the offered list ("auth" or "auth,auth-int"); empty: none
  bool stale = false;
  DigestAlgorithm algorithm = DigestAlgorithm::MD5;
  bool offers_auth_qop() const;
};
Result<DigestChallenge> parse_digest_challenge(std::string_view header_value);

struct DigestCredentials {
  std::string_view username;
  std::string_view realm;
  std::string_view nonce;
  std::string_view uri;
  std::string_view response;
  std::string_view cnonce;
  std::string_view nc;
  std::string_view qop;
  std::string_view opaque;
  DigestAlgorithm algorithm = DigestAlgorithm::MD5;
};
Result<DigestCredentials> parse_digest_credentials(std::string_view header_value);

// Lower-case hex digest of `data` with the algorithm.
std::string digest_hash(DigestAlgorithm a, std::string_view data);

// The response value for the given fields. `ha1` is H(username:realm:password) (or the stored
// md5_cred); qop empty means RFC 2069 style (no cnonce/nc).
std::string digest_response(DigestAlgorithm a, std::string_view ha1, std::string_view method,
                            std::string_view uri, std::string_view nonce, std::string_view nc,
                            std::string_view cnonce, std::string_view qop);
std::string digest_ha1(DigestAlgorithm a, std::string_view user, std::string_view realm,
                       std::string_view password);

// Builds an Authorization/Proxy-Authorization value answering `ch` for `method` `uri`.
// `nc` is the nonce count to use (1 for a fresh nonce); cnonce is generated.
std::string answer_challenge(const DigestChallenge& ch, std::string_view method, std::string_view uri,
                             std::string_view username, std::string_view password, unsigned nc);

// Constant-time comparison of two hex strings (for checking responses).
bool digest_equal(std::string_view a, std::string_view b);

}  // namespace telephony::sip
