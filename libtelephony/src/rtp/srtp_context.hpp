// SrtpContext: one direction of SRTP/SRTCP (RFC 3711, RFC 7714) over libsrtp2, keyed from SDES.
// Protect/unprotect work in place on the packet buffer; protect needs kSrtpTrailer spare bytes
// after the packet. No allocation per packet. Error texts never contain key material.
// Internal: not installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "telephony/result.hpp"
#include "telephony/rtp/negotiation.hpp"

struct srtp_ctx_t_;

namespace telephony::rtp {

inline constexpr std::size_t kSrtpTrailer = 16 + 128;  // SRTP_MAX_TRAILER_LEN (tag + MKI)

class SrtpContext {
 public:
  enum class Role : std::uint8_t { Send, Receive };
  static Result<SrtpContext> create(const SrtpKey& key, Role role, bool replay_protection = true);
  SrtpContext() = default;
  SrtpContext(SrtpContext&& o) noexcept : ctx_(o.ctx_), role_(o.role_) { o.ctx_ = nullptr; }
  SrtpContext& operator=(SrtpContext&& o) noexcept;
  ~SrtpContext();
  explicit operator bool() const { return ctx_ != nullptr; }

  // `len` in: packet bytes; out: protected/unprotected bytes. `buf` must extend kSrtpTrailer
  // past the packet for protect.
  Result<void> protect_rtp(std::uint8_t* buf, std::size_t& len);
  Result<void> unprotect_rtp(std::uint8_t* buf, std::size_t& len);
  Result<void> protect_rtcp(std::uint8_t* buf, std::size_t& len);
  Result<void> unprotect_rtcp(std::uint8_t* buf, std::size_t& len);

 private:
  srtp_ctx_t_* ctx_ = nullptr;
  Role role_ = Role::Send;
};

}  // namespace telephony::rtp
