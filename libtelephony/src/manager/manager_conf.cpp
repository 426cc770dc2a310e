// manager.conf -> ManagerConfig. Strict on purpose: a key we do not know or a value we cannot
// read is an error naming file:line, so a typo never silently weakens security (an ACL or a
// read= class that would otherwise be ignored).
#include <algorithm>
#include <cctype>
#include <charconv>

#include "telephony/manager/module.hpp"

namespace telephony::manager {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    const auto comma = v.find(',', pos);
    auto w = trim(v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (!w.empty()) out.push_back(std::move(w));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

class Reader {
 public:
  explicit Reader(Errors& errors) : errors_(errors) {}

  void error(const config::Entry& e, std::string message) {
    errors_.items.push_back({std::move(message), e.where.to_string()});
  }
  bool boolean(const config::Entry& e, bool& out) {
    if (config::is_true_word(e.value)) out = true;
    else if (config::is_false_word(e.value)) out = false;
    else {
      error(e, "'" + e.name + "' must be yes or no, not '" + e.value + "'");
      return false;
    }
    return true;
  }
  template <class T>
  bool number(const config::Entry& e, T& out, long long min, long long max) {
    long long v = 0;
    const auto text = trim(e.value);
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < min || v > max) {
      error(e, "'" + e.name + "' must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                   ", not '" + e.value + "'");
      return false;
    }
    out = static_cast<T>(v);
    return true;
  }
  bool privileges(const config::Entry& e, PrivilegeSet& out) {
    auto p = PrivilegeSet::parse(e.value);
    if (!p) {
      error(e, "'" + e.name + "': " + p.error().message);
      return false;
    }
    out = *p;
    return true;
  }
  // "addr" or "addr:port" / "[v6]:port".
  bool address(const config::Entry& e, std::string& addr, std::uint16_t& port) {
    std::string v = trim(e.value);
    std::string host = v;
    std::string port_text;
    if (!v.empty() && v.front() == '[') {
      const auto close = v.find(']');
      if (close == std::string::npos) {
        error(e, "'" + e.name + "': unterminated '[' in '" + v + "'");
        return false;
      }
      host = v.substr(1, close - 1);
      if (close + 1 < v.size()) {
        if (v[close + 1] != ':') {
          error(e, "'" + e.name + "': expected ':port' after ']' in '" + v + "'");
          return false;
        }
        port_text = v.substr(close + 2);
      }
    } else if (std::count(v.begin(), v.end(), ':') == 1) {
      host = v.substr(0, v.find(':'));
      port_text = v.substr(v.find(':') + 1);
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) {
      error(e, "'" + e.name + "': '" + host + "' is not an IP address");
      return false;
    }
    addr = host;
    if (!port_text.empty()) {
      config::Entry p = e;
      p.value = port_text;
      if (!number(p, port, 1, 65535)) return false;
    }
    return true;
  }

 private:
  Errors& errors_;
};

void read_general(const config::Section& sec, ManagerConfig& cfg, Reader& r) {
  auto& o = cfg.options;
  for (const auto& e : sec.entries) {
    const std::string k = lower(e.name);
    if (k == "enabled") r.boolean(e, o.enabled);
    else if (k == "port") r.number(e, o.port, 0, 65535);
    else if (k == "bindaddr") {
      std::uint16_t ignored = o.port;
      std::string addr;
      if (r.address(e, addr, ignored)) o.bindaddr = addr;
    } else if (k == "tlsenable" || k == "sslenable") r.boolean(e, o.tls_enabled);
    else if (k == "tlsbindaddr" || k == "sslbindaddr") r.address(e, o.tls_bindaddr, o.tls_port);
    else if (k == "tlscertfile" || k == "sslcert") o.tls_cert_file = e.value;
    else if (k == "tlsprivatekey") o.tls_private_key = e.value;
    else if (k == "timestampevents") r.boolean(e, o.timestampevents);
    else if (k == "displayconnects") r.boolean(e, o.displayconnects);
    else if (k == "allowmultiplelogin") r.boolean(e, o.allowmultiplelogin);
    else if (k == "authtimeout") {
      int s = 0;
      if (r.number(e, s, 1, 3600)) o.authtimeout = std::chrono::seconds(s);
    } else if (k == "authlimit") r.number(e, o.authlimit, 1, 100000);
    else if (k == "channelvars") o.channelvars = split_list(e.value);
    else if (k == "disabledevents") o.disabledevents = split_list(e.value);
    else if (k == "allowedfunctions") {
      cfg.actions.allowed_functions.clear();
      for (auto& f : split_list(e.value)) {
        std::string up = f;
        for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        cfg.actions.allowed_functions.push_back(up);
      }
    } else if (k == "originateapplications") {
      cfg.actions.originate_applications.clear();
      for (auto& a : split_list(e.value)) cfg.actions.originate_applications.push_back(a);
    } else if (k == "webenabled") {
      bool on = false;
      if (r.boolean(e, on) && on) r.error(e, "AMI over HTTP (webenabled = yes) is not supported");
    } else if (k == "debug" || k == "httptimeout") {
      // Asterisk tuning knobs with no meaning here; accepted so stock files load.
    } else {
      r.error(e, "unknown option '" + e.name + "' in [general]");
    }
  }
  if (o.tls_enabled && o.tls_cert_file.empty())
    r.error(config::Entry{"tlsenable", "yes", false, sec.where}, "tlsenable = yes needs tlscertfile");
}

void read_user(const config::Section& sec, UserOptions& u, Reader& r) {
  u.name = sec.name;
  bool has_secret = false;
  for (const auto& e : sec.entries) {
    const std::string k = lower(e.name);
    if (k == "secret") {
      u.secret = e.value;
      has_secret = true;
    } else if (k == "permit" || k == "deny") {
      auto rule = AclRule::parse(k == "permit", trim(e.value));
      if (!rule) r.error(e, "'" + e.name + "': " + rule.error().message);
      else u.acl.push_back(*rule);
    } else if (k == "read") r.privileges(e, u.read);
    else if (k == "write") r.privileges(e, u.write);
    else if (k == "writetimeout") {
      int ms = 0;
      if (r.number(e, ms, 100, 600000)) u.writetimeout = std::chrono::milliseconds(ms);
    } else if (k == "eventfilter" || k.rfind("eventfilter(", 0) == 0) {
      // Legacy `eventfilter = regex` or advanced `eventfilter(action(...),name(...)) = pattern`.
      auto f = EventFilter::parse(std::string_view(e.name).substr(11), e.value);
      if (!f) r.error(e, "bad eventfilter: " + f.error().message);
      else u.eventfilters.push_back(std::move(*f));
    } else if (k == "setvar") {
      const auto eq = e.value.find('=');
      if (eq == std::string::npos || eq == 0) r.error(e, "setvar must be NAME=value, not '" + e.value + "'");
      else u.setvar.emplace_back(trim(e.value.substr(0, eq)), trim(e.value.substr(eq + 1)));
    } else {
      r.error(e, "unknown option '" + e.name + "' for manager user [" + sec.name + "]");
    }
  }
  if (!has_secret)
    r.error(config::Entry{"secret", "", false, sec.where}, "manager user [" + sec.name + "] has no secret");
}

}  // namespace

Result<ManagerConfig, Errors> parse_manager_config(const config::ConfigFile& file) {
  ManagerConfig cfg;
  Errors errors;
  Reader r(errors);
  bool seen_general = false;
  for (const auto& sec : file.sections) {
    if (sec.is_template) continue;
    if (lower(sec.name) == "general") {
      if (seen_general) {
        errors.items.push_back({"[general] appears twice (use [general](+) to extend it)", sec.where.to_string()});
        continue;
      }
      seen_general = true;
      read_general(sec, cfg, r);
      continue;
    }
    const bool duplicate = std::any_of(cfg.users.begin(), cfg.users.end(),
                                       [&](const UserOptions& u) { return lower(u.name) == lower(sec.name); });
    if (duplicate) {
      errors.items.push_back({"manager user [" + sec.name + "] is defined twice", sec.where.to_string()});
      continue;
    }
    UserOptions u;
    read_user(sec, u, r);
    cfg.users.push_back(std::move(u));
  }
  if (!errors.items.empty()) return Unexpected<Errors>{std::move(errors)};
  return cfg;
}

Result<ManagerConfig, Errors> load_manager_config(const std::filesystem::path& config_dir) {
  auto file = config::parse_file(config_dir / "manager.conf", {.config_dir = config_dir});
  if (!file) return Unexpected<Errors>{file.error()};
  return parse_manager_config(*file);
}

}  // namespace telephony::manager
