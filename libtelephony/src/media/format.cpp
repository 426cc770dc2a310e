#include "telephony/media/format.hpp"

#include <strings.h>

namespace telephony::media {

std::string Format::name() const {
  switch (codec) {
    case Codec::None: return "none";
    case Codec::Ulaw: return "ulaw";
    case Codec::Alaw: return "alaw";
    case Codec::Slin: return rate == 8000 ? "slin" : "slin" + std::to_string(rate / 1000);
    case Codec::Opus: return "opus";
    case Codec::G722: return "g722";
    case Codec::TelephoneEvent: return "telephone-event";
  }
  return "none";
}

std::optional<Format> Format::from_name(std::string_view n) {
  auto is = [&](const char* s) {
    return n.size() == std::char_traits<char>::length(s) && ::strncasecmp(n.data(), s, n.size()) == 0;
  };
  if (is("ulaw") || is("pcmu") || is("mulaw")) return ulaw();
  if (is("alaw") || is("pcma")) return alaw();
  if (is("slin") || is("slin8")) return slin(8000);
  if (is("slin12")) return slin(12000);
  if (is("slin16")) return slin(16000);
  if (is("slin24")) return slin(24000);
  if (is("slin32")) return slin(32000);
  if (is("slin44")) return slin(44100);
  if (is("slin48")) return slin(48000);
  if (is("opus")) return opus();
  if (is("g722")) return g722();
  if (is("telephone-event")) return telephone_event();
  return std::nullopt;
}

}  // namespace telephony::media
