// CdrModule: cdr.conf, cdr_custom.conf, cdr_sqlite3_custom.conf -> the CdrEngine's backends; the
// dialplan's CDR functions and applications; `cdr show status`.
#include "telephony/cdr_module.hpp"

#include <strings.h>

#include "../apps/dialplan_apps.hpp"
#include "cdr_backends.hpp"
#include "telephony/config/module_config.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"

namespace telephony {

namespace fs = std::filesystem;

namespace {

struct Loaded {
  CdrSettings settings;
  std::vector<std::shared_ptr<CdrBackend>> backends;
  std::vector<std::string> descriptions;
};

bool key_is(const config::Entry& e, const char* k) { return ::strcasecmp(e.name.c_str(), k) == 0; }

Result<bool> yes_no(const config::Entry& e) {
  if (config::is_true_word(e.value)) return true;
  if (config::is_false_word(e.value)) return false;
  return fail("'" + e.name + "' must be yes or no", e.where.to_string());
}

// Splits a comma list, honouring single/double quotes and ${...} / (...) nesting (the values of
// cdr_sqlite3_custom.conf are templates that contain commas).
std::vector<std::string> split_top_level(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c == '(' || c == '{') ++depth;
    if ((c == ')' || c == '}') && depth > 0) --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  for (auto& w : out) {
    w.erase(0, w.find_first_not_of(" \t"));
    const auto end = w.find_last_not_of(" \t");
    w.erase(end == std::string::npos ? 0 : end + 1);
  }
  return out;
}

Result<Loaded, Errors> build(Engine& engine, const fs::path& dir, bool open_backends) {
  Loaded out;
  Errors errors;
  auto err = [&](const Error& e) { errors.items.push_back(e); };
  const fs::path logdir = engine.options().dirs.log;
  cdr::CsvOptions csv;
  bool csv_enabled = true;
  auto main = config::load_module_config(dir, "cdr.conf");
  if (!main) return Unexpected<Errors>{main.error()};
  for (const auto& sec : main->sections) {
    if (sec.is_template) continue;
    if (::strcasecmp(sec.name.c_str(), "general") == 0) {
      for (const auto& e : sec.entries) {
        bool* target = key_is(e, "enable")             ? &out.settings.enabled
                       : key_is(e, "unanswered")       ? &out.settings.unanswered
                       : key_is(e, "congestion")       ? &out.settings.congestion
                       : key_is(e, "endbeforehexten")  ? &out.settings.endbeforehexten
                       : key_is(e, "initiatedseconds") ? &out.settings.initiatedseconds
                                                       : nullptr;
        if (target) {
          if (auto v = yes_no(e)) *target = *v;
          else err(v.error());
        } else if (!(key_is(e, "batch") || key_is(e, "size") || key_is(e, "time") || key_is(e, "scheduleronly") ||
                     key_is(e, "safeshutdown") || key_is(e, "debug") || key_is(e, "channeldefaultenabled") ||
                     key_is(e, "ignorestatechanges") || key_is(e, "ignoredialchanges"))) {
          err({"unknown [general] setting '" + e.name + "'", e.where.to_string()});
        }
      }
    } else if (::strcasecmp(sec.name.c_str(), "csv") == 0) {
      for (const auto& e : sec.entries) {
        bool* target = key_is(e, "usegmtime")       ? &csv.usegmtime
                       : key_is(e, "loguniqueid")   ? &csv.loguniqueid
                       : key_is(e, "loguserfield")  ? &csv.loguserfield
                       : key_is(e, "accountlogs")   ? &csv.accountlogs
                       : key_is(e, "newcdrcolumns") ? &csv.newcdrcolumns
                       : key_is(e, "enabled")       ? &csv_enabled
                                                    : nullptr;
        if (!target) {
          err({"unknown [csv] setting '" + e.name + "'", e.where.to_string()});
          continue;
        }
        if (auto v = yes_no(e)) *target = *v;
        else err(v.error());
      }
    } else {
      err({"unknown section [" + sec.name + "] (cdr.conf has [general] and [csv])", sec.where.to_string()});
    }
  }
  if (csv_enabled) {
    out.backends.push_back(cdr::make_csv_backend(logdir / "cdr-csv", csv));
    out.descriptions.push_back("csv (" + (logdir / "cdr-csv" / "Master.csv").string() + ")");
  }

  if (config::find_module_config(dir, "cdr_custom.conf")) {
    auto file = config::load_module_config(dir, "cdr_custom.conf");
    if (!file) return Unexpected<Errors>{file.error()};
    std::vector<cdr::CustomMapping> maps;
    for (const auto& sec : file->sections) {
      if (sec.is_template) continue;
      if (::strcasecmp(sec.name.c_str(), "mappings") != 0) {
        err({"unknown section [" + sec.name + "] (cdr_custom.conf has [mappings])", sec.where.to_string()});
        continue;
      }
      for (const auto& e : sec.entries) {
        if (e.name.find("..") != std::string::npos || fs::path(e.name).is_absolute())
          err({"mapping file '" + e.name + "' must be a name inside logdir/cdr-custom", e.where.to_string()});
        else maps.push_back({e.name, e.value});
      }
    }
    if (!maps.empty()) {
      for (const auto& m : maps) out.descriptions.push_back("custom (" + (logdir / "cdr-custom" / m.file).string() + ")");
      out.backends.push_back(cdr::make_custom_backend(&engine, logdir / "cdr-custom", std::move(maps)));
    }
  }

  if (config::find_module_config(dir, "cdr_sqlite3_custom.conf")) {
    auto file = config::load_module_config(dir, "cdr_sqlite3_custom.conf");
    if (!file) return Unexpected<Errors>{file.error()};
    const auto* master = file->section("master");
    if (!master) {
      err({"cdr_sqlite3_custom.conf needs a [master] section", file->path});
    } else {
      cdr::SqliteOptions o;
      o.where = master->where.to_string();
      o.file = logdir / "master.db";
      for (const auto& e : master->entries) {
        if (key_is(e, "table")) {
          const bool ok = !e.value.empty() && e.value.find_first_not_of(
                                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                                                   std::string::npos;
          if (!ok) err({"table must be a plain SQL name", e.where.to_string()});
          else o.table = e.value;
        } else if (key_is(e, "columns")) {
          o.columns = split_top_level(e.value);
          for (const auto& c : o.columns)
            if (c.empty() || c.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                                 std::string::npos)
              err({"column '" + c + "' must be a plain SQL name", e.where.to_string()});
        } else if (key_is(e, "values")) {
          o.values = split_top_level(e.value);
        } else if (key_is(e, "file") || key_is(e, "database")) {
          o.file = fs::path(e.value).is_absolute() ? fs::path(e.value) : logdir / e.value;
        } else if (!key_is(e, "busy_timeout")) {
          err({"unknown [master] setting '" + e.name + "'", e.where.to_string()});
        }
      }
      if (errors.items.empty()) {
        if (!open_backends) {
          if (o.columns.size() != o.values.size() || o.columns.empty())
            err({"columns and values must be non-empty and of the same number", o.where});
        } else if (auto b = cdr::make_sqlite_backend(&engine, o)) {
          out.backends.push_back(*b);
          out.descriptions.push_back("sqlite3_custom (" + o.file.string() + ", table " + o.table + ")");
        } else {
          err(b.error());
        }
      }
    }
  }
  if (!errors.items.empty()) return Unexpected<Errors>{errors};
  return out;
}

std::string yes(bool b) { return b ? "Yes" : "No"; }

}  // namespace

CdrModule::CdrModule(Engine& engine) : engine_(engine), cdr_(std::make_shared<CdrEngine>(engine)) {}

CdrModule::~CdrModule() { cdr_->stop(); }

Result<void, Errors> CdrModule::check(const fs::path& dir) {
  auto r = build(engine_, dir, false);
  if (!r) return Unexpected<Errors>{r.error()};
  return {};
}

Result<void, Errors> CdrModule::load(const fs::path& dir) {
  auto r = build(engine_, dir, true);
  if (!r) return Unexpected<Errors>{r.error()};
  cdr_->flush(std::chrono::seconds(2));  // what the old backends owe is written by them
  cdr_->clear_backends();
  for (auto& b : r->backends) cdr_->add_backend(b);
  cdr_->set_settings(r->settings);
  cdr_->start();
  if (registered_) return {};
  registered_ = true;
  std::weak_ptr<CdrEngine> weak = cdr_;
  auto descriptions = std::make_shared<std::vector<std::string>>(r->descriptions);
  (void)engine_.commands().add(ConsoleCommand{
      "cdr show status",
      {"Display the CDR status", "cdr show status",
       "Shows the CDR settings (cdr.conf [general]), the registered backends and the records posted, written "
       "and failed since start.",
       {}, {}},
      [weak](const std::vector<std::string>& a) {
        auto cdr = weak.lock();
        if (!cdr || !a.empty()) return ConsoleResult{cdr ? 2 : 1, ""};
        const auto s = cdr->settings();
        const auto st = cdr->stats();
        std::string out = "\nCall Detail Record (CDR) settings\n----------------------------------\n";
        auto row = [&](const char* k, const std::string& v) {
          std::string key = std::string("  ") + k;
          key.resize(30, ' ');
          out += key + v + "\n";
        };
        row("Logging:", s.enabled ? "Enabled" : "Disabled");
        row("Mode:", "Simple");
        row("Log unanswered calls:", yes(s.unanswered));
        row("Log congestion:", yes(s.congestion));
        row("End before h extension:", yes(s.endbeforehexten));
        row("Records posted:", std::to_string(st.posted));
        row("Records written:", std::to_string(st.written));
        row("Write errors:", std::to_string(st.write_errors));
        out += "\n* Registered Backends\n  -------------------\n";
        const auto names = cdr->backend_names();
        if (names.empty()) out += "    (none)\n";
        for (const auto& n : names) out += "    " + n + "\n";
        return ConsoleResult{0, out + "\n"};
      }});
  Engine* e = &engine_;
  using namespace dialplan;
  auto control = [e](Channel& chan, CdrControl::Op op, std::string name = {}, std::string value = {},
                     std::string options = {}) {
    CdrControl ev;
    ev.uniqueid = chan.uniqueid();
    ev.op = op;
    ev.name = std::move(name);
    ev.value = std::move(value);
    ev.options = std::move(options);
    e->events().emit(std::move(ev));
  };
  add_function(
      engine_, "CDR",
      {"Gets or sets a CDR variable.", "CDR(name[,options])",
       "Reads a field of the channel's current call detail record (clid, src, dst, dcontext, channel, dstchannel, "
       "lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags, accountcode, peeraccount, "
       "uniqueid, linkedid, userfield, sequence) or a CDR variable; option u gives times as epoch seconds and "
       "disposition/amaflags as numbers. Writes set userfield, accountcode, peeraccount, amaflags or a variable; "
       "the other fields are read-only.",
       {{"name", "the field or variable"}, {"options", "u: unformatted"}},
       {"CDR_PROP", "NoCDR", "ResetCDR", "ForkCDR"}},
      [weak](const FunctionCall& call) -> Result<std::string> {
        auto cdr = weak.lock();
        if (!cdr || !call.channel) return fail("CDR() needs a channel with call records");
        std::string_view args = call.args;
        bool raw = false;
        if (auto comma = args.find(','); comma != std::string_view::npos) {
          raw = args.substr(comma + 1).find('u') != std::string_view::npos;
          args = args.substr(0, comma);
        }
        auto rec = cdr->current(call.channel->uniqueid());
        if (!rec) return std::string();
        return rec->field(args, raw).value_or("");
      },
      [control](const FunctionCall& call, std::string_view value) -> Result<void> {
        if (!call.channel) return fail("CDR() needs a channel");
        std::string name(call.args.substr(0, call.args.find(',')));
        static const char* kReadOnly[] = {"clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp",
                                          "lastdata", "start", "answer", "end", "duration", "billsec",
                                          "disposition", "uniqueid", "linkedid", "sequence"};
        for (const char* ro : kReadOnly)
          if (::strcasecmp(ro, name.c_str()) == 0) return fail("CDR(" + name + ") is read-only");
        control(*call.channel, CdrControl::Op::SetField, name, std::string(value));
        return {};
      });
  add_function(
      engine_, "CDR_PROP",
      {"Set a property on a channel's CDR.", "CDR_PROP(property)",
       "disable=1 stops records for the channel (as NoCDR), disable=0 enables them again; party_a=1 makes the "
       "channel a Party A even when it was dialed.",
       {{"property", "disable or party_a"}}, {"CDR", "NoCDR"}},
      {},
      [control](const FunctionCall& call, std::string_view value) -> Result<void> {
        if (!call.channel) return fail("CDR_PROP() needs a channel");
        const bool on = config::is_true_word(value);
        if (::strcasecmp(std::string(call.args).c_str(), "disable") == 0)
          control(*call.channel, on ? CdrControl::Op::Disable : CdrControl::Op::Enable);
        else if (::strcasecmp(std::string(call.args).c_str(), "party_a") == 0 && on)
          control(*call.channel, CdrControl::Op::PartyA);
        else return fail("CDR_PROP(" + std::string(call.args) + "): unknown property");
        return {};
      });
  add_application(engine_, "NoCDR",
                  {"Tell Asterisk to not maintain a CDR for this channel.", "NoCDR()",
                   "No record is written for this channel (deprecated in Asterisk in favour of CDR_PROP(disable)=1).",
                   {}, {"CDR_PROP", "ResetCDR"}},
                  [control](Execution& x, std::string_view) -> boost::asio::awaitable<AppResult> {
                    control(x.channel(), CdrControl::Op::Disable);
                    co_return AppResult::Continue;
                  });
  add_application(engine_, "ResetCDR",
                  {"Resets the Call Data Record.", "ResetCDR([options])",
                   "Starts the channel's current record again now (start, and answer if the channel is up). "
                   "Option v keeps the CDR variables.",
                   {{"options", "v: keep the variables"}}, {"ForkCDR", "NoCDR"}},
                  [control](Execution& x, std::string_view data) -> boost::asio::awaitable<AppResult> {
                    control(x.channel(), CdrControl::Op::Reset, {}, {}, std::string(data));
                    co_return AppResult::Continue;
                  });
  add_application(engine_, "ForkCDR",
                  {"Forks the current Call Data Record for this channel.", "ForkCDR([options])",
                   "Ends the channel's current record now (it is written) and continues with a copy that starts "
                   "now. Option v keeps the CDR variables in the copy.",
                   {{"options", "v: keep the variables"}}, {"ResetCDR", "NoCDR"}},
                  [control](Execution& x, std::string_view data) -> boost::asio::awaitable<AppResult> {
                    control(x.channel(), CdrControl::Op::Fork, {}, {}, std::string(data));
                    co_return AppResult::Continue;
                  });
  return {};
}

void CdrModule::unload() {
  cdr_->flush(std::chrono::seconds(2));
  cdr_->stop();
}

}  // namespace telephony
