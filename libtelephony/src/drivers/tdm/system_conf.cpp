// system.conf parsing as dahdi_cfg does it (see tdm/system_conf.hpp).
#include "telephony/tdm/system_conf.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "config/text.hpp"

namespace telephony::tdm {

using config::detail::iequals;
using config::detail::trim;

namespace {

struct SigInfo {
  Signalling sig;
  std::string_view keyword;
  std::string_view description;
  int code;
};
// Codes are DAHDI's DAHDI_SIG_* values: FXS bit 1<<13, FXO bit 1<<12, E&M 1<<6 ...
constexpr std::array<SigInfo, 20> kSigs{{
    {Signalling::Unused, "unused", "Unused", 0},
    {Signalling::FxsLs, "fxsls", "FXS Loopstart", (1 << 0) | (1 << 13)},
    {Signalling::FxsGs, "fxsgs", "FXS Groundstart", (1 << 1) | (1 << 13)},
    {Signalling::FxsKs, "fxsks", "FXS Kewlstart", (1 << 2) | (1 << 13)},
    {Signalling::FxoLs, "fxols", "FXO Loopstart", (1 << 3) | (1 << 12)},
    {Signalling::FxoGs, "fxogs", "FXO Groundstart", (1 << 4) | (1 << 12)},
    {Signalling::FxoKs, "fxoks", "FXO Kewlstart", (1 << 5) | (1 << 12)},
    {Signalling::Em, "e&m", "E & M Immediate", 1 << 6},
    {Signalling::EmE1, "e&me1", "E & M E1", 1 << 17},
    {Signalling::Cas, "cas", "CAS", 1 << 15},
    {Signalling::Clear, "clear", "Clear channel", 1 << 7},
    {Signalling::Bchan, "bchan", "Clear channel", 1 << 7},
    {Signalling::Dchan, "dchan", "D-channel", (1 << 9) | (1 << 8) | (1 << 7)},
    {Signalling::HardHdlc, "hardhdlc", "Hardware assisted D-channel", (1 << 19) | (1 << 7)},
    {Signalling::RawHdlc, "rawhdlc", "Raw HDLC", (1 << 8) | (1 << 7)},
    {Signalling::FcsHdlc, "fcshdlc", "HDLC with FCS", (1 << 9) | (1 << 8) | (1 << 7)},
    {Signalling::NetHdlc, "nethdlc", "HDLC network", (1 << 10) | (1 << 9) | (1 << 8) | (1 << 7)},
    {Signalling::Mtp2, "mtp2", "MTP2", (1 << 20) | (1 << 9) | (1 << 8) | (1 << 7)},
    {Signalling::Dacs, "dacs", "DACS", (1 << 16) | (1 << 7)},
    {Signalling::DacsRbs, "dacsrbs", "DACS with RBS", (1 << 18) | (1 << 16)},
}};

const SigInfo& info(Signalling s) {
  for (const auto& i : kSigs)
    if (i.sig == s) return i;
  return kSigs[0];
}

// Keywords that configure channels, with aliases dahdi_cfg accepts.
bool channel_keyword(std::string_view key, Signalling& out) {
  if (iequals(key, "indclear")) return out = Signalling::Bchan, true;
  if (iequals(key, "user")) return out = Signalling::Cas, true;
  for (const auto& i : kSigs)
    if (iequals(key, i.keyword)) return out = i.sig, true;
  return false;
}

// dahdi_cfg's radio interface keywords: accepted, not acted on.
constexpr std::array<std::string_view, 16> kRadioKeywords{
    "ctcss", "dcsrx", "rxdcs", "tx", "debouncetime", "bursttime", "exttone", "invertcor",
    "corthresh", "rxgain", "txgain", "deemp", "preemp", "channel", "channels", "56k"};

bool parse_int(std::string_view s, int& out) {
  s = trim(s);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto pos = s.find(sep);
    out.push_back(trim(s.substr(0, pos)));
    if (pos == std::string_view::npos) break;
    s = s.substr(pos + 1);
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view name) { cfg_.path = std::string(name); }

  void line(std::string_view raw, int lineno) {
    where_ = config::Location{cfg_.path, lineno};
    if (auto hash = raw.find('#'); hash != std::string_view::npos) raw = raw.substr(0, hash);
    raw = trim(raw);
    if (raw.empty()) return;
    const auto eq = raw.find('=');
    if (eq == std::string_view::npos) return error("syntax error: should be <keyword>=<value>");
    const auto key = trim(raw.substr(0, eq));
    const auto value = trim(raw.substr(eq + 1));
    if (key.empty() || value.empty()) return error("syntax error: should be <keyword>=<value>");
    Signalling sig;
    if (iequals(key, "span")) return span(value);
    if (iequals(key, "dynamic")) return dynamic(value);
    if (iequals(key, "loadzone")) return cfg_.load_zones.emplace_back(std::string(value), where_), void();
    if (iequals(key, "defaultzone")) {
      cfg_.default_zone = std::string(value);
      cfg_.default_zone_where = where_;
      return;
    }
    if (iequals(key, "alaw") || iequals(key, "mulaw") || iequals(key, "deflaw")) return law(key, value);
    if (iequals(key, "echocanceller")) return echocanceller(value);
    if (channel_keyword(key, sig)) return channels(sig, value);
    for (auto r : kRadioKeywords)
      if (iequals(key, r)) {
        cfg_.warnings.push_back(Error{"radio parameter '" + std::string(key) + "' ignored (no radio interface)", where_.to_string()});
        return;
      }
    error("unknown keyword '" + std::string(key) + "'");
  }

  Result<SystemConfig, Errors> finish() {
    // dahdi_cfg applies law overrides to the channels whatever the line order.
    for (auto& [c, decl] : cfg_.channels)
      if (auto it = pending_law_.find(c); it != pending_law_.end()) decl.law = it->second;
    if (!errors_.items.empty()) return Unexpected<Errors>{std::move(errors_)};
    return std::move(cfg_);
  }

 private:
  void error(std::string message) { errors_.items.push_back(Error{std::move(message), where_.to_string()}); }

  void span(std::string_view value) {
    auto args = split(value, ',');
    if (args.size() < 5 || args.size() > 9)
      return error("'span' needs <spanno>,<timing>,<lbo>,<framing>,<coding>[,crc4|yellow...]");
    SpanDeclaration s;
    s.where = where_;
    if (!parse_int(args[0], s.span) || s.span < 1) return error("span number should be a positive number, not '" + std::string(args[0]) + "'");
    if (!parse_int(args[1], s.timing) || s.timing < 0 || s.timing > 255)
      return error("timing should be a number from 0 to 255, not '" + std::string(args[1]) + "'");
    if (!parse_int(args[2], s.lbo) || s.lbo < 0 || s.lbo > 7)
      return error("line build-out (LBO) should be a number from 0 to 7, not '" + std::string(args[2]) + "'");
    static constexpr std::string_view kFraming[] = {"d4", "esf", "cas", "ccs"};
    static constexpr std::string_view kCoding[] = {"ami", "b8zs", "hdb3"};
    bool ok = false;
    for (auto f : kFraming) ok = ok || iequals(args[3], f);
    if (!ok) return error("framing must be one of 'd4', 'esf', 'cas' or 'ccs', not '" + std::string(args[3]) + "'");
    ok = false;
    for (auto c : kCoding) ok = ok || iequals(args[4], c);
    if (!ok) return error("coding must be one of 'ami', 'b8zs' or 'hdb3', not '" + std::string(args[4]) + "'");
    config::detail::assign_lower(s.framing, args[3]);
    config::detail::assign_lower(s.coding, args[4]);
    for (std::size_t i = 5; i < args.size(); ++i) {
      if (iequals(args[i], "yellow")) s.yellow = true;
      else if (iequals(args[i], "crc4")) s.crc4 = true;
      else if (iequals(args[i], "nt") || iequals(args[i], "te") || iequals(args[i], "term")) continue;
      else return error("span options may be 'yellow', 'crc4', 'nt', 'te' or 'term', not '" + std::string(args[i]) + "'");
    }
    for (const auto& other : cfg_.spans)
      if (other.span == s.span) return error("span " + std::to_string(s.span) + " already configured at " + other.where.to_string());
    cfg_.spans.push_back(std::move(s));
  }

  void dynamic(std::string_view value) {
    auto args = split(value, ',');
    if (args.size() != 4) return error("'dynamic' needs <driver>,<address>,<num channels>,<timing>");
    DynamicSpanDeclaration d;
    d.where = where_;
    d.driver = std::string(args[0]);
    d.address = std::string(args[1]);
    if (d.driver.empty() || d.address.empty()) return error("'dynamic' needs a driver and an address");
    if (!parse_int(args[2], d.channels) || d.channels < 1 || d.channels > kMaxChannels)
      return error("invalid number of channels '" + std::string(args[2]) + "', should be a number > 0");
    if (!parse_int(args[3], d.timing) || d.timing < 0)
      return error("invalid timing '" + std::string(args[3]) + "', should be a number >= 0");
    cfg_.dynamic_spans.push_back(std::move(d));
  }

  void channels(Signalling sig, std::string_view value) {
    // cas/dacs carry ':<idle bits>' / ':<dest channel>' after the list; nethdlc ':<ifname>'.
    auto list = value.substr(0, value.find(':'));
    auto chans = parse_channel_list(list);
    if (!chans) return error(chans.error().message);
    for (int c : *chans) {
      auto [it, fresh] = cfg_.channels.try_emplace(c);
      if (!fresh) {
        error("channel " + std::to_string(c) + " already configured as '" +
              std::string(system_keyword(it->second.signalling)) + "' at " + it->second.where.to_string());
        continue;
      }
      it->second.channel = c;
      it->second.signalling = sig;
      it->second.where = where_;
    }
  }

  void law(std::string_view key, std::string_view value) {
    auto chans = parse_channel_list(value);
    if (!chans) return error(chans.error().message);
    const auto law = iequals(key, "alaw") ? LawOverride::Alaw : iequals(key, "mulaw") ? LawOverride::Ulaw : LawOverride::Default;
    for (int c : *chans) pending_law_[c] = law;
  }

  void echocanceller(std::string_view value) {
    auto comma = value.find(',');
    if (comma == std::string_view::npos) return error("'echocanceller' needs <name>,<channel list>");
    auto name = trim(value.substr(0, comma));
    auto chans = parse_channel_list(value.substr(comma + 1));
    if (!chans) return error(chans.error().message);
    for (int c : *chans) {
      auto it = cfg_.channels.find(c);
      if (it == cfg_.channels.end()) {
        error("echocanceller for channel " + std::to_string(c) + ", which no earlier line configures");
        continue;
      }
      it->second.echocanceller = std::string(name);
    }
  }

  SystemConfig cfg_;
  Errors errors_;
  config::Location where_;
  std::map<int, LawOverride> pending_law_;
};

}  // namespace

std::string_view system_keyword(Signalling s) { return info(s).keyword; }
std::string_view signalling_description(Signalling s) { return info(s).description; }
int dahdi_signalling_code(Signalling s) { return info(s).code; }

bool faces_line(Signalling s) { return s == Signalling::FxsLs || s == Signalling::FxsGs || s == Signalling::FxsKs; }
bool faces_phone(Signalling s) { return s == Signalling::FxoLs || s == Signalling::FxoGs || s == Signalling::FxoKs; }
bool is_analog(Signalling s) { return faces_line(s) || faces_phone(s) || s == Signalling::Em || s == Signalling::EmE1; }

Result<std::vector<int>> parse_channel_list(std::string_view list) {
  std::vector<int> out;
  std::set<int> seen;
  auto items = split(list, ',');
  for (auto item : items) {
    if (item.empty()) return fail("empty item in channel list '" + std::string(list) + "'");
    int from = 0, to = 0;
    if (auto dash = item.find('-'); dash != std::string_view::npos) {
      if (!parse_int(item.substr(0, dash), from) || !parse_int(item.substr(dash + 1), to))
        return fail("syntax error in range '" + std::string(item) + "', should be <val1>-<val2>");
      if (from > to) return fail("range '" + std::string(item) + "' should start before it ends");
    } else if (!parse_int(item, from)) {
      return fail("channel should be a number from 1 to " + std::to_string(kMaxChannels) + ", not '" + std::string(item) + "'");
    } else {
      to = from;
    }
    if (from < 1 || to > kMaxChannels)
      return fail("channel '" + std::string(item) + "' must be between 1 and " + std::to_string(kMaxChannels));
    for (int c = from; c <= to; ++c)
      if (seen.insert(c).second) out.push_back(c);
  }
  return out;
}

Result<SystemConfig, Errors> parse_system_conf(std::string_view text, std::string_view name) {
  Parser p(name);
  int lineno = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    p.line(text.substr(0, nl), ++lineno);
    if (nl == std::string_view::npos) break;
    text = text.substr(nl + 1);
  }
  return p.finish();
}

Result<SystemConfig, Errors> load_system_conf(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    Errors errs;
    errs.items.push_back(Error{"cannot read " + file.string(), file.string()});
    return Unexpected<Errors>{std::move(errs)};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  return parse_system_conf(text, file.string());
}

const PlannedSpan* SpanPlan::span_of(int channel) const {
  for (const auto& s : spans)
    if (channel >= s.first_channel && channel < s.first_channel + s.channels) return &s;
  return nullptr;
}

Result<SpanPlan, Errors> plan_spans(const SystemConfig& cfg, const std::vector<int>& kernel_spans) {
  Errors errs;
  auto error = [&](std::string m, const config::Location& w) { errs.items.push_back(Error{std::move(m), w.to_string()}); };
  SpanPlan plan;
  int next_channel = 1;
  for (std::size_t i = 0; i < kernel_spans.size(); ++i) {
    plan.spans.push_back(PlannedSpan{static_cast<int>(i + 1), nullptr, next_channel, kernel_spans[i]});
    next_channel += kernel_spans[i];
  }
  std::map<int, std::vector<const DynamicSpanDeclaration*>> loc_keys;
  for (const auto& d : cfg.dynamic_spans) {
    if (iequals(d.driver, "loc")) {
      auto parts = split(d.address, ':');
      int key = 0, id = 0;
      if (parts.size() == 3) {
        error("loc span address '" + d.address + "': monitor peers (<key>:<id>:<monitor>) are not supported", d.where);
        continue;
      }
      if (parts.size() != 2 || !parse_int(parts[0], key) || !parse_int(parts[1], id) || key < 0 || id < 0) {
        error("loc span address '" + d.address + "' should be <key>:<id>", d.where);
        continue;
      }
      loc_keys[key].push_back(&d);
    } else if (iequals(d.driver, "sock")) {
      if (d.address.find('\0') != std::string::npos) {
        error("sock span address contains a NUL byte", d.where);
        continue;
      }
    } else if (kernel_spans.empty()) {
      error("dynamic span driver '" + d.driver + "' needs the DAHDI kernel (dahdi_dynamic_" + d.driver +
                "); software spans are 'loc' and 'sock'",
            d.where);
      continue;
    } else {
      continue;  // a kernel dynamic span: dahdi_cfg created it; the kernel reports it among kernel_spans
    }
    plan.spans.push_back(PlannedSpan{static_cast<int>(plan.spans.size() + 1), &d, next_channel, d.channels});
    next_channel += d.channels;
  }
  for (const auto& [key, spans] : loc_keys) {
    if (spans.size() > 2) error("more than two loc spans share key " + std::to_string(key), spans[2]->where);
    if (spans.size() == 2) {
      if (spans[0]->channels != spans[1]->channels)
        error("loc spans with key " + std::to_string(key) + " have " + std::to_string(spans[0]->channels) + " and " +
                  std::to_string(spans[1]->channels) + " channels; back-to-back spans need the same count",
              spans[1]->where);
      if (spans[0]->address == spans[1]->address)
        error("loc span address '" + spans[1]->address + "' used twice (the two ends need different ids)", spans[1]->where);
    }
  }
  for (const auto& s : cfg.spans)
    if (s.span > static_cast<int>(plan.spans.size()))
      error("span " + std::to_string(s.span) + ": no such span (" + std::to_string(plan.spans.size()) +
                " span(s): kernel spans, then one per dynamic= line)",
            s.where);
  for (const auto& [c, decl] : cfg.channels)
    if (!plan.span_of(c))
      error("channel " + std::to_string(c) + " is on no span (channels 1-" + std::to_string(next_channel - 1) + " exist)", decl.where);
  if (!errs.items.empty()) return Unexpected<Errors>{std::move(errs)};
  return plan;
}

}  // namespace telephony::tdm
