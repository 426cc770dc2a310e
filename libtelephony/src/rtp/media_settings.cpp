// allow/disallow lists, dtmf_mode and SRTP suite names of an endpoint's media settings.
#include <algorithm>
#include <array>

#include "rtp/text.hpp"
#include "telephony/config/config.hpp"
#include "telephony/rtp/media_settings.hpp"

namespace telephony::rtp {
namespace {

std::optional<media::Format> negotiable_format(std::string_view name) {
  if (iequals(name, "ulaw") || iequals(name, "pcmu") || iequals(name, "g711u")) return media::Format::ulaw();
  if (iequals(name, "alaw") || iequals(name, "pcma") || iequals(name, "g711a")) return media::Format::alaw();
  if (iequals(name, "g722")) return media::Format::g722();
  if (iequals(name, "opus")) return media::Format::opus();
  return std::nullopt;
}

// Format names Asterisk knows that we do not negotiate: accepted with a warning so that a
// pjsip.conf written for Asterisk still loads.
bool known_elsewhere(std::string_view name) {
  static constexpr std::array<std::string_view, 30> kNames{
      "g729", "gsm", "ilbc", "g726", "g726aal2", "g723", "adpcm", "lpc10", "speex", "speex16", "speex32",
      "siren7", "siren14", "g719", "testlaw", "slin", "slin16", "slin48", "codec2", "silk", "h261", "h263",
      "h263p", "h264", "h265", "mpeg4", "vp8", "vp9", "t140", "red"};
  return std::any_of(kNames.begin(), kNames.end(), [&](std::string_view n) { return iequals(n, name); });
}

template <class Fn>
Result<void> for_each_name(std::string_view value, Fn&& fn) {
  std::size_t pos = 0;
  while (pos <= value.size()) {
    auto end = value.find_first_of(",&", pos);
    auto item = trim(value.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (!item.empty())
      if (auto r = fn(item); !r) return r;
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return {};
}

}  // namespace

bool CodecPreferences::allows(media::Format f) const { return rank(f).has_value(); }

std::optional<std::size_t> CodecPreferences::rank(media::Format f) const {
  for (std::size_t i = 0; i < list_.size(); ++i)
    if (list_[i].format == f) return i;
  return std::nullopt;
}

std::string CodecPreferences::names() const {
  std::string out;
  for (const auto& p : list_) {
    if (!out.empty()) out += ',';
    out += p.format.name();
  }
  return out;
}

Result<void> CodecPreferences::apply_allow(std::string_view value, std::vector<std::string>* warnings) {
  return for_each_name(value, [&](std::string_view item) -> Result<void> {
    if (item.front() == '!') return apply_disallow(item.substr(1), warnings);
    std::uint32_t framing = 0;
    auto colon = item.find(':');
    auto name = trim(item.substr(0, colon));
    if (colon != std::string_view::npos) {
      auto ms = parse_uint<std::uint32_t>(trim(item.substr(colon + 1)));
      if (!ms || *ms == 0 || *ms > 200 || *ms % 10 != 0)
        return fail("framing of '" + std::string(name) + "' must be 10..200 ms in steps of 10", "allow");
      framing = *ms;
    }
    if (iequals(name, "all")) {
      for (auto f : {media::Format::ulaw(), media::Format::alaw(), media::Format::g722(), media::Format::opus()})
        if (!allows(f)) list_.push_back({f, 0});
      return {};
    }
    if (auto f = negotiable_format(name)) {
      if (auto r = rank(*f)) list_[*r].ptime_ms = framing;
      else list_.push_back({*f, framing});
      return {};
    }
    if (known_elsewhere(name)) {
      if (warnings) warnings->push_back("codec '" + std::string(name) + "' is not supported here; ignored (supported: " + std::string(kNegotiableCodecs) + ")");
      return {};
    }
    return fail("unknown codec '" + std::string(name) + "' (supported: " + std::string(kNegotiableCodecs) + ")", "allow");
  });
}

Result<void> CodecPreferences::apply_disallow(std::string_view value, std::vector<std::string>* warnings) {
  return for_each_name(value, [&](std::string_view item) -> Result<void> {
    auto name = trim(item.substr(0, item.find(':')));
    if (iequals(name, "all")) {
      list_.clear();
      return {};
    }
    if (auto f = negotiable_format(name)) {
      std::erase_if(list_, [&](const CodecPreference& p) { return p.format == *f; });
      return {};
    }
    if (known_elsewhere(name)) return {};  // never allowed here anyway
    (void)warnings;
    return fail("unknown codec '" + std::string(name) + "' (supported: " + std::string(kNegotiableCodecs) + ")", "disallow");
  });
}

Result<CodecPreferences> CodecPreferences::from_allow(std::string_view value) {
  CodecPreferences p;
  if (auto r = p.apply_allow(value); !r) return Unexpected{r.error()};
  return p;
}

std::string_view to_string(DtmfMode m) {
  switch (m) {
    case DtmfMode::Rfc4733: return "rfc4733";
    case DtmfMode::Inband: return "inband";
    case DtmfMode::Info: return "info";
    case DtmfMode::Auto: return "auto";
    case DtmfMode::AutoInfo: return "auto_info";
    case DtmfMode::None: return "none";
  }
  return "rfc4733";
}

std::optional<DtmfMode> dtmf_mode_from_name(std::string_view name) {
  if (iequals(name, "rfc4733") || iequals(name, "rfc2833")) return DtmfMode::Rfc4733;
  if (iequals(name, "inband")) return DtmfMode::Inband;
  if (iequals(name, "info")) return DtmfMode::Info;
  if (iequals(name, "auto")) return DtmfMode::Auto;
  if (iequals(name, "auto_info")) return DtmfMode::AutoInfo;
  if (iequals(name, "none")) return DtmfMode::None;
  return std::nullopt;
}

std::string_view to_string(SrtpSuite s) {
  switch (s) {
    case SrtpSuite::AesCm128HmacSha1_80: return "AES_CM_128_HMAC_SHA1_80";
    case SrtpSuite::AesCm128HmacSha1_32: return "AES_CM_128_HMAC_SHA1_32";
    case SrtpSuite::AeadAes128Gcm: return "AEAD_AES_128_GCM";
  }
  return "AES_CM_128_HMAC_SHA1_80";
}

std::optional<SrtpSuite> srtp_suite_from_name(std::string_view name) {
  for (auto s : {SrtpSuite::AesCm128HmacSha1_80, SrtpSuite::AesCm128HmacSha1_32, SrtpSuite::AeadAes128Gcm})
    if (name == to_string(s)) return s;
  return std::nullopt;
}

std::string MediaSettings::sdp_address() const {
  if (!external_media_address.empty()) return external_media_address;
  if (!media_address.empty()) return media_address;
  if (!bind_address.empty() && bind_address != "0.0.0.0" && bind_address != "::") return bind_address;
  return {};
}

std::optional<Result<void>> apply_endpoint_media_option(MediaSettings& s, std::string_view name, std::string_view value,
                                                        std::vector<std::string>* warnings) {
  value = trim(value);
  auto bad = [&](std::string what) { return Result<void>(fail(std::move(what), std::string(name))); };
  auto boolean = [&](bool& out) -> Result<void> {
    if (config::is_true_word(value)) out = true;
    else if (config::detail::iequals(value, "no") || config::detail::iequals(value, "false") || value == "0" ||
             config::detail::iequals(value, "off") || value == "n" || value == "f")
      out = false;
    else return bad("'" + std::string(value) + "' is not yes/no");
    return {};
  };
  auto seconds = [&](std::chrono::seconds& out) -> Result<void> {
    auto v = parse_uint<unsigned>(value);
    if (!v || *v > 86400) return bad("'" + std::string(value) + "' is not a number of seconds (0..86400)");
    out = std::chrono::seconds(*v);
    return {};
  };
  if (iequals(name, "allow")) return s.codecs.apply_allow(value, warnings);
  if (iequals(name, "disallow")) return s.codecs.apply_disallow(value, warnings);
  if (iequals(name, "dtmf_mode")) {
    auto m = dtmf_mode_from_name(value);
    if (!m) return bad("'" + std::string(value) + "' is not rfc4733, inband, info, auto, auto_info or none");
    s.dtmf_mode = *m;
    return Result<void>();
  }
  if (iequals(name, "media_encryption")) {
    if (iequals(value, "no")) s.encryption = MediaEncryption::None;
    else if (iequals(value, "sdes")) s.encryption = MediaEncryption::Sdes;
    else if (iequals(value, "dtls")) return bad("dtls is not supported (use sdes)");
    else return bad("'" + std::string(value) + "' is not no or sdes");
    return Result<void>();
  }
  if (iequals(name, "media_encryption_optimistic")) return boolean(s.encryption_optimistic);
  if (iequals(name, "srtp_tag_32")) {
    bool prefer32 = false;
    if (auto r = boolean(prefer32); !r) return r;
    if (prefer32)
      s.srtp_suites = {SrtpSuite::AesCm128HmacSha1_32, SrtpSuite::AesCm128HmacSha1_80, SrtpSuite::AeadAes128Gcm};
    return Result<void>();
  }
  if (iequals(name, "rtp_symmetric")) return boolean(s.rtp_symmetric);
  if (iequals(name, "rtp_timeout")) return seconds(s.rtp_timeout);
  if (iequals(name, "rtp_timeout_hold")) return seconds(s.rtp_timeout_hold);
  if (iequals(name, "media_address")) {
    s.media_address = std::string(value);
    return Result<void>();
  }
  if (iequals(name, "external_media_address")) {
    s.external_media_address = std::string(value);
    return Result<void>();
  }
  if (iequals(name, "bind_rtp_to_media_address")) return boolean(s.bind_to_media_address);
  if (iequals(name, "direct_media") || iequals(name, "ice_support") || iequals(name, "use_ptime")) {
    bool on = false;
    if (auto r = boolean(on); !r) return r;
    if (on && !iequals(name, "use_ptime") && warnings)
      warnings->push_back(std::string(name) + "=yes is not supported; media stays anchored in the engine");
    return Result<void>();
  }
  return std::nullopt;
}

}  // namespace telephony::rtp
