// Feeds arbitrary bytes to the SDP parser, and what parses to the offer/answer negotiator: every
// accepted description must serialize and parse back to the same text, and negotiation must
// either answer or say why not.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/rtp/negotiation.hpp"
#include "telephony/rtp/sdp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace telephony::rtp;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto sdp = parse_sdp(text);
  if (!sdp) {
    if (sdp.error().message.empty() || sdp.error().where.empty()) std::abort();  // rejected without saying why
    return 0;
  }
  const std::string once = to_string(*sdp);
  auto again = parse_sdp(once);
  if (!again || to_string(*again) != once) std::abort();  // serializer output must be canonical
  for (const auto& m : sdp->media) {
    for (const auto& f : m.formats) (void)f;
    (void)m.cryptos();
    (void)m.ptime();
    (void)sdp->direction_of(m);
  }
  static MediaSettings settings = [] {
    MediaSettings s;
    s.endpoint = "fuzz";
    s.codecs = *CodecPreferences::from_allow("opus,ulaw,alaw,g722");
    s.encryption = MediaEncryption::Sdes;
    s.encryption_optimistic = true;
    return s;
  }();
  SdpNegotiator answerer(settings, "127.0.0.1", 10000);
  auto answer = answerer.answer(*sdp);
  if (answer) {
    if (!answerer.negotiated() || answerer.negotiated()->codecs.empty()) std::abort();
    if (!parse_sdp(to_string(*answer))) std::abort();
  } else if (answer.error().warning_text().empty()) {
    std::abort();
  }
  SdpNegotiator offerer(settings, "127.0.0.1", 10002);
  offerer.create_offer();
  (void)offerer.apply_answer(*sdp);
  return 0;
}
