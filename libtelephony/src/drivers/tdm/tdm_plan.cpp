// Resolving system.conf + chan_dahdi.conf + indications.conf into a TdmPlan (see tdm_system.hpp).
#include <optional>
#include <sstream>

#include "config/text.hpp"
#include "tdm_system.hpp"
#include "telephony/config/module_config.hpp"

namespace telephony::tdm {

using config::detail::iequals;

namespace {

struct Collector {
  Errors errs;
  void add(const Errors& e) { errs.items.insert(errs.items.end(), e.items.begin(), e.items.end()); }
  void add(std::string m, const config::Location& w) { errs.items.push_back(Error{std::move(m), w.to_string()}); }
};

std::optional<std::filesystem::path> find_system_conf(const std::filesystem::path& dir) {
  for (auto p : {dir / "system.conf", dir / "dahdi" / "system.conf"})
    if (std::filesystem::exists(p)) return p;
  return std::nullopt;
}

Law default_law(const std::string& framing) {
  // DAHDI's default: A-law on E1 (CAS/CCS framing), µ-law on T1 and analog.
  return iequals(framing, "cas") || iequals(framing, "ccs") ? Law::Alaw : Law::Ulaw;
}

PortTiming timing_of(const DahdiChannelSettings& s) {
  PortTiming t;
  auto set = [](int& field, int v) {
    if (v >= 0) field = v;
  };
  set(t.flash, s.flash);
  set(t.rxflash, s.rxflash);
  set(t.rxwink, s.rxwink);
  set(t.wink, s.wink);
  set(t.start, s.start);
  set(t.debounce, s.debounce);
  set(t.prewink, s.prewink);
  set(t.preflash, s.preflash);
  return t;
}

}  // namespace

Result<TdmPlan, Errors> plan_tdm(const std::filesystem::path& config_dir, const std::filesystem::path& run_dir,
                                 const KernelInventory& kernel) {
  Collector c;
  TdmPlan plan;
  auto sys_path = find_system_conf(config_dir);
  if (!sys_path) {
    c.add("no system.conf in " + config_dir.string() +
              " (chan_dahdi.conf needs the span layout: declare software spans with dynamic=loc|sock)",
          config::Location{(config_dir / "chan_dahdi.conf").string(), 0});
    return Unexpected<Errors>{std::move(c.errs)};
  }
  // Every file is read even when an earlier one has errors: --check-config shows them all.
  auto sys = load_system_conf(*sys_path);
  if (!sys) c.add(sys.error());
  auto dahdi_file = config::load_module_config(config_dir, "chan_dahdi.conf");
  if (!dahdi_file) c.add(dahdi_file.error());
  std::optional<ChanDahdiConfig> dahdi;
  if (dahdi_file) {
    auto parsed = parse_chan_dahdi(*dahdi_file);
    if (parsed) dahdi = std::move(*parsed);
    else c.add(parsed.error());
  }
  if (!sys) return Unexpected<Errors>{std::move(c.errs)};
  plan.warnings = sys->warnings;
  std::vector<int> kernel_counts;
  for (const auto& k : kernel.spans) kernel_counts.push_back(k.channels);
  auto layout = plan_spans(*sys, kernel_counts);
  if (!layout) c.add(layout.error());

  media::Indications ind = media::builtin_indications();
  if (config::find_module_config(config_dir, "indications.conf")) {
    auto file = config::load_module_config(config_dir, "indications.conf");
    if (!file) c.add(file.error());
    else if (auto parsed = media::parse_indications(*file); !parsed) c.add(parsed.error());
    else ind = std::move(*parsed);
  }
  for (const auto& [zone, where] : sys->load_zones)
    if (!ind.find(zone)) c.add("no such tone zone known: " + zone + " (indications.conf or the built-in zones)", where);
  if (!sys->default_zone.empty() && !ind.find(sys->default_zone))
    c.add("no such tone zone known: " + sys->default_zone, sys->default_zone_where);
  if (!layout || !dahdi) return Unexpected<Errors>{std::move(c.errs)};
  for (const auto& w : dahdi->warnings) plan.warnings.push_back(w);
  plan.reportalarms = dahdi->reportalarms;

  // Spans, with the framing of their span= line and each channel's law.
  std::ostringstream key;
  for (const auto& ps : layout->spans) {
    PlannedSpanSetup s;
    s.number = ps.number;
    s.first_channel = ps.first_channel;
    s.channels = ps.channels;
    if (!ps.dynamic) {
      s.kind = PlannedSpanSetup::Kind::Kernel;
      const auto& k = kernel.spans[static_cast<std::size_t>(ps.number - 1)];
      s.framing = k.framing;
      s.coding = k.coding;
      s.law = k.law;
    } else if (iequals(ps.dynamic->driver, "loc")) {
      s.kind = PlannedSpanSetup::Kind::Loc;
      const auto colon = ps.dynamic->address.find(':');
      s.loc.key = std::stoi(ps.dynamic->address.substr(0, colon));
      s.loc.id = std::stoi(ps.dynamic->address.substr(colon + 1));
      s.timing = ps.dynamic->timing;
    } else {
      s.kind = PlannedSpanSetup::Kind::Sock;
      std::filesystem::path dir = ps.dynamic->address;
      s.socket_dir = dir.is_absolute() ? dir : run_dir / "tdm" / dir;
      s.timing = ps.dynamic->timing;
    }
    for (const auto& decl : sys->spans)
      if (decl.span == s.number) {
        s.framing = decl.framing == "d4" || decl.framing == "esf" || decl.framing == "ccs" ? decl.framing : "cas";
        for (auto& ch : s.framing) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        s.coding = decl.coding;
        for (auto& ch : s.coding) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        s.timing = decl.timing;
        if (s.kind != PlannedSpanSetup::Kind::Kernel) s.law = default_law(decl.framing);
      }
    for (int i = 0; i < s.channels; ++i) {
      Law law = s.law;
      if (auto it = sys->channels.find(s.first_channel + i); it != sys->channels.end()) {
        if (it->second.law == LawOverride::Alaw) law = Law::Alaw;
        if (it->second.law == LawOverride::Ulaw) law = Law::Ulaw;
      }
      s.channel_laws.push_back(law);
    }
    key << s.number << ':' << static_cast<int>(s.kind) << ':' << s.first_channel << ':' << s.channels << ':'
        << s.socket_dir.string() << ':' << s.loc.key << '.' << s.loc.id << ';';
    plan.spans.push_back(std::move(s));
  }

  const auto& cadences = dahdi->cadences.empty() ? builtin_cadences() : dahdi->cadences;
  for (const auto& [chan, settings] : dahdi->channels) {
    const auto* span = layout->span_of(chan);
    auto decl = sys->channels.find(chan);
    if (!span) {
      c.add("channel " + std::to_string(chan) + " does not exist (system.conf declares channels 1-" +
                std::to_string(layout->spans.empty() ? 0 : layout->spans.back().first_channel + layout->spans.back().channels - 1) + ")",
            settings.where);
      continue;
    }
    Signalling sig = Signalling::Unused;
    if (decl != sys->channels.end()) sig = decl->second.signalling;
    if (decl == sys->channels.end() || sig == Signalling::Unused) {
      c.add("channel " + std::to_string(chan) + " has no signalling in system.conf (add e.g. fxoks=" + std::to_string(chan) + ")",
            settings.where);
      continue;
    }
    if (!is_analog(sig)) {
      c.add("channel " + std::to_string(chan) + " is a " + std::string(signalling_description(sig)) + " channel (" +
                decl->second.where.to_string() + "); this driver runs analog (fxs/fxo) and E&M channels",
            settings.where);
      continue;
    }
    if (settings.signalling && *settings.signalling != sig) {
      c.add("signalling requested on channel " + std::to_string(chan) + " is " +
                std::string(signalling_description(*settings.signalling)) + " but line is in " +
                std::string(signalling_description(sig)) + " signalling (" + decl->second.where.to_string() + ")",
            settings.where);
      continue;
    }
    const auto& span_setup = plan.spans[static_cast<std::size_t>(span->number - 1)];
    auto cfg = std::make_shared<LineConfig>();
    cfg->settings = settings;
    cfg->signalling = sig;
    cfg->em_wink = settings.em_wink;
    cfg->span = span->number;
    cfg->law = span_setup.channel_laws[static_cast<std::size_t>(chan - span->first_channel)];
    cfg->timing = timing_of(settings);
    cfg->cadences = cadences;
    cfg->ringtimeout = dahdi->ringtimeout;
    cfg->toneduration = dahdi->toneduration;
    cfg->block_ms = settings.blocksize;
    cfg->reportalarms = dahdi->reportalarms;
    cfg->echocanceller = decl->second.echocanceller;
    // Tone zone: tonezone= (a zone name, or a DAHDI zone number = position among loadzone=
    // lines), else system.conf defaultzone=, else indications.conf's country.
    std::string zone = ind.default_country;
    if (!sys->default_zone.empty()) zone = sys->default_zone;
    if (!settings.tonezone.empty()) {
      zone = settings.tonezone;
      if (std::all_of(zone.begin(), zone.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        const auto n = static_cast<std::size_t>(std::stoul(zone));
        if (n >= sys->load_zones.size()) {
          c.add("tonezone " + zone + ": system.conf loads " + std::to_string(sys->load_zones.size()) + " zone(s)", settings.where);
          continue;
        }
        zone = sys->load_zones[n].first;
      }
    }
    const auto* z = ind.find(zone);
    if (!z) {
      c.add("no such tone zone known: " + zone, settings.where);
      continue;
    }
    cfg->zone = *z;
    plan.lines.emplace(chan, std::move(cfg));
    key << 'c' << chan << ':' << static_cast<int>(sig) << ';';
  }
  plan.layout_key = key.str();
  if (!c.errs.items.empty()) return Unexpected<Errors>{std::move(c.errs)};
  return plan;
}

}  // namespace telephony::tdm
