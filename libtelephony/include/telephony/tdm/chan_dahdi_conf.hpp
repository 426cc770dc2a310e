// chan_dahdi.conf as Asterisk reads it: which DAHDI channels the engine uses, with which
// signalling, context, groups, caller ID and features.
//
// The model follows chan_dahdi's reading order exactly: [channels] is read top to bottom and
// every setting applies to the `channel =>` (or `channels =>`) lines that follow it, so a
// setting changed between two channel lines affects only the second. Then every other section
// that has a `dahdichan =` starts from the settings as [channels] left them, applies its own
// settings and creates the channels of its (last) `dahdichan` line. [general], [globals] and
// [trunkgroups] are reserved (trunk groups are PRI's: accepted, unused). A channel configured
// twice is an error, as is an unknown option, a value that does not parse, a signalling this
// driver cannot run (PRI, SS7, MFC/R2, SF, feature groups) — each naming file:line, all at once.
// Options Asterisk knows that have no effect here (PRI/SS7/MFC-R2 settings, hardware gains,
// jitter buffer sizes ...) are accepted and listed in `warnings`, so a chan_dahdi.conf written
// for real analog cards loads unchanged. The YAML spelling (config/yaml.hpp) of the same file
// gives the same model: [channels] is then a list of single-key maps, which keeps the order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/config/config.hpp"
#include "telephony/result.hpp"
#include "telephony/tdm/system_conf.hpp"

namespace telephony::tdm {

enum class CidSignalling : std::uint8_t { Bell, V23, V23Jp, Dtmf, Smdi };
enum class CidStart : std::uint8_t { Ring, Polarity, PolarityIn, Dtmf };
std::string_view to_string(CidSignalling s);

// A ring cadence for distinctive ringing (`cadence=` lines, dial string `r<n>`): on/off pairs in
// ms and the pause (1-based pair index) after which caller ID is sent.
struct RingCadence {
  std::vector<int> pattern;
  int cid_after_ring = 1;
};

// The settings of one channel, as they stood when its `channel =>` line was read.
struct DahdiChannelSettings {
  int channel = 0;
  std::optional<Signalling> signalling;  // empty: take what system.conf declares ("auto")
  bool em_wink = false;                  // signalling=em_w
  std::string context = "default";
  std::string language;
  std::string mohinterpret = "default";
  std::string mohsuggest;
  std::string description;
  std::string accountcode;
  std::string mailbox;
  std::string parkinglot;
  std::uint64_t group = 0;  // bit n = group n (0..63)
  std::uint64_t callgroup = 0;
  std::uint64_t pickupgroup = 0;
  CallerId callerid;        // callerid= / fullname= / cid_number=
  bool callerid_asreceived = false;
  bool usecallerid = true;
  CidSignalling cidsignalling = CidSignalling::Bell;
  CidStart cidstart = CidStart::Ring;
  bool hidecallerid = false;
  bool hidecalleridname = false;
  bool restrictcid = false;
  bool usecallingpres = false;
  int sendcalleridafter = 1;  // rings before caller ID on an FXS port
  bool callwaiting = false;
  bool callwaitingcallerid = false;
  bool threewaycalling = false;
  bool transfer = false;
  bool cancallforward = false;
  bool callreturn = false;
  bool immediate = false;
  bool relaxdtmf = false;
  bool busydetect = false;
  int busycount = 3;
  std::vector<int> busypattern;  // empty: any cadence
  bool callprogress = false;
  bool answeronpolarityswitch = false;
  bool hanguponpolarityswitch = false;
  int polarityonanswerdelay = 600;
  int waitfordialtone = 0;  // ms; 0: dial after a fixed pause
  double rxgain = 0;        // dB
  double txgain = 0;
  double cid_rxgain = 5.0;
  std::string tonezone;     // zone name or DAHDI zone number; empty: system default
  int firstdigit_timeout = 16000;
  int interdigit_timeout = 8000;
  int matchdigit_timeout = 3000;
  // DAHDI hook timings (ms); -1 keeps the driver default (flash 750, rxflash 1250, rxwink 300,
  // wink 150, start 1500, debounce 600, prewink/preflash 50).
  int flash = -1, rxflash = -1, rxwink = -1, wink = -1, start = -1, debounce = -1, prewink = -1, preflash = -1;
  bool echocancel = false;
  int blocksize = 20;  // ms per audio block on the port (10..40); our extension, docs/tdm.md
  std::vector<std::pair<std::string, std::string>> setvar;
  config::Location where;  // the channel => line
};

enum ReportAlarms : std::uint8_t { kReportChannels = 1, kReportSpans = 2 };

struct ChanDahdiConfig {
  std::map<int, DahdiChannelSettings> channels;
  std::vector<RingCadence> cadences;  // empty: the built-in distinctive cadences
  int ringtimeout = 8000;             // ms without a ring before an unanswered call is dropped
  int toneduration = 100;             // ms per DTMF digit dialed out
  std::uint8_t reportalarms = kReportChannels;
  std::vector<Error> warnings;
};

Result<ChanDahdiConfig, Errors> parse_chan_dahdi(const config::ConfigFile& file);

// ast_get_group syntax: "1,3-5" -> bits 1,3,4,5. Numbers 0..63.
Result<std::uint64_t> parse_group_list(std::string_view text);
// chan_dahdi's `cadence=` syntax (a negative pause marks where caller ID goes).
Result<RingCadence> parse_dahdi_cadence(std::string_view text);
// The built-in cadences r1..r4 (used when chan_dahdi.conf defines none).
const std::vector<RingCadence>& builtin_cadences();

}  // namespace telephony::tdm
