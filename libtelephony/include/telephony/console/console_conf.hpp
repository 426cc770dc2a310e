// console.conf as chan_console reads it: [general] holds the defaults of every device, each other
// section is a device (Console/<section>), and `active = yes` marks the one the `console ...`
// commands act on. Keys: input_device, output_device (ALSA PCM names, "default" = the system's),
// autoanswer, context, extension, callerid, language, mohinterpret, overridecontext, parkinglot,
// active (device sections only), and chan_console's jitter buffer keys (jbenable ...: accepted,
// no effect — the console is not a network channel). Our additions, documented in
// docs/console.md: samplerate (8000|16000|48000, the rate asked of ALSA; default 16000),
// echocancel (yes/no), echotail (ms, 32..500), noisesuppress (yes/no).
// Without any device section the [general] settings make one device named `dsp`; without an
// `active` device, `dsp` (or else the first device) is active. Errors name file:line: unknown
// keys, bad values, `active` in [general], two active devices.
#pragma once

#include <string>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/config/config.hpp"
#include "telephony/result.hpp"

namespace telephony::console {

struct ConsoleDeviceConfig {
  std::string name = "dsp";
  std::string input_device = "default";
  std::string output_device = "default";
  bool autoanswer = false;
  std::string context = "default";
  std::string extension = "s";
  CallerId callerid;
  std::string language;
  std::string mohinterpret = "default";
  std::string parkinglot;
  bool overridecontext = false;
  unsigned samplerate = 16000;
  bool echocancel = false;
  int echotail_ms = 128;
  bool noisesuppress = false;
  config::Location where;
};

struct ConsoleConfig {
  std::vector<ConsoleDeviceConfig> devices;
  std::string active;  // name of the active device
  std::vector<Error> warnings;
  const ConsoleDeviceConfig* find(std::string_view name) const;
};

Result<ConsoleConfig, Errors> parse_console_conf(const config::ConfigFile& file);

}  // namespace telephony::console
