// Internal: the ChannelTech of a DAHDI channel. It forwards call control to its line's strand,
// tagged with the call's generation so that work for a call that has ended is ignored, and writes
// voice straight to the port from the channel's strand.
#pragma once

#include "line.hpp"

namespace telephony::tdm {

class TdmTech : public ChannelTech {
 public:
  TdmTech(std::shared_ptr<TdmLine> line, std::uint64_t gen, TxParams tx)
      : line_(std::move(line)), gen_(gen), tx_(std::move(tx)) {}

  Result<void> call(Channel& chan, std::string_view dest, std::chrono::milliseconds timeout) override {
    line_->tech_call(gen_, &chan, chan.caller());
    return {};
  }
  void answer(Channel& chan) override { line_->tech_answer(gen_, &chan); }
  void hangup(Channel& chan) override { line_->tech_hangup(gen_, &chan, chan.hangup_cause()); }
  void write(Channel& chan, const Frame& f) override {
    if (f.kind == FrameKind::Voice) line_->write_voice(gen_, tx_, chan, f);
  }
  void indicate(Channel& chan, Control c) override { line_->tech_indicate(gen_, &chan, c); }
  std::vector<media::Format> native_formats() const override {
    return {tx_.law == Law::Alaw ? media::Format::alaw() : media::Format::ulaw()};
  }
  // Analog lines carry digits only as tones.
  bool wants_inband_dtmf() const override { return true; }

  TdmLine& line() { return *line_; }

 private:
  std::shared_ptr<TdmLine> line_;
  std::uint64_t gen_;
  TxParams tx_;
};

}  // namespace telephony::tdm
