#include "apps/tone_signals.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "telephony/media/spectrum.hpp"

namespace telephony::dialplan::signals {

namespace {

constexpr std::size_t kBlock = 80;  // 10 ms at 8 kHz: every MF frequency and 2600 Hz fall on a bin
constexpr std::array<int, 6> kMfFreqs = {700, 900, 1100, 1300, 1500, 1700};
// Bell R1 pairs, as indices into kMfFreqs.
struct MfPair {
  char digit;
  int lo, hi;
};
constexpr std::array<MfPair, 15> kMfPairs = {{{'1', 0, 1}, {'2', 0, 2}, {'3', 1, 2}, {'4', 0, 3}, {'5', 1, 3},
                                              {'6', 2, 3}, {'7', 0, 4}, {'8', 1, 4}, {'9', 2, 4}, {'0', 3, 4},
                                              {'*', 2, 5}, {'#', 4, 5}, {'A', 1, 5}, {'B', 3, 5}, {'C', 0, 5}}};
// Quieter than this (mean power, about -40 dBFS) is silence.
constexpr double kMinPower = 1e4;

void add(ToneSequence& s, const std::string& part, int ms) {
  if (!s.tonelist.empty()) s.tonelist += ',';
  s.tonelist += "!" + part + "/" + std::to_string(ms);
  s.length += std::chrono::milliseconds(ms);
}

// 'w': half a second of silence; 'h'/'H': 250 ms of 2600 Hz. True when `raw` was one of them.
bool pause_or_hook(ToneSequence& s, char raw) {
  if (raw == 'w') add(s, "0", 500);
  else if (raw == 'h' || raw == 'H') add(s, "2600", 250);
  else return false;
  return true;
}

}  // namespace

ToneSequence mf_sequence(std::string_view digits, const MfTiming& t) {
  ToneSequence s;
  for (char raw : digits) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    if (pause_or_hook(s, raw)) continue;
    auto p = std::find_if(kMfPairs.begin(), kMfPairs.end(), [c](const MfPair& m) { return m.digit == c; });
    if (p == kMfPairs.end()) {
      s.skipped += raw;
      continue;
    }
    const int ms = c == '*' ? t.kp_ms : (c == '#' || c == 'A' || c == 'B' || c == 'C') ? t.st_ms : t.digit_ms;
    add(s, std::to_string(kMfFreqs[static_cast<std::size_t>(p->lo)]) + "+" +
               std::to_string(kMfFreqs[static_cast<std::size_t>(p->hi)]),
        ms);
    add(s, "0", t.between_ms);
  }
  return s;
}

ToneSequence sf_sequence(std::string_view digits, int frequency) {
  ToneSequence s;
  const std::string f = std::to_string(frequency);
  add(s, "0", 100);  // a quiet moment before the first digit, as Asterisk's SendSF
  for (char raw : digits) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    if (pause_or_hook(s, raw)) continue;
    int pulses = 0;
    if (c >= '1' && c <= '9') pulses = c - '0';
    else if (c == '0') pulses = 10;
    else if (c == '*') pulses = 11;
    else if (c == '#') pulses = 12;
    else if (c >= 'A' && c <= 'D') pulses = 16 - (c - 'A');
    if (pulses == 0) {
      s.skipped += raw;
      continue;
    }
    for (int i = 0; i < pulses; ++i) {
      add(s, f, 67);
      add(s, "0", 33);
    }
    add(s, "0", 600);
  }
  return s;
}

ToneSequence morse_sequence(std::string_view text, bool american, int dit, int tone, int space) {
  // International (ITU-R M.1677) and American (railroad) Morse; ' ' inside an American code is
  // the intra-character space, 'L' its long dash, '0' the extra-long dash of zero.
  static constexpr std::pair<char, std::string_view> kItu[] = {
      {'A', ".-"},     {'B', "-..."},   {'C', "-.-."},   {'D', "-.."},    {'E', "."},      {'F', "..-."},
      {'G', "--."},    {'H', "...."},   {'I', ".."},     {'J', ".---"},   {'K', "-.-"},    {'L', ".-.."},
      {'M', "--"},     {'N', "-."},     {'O', "---"},    {'P', ".--."},   {'Q', "--.-"},   {'R', ".-."},
      {'S', "..."},    {'T', "-"},      {'U', "..-"},    {'V', "...-"},   {'W', ".--"},    {'X', "-..-"},
      {'Y', "-.--"},   {'Z', "--.."},   {'0', "-----"},  {'1', ".----"},  {'2', "..---"},  {'3', "...--"},
      {'4', "....-"},  {'5', "....."},  {'6', "-...."},  {'7', "--..."},  {'8', "---.."},  {'9', "----."},
      {'.', ".-.-.-"}, {',', "--..--"}, {'?', "..--.."}, {'\'', ".----."}, {'!', "-.-.--"}, {'/', "-..-."},
      {'(', "-.--."},  {')', "-.--.-"}, {'&', ".-..."},  {':', "---..."}, {';', "-.-.-."}, {'=', "-...-"},
      {'+', ".-.-."},  {'-', "-....-"}, {'_', "..--.-"}, {'"', ".-..-."}, {'$', "...-..-"}, {'@', ".--.-."},
  };
  static constexpr std::pair<char, std::string_view> kAmerican[] = {
      {'A', ".-"},    {'B', "-..."},  {'C', ".. ."},  {'D', "-.."},   {'E', "."},     {'F', ".-."},   {'G', "--."},
      {'H', "...."},  {'I', ".."},    {'J', "-.-."},  {'K', "-.-"},   {'L', "L"},     {'M', "--"},    {'N', "-."},
      {'O', ". ."},   {'P', "....."}, {'Q', "..-."},  {'R', ". .."},  {'S', "..."},   {'T', "-"},     {'U', "..-"},
      {'V', "...-"},  {'W', ".--"},   {'X', ".-.."},  {'Y', ".. .."}, {'Z', "... ."}, {'0', "0"},     {'1', ".--."},
      {'2', "..-.."}, {'3', "...-."}, {'4', "....-"}, {'5', "---"},   {'6', "......"}, {'7', "--.."}, {'8', "-...."},
      {'9', "-..-"},  {'.', "..--.."}, {',', ".-.-"}, {'?', "-..-."}, {'&', ". ..."},
  };
  ToneSequence s;
  const std::string on = std::to_string(tone), off = std::to_string(space);
  for (char raw : text) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    std::string_view code = " ";  // a word space: silence
    if (c != ' ') {
      code = {};
      using Table = std::span<const std::pair<char, std::string_view>>;
      for (const auto& [k, v] : american ? Table(kAmerican) : Table(kItu))
        if (k == c) code = v;
      if (code.empty()) {
        s.skipped += raw;
        continue;
      }
    }
    for (char e : code) {
      if (e == '-') add(s, on, 3 * dit);
      else if (e == '.') add(s, on, dit);
      else if (e == 'L') add(s, on, 6 * dit);
      else if (e == '0') add(s, on, 9 * dit);
      else if (american) add(s, off, 3 * dit);  // American Morse's spaced characters
      else add(s, off, 2 * dit);                 // word space (plus the gaps around it)
      add(s, off, dit);                                      // between dits and dahs
    }
    add(s, off, american ? 3 * dit : 2 * dit);  // between characters
  }
  return s;
}

char MfDetector::classify(std::span<const std::int16_t> block) const {
  const double total = media::mean_power(block);
  if (total < kMinPower) return 0;
  std::array<double, 6> p{};
  for (std::size_t i = 0; i < kMfFreqs.size(); ++i) p[i] = media::goertzel_power(block, 8000, kMfFreqs[i]);
  std::array<int, 6> order = {0, 1, 2, 3, 4, 5};
  std::sort(order.begin(), order.end(), [&](int a, int b) { return p[static_cast<std::size_t>(a)] > p[static_cast<std::size_t>(b)]; });
  const double first = p[static_cast<std::size_t>(order[0])], second = p[static_cast<std::size_t>(order[1])],
               third = p[static_cast<std::size_t>(order[2])];
  // Two tones carry the block, of similar level, with nothing else of note.
  if (first + second < 0.6 * total || second < first / 8 || third > second / 10) return 0;
  const int lo = std::min(order[0], order[1]), hi = std::max(order[0], order[1]);
  for (const auto& m : kMfPairs)
    if (m.lo == lo && m.hi == hi) return m.digit;
  return 0;
}

std::string MfDetector::feed(std::span<const std::int16_t> pcm) {
  std::string out;
  pending_.insert(pending_.end(), pcm.begin(), pcm.end());
  std::size_t at = 0;
  for (; at + kBlock <= pending_.size(); at += kBlock) {
    const char c = classify(std::span<const std::int16_t>(pending_.data() + at, kBlock));
    if (c != last_) {
      last_ = c;
      run_ = 1;
      reported_ = false;
      continue;
    }
    if (c && ++run_ >= 2 && !reported_) {
      out += c;
      reported_ = true;
    }
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(at));
  return out;
}

bool SfDetector::tone_in(std::span<const std::int16_t> block) const {
  const double total = media::mean_power(block);
  return total >= kMinPower && media::goertzel_power(block, 8000, freq_) > 0.5 * total;
}

int SfDetector::feed(std::span<const std::int16_t> pcm) {
  int pulses = 0;
  pending_.insert(pending_.end(), pcm.begin(), pcm.end());
  std::size_t at = 0;
  for (; at + kBlock <= pending_.size(); at += kBlock) {
    if (tone_in(std::span<const std::int16_t>(pending_.data() + at, kBlock))) {
      ++on_blocks_;
      continue;
    }
    if (on_blocks_ >= 3) ++pulses;  // at least 30 ms of tone, then a break
    on_blocks_ = 0;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(at));
  return pulses;
}

}  // namespace telephony::dialplan::signals
