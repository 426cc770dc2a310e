// system.conf as DAHDI's dahdi_cfg reads it: the span and channel layout of a TDM system.
//
// One `keyword=value` per line, `#` starts a comment, blank lines are skipped. Accepted keywords:
//   span=<num>,<timing>,<lbo>,<framing>,<coding>[,crc4|yellow|nt|te|term...]
//   dynamic=<driver>,<address>,<numchans>,<timing>      a software span (see below)
//   fxsls= fxsgs= fxsks= fxols= fxogs= fxoks= e&m= e&me1= cas= user= unused= clear= bchan=
//   indclear= dchan= fcshdlc= hardhdlc= rawhdlc= nethdlc= mtp2= dacs= dacsrbs=   <channel list>
//   mulaw= alaw= deflaw=  <channel list>      echocanceller=<name>,<channel list>
//   loadzone=<zone>  defaultzone=<zone>
// and dahdi_cfg's radio keywords (ctcss, tx, rxdcs, debouncetime, channel(s), ...), which are
// kept as warnings (no radio interface here). A channel list is `1,3,5` / `16-23,29`. A channel
// configured twice, a malformed list, an unknown keyword or a bad span line is an error naming
// file:line — every error of the file at once, as dahdi_cfg prints them.
//
// Dynamic spans are how software spans are declared, in DAHDI's own syntax:
//   dynamic=loc,<key>:<id>,<numchans>,<timing>   in-memory span; the two spans sharing <key> are
//                                                 wired back to back, channel i to channel i
//                                                 (DAHDI's dahdi_dynamic_loc)
//   dynamic=sock,<dir>,<numchans>,<timing>       socket span: port i is the Unix datagram socket
//                                                 <dir>/<i> (framing: tdm/wire.hpp); a relative
//                                                 <dir> is under the run directory
// Spans and channels are numbered as DAHDI numbers them: kernel spans first, then dynamic spans
// in the order of their lines, channels consecutively across spans (SpanPlan).
// Parsing allocates the model's strings; it never touches the system.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/config/config.hpp"
#include "telephony/result.hpp"

namespace telephony::tdm {

inline constexpr int kMaxChannels = 1023;  // DAHDI_MAX_CHANNELS - 1

enum class Signalling : std::uint8_t {
  Unused,
  FxsLs, FxsGs, FxsKs,  // FXS signalling: used on FXO ports (a line from the exchange)
  FxoLs, FxoGs, FxoKs,  // FXO signalling: used on FXS ports (a phone is plugged in)
  Em, EmE1, Cas, Clear, Bchan, Dchan, HardHdlc, RawHdlc, FcsHdlc, NetHdlc, Mtp2, Dacs, DacsRbs,
};
std::string_view system_keyword(Signalling s);        // "fxoks"
std::string_view signalling_description(Signalling s);  // "FXO Kewlstart" (as `dahdi show channels`)
int dahdi_signalling_code(Signalling s);               // DAHDI_SIG_* value (AMI SignallingCode)
bool is_analog(Signalling s);
// The port faces an exchange line (FXS signalling: fxs_ls/gs/ks).
bool faces_line(Signalling s);
// The port faces a phone (FXO signalling: fxo_ls/gs/ks).
bool faces_phone(Signalling s);

enum class LawOverride : std::uint8_t { Default, Ulaw, Alaw };

struct SpanDeclaration {
  int span = 0;
  int timing = 0;
  int lbo = 0;
  std::string framing;  // d4 esf cas ccs
  std::string coding;   // ami b8zs hdb3
  bool crc4 = false;
  bool yellow = false;
  config::Location where;
};

struct DynamicSpanDeclaration {
  std::string driver;   // loc, sock (others are kernel dynamic drivers: eth, ethmf)
  std::string address;
  int channels = 0;
  int timing = 0;
  config::Location where;
};

struct ChannelDeclaration {
  int channel = 0;
  Signalling signalling = Signalling::Unused;
  LawOverride law = LawOverride::Default;
  std::string echocanceller;
  config::Location where;
};

struct SystemConfig {
  std::string path;
  std::vector<SpanDeclaration> spans;
  std::vector<DynamicSpanDeclaration> dynamic_spans;
  std::map<int, ChannelDeclaration> channels;  // by channel number
  std::vector<std::pair<std::string, config::Location>> load_zones;
  std::string default_zone;
  config::Location default_zone_where;
  std::vector<Error> warnings;
};

// `name` is used in locations ("system.conf:12").
Result<SystemConfig, Errors> parse_system_conf(std::string_view text, std::string_view name);
Result<SystemConfig, Errors> load_system_conf(const std::filesystem::path& file);

// Channel list `1,3,5-8`: the channel numbers, or an error naming the bad item.
Result<std::vector<int>> parse_channel_list(std::string_view list);

// Where each span and channel lands once numbered. Software spans (loc, sock) follow the kernel
// spans: `first_span` / `first_channel` are the numbers after the kernel's (1/1 without kernel).
struct PlannedSpan {
  int number = 0;
  const DynamicSpanDeclaration* dynamic = nullptr;  // null: a kernel span
  int first_channel = 0;
  int channels = 0;
};
struct SpanPlan {
  std::vector<PlannedSpan> spans;
  // Span of a channel number, or null.
  const PlannedSpan* span_of(int channel) const;
};
// Validates the dynamic lines of our drivers (loc addresses key:id, sock paths, at most two loc
// spans per key, no monitor peers) and lays them out after the kernel's spans, whose channel
// counts are `kernel_spans` (empty without /dev/dahdi); `span=` lines must name a span that
// exists; channel lines must name channels of a span. Kernel dynamic drivers (eth, ethmf ...)
// are dahdi_cfg's business: without kernel spans they are an error naming the line.
Result<SpanPlan, Errors> plan_spans(const SystemConfig& cfg, const std::vector<int>& kernel_spans);

}  // namespace telephony::tdm
