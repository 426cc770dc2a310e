// ChannelHandle: the C++ object behind `telephony.Channel`. It holds the channel and the host (so
// the engine outlives the handle) and, for the channel a Python application was given, that
// application's call: once the dialplan has abandoned the call (hangup, redirect), every
// operation raises HangupError instead of touching a channel that belongs to someone else now.
//
// Identity and variables are read and written directly (any thread, GIL released). Operations
// that drive the call — answer, play, read_digits, hangup — run as coroutines on the channel's
// strand and return an Operation that Python waits for or awaits.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine_host.hpp"
#include "inbox.hpp"
#include "python_apps.hpp"
#include "telephony/channel.hpp"

namespace telephony::python {

class ChannelHandle {
 public:
  ChannelHandle(std::shared_ptr<EngineHost> host, Channel::Ptr chan, std::shared_ptr<AppCall> call = nullptr);

  const Channel::Ptr& channel() const { return chan_; }
  const std::shared_ptr<EngineHost>& host() const { return host_; }
  // True once the channel is hung up (or its application call was abandoned).
  bool gone() const;

  std::shared_ptr<Operation> answer();
  std::shared_ptr<Operation> hangup(int cause);
  // `prompts`: "a&b&c"; a digit in `interrupt` stops playback and is the value ('' when played).
  std::shared_ptr<Operation> play(std::string prompts, std::string interrupt);
  // Up to `count` DTMF digits, waiting `timeout` seconds for each; a digit of `terminators` ends
  // early (not included). The digits received.
  std::shared_ptr<Operation> read_digits(int count, double timeout, std::string terminators);

  // `NAME` (a channel variable) or `FUNC(args)` (a dialplan function read/write).
  std::optional<std::string> get_variable(const std::string& name);
  void set_variable(const std::string& name, const std::string& value);

 private:
  template <class Body>
  std::shared_ptr<Operation> on_strand(Body body);

  std::shared_ptr<EngineHost> host_;
  Channel::Ptr chan_;
  std::shared_ptr<AppCall> call_;
};

}  // namespace telephony::python
