// logger.conf: where log lines go. [logfiles] maps a channel to levels, as Asterisk:
//   console => notice,warning,error,verbose
//   messages => notice,warning,error          ; a file in logdir
// A reload that fails to parse keeps the running sinks.
#pragma once

#include "telephony/engine.hpp"
#include "telephony/module.hpp"

namespace telephonyd {

class LoggerModule : public telephony::Module {
 public:
  LoggerModule(telephony::Engine& engine, bool foreground) : engine_(engine), foreground_(foreground) {}
  std::string_view name() const override { return "logger"; }
  std::string_view config_file() const override { return "logger.conf"; }
  telephony::Result<void, telephony::Errors> check(const std::filesystem::path& dir) override;
  telephony::Result<void, telephony::Errors> load(const std::filesystem::path& dir) override;

 private:
  telephony::Engine& engine_;
  bool foreground_;
};

}  // namespace telephonyd
