// Tone list parsing and generation (indications.conf semantics).
#include "telephony/media/tone.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

#include "telephony/media/codec.hpp"

namespace telephony::media {
namespace {

std::string_view trim(std::string_view s, std::size_t& offset) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
    ++offset;
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Unexpected<Error> at(std::size_t offset, std::string why) {
  return fail(std::move(why), "offset " + std::to_string(offset));
}

// Reads "[M]digits" at the front of `s`, advancing it.
Result<double> read_frequency(std::string_view& s, std::size_t& offset) {
  bool midi = false;
  if (!s.empty() && (s.front() == 'M' || s.front() == 'm')) {
    midi = true;
    s.remove_prefix(1);
    ++offset;
  }
  unsigned value = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || p == s.data()) return at(offset, "expected a frequency");
  const std::size_t used = static_cast<std::size_t>(p - s.data());
  if (midi) {
    if (value > 127) return at(offset, "MIDI note " + std::to_string(value) + " out of range 0..127");
  } else if (value > 20000) {
    return at(offset, "frequency " + std::to_string(value) + " Hz out of range 0..20000");
  }
  s.remove_prefix(used);
  offset += used;
  if (!midi) return static_cast<double>(value);
  return 440.0 * std::pow(2.0, (static_cast<double>(value) - 69.0) / 12.0);
}

Result<TonePart> parse_part(std::string_view s, std::size_t offset) {
  TonePart part;
  s = trim(s, offset);
  if (s.empty()) return at(offset, "empty tone part");
  if (s.front() == '!') {
    part.once = true;
    s.remove_prefix(1);
    ++offset;
  }
  auto f1 = read_frequency(s, offset);
  if (!f1) return Unexpected<Error>{f1.error()};
  part.freq1 = *f1;
  if (!s.empty() && (s.front() == '+' || s.front() == '*')) {
    part.modulate = s.front() == '*';
    s.remove_prefix(1);
    ++offset;
    auto f2 = read_frequency(s, offset);
    if (!f2) return Unexpected<Error>{f2.error()};
    part.freq2 = *f2;
  }
  if (!s.empty() && s.front() == '/') {
    s.remove_prefix(1);
    ++offset;
    std::uint32_t d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || p == s.data()) return at(offset, "expected a duration in ms after '/'");
    offset += static_cast<std::size_t>(p - s.data());
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    part.duration_ms = d;
  }
  if (!s.empty()) return at(offset, std::string("unexpected '") + s.front() + "' in tone part");
  return part;
}

}  // namespace

Result<ToneSpec> parse_tone_spec(std::string_view text) {
  ToneSpec spec;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view piece =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    auto part = parse_part(piece, start);
    if (!part) return Unexpected<Error>{part.error()};
    if (!part->once && !spec.repeat_from) spec.repeat_from = spec.parts.size();
    spec.parts.push_back(*part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return spec;
}

ToneGenerator::ToneGenerator(ToneSpec spec, std::uint32_t rate, double amplitude)
    : spec_(std::move(spec)), rate_(rate), amplitude_(amplitude) {
  finished_ = spec_.parts.empty();
}

std::size_t ToneGenerator::generate(std::span<std::int16_t> out) {
  std::size_t written = 0;
  const double two_pi = 2.0 * std::numbers::pi;
  while (written < out.size() && !finished_) {
    const TonePart& p = spec_.parts[part_];
    const std::uint64_t part_len =
        p.duration_ms == 0 ? UINT64_MAX : static_cast<std::uint64_t>(p.duration_ms) * rate_ / 1000;
    const std::uint64_t left = part_len - sample_in_part_;
    const std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>(left, out.size() - written));
    // Phase from the sample index (not an accumulator) keeps long tones drift-free.
    const double w1 = two_pi * p.freq1 / rate_, w2 = two_pi * p.freq2 / rate_;
    for (std::size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(sample_in_part_ + i);
      double v = 0;
      if (p.modulate) {
        // 90% modulation depth, scaled so the peak stays at the requested amplitude.
        v = amplitude_ * std::sin(w1 * t) * (1.0 + 0.9 * std::sin(w2 * t)) / 1.9;
      } else {
        if (p.freq1 > 0) v += amplitude_ * std::sin(w1 * t);
        if (p.freq2 > 0) v += amplitude_ * std::sin(w2 * t);
      }
      out[written + i] = static_cast<std::int16_t>(std::lround(std::clamp(v, -32768.0, 32767.0)));
    }
    written += n;
    sample_in_part_ += n;
    if (sample_in_part_ >= part_len) {
      sample_in_part_ = 0;
      if (++part_ >= spec_.parts.size()) {
        if (spec_.repeat_from) {
          part_ = *spec_.repeat_from;
        } else {
          finished_ = true;
        }
      }
    }
  }
  return written;
}

void MilliwattGenerator::generate(std::span<std::int16_t> out) {
  if (kind_ == MilliwattKind::DigitalMilliwatt && rate_ == 8000) {
    static constexpr std::uint8_t kDigitalMilliwatt[8] = {0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E};
    for (auto& s : out) s = g711::ulaw_to_linear(kDigitalMilliwatt[index_++ & 7]);
    return;
  }
  const double w = 2.0 * std::numbers::pi * 1004.0 / rate_;
  for (auto& s : out) {
    s = static_cast<std::int16_t>(std::lround(kZeroDbm0Amplitude * std::sin(w * static_cast<double>(index_))));
    index_ = (index_ + 1) % (static_cast<std::uint64_t>(rate_) * 250);  // 250 s: whole cycles of 1004 Hz
  }
}

// ---- built-in zones ---------------------------------------------------------------------------
namespace {

constexpr Indication kUs[] = {
    {"dial", "350+440"},
    {"busy", "480+620/500,0/500"},
    {"ring", "440+480/2000,0/4000"},
    {"congestion", "480+620/250,0/250"},
    {"callwaiting", "440/300,0/10000"},
    {"dialrecall", "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"},
    {"record", "1400/500,0/15000"},
    {"info", "!950/330,!1400/330,!1800/330,0"},
    {"stutter", "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"},
};
constexpr Indication kUk[] = {
    {"dial", "350+440"},
    {"specialdial", "350+440/750,440/750"},
    {"busy", "400/375,0/375"},
    {"congestion", "400/400,0/350,400/225,0/525"},
    {"specialcongestion", "400/200,1004/300"},
    {"unobtainable", "400"},
    {"ring", "400+450/400,0/200,400+450/400,0/2000"},
    {"callwaiting", "400/100,0/4000"},
    {"specialcallwaiting", "400/250,0/250,400/250,0/250,400/250,0/5000"},
    {"creditexpired", "400/125,0/125"},
    {"confirm", "1400"},
    {"switching", "400/200,0/400,400/2000,0/400"},
    {"info", "950/330,0/15,1400/330,0/15,1800/330,0/1000"},
    {"record", "1400/500,0/60000"},
    {"stutter", "350+440/750,440/750"},
};
constexpr Indication kDe[] = {
    {"dial", "425"},
    {"busy", "425/480,0/480"},
    {"ring", "425/1000,0/4000"},
    {"congestion", "425/240,0/240"},
    {"callwaiting", "!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,!0/5000,!425/200,!0/200,!425/200,0"},
    {"dialrecall", "!425/100,!0/100,!425/100,!0/100,!425/100,!0/100,425"},
    {"record", "1400/80,0/15000"},
    {"info", "950/330,1400/330,1800/330,0/1000"},
    {"stutter", "425+400"},
};
constexpr Indication kFr[] = {
    {"dial", "440"},
    {"busy", "440/500,0/500"},
    {"ring", "440/1500,0/3500"},
    {"congestion", "440/250,0/250"},
    {"callwaiting", "440/300,0/10000"},
    {"dialrecall", "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440"},
    {"record", "1400/500,0/15000"},
    {"info", "!950/330,!1400/330,!1800/330"},
    {"stutter", "!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,!440/100,!0/100,440"},
};
constexpr Indication kNl[] = {
    {"dial", "425"},
    {"busy", "425/500,0/500"},
    {"ring", "425/1000,0/4000"},
    {"congestion", "425/250,0/250"},
    {"callwaiting", "425/500,0/9500"},
    {"dialrecall", "425/500,0/50"},
    {"record", "1400/500,0/15000"},
    {"info", "950/330,1400/330,1800/330,0/1000"},
    {"stutter", "425/500,0/50"},
};
constexpr Indication kIt[] = {
    {"dial", "425/200,0/200,425/600,0/1000"},
    {"busy", "425/500,0/500"},
    {"ring", "425/1000,0/4000"},
    {"congestion", "425/200,0/200"},
    {"callwaiting", "425/400,0/100,425/250,0/100,425/150,0/14000"},
    {"dialrecall", "470/400,425/400"},
    {"record", "1400/400,0/15000"},
    {"info", "!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,!950/330,!1400/330,!1800/330,!0/1000,0"},
    {"stutter", "470/400,425/400"},
};
constexpr Indication kAu[] = {
    {"dial", "413+438"},
    {"busy", "425/375,0/375"},
    {"ring", "413+438/400,0/200,413+438/400,0/2000"},
    {"congestion", "425/375,0/375,420/375,0/375"},
    {"callwaiting", "425/200,0/200,425/200,0/4400"},
    {"dialrecall", "413+438"},
    {"record", "!425/1000,!0/15000,425/360,0/15000"},
    {"info", "425/2500,0/500"},
    {"std", "!525/100,!0/100,!525/100,!0/100,!525/100,!0/100,!525/100,!0/100,!525/100"},
    {"facility", "425"},
    {"stutter", "413+438/100,0/40"},
    {"ringmobile", "400+450/400,0/200,400+450/400,0/2000"},
};

constexpr ToneZone kZones[] = {
    {"us", "United States / North America", "2000,4000", kUs},
    {"uk", "United Kingdom", "400,200,400,2000", kUk},
    {"de", "Germany", "1000,4000", kDe},
    {"fr", "France", "1500,3500", kFr},
    {"nl", "Netherlands", "1000,4000", kNl},
    {"it", "Italy", "1000,4000", kIt},
    {"au", "Australia", "400,200,400,2000", kAu},
};

}  // namespace

std::span<const ToneZone> builtin_tone_zones() { return kZones; }

const ToneZone* find_tone_zone(std::string_view country) {
  for (const auto& z : kZones)
    if (z.country == country) return &z;
  return nullptr;
}

std::optional<std::string_view> find_indication(std::string_view country, std::string_view name) {
  const ToneZone* z = find_tone_zone(country);
  if (z == nullptr) return std::nullopt;
  for (const auto& i : z->indications)
    if (i.name == name) return i.tones;
  return std::nullopt;
}

}  // namespace telephony::media
