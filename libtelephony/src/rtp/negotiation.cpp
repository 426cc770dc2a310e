// SDP offer/answer for one audio stream (see telephony/rtp/negotiation.hpp for the rules).
#include "telephony/rtp/negotiation.hpp"

#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "rtp/base64.hpp"
#include "rtp/text.hpp"

namespace telephony::rtp {
namespace {

constexpr int kOpusDefaultPt = 107;

bool secure_profile(std::string_view proto) { return proto.find("SAVP") != std::string_view::npos; }
bool rtp_profile(std::string_view proto) {
  return proto == "RTP/AVP" || proto == "RTP/SAVP" || proto == "RTP/AVPF" || proto == "RTP/SAVPF";
}

std::vector<std::string> offered_codecs(const MediaDescription* m) {
  std::vector<std::string> out;
  if (!m) return out;
  for (const auto& f : m->formats) {
    auto pt = parse_uint<int>(f);
    auto map = pt ? m->rtpmap(*pt) : std::nullopt;
    if (!map) {
      out.push_back("pt" + f);
      continue;
    }
    if (iequals(map->encoding, "telephone-event") || iequals(map->encoding, "CN")) continue;
    out.push_back(map->encoding + "/" + std::to_string(map->clock_rate));
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

const CodecPreferences& effective_codecs(const MediaSettings& s) {
  static const CodecPreferences kDefault = *CodecPreferences::from_allow("ulaw,alaw");
  return s.codecs.empty() ? kDefault : s.codecs;
}

bool wants_rfc4733(DtmfMode m) { return m == DtmfMode::Rfc4733 || m == DtmfMode::Auto || m == DtmfMode::AutoInfo; }

std::string opus_fmtp(const MediaSettings& s) {
  return std::string("useinbandfec=") + (s.opus_fec ? "1" : "0") +
         ";maxaveragebitrate=" + std::to_string(s.opus_max_average_bitrate) + ";stereo=0;sprop-stereo=0";
}

std::string addr_type_of(std::string_view address) { return address.find(':') != std::string_view::npos ? "IP6" : "IP4"; }

std::uint64_t random_u32() {
  std::uint32_t v = 0;
  if (getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v))
    v = static_cast<std::uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return v & 0x7fffffff;
}

// Writes rtpmap/fmtp lines and the format list for `codecs` (+ telephone-event).
void describe_codecs(MediaDescription& m, const std::vector<NegotiatedCodec>& codecs, std::optional<int> te_pt,
                     std::uint32_t te_clock, const MediaSettings& s) {
  for (const auto& c : codecs) {
    m.formats.push_back(std::to_string(c.payload_type));
    auto map = rtpmap_of(c.format, c.payload_type);
    std::string v = std::to_string(c.payload_type) + ' ' + map.encoding + '/' + std::to_string(map.clock_rate);
    if (map.channels > 1) v += '/' + std::to_string(map.channels);
    m.add_attribute("rtpmap", std::move(v));
    if (c.format.codec == media::Codec::Opus) m.add_attribute("fmtp", std::to_string(c.payload_type) + ' ' + opus_fmtp(s));
  }
  if (te_pt) {
    m.formats.push_back(std::to_string(*te_pt));
    m.add_attribute("rtpmap", std::to_string(*te_pt) + " telephone-event/" + std::to_string(te_clock));
    m.add_attribute("fmtp", std::to_string(*te_pt) + " 0-16");
  }
}

void describe_crypto(MediaDescription& m, int tag, const SrtpKey& key) {
  m.add_attribute("crypto", std::to_string(tag) + ' ' + std::string(to_string(key.suite)) + " inline:" +
                                base64_encode(key.key_salt));
}

// Their a=crypto line -> their key, when the suite is one we accept and the key decodes.
std::optional<SrtpKey> remote_key(const SdpCrypto& c, const std::vector<SrtpSuite>& accepted) {
  auto suite = srtp_suite_from_name(c.suite);
  if (!suite || std::find(accepted.begin(), accepted.end(), *suite) == accepted.end()) return std::nullopt;
  // key||salt, optionally followed by "|lifetime" and "|mki:len" which we ignore (no MKI).
  std::string_view b64 = c.key_params;
  auto bar = b64.find('|');
  if (bar != std::string_view::npos) {
    if (b64.find("mki", bar) != std::string_view::npos || b64.find(':', bar) != std::string_view::npos)
      return std::nullopt;  // MKI in use: we cannot honour it
    b64 = b64.substr(0, bar);
  }
  auto bytes = base64_decode(b64);
  if (!bytes || bytes->size() != srtp_key_length(*suite)) return std::nullopt;
  return SrtpKey(*suite, std::move(*bytes));
}

}  // namespace

// ---- failures ---------------------------------------------------------------------------------

std::string_view to_string(NegotiationFailure::Kind k) {
  using K = NegotiationFailure::Kind;
  switch (k) {
    case K::NoCommonCodec: return "no-common-codec";
    case K::NoAudioStream: return "no-audio-stream";
    case K::SrtpRequired: return "srtp-required";
    case K::SrtpUnsupported: return "srtp-unsupported";
    case K::TransportRefused: return "transport-refused";
    case K::StreamRejected: return "stream-rejected";
    case K::BadSdp: return "bad-sdp";
    case K::NoOffer: return "no-offer";
  }
  return "unknown";
}

int NegotiationFailure::warn_code() const {
  switch (kind) {
    case Kind::NoCommonCodec: return 305;
    case Kind::NoAudioStream: return 304;
    case Kind::SrtpRequired:
    case Kind::SrtpUnsupported:
    case Kind::TransportRefused: return 302;
    default: return 399;
  }
}

std::string NegotiationFailure::warning_text() const {
  const std::string who = "endpoint " + (endpoint.empty() ? std::string("(unnamed)") : endpoint);
  const std::string allows = allowed.empty() ? "nothing" : join(allowed, ",");
  const std::string offers = offered.empty() ? "no codecs" : join(offered, ",");
  std::string text;
  switch (kind) {
    case Kind::NoCommonCodec:
      text = "Incompatible media format: offered " + offers + "; " + who + " allows " + allows;
      break;
    case Kind::NoAudioStream:
      text = "Media type not available: " + detail + "; " + who + " accepts audio (" + allows + ")";
      break;
    case Kind::SrtpRequired:
      text = "Incompatible transport protocol: offered " + detail + " without SRTP; " + who +
             " requires SRTP (media_encryption=sdes)";
      break;
    case Kind::SrtpUnsupported:
      text = "Incompatible transport protocol: " + detail + "; " + who + " cannot use it";
      break;
    case Kind::TransportRefused:
      text = "Incompatible transport protocol: offered " + detail + "; " + who + " accepts RTP/AVP or RTP/SAVP";
      break;
    case Kind::StreamRejected: text = "Media stream refused by the peer (port 0); " + who + " offered " + allows; break;
    case Kind::BadSdp: text = "Malformed SDP: " + detail; break;
    case Kind::NoOffer: text = "Unexpected SDP answer: no offer pending"; break;
  }
  std::replace(text.begin(), text.end(), '"', '\'');  // quoted-string in the Warning header
  return text;
}

// ---- keys, formats -------------------------------------------------------------------------------

SrtpKey::~SrtpKey() {
  // Key material does not outlive its owner in freed heap memory.
  volatile std::uint8_t* p = key_salt.data();
  for (std::size_t i = 0; i < key_salt.size(); ++i) p[i] = 0;
}

std::size_t srtp_key_length(SrtpSuite s) { return s == SrtpSuite::AeadAes128Gcm ? 28 : 30; }

std::optional<media::Format> format_of(const RtpMap& map) {
  if (iequals(map.encoding, "PCMU") && map.clock_rate == 8000) return media::Format::ulaw();
  if (iequals(map.encoding, "PCMA") && map.clock_rate == 8000) return media::Format::alaw();
  if (iequals(map.encoding, "G722") && map.clock_rate == 8000) return media::Format::g722();
  // RFC 7587 says opus/48000/2; "opus/48000" (one channel) is common enough to accept too.
  if (iequals(map.encoding, "opus") && map.clock_rate == 48000 && map.channels <= 2) return media::Format::opus();
  if (iequals(map.encoding, "telephone-event")) return media::Format{media::Codec::TelephoneEvent, map.clock_rate, 1};
  return std::nullopt;
}

RtpMap rtpmap_of(media::Format f, int pt) {
  switch (f.codec) {
    case media::Codec::Ulaw: return {pt, "PCMU", 8000, 1};
    case media::Codec::Alaw: return {pt, "PCMA", 8000, 1};
    case media::Codec::G722: return {pt, "G722", 8000, 1};
    case media::Codec::Opus: return {pt, "opus", 48000, 2};
    case media::Codec::TelephoneEvent: return {pt, "telephone-event", f.rate, 1};
    default: return {pt, f.name(), f.rate, 1};
  }
}

std::string redact_sdp_keys(std::string_view text) {
  std::string out(text);
  std::size_t pos = 0;
  while ((pos = out.find("inline:", pos)) != std::string::npos) {
    pos += 7;
    auto end = out.find_first_of(" \r\n;", pos);
    if (end == std::string::npos) end = out.size();
    out.replace(pos, end - pos, "[redacted]");
  }
  return out;
}

const NegotiatedCodec* NegotiatedStream::codec_for(int pt) const {
  for (const auto& c : codecs)
    if (c.payload_type == pt) return &c;
  return nullptr;
}

std::optional<media::Format> NegotiatedStream::receive_format(int pt) const {
  for (const auto& [type, format] : receive_types)
    if (type == pt) return format;
  return std::nullopt;
}

// ---- negotiator ------------------------------------------------------------------------------

SdpNegotiator::SdpNegotiator(MediaSettings settings, std::string address, std::uint16_t rtp_port)
    : settings_(std::move(settings)), address_(std::move(address)), rtp_port_(rtp_port) {
  session_id_ = random_u32() + 1;
  version_ = session_id_;
}

const SrtpKey& SdpNegotiator::local_key(SrtpSuite suite) {
  for (const auto& k : local_keys_)
    if (k.suite == suite) return k;
  std::vector<std::uint8_t> bytes(srtp_key_length(suite));
  std::size_t got = 0;
  while (got < bytes.size()) {
    auto n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  local_keys_.emplace_back(suite, std::move(bytes));
  return local_keys_.back();
}

Direction SdpNegotiator::wanted_direction() const { return local_hold_ ? Direction::SendOnly : Direction::SendRecv; }

SessionDescription SdpNegotiator::base_description() {
  SessionDescription sdp;
  sdp.origin.username = "-";
  sdp.origin.session_id = session_id_;
  sdp.origin.addr_type = addr_type_of(address_);
  sdp.origin.address = address_;
  sdp.session_name = "libtelephony";
  sdp.connection = SdpConnection{"IN", addr_type_of(address_), address_};
  return sdp;
}

void SdpNegotiator::stamp(SessionDescription& sdp) {
  sdp.origin.session_version = 0;
  std::string body = to_string(sdp);
  if (!last_body_.empty() && body != last_body_) ++version_;
  last_body_ = std::move(body);
  sdp.origin.session_version = version_;
  last_local_ = sdp;
}

int SdpNegotiator::payload_type_for(media::Format f) const {
  switch (f.codec) {
    case media::Codec::Ulaw: return 0;
    case media::Codec::Alaw: return 8;
    case media::Codec::G722: return 9;
    default: break;
  }
  if (negotiated_)
    for (const auto& c : negotiated_->codecs)
      if (c.format == f) return c.payload_type;
  return kOpusDefaultPt == settings_.telephone_event_pt ? kOpusDefaultPt + 1 : kOpusDefaultPt;
}

NegotiationFailure SdpNegotiator::failure(NegotiationFailure::Kind kind, const MediaDescription* remote,
                                          std::string detail) const {
  NegotiationFailure f;
  f.kind = kind;
  f.endpoint = settings_.endpoint;
  f.offered = offered_codecs(remote);
  for (const auto& p : effective_codecs(settings_).list()) f.allowed.push_back(p.format.name());
  f.detail = std::move(detail);
  return f;
}

SessionDescription SdpNegotiator::create_offer() {
  SessionDescription sdp = base_description();
  MediaDescription m;
  m.port = rtp_port_;
  const bool sdes = settings_.encryption == MediaEncryption::Sdes;
  m.proto = sdes && !settings_.encryption_optimistic ? "RTP/SAVP" : "RTP/AVP";
  std::vector<NegotiatedCodec> codecs;
  for (const auto& p : effective_codecs(settings_).list()) {
    const int pt = payload_type_for(p.format);
    codecs.push_back({p.format, pt, rtpmap_of(p.format, pt).clock_rate, {}});
  }
  std::optional<int> te;
  if (wants_rfc4733(settings_.dtmf_mode)) te = settings_.telephone_event_pt;
  describe_codecs(m, codecs, te, 8000, settings_);
  m.add_attribute("ptime", std::to_string(settings_.ptime_ms));
  m.add_attribute("maxptime", "150");
  m.add_flag(std::string(to_string(wanted_direction())));
  if (sdes) {
    int tag = 1;
    for (auto suite : settings_.srtp_suites) describe_crypto(m, tag++, local_key(suite));
  }
  sdp.media.push_back(std::move(m));
  stamp(sdp);
  pending_offer_ = PendingOffer{sdp};
  return sdp;
}

Result<void, NegotiationFailure> SdpNegotiator::read_transport(const SessionDescription& sdp, const MediaDescription& m,
                                                               NegotiatedStream& out) const {
  const auto* c = sdp.connection_for(m);
  if (!c || c->address.empty()) return Unexpected{failure(NegotiationFailure::Kind::BadSdp, &m, "audio stream without c= line")};
  out.remote_address = c->address.substr(0, c->address.find('/'));
  out.remote_rtp_port = m.port;
  out.rtcp_mux = m.attribute("rtcp-mux") != nullptr;
  out.remote_rtcp_port = out.rtcp_mux ? m.port : static_cast<std::uint16_t>(m.port + 1);
  if (const auto* a = m.attribute("rtcp"))
    if (auto p = parse_uint<std::uint16_t>(split_words(a->value).empty() ? "" : split_words(a->value)[0]); p && *p)
      out.remote_rtcp_port = *p;
  out.remote_direction = sdp.direction_of(m);
  out.remote_ptime_ms = m.ptime().value_or(settings_.ptime_ms);
  return {};
}

Result<SessionDescription, NegotiationFailure> SdpNegotiator::answer(const SessionDescription& offer) {
  using K = NegotiationFailure::Kind;
  const MediaDescription* chosen = nullptr;
  const MediaDescription* first_audio = nullptr;
  std::optional<NegotiationFailure> why;  // the most specific reason an audio stream was refused
  NegotiatedStream result;
  std::vector<NegotiatedCodec> codecs;
  std::optional<SdpCrypto> their_crypto;
  std::optional<SrtpKey> their_key;
  const bool sdes = settings_.encryption == MediaEncryption::Sdes;

  for (const auto& m : offer.media) {
    if (chosen || m.media != "audio" || m.port == 0) continue;
    if (!first_audio) first_audio = &m;
    if (!rtp_profile(m.proto)) {
      if (!why) why = failure(K::TransportRefused, &m, m.proto);
      continue;
    }
    // SRTP decision for this stream.
    std::optional<SdpCrypto> crypto;
    std::optional<SrtpKey> key;
    const auto cryptos = m.cryptos();
    if (sdes)
      for (const auto& c : cryptos)
        if ((key = remote_key(c, settings_.srtp_suites))) {
          crypto = c;
          break;
        }
    if (secure_profile(m.proto)) {
      if (!sdes) {
        why = failure(K::SrtpUnsupported, &m, "offered " + m.proto + " (SRTP) but media_encryption=no");
        continue;
      }
      if (!key) {
        std::vector<std::string> suites;
        for (const auto& c : cryptos) suites.push_back(c.suite);
        why = failure(K::SrtpUnsupported, &m, "offered crypto suites " + (suites.empty() ? "none" : join(suites, ",")));
        continue;
      }
    } else if (sdes && !key && !settings_.encryption_optimistic) {
      why = failure(K::SrtpRequired, &m, m.proto);
      continue;
    }
    // Codecs: ours in allow= order, with their payload type numbers.
    std::vector<NegotiatedCodec> common;
    for (const auto& pref : effective_codecs(settings_).list()) {
      for (const auto& f : m.formats) {
        auto pt = parse_uint<int>(f);
        if (!pt || *pt > 127) continue;
        auto map = m.rtpmap(*pt);
        if (!map || format_of(*map) != pref.format) continue;
        common.push_back({pref.format, *pt, map->clock_rate, std::string(m.fmtp(*pt).value_or(""))});
        break;
      }
    }
    if (common.empty()) {
      if (!why || why->kind == K::TransportRefused) why = failure(K::NoCommonCodec, &m);
      continue;
    }
    chosen = &m;
    codecs = std::move(common);
    their_crypto = crypto;
    their_key = std::move(key);
  }
  if (!chosen) {
    if (why) return Unexpected{*why};
    std::string types;
    for (const auto& m : offer.media) types += (types.empty() ? "" : ",") + m.media;
    return Unexpected{failure(K::NoAudioStream, first_audio, "offered " + (types.empty() ? "no media" : types))};
  }
  if (auto r = read_transport(offer, *chosen, result); !r) return Unexpected{r.error()};

  // telephone-event: theirs, preferring the 8 kHz one.
  if (wants_rfc4733(settings_.dtmf_mode)) {
    for (const auto& f : chosen->formats) {
      auto pt = parse_uint<int>(f);
      auto map = pt ? chosen->rtpmap(*pt) : std::nullopt;
      if (!map || !iequals(map->encoding, "telephone-event")) continue;
      if (!result.telephone_event_pt || map->clock_rate == 8000) {
        result.telephone_event_pt = *pt;
        result.telephone_event_clock = map->clock_rate;
      }
    }
  }
  result.codecs = codecs;
  for (const auto& c : codecs) result.receive_types.emplace_back(c.payload_type, c.format);
  if (result.telephone_event_pt)
    result.receive_types.emplace_back(*result.telephone_event_pt,
                                      media::Format{media::Codec::TelephoneEvent, result.telephone_event_clock, 1});
  result.local_direction = answer_direction(result.remote_direction, wanted_direction());

  // Our answer, m= lines in the offer's order.
  SessionDescription sdp = base_description();
  for (const auto& m : offer.media) {
    MediaDescription a;
    a.media = m.media;
    a.proto = m.proto;
    if (&m != chosen) {
      a.port = 0;
      a.formats = m.formats.empty() ? std::vector<std::string>{"0"} : m.formats;
      sdp.media.push_back(std::move(a));
      continue;
    }
    a.port = rtp_port_;
    describe_codecs(a, codecs, result.telephone_event_pt, result.telephone_event_clock, settings_);
    a.add_attribute("ptime", std::to_string(settings_.ptime_ms));
    a.add_attribute("maxptime", "150");
    if (result.rtcp_mux) a.add_flag("rtcp-mux");
    a.add_flag(std::string(to_string(result.local_direction)));
    if (their_key) {
      const SrtpKey& ours = local_key(their_key->suite);
      describe_crypto(a, their_crypto->tag, ours);
      result.srtp_send = ours;
      result.srtp_receive = std::move(their_key);
    }
    sdp.media.push_back(std::move(a));
  }
  stamp(sdp);
  pending_offer_.reset();
  negotiated_ = std::move(result);
  return sdp;
}

Result<void, NegotiationFailure> SdpNegotiator::apply_answer(const SessionDescription& answer) {
  using K = NegotiationFailure::Kind;
  if (!pending_offer_) {
    const auto& o = answer.origin;
    if (last_answer_origin_ && negotiated_ && last_answer_origin_->session_id == o.session_id &&
        last_answer_origin_->session_version == o.session_version && last_answer_origin_->address == o.address)
      return {};
    return Unexpected{failure(K::NoOffer, nullptr)};
  }
  const auto& offer = pending_offer_->sdp;
  if (answer.media.empty()) return Unexpected{failure(K::BadSdp, nullptr, "answer without m= line")};
  const auto& ours = offer.media.front();
  const auto& m = answer.media.front();
  if (m.media != "audio") return Unexpected{failure(K::BadSdp, &m, "answer's first stream is '" + m.media + "', not audio")};
  if (m.port == 0) return Unexpected{failure(K::StreamRejected, &m)};

  NegotiatedStream result;
  if (auto r = read_transport(answer, m, result); !r) return Unexpected{r.error()};
  // Codecs in the answerer's order; we send the first.
  for (const auto& f : m.formats) {
    auto pt = parse_uint<int>(f);
    auto map = pt ? m.rtpmap(*pt) : std::nullopt;
    auto format = map ? format_of(*map) : std::nullopt;
    if (!format) continue;
    if (format->codec == media::Codec::TelephoneEvent) {
      if (wants_rfc4733(settings_.dtmf_mode) && (!result.telephone_event_pt || map->clock_rate == 8000)) {
        result.telephone_event_pt = *pt;
        result.telephone_event_clock = map->clock_rate;
      }
      continue;
    }
    if (!effective_codecs(settings_).allows(*format)) continue;
    if (std::any_of(result.codecs.begin(), result.codecs.end(), [&](const NegotiatedCodec& c) { return c.format == *format; }))
      continue;
    result.codecs.push_back({*format, *pt, map->clock_rate, std::string(m.fmtp(*pt).value_or(""))});
  }
  if (result.codecs.empty()) return Unexpected{failure(K::NoCommonCodec, &m, "in the answer")};
  for (const auto& c : result.codecs) result.receive_types.emplace_back(c.payload_type, c.format);
  if (result.telephone_event_pt)
    result.receive_types.emplace_back(*result.telephone_event_pt,
                                      media::Format{media::Codec::TelephoneEvent, result.telephone_event_clock, 1});
  // Our own numbers too: a peer may send with the types we offered.
  for (const auto& f : ours.formats) {
    auto pt = parse_uint<int>(f);
    auto map = pt ? ours.rtpmap(*pt) : std::nullopt;
    auto format = map ? format_of(*map) : std::nullopt;
    if (format && !result.receive_format(*pt)) result.receive_types.emplace_back(*pt, *format);
  }

  // SRTP: their crypto must answer one of ours (same tag and suite).
  const bool sdes = settings_.encryption == MediaEncryption::Sdes;
  if (sdes) {
    std::optional<SrtpKey> theirs;
    std::optional<SrtpSuite> suite;
    for (const auto& c : m.cryptos()) {
      for (const auto& mine : ours.cryptos())
        if (mine.tag == c.tag && mine.suite == c.suite) suite = srtp_suite_from_name(c.suite);
      if (suite && (theirs = remote_key(c, settings_.srtp_suites))) break;
      suite.reset();
    }
    if (theirs) {
      result.srtp_send = local_key(theirs->suite);
      result.srtp_receive = std::move(theirs);
    } else if (secure_profile(m.proto) || !settings_.encryption_optimistic) {
      return Unexpected{failure(secure_profile(m.proto) ? K::SrtpUnsupported : K::SrtpRequired, &m,
                                secure_profile(m.proto) ? "answer's a=crypto does not match our offer" : m.proto)};
    }
  }
  result.local_direction = offer.direction_of(ours);
  last_answer_origin_ = answer.origin;
  pending_offer_.reset();
  negotiated_ = std::move(result);
  return {};
}

Result<std::string, NegotiationFailure> SdpNegotiator::answer(std::string_view offer_text) {
  auto sdp = parse_sdp(offer_text);
  if (!sdp) return Unexpected{failure(NegotiationFailure::Kind::BadSdp, nullptr, sdp.error().to_string())};
  auto a = answer(*sdp);
  if (!a) return Unexpected{a.error()};
  return to_string(*a);
}

Result<void, NegotiationFailure> SdpNegotiator::apply_answer(std::string_view answer_text) {
  if (!pending_offer_ && !last_answer_origin_) return Unexpected{failure(NegotiationFailure::Kind::NoOffer, nullptr)};
  auto sdp = parse_sdp(answer_text);
  if (!sdp) return Unexpected{failure(NegotiationFailure::Kind::BadSdp, nullptr, sdp.error().to_string())};
  return apply_answer(*sdp);
}

}  // namespace telephony::rtp
