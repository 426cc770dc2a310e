// console.conf reading (see console/console_conf.hpp).
#include "telephony/console/console_conf.hpp"

#include <charconv>

#include "config/text.hpp"

namespace telephony::console {

using config::detail::iequals;

namespace {

class Reader {
 public:
  Result<ConsoleConfig, Errors> run(const config::ConfigFile& file) {
    ConsoleDeviceConfig defaults;
    for (const auto* g : file.sections_named("general"))
      for (const auto& e : g->entries) option(defaults, e, true);
    bool any = false;
    const config::Entry* active_entry = nullptr;
    for (const auto& s : file.sections) {
      if (s.is_template || iequals(s.name, "general")) continue;
      any = true;
      ConsoleDeviceConfig dev = defaults;
      dev.name = s.name;
      dev.where = s.where;
      for (const auto& e : s.entries) {
        if (iequals(e.name, "active")) {
          if (config::is_true_word(e.value)) {
            if (active_entry) error("two active devices ('" + out_.active + "' at " + active_entry->where.to_string() + ")", e.where);
            active_entry = &e;
            out_.active = s.name;
          }
          continue;
        }
        option(dev, e, false);
      }
      for (const auto& d : out_.devices)
        if (iequals(d.name, dev.name)) error("device [" + dev.name + "] defined twice", s.where);
      out_.devices.push_back(std::move(dev));
    }
    if (!any) out_.devices.push_back(defaults);  // the implicit Console/dsp
    if (out_.active.empty()) out_.active = out_.find("dsp") ? "dsp" : out_.devices.front().name;
    if (!errs_.items.empty()) return Unexpected<Errors>{std::move(errs_)};
    return std::move(out_);
  }

 private:
  void error(std::string m, const config::Location& w) { errs_.items.push_back(Error{std::move(m), w.to_string()}); }

  void option(ConsoleDeviceConfig& d, const config::Entry& e, bool general) {
    const auto& n = e.name;
    const auto& v = e.value;
    auto number = [&](int lo, int hi, int& out) {
      int x = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
      if (ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi)
        return error(n + " needs a number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", not '" + v + "'", e.where);
      out = x;
    };
    if (iequals(n, "input_device")) d.input_device = v;
    else if (iequals(n, "output_device")) d.output_device = v;
    else if (iequals(n, "autoanswer")) d.autoanswer = config::is_true_word(v);
    else if (iequals(n, "context")) d.context = v;
    else if (iequals(n, "extension")) d.extension = v;
    else if (iequals(n, "callerid")) d.callerid = CallerId::parse(v);
    else if (iequals(n, "language")) d.language = v;
    else if (iequals(n, "mohinterpret")) d.mohinterpret = v;
    else if (iequals(n, "parkinglot")) d.parkinglot = v;
    else if (iequals(n, "overridecontext")) d.overridecontext = config::is_true_word(v);
    else if (iequals(n, "echocancel")) d.echocancel = config::is_true_word(v);
    else if (iequals(n, "noisesuppress")) d.noisesuppress = config::is_true_word(v);
    else if (iequals(n, "echotail")) number(32, 500, d.echotail_ms);
    else if (iequals(n, "samplerate")) {
      int rate = 0;
      number(8000, 48000, rate);
      if (rate != 8000 && rate != 16000 && rate != 48000 && rate != 0)
        error("samplerate must be 8000, 16000 or 48000, not '" + v + "'", e.where);
      else if (rate) d.samplerate = static_cast<unsigned>(rate);
    } else if (iequals(n, "active") && general) error("active is only valid as a per-device setting", e.where);
    else if (n.size() > 2 && iequals(n.substr(0, 2), "jb"))
      out_.warnings.push_back(Error{"'" + n + "' has no effect (the console is not a network channel)", e.where.to_string()});
    else error("unknown option '" + n + "'", e.where);
  }

  ConsoleConfig out_;
  Errors errs_;
};

}  // namespace

const ConsoleDeviceConfig* ConsoleConfig::find(std::string_view name) const {
  for (const auto& d : devices)
    if (iequals(d.name, name)) return &d;
  return nullptr;
}

Result<ConsoleConfig, Errors> parse_console_conf(const config::ConfigFile& file) { return Reader{}.run(file); }

}  // namespace telephony::console
