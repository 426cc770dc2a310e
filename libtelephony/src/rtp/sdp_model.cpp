// Lookups on the SDP model: directions, rtpmap/fmtp/ptime/crypto of a media description.
#include <array>

#include "rtp/text.hpp"
#include "telephony/rtp/sdp.hpp"

namespace telephony::rtp {

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::SendRecv: return "sendrecv";
    case Direction::SendOnly: return "sendonly";
    case Direction::RecvOnly: return "recvonly";
    case Direction::Inactive: return "inactive";
  }
  return "sendrecv";
}

std::optional<Direction> direction_from_name(std::string_view name) {
  if (name == "sendrecv") return Direction::SendRecv;
  if (name == "sendonly") return Direction::SendOnly;
  if (name == "recvonly") return Direction::RecvOnly;
  if (name == "inactive") return Direction::Inactive;
  return std::nullopt;
}

bool sends(Direction d) { return d == Direction::SendRecv || d == Direction::SendOnly; }
bool receives(Direction d) { return d == Direction::SendRecv || d == Direction::RecvOnly; }

Direction answer_direction(Direction offered, Direction local) {
  // What we may send: what they receive, and what we want to send; likewise for receiving.
  const bool we_send = receives(offered) && sends(local);
  const bool we_receive = sends(offered) && receives(local);
  if (we_send && we_receive) return Direction::SendRecv;
  if (we_send) return Direction::SendOnly;
  if (we_receive) return Direction::RecvOnly;
  return Direction::Inactive;
}

std::optional<RtpMap> static_rtpmap(int pt) {
  struct Static {
    int pt;
    const char* name;
    std::uint32_t rate;
  };
  // RFC 3551 table 4, audio entries. G722's clock is 8000 by that RFC's historical error.
  static constexpr std::array<Static, 13> kTable{{{0, "PCMU", 8000}, {3, "GSM", 8000}, {4, "G723", 8000},
                                                  {5, "DVI4", 8000}, {6, "DVI4", 16000}, {7, "LPC", 8000},
                                                  {8, "PCMA", 8000}, {9, "G722", 8000}, {10, "L16", 44100},
                                                  {12, "QCELP", 8000}, {13, "CN", 8000}, {15, "G728", 8000},
                                                  {18, "G729", 8000}}};
  for (const auto& s : kTable)
    if (s.pt == pt) return RtpMap{pt, s.name, s.rate, 1};
  return std::nullopt;
}

std::optional<std::string_view> fmtp_parameter(std::string_view fmtp, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= fmtp.size()) {
    auto end = fmtp.find(';', pos);
    auto item = trim(fmtp.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    auto eq = item.find('=');
    if (iequals(trim(item.substr(0, eq)), name))
      return eq == std::string_view::npos ? std::string_view() : trim(item.substr(eq + 1));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

const SdpAttribute* MediaDescription::attribute(std::string_view name) const {
  for (const auto& a : attributes)
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<const SdpAttribute*> MediaDescription::attributes_named(std::string_view name) const {
  std::vector<const SdpAttribute*> out;
  for (const auto& a : attributes)
    if (a.name == name) out.push_back(&a);
  return out;
}

void MediaDescription::add_attribute(std::string name, std::string value) {
  attributes.push_back(SdpAttribute{std::move(name), std::move(value), true});
}

void MediaDescription::add_flag(std::string name) { attributes.push_back(SdpAttribute{std::move(name), {}, false}); }

void MediaDescription::remove_attributes(std::string_view name) {
  std::erase_if(attributes, [&](const SdpAttribute& a) { return a.name == name; });
}

namespace {
std::optional<Direction> direction_in(const std::vector<SdpAttribute>& attrs) {
  for (const auto& a : attrs)
    if (!a.has_value)
      if (auto d = direction_from_name(a.name)) return d;
  return std::nullopt;
}
}  // namespace

std::optional<Direction> MediaDescription::direction() const { return direction_in(attributes); }

std::optional<RtpMap> MediaDescription::rtpmap(int pt) const {
  for (const auto* a : attributes_named("rtpmap")) {
    std::string_view v = a->value;
    auto sp = v.find(' ');
    if (sp == std::string_view::npos) continue;
    auto num = parse_uint<int>(trim(v.substr(0, sp)));
    if (!num || *num != pt) continue;
    auto enc = trim(v.substr(sp + 1));
    RtpMap map;
    map.payload_type = pt;
    auto s1 = enc.find('/');
    map.encoding = std::string(enc.substr(0, s1));
    if (s1 != std::string_view::npos) {
      auto rest = enc.substr(s1 + 1);
      auto s2 = rest.find('/');
      auto rate = parse_uint<std::uint32_t>(rest.substr(0, s2));
      if (!rate || *rate == 0) continue;
      map.clock_rate = *rate;
      if (s2 != std::string_view::npos) {
        auto ch = parse_uint<unsigned>(rest.substr(s2 + 1));
        if (!ch || *ch == 0 || *ch > 255) continue;
        map.channels = static_cast<std::uint8_t>(*ch);
      }
    }
    return map;
  }
  return static_rtpmap(pt);
}

std::optional<std::string_view> MediaDescription::fmtp(int pt) const {
  for (const auto* a : attributes_named("fmtp")) {
    std::string_view v = a->value;
    auto sp = v.find(' ');
    auto num = parse_uint<int>(trim(v.substr(0, sp)));
    if (!num || *num != pt) continue;
    return sp == std::string_view::npos ? std::string_view() : trim(v.substr(sp + 1));
  }
  return std::nullopt;
}

std::optional<std::uint32_t> MediaDescription::ptime() const {
  if (auto* a = attribute("ptime"))
    if (auto v = parse_uint<std::uint32_t>(trim(a->value)); v && *v > 0 && *v <= 1000) return v;
  return std::nullopt;
}

std::vector<SdpCrypto> MediaDescription::cryptos() const {
  std::vector<SdpCrypto> out;
  for (const auto* a : attributes_named("crypto")) {
    auto f = split_words(a->value);
    if (f.size() < 3) continue;
    auto tag = parse_uint<unsigned>(f[0]);
    if (!tag || *tag > 999999999) continue;
    if (f[2].substr(0, 7) != "inline:") continue;
    SdpCrypto c;
    c.tag = static_cast<int>(*tag);
    c.suite = std::string(f[1]);
    auto key = f[2].substr(7);
    // Only the first key parameter is used (RFC 4568 allows several ";"-separated ones).
    c.key_params = std::string(key.substr(0, key.find(';')));
    for (std::size_t i = 3; i < f.size(); ++i) {
      if (!c.session_params.empty()) c.session_params += ' ';
      c.session_params += f[i];
    }
    out.push_back(std::move(c));
  }
  return out;
}

const SdpAttribute* SessionDescription::attribute(std::string_view name) const {
  for (const auto& a : attributes)
    if (a.name == name) return &a;
  return nullptr;
}

std::optional<Direction> SessionDescription::direction() const { return direction_in(attributes); }

const SdpConnection* SessionDescription::connection_for(const MediaDescription& m) const {
  if (m.connection) return &*m.connection;
  return connection ? &*connection : nullptr;
}

Direction SessionDescription::direction_of(const MediaDescription& m) const {
  Direction d = m.direction().value_or(direction().value_or(Direction::SendRecv));
  const auto* c = connection_for(m);
  if (c && (c->address == "0.0.0.0" || c->address == "::")) {
    // RFC 2543 hold: "don't send to me". We must not send; they may still send.
    if (d == Direction::SendRecv) d = Direction::SendOnly;
    else if (d == Direction::RecvOnly) d = Direction::Inactive;
  }
  return d;
}

}  // namespace telephony::rtp
