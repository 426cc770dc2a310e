// Frame: the unit that flows through channels and bridges — a chunk of voice, a DTMF begin/end,
// a control indication (ringing, answer, busy, hold …) or text.
//
// Voice payloads are immutable and shared: fanning one encoded mix out to a thousand listeners
// copies a pointer, not the audio.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "telephony/media/format.hpp"

namespace telephony {

enum class FrameKind : std::uint8_t { Voice, DtmfBegin, DtmfEnd, Control, Text, Null };

// Control indications; numeric values follow Asterisk's AST_CONTROL_* so logs read the same.
enum class Control : int {
  Hangup = 1,
  Ring = 2,
  Ringing = 3,
  Answer = 4,
  Busy = 5,
  TakeOffHook = 6,
  OffHook = 7,
  Congestion = 8,
  Flash = 9,
  Wink = 10,
  Option = 11,
  RadioKey = 12,
  RadioUnkey = 13,
  Progress = 14,
  Proceeding = 15,
  Hold = 16,
  Unhold = 17,
  SrcUpdate = 20,
  Transfer = 21,
  ConnectedLine = 22,
  Redirecting = 23,
  SrcChange = 26,
};

std::string_view to_string(Control c);

struct Frame {
  FrameKind kind = FrameKind::Null;
  media::Format format;        // Voice only
  int subclass = 0;            // DTMF digit (char) or Control value
  std::uint32_t samples = 0;   // Voice: samples per channel in this frame
  std::chrono::milliseconds duration{0};  // DtmfEnd: how long the digit was held
  std::shared_ptr<const std::vector<std::uint8_t>> payload;

  std::span<const std::uint8_t> data() const {
    return payload ? std::span<const std::uint8_t>(*payload) : std::span<const std::uint8_t>();
  }

  static Frame voice(media::Format f, std::vector<std::uint8_t> bytes, std::uint32_t samples);
  static Frame voice(media::Format f, std::shared_ptr<const std::vector<std::uint8_t>> bytes,
                     std::uint32_t samples);
  static Frame dtmf_begin(char digit);
  static Frame dtmf_end(char digit, std::chrono::milliseconds held);
  static Frame control(Control c);
  static Frame text(std::string_view t);

  bool is_control(Control c) const { return kind == FrameKind::Control && subclass == static_cast<int>(c); }
  char digit() const { return static_cast<char>(subclass); }
  std::string_view text_view() const {
    return payload ? std::string_view(reinterpret_cast<const char*>(payload->data()), payload->size())
                   : std::string_view();
  }
};

}  // namespace telephony
