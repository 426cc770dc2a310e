#include "rtp/srtp_context.hpp"

#include <srtp2/srtp.h>

#include <cstring>
#include <mutex>
#include <string>

namespace telephony::rtp {
namespace {

static_assert(kSrtpTrailer >= SRTP_MAX_TRAILER_LEN);

Result<void> ensure_library() {
  static std::once_flag once;
  static srtp_err_status_t status = srtp_err_status_ok;
  std::call_once(once, [] { status = srtp_init(); });
  if (status != srtp_err_status_ok) return fail("libsrtp2 initialisation failed (status " + std::to_string(status) + ")", "srtp");
  return {};
}

Unexpected<Error> srtp_error(const char* what, srtp_err_status_t s) {
  const char* text = "error";
  switch (s) {
    case srtp_err_status_auth_fail: text = "authentication failed"; break;
    case srtp_err_status_replay_fail: text = "replayed packet"; break;
    case srtp_err_status_replay_old: text = "packet too old (replay window)"; break;
    case srtp_err_status_bad_param: text = "bad parameter"; break;
    case srtp_err_status_no_ctx: text = "no context for this SSRC"; break;
    default: break;
  }
  return fail(std::string(what) + ": " + text + " (status " + std::to_string(s) + ")", "srtp");
}

}  // namespace

Result<SrtpContext> SrtpContext::create(const SrtpKey& key, Role role, bool replay_protection) {
  if (auto r = ensure_library(); !r) return Unexpected{r.error()};
  if (key.key_salt.size() != srtp_key_length(key.suite)) return fail("SRTP key has the wrong length for its suite", "srtp");
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  switch (key.suite) {
    case SrtpSuite::AesCm128HmacSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      break;
    case SrtpSuite::AesCm128HmacSha1_32:
      // RFC 4568 §6.2.2: the 32-bit tag applies to SRTP only; SRTCP keeps the 80-bit tag.
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      break;
    case SrtpSuite::AeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
      break;
  }
  policy.ssrc.type = role == Role::Send ? ssrc_any_outbound : ssrc_any_inbound;
  // libsrtp2 reads the key bytes during srtp_create() only.
  policy.key = const_cast<unsigned char*>(key.key_salt.data());
  // Phones that restart their sequence on a re-INVITE keep their SSRC; a large window and
  // replay protection off (srtpreplayprotection=no) keep their audio flowing.
  policy.window_size = replay_protection ? 1024 : 0x7fff;
  policy.allow_repeat_tx = 1;
  policy.next = nullptr;
  srtp_t ctx = nullptr;
  if (auto s = srtp_create(&ctx, &policy); s != srtp_err_status_ok) return srtp_error("creating the SRTP context", s);
  SrtpContext out;
  out.ctx_ = ctx;
  out.role_ = role;
  return out;
}

SrtpContext& SrtpContext::operator=(SrtpContext&& o) noexcept {
  if (this != &o) {
    if (ctx_) srtp_dealloc(ctx_);
    ctx_ = o.ctx_;
    role_ = o.role_;
    o.ctx_ = nullptr;
  }
  return *this;
}

SrtpContext::~SrtpContext() {
  if (ctx_) srtp_dealloc(ctx_);
}

Result<void> SrtpContext::protect_rtp(std::uint8_t* buf, std::size_t& len) {
  int n = static_cast<int>(len);
  if (auto s = srtp_protect(ctx_, buf, &n); s != srtp_err_status_ok) return srtp_error("SRTP protect", s);
  len = static_cast<std::size_t>(n);
  return {};
}

Result<void> SrtpContext::unprotect_rtp(std::uint8_t* buf, std::size_t& len) {
  int n = static_cast<int>(len);
  if (auto s = srtp_unprotect(ctx_, buf, &n); s != srtp_err_status_ok) return srtp_error("SRTP unprotect", s);
  len = static_cast<std::size_t>(n);
  return {};
}

Result<void> SrtpContext::protect_rtcp(std::uint8_t* buf, std::size_t& len) {
  int n = static_cast<int>(len);
  if (auto s = srtp_protect_rtcp(ctx_, buf, &n); s != srtp_err_status_ok) return srtp_error("SRTCP protect", s);
  len = static_cast<std::size_t>(n);
  return {};
}

Result<void> SrtpContext::unprotect_rtcp(std::uint8_t* buf, std::size_t& len) {
  int n = static_cast<int>(len);
  if (auto s = srtp_unprotect_rtcp(ctx_, buf, &n); s != srtp_err_status_ok) return srtp_error("SRTCP unprotect", s);
  len = static_cast<std::size_t>(n);
  return {};
}

}  // namespace telephony::rtp
