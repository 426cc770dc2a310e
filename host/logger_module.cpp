#include "logger_module.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "telephony/config/module_config.hpp"

namespace telephonyd {

using telephony::Errors;
using telephony::log_bit;
using telephony::LogLevel;
namespace fs = std::filesystem;

namespace {

std::string trim_lower(std::string w) {
  w.erase(0, w.find_first_not_of(" \t"));
  const auto end = w.find_last_not_of(" \t");
  w.erase(end == std::string::npos ? 0 : end + 1);
  for (auto& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return w;
}

constexpr unsigned kAllLevels = (1u << telephony::kLogLevelCount) - 1;

// One `name => levels` line.
telephony::Result<LogChannelConfig> parse_channel(const telephony::config::Entry& e) {
  LogChannelConfig ch;
  ch.name = e.name;
  ch.console = trim_lower(e.name) == "console";
  std::size_t pos = 0;
  const std::string& v = e.value;
  while (pos <= v.size()) {
    const auto comma = v.find(',', pos);
    const std::string w = trim_lower(v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (w == "error") ch.mask |= log_bit(LogLevel::Error);
    else if (w == "warning") ch.mask |= log_bit(LogLevel::Warning);
    else if (w == "notice") ch.mask |= log_bit(LogLevel::Notice);
    else if (w == "verbose") ch.mask |= log_bit(LogLevel::Verbose);
    else if (w.rfind("verbose(", 0) == 0 && w.back() == ')') {
      const std::string n = w.substr(8, w.size() - 9);
      char* end = nullptr;
      const long level = std::strtol(n.c_str(), &end, 10);
      if (n.empty() || *end != '\0' || level < 0 || level > 99)
        return telephony::fail("bad verbose level '" + w + "' (verbose(0..99))", e.where.to_string());
      ch.mask |= log_bit(LogLevel::Verbose);
      ch.fixed_verbose = static_cast<int>(level);
    } else if (w == "debug") ch.mask |= log_bit(LogLevel::Debug);
    else if (w == "dtmf") ch.mask |= log_bit(LogLevel::Dtmf);
    else if (w == "security") ch.mask |= log_bit(LogLevel::Security);
    else if (w == "*") ch.mask = kAllLevels;
    else if (w == "fax" || w == "trace" || w.empty()) {
      // Levels nothing of ours logs at; accepted so stock files load.
    } else {
      return telephony::fail("unknown log level '" + w + "'", e.where.to_string());
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return ch;
}

// journald's syslog priorities (sd-daemon(3) prefixes) for our levels.
int journal_priority(LogLevel l) {
  switch (l) {
    case LogLevel::Error: return 3;
    case LogLevel::Warning:
    case LogLevel::Security: return 4;
    case LogLevel::Notice: return 5;
    case LogLevel::Verbose:
    case LogLevel::Dtmf: return 6;
    case LogLevel::Debug: return 7;
  }
  return 6;
}

// systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream it connected to our stdout/stderr.
bool stderr_is_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (!js) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st{};
  if (::fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

}  // namespace

LoggerConfig default_logger_config() {
  LoggerConfig c;
  const unsigned basic = log_bit(LogLevel::Error) | log_bit(LogLevel::Warning) | log_bit(LogLevel::Notice);
  c.channels.push_back({"console", true, basic | log_bit(LogLevel::Verbose), -1});
  c.channels.push_back({"messages", false, basic | log_bit(LogLevel::Verbose), -1});
  return c;
}

telephony::Result<LoggerConfig, Errors> parse_logger_config(const telephony::config::ConfigFile& file) {
  LoggerConfig cfg;
  Errors errors;
  for (const auto& sec : file.sections) {
    if (sec.is_template) continue;
    const std::string sname = trim_lower(sec.name);
    if (sname == "general") {
      for (const auto& e : sec.entries) {
        const std::string k = trim_lower(e.name);
        if (k == "dateformat") {
          cfg.dateformat = e.value;
        } else if (k == "rotatestrategy") {
          const std::string v = trim_lower(e.value);
          if (v == "none") cfg.rotate = RotateStrategy::None;
          else if (v == "sequential") cfg.rotate = RotateStrategy::Sequential;
          else if (v == "rotate") cfg.rotate = RotateStrategy::Rotate;
          else if (v == "timestamp") cfg.rotate = RotateStrategy::Timestamp;
          else errors.items.push_back({"rotatestrategy must be none, sequential, rotate or timestamp", e.where.to_string()});
        } else if (k == "exec_after_rotate") {
          cfg.exec_after_rotate = e.value;
        } else if (k == "rotatetimestamp") {
          if (telephony::config::is_true_word(e.value)) cfg.rotate = RotateStrategy::Timestamp;
        } else if (k == "appendhostname" || k == "queue_log" || k == "queue_log_to_file" || k == "queue_log_name" ||
                   k == "queue_log_realtime_use_gmt" || k == "queue_adaptive_realtime" || k == "use_callids" ||
                   k == "logger_queue_limit" || k == "event_log") {
          // Accepted so stock files load; queue_log is out of scope (docs/logging.md).
        } else {
          errors.items.push_back({"unknown [general] setting '" + e.name + "'", e.where.to_string()});
        }
      }
    } else if (sname == "logfiles") {
      for (const auto& e : sec.entries) {
        auto ch = parse_channel(e);
        if (!ch) errors.items.push_back(ch.error());
        else cfg.channels.push_back(std::move(*ch));
      }
    } else {
      errors.items.push_back({"unknown section [" + sec.name + "] (logger.conf has [general] and [logfiles])",
                              sec.where.to_string()});
    }
  }
  if (!errors.items.empty()) return telephony::Unexpected<Errors>{errors};
  return cfg;
}

// ---- running channels ----------------------------------------------------------------------------

struct LoggerModule::State {
  struct Open {
    LogChannelConfig cfg;
    fs::path path;  // files only
    std::FILE* file = nullptr;
  };
  telephony::Engine* engine = nullptr;
  bool foreground = false;
  bool journal = false;
  std::mutex mu;
  LoggerConfig config;
  std::vector<Open> open;
  bool sink_added = false;
  bool commands_added = false;
  telephony::EventBus::Subscription dtmf;  // DTMF events -> the DTMF level

  ~State() { close_all(); }
  void close_all() {
    for (auto& o : open)
      if (o.file) std::fclose(o.file);
    open.clear();
  }

  // Called under the Logger's lock.
  void write(const telephony::LogRecord& r) {
    std::lock_guard lock(mu);
    const int global_verbose = engine->log().verbose_level();
    for (auto& o : open) {
      if (!(o.cfg.mask & log_bit(r.level))) continue;
      if (r.level == LogLevel::Verbose && r.sublevel > (o.cfg.fixed_verbose >= 0 ? o.cfg.fixed_verbose : global_verbose))
        continue;
      if (o.cfg.console) {
        std::string line;
        if (journal) line = "<" + std::to_string(journal_priority(r.level)) + ">";
        if (r.level == LogLevel::Verbose) {
          line += telephony::verbose_prefix(r.sublevel);
          line += r.message;
        } else {
          line += "[" + telephony::format_log_time(r.time, config.dateformat) + "] " +
                  std::string(telephony::to_string(r.level)) + "[" + std::to_string(r.tid) + "]";
          if (!r.callid.empty()) line += "[" + std::string(r.callid) + "]";
          line += ": ";
          line += r.source;
          line += ": ";
          line += r.message;
        }
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fflush(stderr);
      } else if (o.file) {
        const std::string line = telephony::format_file_line(r, config.dateformat) + "\n";
        std::fwrite(line.data(), 1, line.size(), o.file);
        std::fflush(o.file);
      }
    }
  }
};

namespace {

fs::path channel_path(const telephony::Engine& engine, const LogChannelConfig& c) {
  return fs::path(c.name).is_absolute() ? fs::path(c.name) : engine.options().dirs.log / c.name;
}

bool file_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// Renames `file` as Asterisk's rotate_file does; returns the name it now has (or an error).
telephony::Result<fs::path> rotate_one(const fs::path& file, RotateStrategy how) {
  if (how == RotateStrategy::None || !file_exists(file)) return file;
  std::error_code ec;
  const std::string base = file.string();
  fs::path target;
  if (how == RotateStrategy::Sequential) {
    for (int x = 0;; ++x)
      if (!file_exists(base + "." + std::to_string(x))) {
        target = base + "." + std::to_string(x);
        break;
      }
  } else if (how == RotateStrategy::Timestamp) {
    target = base + "." + std::to_string(static_cast<long long>(std::time(nullptr)));
  } else {
    // rotate: shift file.N -> file.N+1 (compressed suffixes too), then file -> file.0.
    static const char* suffixes[] = {"", ".gz", ".bz2", ".Z"};
    auto slot = [&](int n) -> std::string {
      for (const char* s : suffixes)
        if (file_exists(base + "." + std::to_string(n) + s)) return s;
      return "-";
    };
    int x = 0;
    while (slot(x) != "-") ++x;
    for (int y = x; y > 0; --y) {
      const std::string s = slot(y - 1);
      fs::rename(base + "." + std::to_string(y - 1) + s, base + "." + std::to_string(y) + s, ec);
      if (ec) return telephony::fail("cannot rename: " + ec.message(), base + "." + std::to_string(y - 1) + s);
    }
    target = base + ".0";
  }
  fs::rename(file, target, ec);
  if (ec) return telephony::fail("cannot rename to " + target.string() + ": " + ec.message(), base);
  return target;
}

std::string describe_levels(const LogChannelConfig& c) {
  // Asterisk's order: DEBUG NOTICE WARNING ERROR VERBOSE DTMF, then the dynamic SECURITY.
  static const LogLevel order[] = {LogLevel::Debug, LogLevel::Notice, LogLevel::Warning, LogLevel::Error,
                                   LogLevel::Verbose, LogLevel::Dtmf, LogLevel::Security};
  std::string out;
  for (auto l : order)
    if (c.mask & log_bit(l)) {
      out += telephony::to_string(l);
      if (l == LogLevel::Verbose && c.fixed_verbose >= 0) out += "(" + std::to_string(c.fixed_verbose) + ")";
      out += ' ';
    }
  return out;
}

std::string fit(std::string_view s, std::size_t w) {
  std::string out(s.substr(0, w));
  out.resize(w, ' ');
  return out;
}

}  // namespace

LoggerModule::LoggerModule(telephony::Engine& engine, bool foreground)
    : engine_(engine), state_(std::make_shared<State>()) {
  state_->engine = &engine;
  state_->foreground = foreground;
  state_->journal = stderr_is_journal();
}

LoggerModule::~LoggerModule() = default;

telephony::Result<void, Errors> LoggerModule::check(const fs::path& dir) {
  if (!telephony::config::find_module_config(dir, "logger.conf")) return {};
  auto file = telephony::config::load_module_config(dir, "logger.conf");
  if (!file) return telephony::Unexpected<Errors>{file.error()};
  auto cfg = parse_logger_config(*file);
  if (!cfg) return telephony::Unexpected<Errors>{cfg.error()};
  return {};
}

telephony::Result<void, Errors> LoggerModule::load(const fs::path& dir) {
  LoggerConfig cfg = default_logger_config();
  if (telephony::config::find_module_config(dir, "logger.conf")) {
    auto file = telephony::config::load_module_config(dir, "logger.conf");
    if (!file) return telephony::Unexpected<Errors>{file.error()};
    auto parsed = parse_logger_config(*file);
    if (!parsed) return telephony::Unexpected<Errors>{parsed.error()};
    cfg = std::move(*parsed);
  }
  // Open every file first: a file that cannot be opened fails the load and keeps the running set.
  std::vector<State::Open> open;
  Errors errors;
  for (const auto& c : cfg.channels) {
    State::Open o{c, {}, nullptr};
    if (!c.console) {
      o.path = channel_path(engine_, c);
      std::error_code ec;
      fs::create_directories(o.path.parent_path(), ec);
      o.file = std::fopen(o.path.c_str(), "ae");
      if (!o.file) errors.items.push_back({"cannot open log file " + o.path.string(), "logger.conf"});
    }
    open.push_back(std::move(o));
  }
  if (!errors.items.empty()) {
    for (auto& o : open)
      if (o.file) std::fclose(o.file);
    return telephony::Unexpected<Errors>{errors};
  }
  unsigned mask = 0;
  int fixed = 0;
  for (const auto& o : open) {
    if (o.cfg.console && !state_->foreground) continue;
    mask |= o.cfg.mask;
    fixed = std::max(fixed, o.cfg.fixed_verbose);
  }
  {
    std::lock_guard lock(state_->mu);
    state_->close_all();
    state_->open = std::move(open);
    state_->config = std::move(cfg);
    if (!state_->foreground)
      std::erase_if(state_->open, [](const State::Open& o) { return o.cfg.console; });
  }
  auto& log = engine_.log();
  log.set_wanted(mask, fixed);
  if (!state_->sink_added) {
    std::weak_ptr<State> weak = state_;
    log.clear_sinks();
    log.add_sink([weak](const telephony::LogRecord& r) {
      if (auto s = weak.lock()) s->write(r);
    });
    state_->sink_added = true;
  }
  if (!state_->dtmf.active()) {
    // The DTMF level, as Asterisk's channel.c writes it: one line per digit begin and end.
    telephony::Engine* engine = &engine_;
    state_->dtmf = engine_.events().subscribe({.name = "logger-dtmf"}, [engine](const telephony::EventPtr& ev) {
      auto& log = engine->log();
      if (!log.enabled(LogLevel::Dtmf)) return;
      if (auto* b = ev->as<telephony::DtmfBegin>())
        log.write(LogLevel::Dtmf, "channel", std::string("DTMF begin '") + b->digit + "' " +
                                                 (b->received ? "received" : "sent") + " on " + b->channel.name);
      else if (auto* e = ev->as<telephony::DtmfEnd>())
        log.write(LogLevel::Dtmf, "channel", std::string("DTMF end '") + e->digit + "' " +
                                                 (e->received ? "received" : "sent") + " on " + e->channel.name +
                                                 ", duration " + std::to_string(e->duration.count()) + " ms");
    });
  }
  if (!state_->commands_added) {
    state_->commands_added = true;
    std::weak_ptr<State> weak = state_;
    auto& cmds = engine_.commands();
    (void)cmds.add({"logger show channels",
                    {"List configured log channels", "logger show channels",
                     "Lists the channels of logger.conf: the file (or console), its type, status and levels.",
                     {}, {"logger rotate", "logger reload"}},
                    [weak](const std::vector<std::string>& a) {
                      auto s = weak.lock();
                      if (!s || !a.empty()) return telephony::ConsoleResult{s ? 2 : 1, ""};
                      std::lock_guard lock(s->mu);
                      std::string out = "Logger queue limit: 0 (lines are written synchronously)\n\n";
                      out += fit("Channel", 35) + " " + fit("Type", 8) + " " + fit("Formatter", 10) + " " +
                             fit("Status", 9) + " Configuration\n";
                      out += fit("-------", 35) + " " + fit("----", 8) + " " + fit("---------", 10) + " " +
                             fit("------", 9) + " -------------\n";
                      for (const auto& o : s->open)
                        out += fit(o.cfg.console ? "" : o.path.string(), 35) + " " + fit(o.cfg.console ? "Console" : "File", 8) +
                               " " + fit("default", 10) + " " + fit(o.cfg.console || o.file ? "Enabled" : "Disabled", 9) +
                               " - " + describe_levels(o.cfg) + "\n";
                      return telephony::ConsoleResult{0, out + "\n"};
                    }});
    telephony::Engine* engine = &engine_;
    LoggerModule* self = this;
    (void)cmds.add({"logger rotate",
                    {"Rotates and reopens the log files", "logger rotate",
                     "Renames every log file by rotatestrategy (rotate: messages -> messages.0, older ones shift up; "
                     "sequential: the next free messages.N; timestamp: messages.<epoch>; none: reopen only) and "
                     "reopens it, then runs exec_after_rotate.",
                     {}, {"logger reload", "logger show channels"}},
                    [self](const std::vector<std::string>&) {
                      auto r = self->rotate();
                      if (!r) return telephony::ConsoleResult{1, "Log rotation failed: " + r.error().to_string() + "\n"};
                      return telephony::ConsoleResult{0, "Log files rotated and reopened.\n"};
                    }});
    (void)cmds.add({"logger reload",
                    {"Reopens the log files", "logger reload",
                     "Reads logger.conf again and reopens every log file (what an external logrotate needs after it "
                     "renamed them). A broken file keeps the running channels.",
                     {}, {"logger rotate"}},
                    [self, engine](const std::vector<std::string>&) {
                      auto r = self->load(engine->options().dirs.config);
                      if (!r)
                        return telephony::ConsoleResult{1, "Logger reload failed; the running channels are kept:\n" +
                                                               r.error().to_string() + "\n"};
                      return telephony::ConsoleResult{0, "Logger channels reloaded.\n"};
                    }});
  }
  return {};
}

telephony::Result<void> LoggerModule::rotate() {
  std::vector<std::string> rotated;
  std::string exec;
  {
    std::lock_guard lock(state_->mu);
    exec = state_->config.exec_after_rotate;
    for (auto& o : state_->open) {
      if (o.cfg.console) continue;
      if (o.file) std::fclose(o.file);
      o.file = nullptr;
      auto r = rotate_one(o.path, state_->config.rotate);
      o.file = std::fopen(o.path.c_str(), "ae");
      if (!r) return telephony::Unexpected<telephony::Error>{r.error()};
      rotated.push_back(r->string());
    }
  }
  if (!exec.empty()) {
    for (const auto& f : rotated) {
      std::string cmd = exec;
      for (auto p = cmd.find("${filename}"); p != std::string::npos; p = cmd.find("${filename}", p + f.size()))
        cmd.replace(p, 11, f);
      engine_.run_blocking([cmd] { (void)std::system(cmd.c_str()); });
    }
  }
  engine_.log().notice("logger", "Log files rotated (" + std::to_string(rotated.size()) + ")");
  return {};
}

void LoggerModule::unload() {
  if (state_->commands_added) {
    engine_.commands().remove("logger show channels");
    engine_.commands().remove("logger rotate");
    engine_.commands().remove("logger reload");
    state_->commands_added = false;
  }
}

}  // namespace telephonyd
