// chan_dahdi.conf reading (see tdm/chan_dahdi_conf.hpp for the rules).
#include "telephony/tdm/chan_dahdi_conf.hpp"

#include <array>
#include <charconv>
#include <cstdlib>
#include <functional>

#include "config/text.hpp"

namespace telephony::tdm {

using config::detail::iequals;
using config::detail::trim;

namespace {

bool parse_int(std::string_view s, int& out) {
  s = trim(s);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_double(std::string_view s, double& out) {
  std::string text(trim(s));
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// Options chan_dahdi knows that change nothing in this driver (PRI, SS7, MFC/R2, hardware, jitter
// buffer, SMDI, MWI monitoring ...). Accepted so that real configurations load; listed once each.
constexpr std::string_view kInertOptions[] = {
    "ignore_failed_channels", "buffers", "faxbuffers", "usedistinctiveringdetection", "distinctiveringaftercid",
    "dring1context", "dring2context", "dring3context", "dring1range", "dring2range", "dring3range", "dring1",
    "dring2", "dring3", "threewaysilenthold", "adsi", "usesmdi", "smdiport", "canpark", "echocancelwhenbridged",
    "calledsubscriberheld", "lastnumredial", "dialtone_detect", "faxdetect", "faxdetect_timeout", "echotraining",
    "pulsedial", "callwaitingdeluxe", "progzone", "stripmsd", "jitterbuffers", "namedcallgroup",
    "namedpickupgroup", "immediatering", "transfertobusy", "dialmode", "mwimonitor", "hwrxgain", "hwtxgain",
    "txdrc", "rxdrc", "cid_tag", "useincomingcalleridondahditransfer", "amaflags", "ani_info_digits",
    "ani_wink_time", "ani_timeout", "autoreoriginate", "mwimonitornotify", "mwisendtype", "outsignalling",
    "outsignaling", "pridialplan", "prilocaldialplan", "pricpndialplan", "switchtype", "msn", "nsf",
    "priindication", "priexclusive", "internationalprefix", "nationalprefix", "localprefix", "privateprefix",
    "unknownprefix", "resetinterval", "force_restart_unavailable_chans", "minunused", "minidle", "idleext",
    "idledial", "overlapdial", "qsigchannelmapping", "discardremoteholdretrieval", "service_message_support",
    "inbanddisconnect", "pritimer", "facilityenable", "aoc_enable", "aoce_delayhangup", "hold_disconnect_transfer",
    "moh_signaling", "moh_signalling", "cc_ptmp_recall_mode", "cc_qsig_signaling_link_req",
    "cc_qsig_signaling_link_rsp", "max_call_waiting_calls", "allow_call_waiting_calls", "mwi_mailboxes",
    "mwi_vm_boxes", "mwi_vm_numbers", "append_msn_to_cid_tag", "inband_on_setup_ack", "inband_on_proceeding",
    "display_send", "display_receive", "mcid_send", "datetime_send", "layer1_presence", "layer2_persistence",
    "colp_send", "ss7type", "slc", "linkset", "pointcode", "adjpointcode", "defaultdpc", "cicbeginswith",
    "networkindicator", "sigchan", "mfcr2_variant", "mfcr2_logdir", "mfcr2_category", "mfcr2_logging",
    "mfcr2_max_ani", "mfcr2_max_dnis", "mfcr2_get_ani_first", "mfcr2_call_files", "mfcr2_mfback_timeout",
    "mfcr2_metering_pulse_timeout", "mfcr2_allow_collect_calls", "mfcr2_double_answer", "mfcr2_immediate_accept",
    "mfcr2_accept_on_offer", "mfcr2_charge_calls", "mfcr2_forced_release", "mfcr2_skip_category",
    "defaultcic", "defaultozz", "mwilevel", "dtmfcidlevel", "cc_agent_policy", "cc_monitor_policy"};

bool is_inert(std::string_view name) {
  for (auto n : kInertOptions)
    if (iequals(n, name)) return true;
  // Other PRI/SS7/MFC-R2 knobs share these prefixes.
  for (std::string_view prefix : {"ss7_", "mfcr2_", "jb", "cc_"})
    if (name.size() > prefix.size() && iequals(name.substr(0, prefix.size()), prefix)) return true;
  return false;
}

struct SignallingName {
  std::string_view name;
  Signalling sig;
  bool wink;
};
constexpr std::array<SignallingName, 9> kSupported{{
    {"fxs_ls", Signalling::FxsLs, false},
    {"fxs_gs", Signalling::FxsGs, false},
    {"fxs_ks", Signalling::FxsKs, false},
    {"fxo_ls", Signalling::FxoLs, false},
    {"fxo_gs", Signalling::FxoGs, false},
    {"fxo_ks", Signalling::FxoKs, false},
    {"em", Signalling::Em, false},
    {"em_w", Signalling::Em, true},
    {"em_e1", Signalling::EmE1, false},
}};
constexpr std::string_view kUnsupportedSignalling[] = {
    "fxs_rx", "fxo_rx", "fxs_tx", "fxo_tx", "em_rx", "em_tx", "em_rxtx", "em_txrx", "sf", "sf_w", "sf_featd",
    "sf_featdmf", "sf_featb", "sf_rx", "sf_tx", "sf_rxtx", "sf_txrx", "featd", "featdmf", "featdmf_ta", "e911",
    "fgccama", "fgccamamf", "featb", "pri_net", "pri_cpe", "bri_cpe", "bri_net", "bri_cpe_ptmp", "bri_net_ptmp",
    "qsig", "ss7", "mfcr2"};

class Reader {
 public:
  Result<ChanDahdiConfig, Errors> run(const config::ConfigFile& file) {
    DahdiChannelSettings base;
    for (const auto* s : file.sections_named("channels")) section(*s, base, true);
    for (const auto& s : file.sections) {
      if (s.is_template) continue;
      if (iequals(s.name, "channels") || iequals(s.name, "general") || iequals(s.name, "globals")) continue;
      if (iequals(s.name, "trunkgroups")) {
        for (const auto& e : s.entries)
          warn("[trunkgroups] '" + e.name + "' ignored (PRI trunk groups are not supported)", e.where);
        continue;
      }
      if (!s.find("dahdichan")) {
        warn("section [" + s.name + "] has no dahdichan= line and configures nothing", s.where);
        continue;
      }
      DahdiChannelSettings conf = base;  // [channels] as it ended
      section(s, conf, false);
    }
    if (!errs_.items.empty()) return Unexpected<Errors>{std::move(errs_)};
    return std::move(out_);
  }

 private:
  void error(std::string m, const config::Location& w) { errs_.items.push_back(Error{std::move(m), w.to_string()}); }
  void warn(std::string m, const config::Location& w) { out_.warnings.push_back(Error{std::move(m), w.to_string()}); }

  void section(const config::Section& s, DahdiChannelSettings& conf, bool channels_section) {
    const config::Entry* dahdichan = nullptr;
    for (const auto& e : s.entries) {
      if (iequals(e.name, "channel") || iequals(e.name, "channels")) {
        if (!channels_section) {
          warn("'" + e.name + " => " + e.value + "' ignored outside [channels] (use dahdichan=)", e.where);
          continue;
        }
        build_channels(conf, e.value, e.where);
      } else if (iequals(e.name, "dahdichan")) {
        dahdichan = &e;  // only the last one counts, after all the section's settings
      } else {
        option(conf, e);
      }
    }
    if (dahdichan) build_channels(conf, dahdichan->value, dahdichan->where);
  }

  void build_channels(const DahdiChannelSettings& conf, std::string_view value, const config::Location& where) {
    if (iequals(trim(value), "pseudo")) return;  // pseudo channels exist implicitly
    auto list = parse_channel_list(value);
    if (!list) return error(list.error().message, where);
    for (int c : *list) {
      auto [it, fresh] = out_.channels.try_emplace(c, conf);
      if (!fresh) {
        error("channel " + std::to_string(c) + " already configured at " + it->second.where.to_string(), where);
        continue;
      }
      it->second.channel = c;
      it->second.where = where;
    }
  }

  void option(DahdiChannelSettings& c, const config::Entry& e) {
    const std::string& n = e.name;
    const std::string& v = e.value;
    auto flag = [&](bool& field) { field = config::is_true_word(v); };
    auto integer = [&](int& field, int lo, int hi) {
      int x = 0;
      if (!parse_int(v, x) || x < lo || x > hi)
        return error(n + " needs a number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", not '" + v + "'", e.where);
      field = x;
    };
    auto gain = [&](double& field) {
      double x = 0;
      if (!parse_double(v, x) || x < -100 || x > 100) return error(n + " needs a gain in dB, not '" + v + "'", e.where);
      field = x;
    };
    auto group = [&](std::uint64_t& field) {
      if (iequals(v, "none")) return void(field = 0);
      auto g = parse_group_list(v);
      if (!g) return error(n + ": " + g.error().message, e.where);
      field = *g;
    };
    // Per-channel settings.
    if (iequals(n, "signalling") || iequals(n, "signaling")) return signalling(c, e);
    if (iequals(n, "context")) return void(c.context = v);
    if (iequals(n, "language")) return void(c.language = v);
    if (iequals(n, "mohinterpret") || iequals(n, "musiconhold") || iequals(n, "musicclass")) return void(c.mohinterpret = v);
    if (iequals(n, "mohsuggest")) return void(c.mohsuggest = v);
    if (iequals(n, "description")) return void(c.description = v);
    if (iequals(n, "accountcode")) return void(c.accountcode = v);
    if (iequals(n, "mailbox")) return void(c.mailbox = v);
    if (iequals(n, "parkinglot")) return void(c.parkinglot = v);
    if (iequals(n, "group")) return group(c.group);
    if (iequals(n, "callgroup")) return group(c.callgroup);
    if (iequals(n, "pickupgroup")) return group(c.pickupgroup);
    if (iequals(n, "callerid")) {
      if (iequals(v, "asreceived")) {
        c.callerid = {};
        c.callerid_asreceived = true;
      } else {
        c.callerid = CallerId::parse(v);
        c.callerid_asreceived = false;
      }
      return;
    }
    if (iequals(n, "fullname")) return void(c.callerid.name = v);
    if (iequals(n, "cid_number")) return void(c.callerid.number = v);
    if (iequals(n, "usecallerid")) return flag(c.usecallerid);
    if (iequals(n, "cidsignalling")) return cid_signalling(c, e);
    if (iequals(n, "cidstart")) return cid_start(c, e);
    if (iequals(n, "hidecallerid")) return flag(c.hidecallerid);
    if (iequals(n, "hidecalleridname")) return flag(c.hidecalleridname);
    if (iequals(n, "restrictcid")) return flag(c.restrictcid);
    if (iequals(n, "usecallingpres")) return flag(c.usecallingpres);
    if (iequals(n, "sendcalleridafter")) return integer(c.sendcalleridafter, 0, 16);
    if (iequals(n, "callwaiting")) return flag(c.callwaiting);
    if (iequals(n, "callwaitingcallerid")) return flag(c.callwaitingcallerid);
    if (iequals(n, "threewaycalling")) return flag(c.threewaycalling);
    if (iequals(n, "transfer")) return flag(c.transfer);
    if (iequals(n, "cancallforward")) return flag(c.cancallforward);
    if (iequals(n, "callreturn")) return flag(c.callreturn);
    if (iequals(n, "immediate")) return flag(c.immediate);
    if (iequals(n, "relaxdtmf")) return flag(c.relaxdtmf);
    if (iequals(n, "busydetect")) return flag(c.busydetect);
    if (iequals(n, "busycount")) return integer(c.busycount, 1, 100);
    if (iequals(n, "busypattern")) return busy_pattern(c, e);
    if (iequals(n, "callprogress")) return flag(c.callprogress);
    if (iequals(n, "answeronpolarityswitch")) return flag(c.answeronpolarityswitch);
    if (iequals(n, "hanguponpolarityswitch")) return flag(c.hanguponpolarityswitch);
    if (iequals(n, "polarityonanswerdelay")) return integer(c.polarityonanswerdelay, 0, 60000);
    if (iequals(n, "waitfordialtone")) return integer(c.waitfordialtone, 0, 60000);
    if (iequals(n, "rxgain")) return gain(c.rxgain);
    if (iequals(n, "txgain")) return gain(c.txgain);
    if (iequals(n, "cid_rxgain")) return gain(c.cid_rxgain);
    if (iequals(n, "tonezone")) return void(c.tonezone = v);
    if (iequals(n, "firstdigit_timeout")) return integer(c.firstdigit_timeout, 1, 3600000);
    if (iequals(n, "interdigit_timeout")) return integer(c.interdigit_timeout, 1, 3600000);
    if (iequals(n, "matchdigit_timeout")) return integer(c.matchdigit_timeout, 1, 3600000);
    if (iequals(n, "flash")) return integer(c.flash, 1, 10000);
    if (iequals(n, "rxflash")) return integer(c.rxflash, 1, 10000);
    if (iequals(n, "rxwink")) return integer(c.rxwink, 1, 10000);
    if (iequals(n, "wink")) return integer(c.wink, 1, 10000);
    if (iequals(n, "start")) return integer(c.start, 1, 10000);
    if (iequals(n, "debounce")) return integer(c.debounce, 1, 10000);
    if (iequals(n, "prewink")) return integer(c.prewink, 0, 10000);
    if (iequals(n, "blocksize")) {
      integer(c.blocksize, 10, 40);
      if (c.blocksize % 5 != 0) error("blocksize must be a multiple of 5 ms (10..40)", e.where);
      return;
    }
    if (iequals(n, "preflash")) return integer(c.preflash, 0, 10000);
    if (iequals(n, "echocancel")) {
      // yes/no or a tap count: any non-"no" value asks for echo cancellation.
      c.echocancel = !config::is_false_word(v);
      return;
    }
    if (iequals(n, "setvar")) {
      auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return error("setvar needs name=value, not '" + v + "'", e.where);
      c.setvar.emplace_back(v.substr(0, eq), v.substr(eq + 1));
      return;
    }
    // Global settings.
    if (iequals(n, "cadence")) {
      auto cad = parse_dahdi_cadence(v);
      if (!cad) return error("cadence: " + cad.error().message, e.where);
      if (out_.cadences.size() >= 24) return error("too many cadences (24 at most)", e.where);
      out_.cadences.push_back(std::move(*cad));
      return;
    }
    if (iequals(n, "ringtimeout")) return integer(out_.ringtimeout, 100, 600000);
    if (iequals(n, "toneduration")) return integer(out_.toneduration, 40, 10000);
    if (iequals(n, "reportalarms")) {
      if (iequals(v, "all")) out_.reportalarms = kReportChannels | kReportSpans;
      else if (iequals(v, "none")) out_.reportalarms = 0;
      else if (iequals(v, "channels")) out_.reportalarms = kReportChannels;
      else if (iequals(v, "spans")) out_.reportalarms = kReportSpans;
      else error("reportalarms must be all, none, channels or spans, not '" + v + "'", e.where);
      return;
    }
    if (is_inert(n)) return warn("option '" + n + "' has no effect in this driver", e.where);
    error("unknown option '" + n + "'", e.where);
  }

  void signalling(DahdiChannelSettings& c, const config::Entry& e) {
    if (iequals(e.value, "auto")) {
      c.signalling.reset();
      c.em_wink = false;
      return;
    }
    for (const auto& s : kSupported)
      if (iequals(e.value, s.name)) {
        c.signalling = s.sig;
        c.em_wink = s.wink;
        return;
      }
    for (auto u : kUnsupportedSignalling)
      if (iequals(e.value, u))
        return error("signalling=" + e.value + " is not supported by this driver (analog fxs_*/fxo_* and E&M em/em_w/em_e1 are)", e.where);
    error("unknown signalling '" + e.value + "'", e.where);
  }

  void cid_signalling(DahdiChannelSettings& c, const config::Entry& e) {
    const auto& v = e.value;
    if (iequals(v, "bell")) c.cidsignalling = CidSignalling::Bell;
    else if (iequals(v, "v23")) c.cidsignalling = CidSignalling::V23;
    else if (iequals(v, "v23_jp")) error("cidsignalling=v23_jp (Japanese J-CLIP) is not supported; bell, v23 and dtmf are", e.where);
    else if (iequals(v, "dtmf")) c.cidsignalling = CidSignalling::Dtmf;
    else if (iequals(v, "smdi")) error("cidsignalling=smdi needs an SMDI link, which this driver does not have", e.where);
    else if (config::is_true_word(v)) c.cidsignalling = CidSignalling::Bell;
    else error("cidsignalling must be bell, v23, v23_jp or dtmf, not '" + v + "'", e.where);
  }

  void cid_start(DahdiChannelSettings& c, const config::Entry& e) {
    const auto& v = e.value;
    if (iequals(v, "ring")) c.cidstart = CidStart::Ring;
    else if (iequals(v, "polarity")) c.cidstart = CidStart::Polarity;
    else if (iequals(v, "polarity_in")) c.cidstart = CidStart::PolarityIn;
    else if (iequals(v, "dtmf")) c.cidstart = CidStart::Dtmf;
    else if (config::is_true_word(v)) c.cidstart = CidStart::Ring;
    else error("cidstart must be ring, polarity, polarity_in or dtmf, not '" + v + "'", e.where);
  }

  void busy_pattern(DahdiChannelSettings& c, const config::Entry& e) {
    std::vector<int> pattern;
    std::string_view rest = e.value;
    while (true) {
      auto comma = rest.find(',');
      int ms = 0;
      if (!parse_int(rest.substr(0, comma), ms) || ms < 1 || ms > 10000)
        return error("busypattern needs tone,silence[,tone,silence] in ms, not '" + e.value + "'", e.where);
      pattern.push_back(ms);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    if (pattern.size() != 2 && pattern.size() != 4)
      return error("busypattern needs 2 or 4 durations, not " + std::to_string(pattern.size()), e.where);
    c.busypattern = std::move(pattern);
  }

  ChanDahdiConfig out_;
  Errors errs_;
};

}  // namespace

std::string_view to_string(CidSignalling s) {
  switch (s) {
    case CidSignalling::Bell: return "bell";
    case CidSignalling::V23: return "v23";
    case CidSignalling::V23Jp: return "v23_jp";
    case CidSignalling::Dtmf: return "dtmf";
    case CidSignalling::Smdi: return "smdi";
  }
  return "bell";
}

Result<std::uint64_t> parse_group_list(std::string_view text) {
  std::uint64_t bits = 0;
  while (true) {
    auto comma = text.find(',');
    auto piece = trim(text.substr(0, comma));
    int from = 0, to = 0;
    if (auto dash = piece.find('-'); dash != std::string_view::npos) {
      if (!parse_int(piece.substr(0, dash), from) || !parse_int(piece.substr(dash + 1), to))
        return fail("syntax error in group range '" + std::string(piece) + "'");
    } else if (!parse_int(piece, from)) {
      return fail("group '" + std::string(piece) + "' is not a number");
    } else {
      to = from;
    }
    if (from < 0 || to > 63 || from > to) return fail("group '" + std::string(piece) + "' outside 0..63");
    for (int g = from; g <= to; ++g) bits |= std::uint64_t{1} << g;
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return bits;
}

Result<RingCadence> parse_dahdi_cadence(std::string_view text) {
  RingCadence out;
  int cid_index = -1;
  std::string_view rest = text;
  while (true) {
    auto comma = rest.find(',');
    int ms = 0;
    if (!parse_int(rest.substr(0, comma), ms)) return fail("'" + std::string(text) + "' is not a list of durations in ms");
    if (ms == 0) return fail("ring or silence duration cannot be zero");
    if (ms < 0) {
      if (out.pattern.size() % 2 == 0) return fail("a ring duration cannot be negative (only one pause may be, to mark caller ID)");
      if (cid_index >= 0) return fail("caller ID position specified twice");
      cid_index = static_cast<int>(out.pattern.size());
      ms = -ms;
    }
    out.pattern.push_back(ms);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (out.pattern.size() % 2 == 1) return fail("must be a silence duration for each ring duration");
  if (out.pattern.size() > 16) return fail("at most 8 ring/silence pairs");
  out.cid_after_ring = cid_index < 0 ? 1 : (cid_index + 1) / 2;
  return out;
}

const std::vector<RingCadence>& builtin_cadences() {
  static const std::vector<RingCadence> kCadences{
      {{125, 125, 2000, 4000}, 2},
      {{250, 250, 500, 1000, 250, 250, 500, 4000}, 4},
      {{125, 125, 125, 125, 125, 4000}, 3},
      {{1000, 500, 2500, 5000}, 2},
  };
  return kCadences;
}

Result<ChanDahdiConfig, Errors> parse_chan_dahdi(const config::ConfigFile& file) { return Reader{}.run(file); }

}  // namespace telephony::tdm
