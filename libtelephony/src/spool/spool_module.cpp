// pbx_spool: call files dialed through the originate core. See spool/module.hpp.
#include "telephony/spool/module.hpp"

#include <cctype>

namespace telephony::spool {

namespace {
constexpr std::string_view kSource = "pbx_spool";

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}
}  // namespace

OriginateRequest originate_request_for(const CallFile& file, std::vector<std::string>* warnings) {
  OriginateRequest req;
  req.dial = file.channel;
  req.timeout = std::chrono::seconds(file.wait_time);
  if (!file.callerid.empty()) req.caller_id = CallerId::parse(file.callerid);
  req.variables = file.variables;
  req.account = file.account;
  req.early_media = file.early_media;
  std::string_view codecs = file.codecs;
  while (!codecs.empty()) {
    auto comma = codecs.find(',');
    std::string name = trim(codecs.substr(0, comma));
    codecs = comma == std::string_view::npos ? std::string_view() : codecs.substr(comma + 1);
    if (name.empty()) continue;
    if (auto f = media::Format::from_name(name)) {
      req.codecs.push_back(*f);
    } else if (warnings) {
      warnings->push_back("unknown codec '" + name + "' in Codecs: ignored");
    }
  }
  if (file.has_application()) {
    req.application = file.application;
    req.data = file.data;
  } else {
    req.context = file.context;
    req.exten = file.extension;
    req.priority = file.priority;
    req.priority_label = file.priority_label;
  }
  return req;
}

DialReason dial_reason_for(OriginateReason reason) {
  switch (reason) {
    case OriginateReason::Failure: return DialReason::Failure;
    case OriginateReason::Hangup: return DialReason::Hangup;
    case OriginateReason::NoAnswer: return DialReason::NoAnswer;
    case OriginateReason::Answered: return DialReason::Answered;
    case OriginateReason::Busy: return DialReason::Busy;
    case OriginateReason::Congestion: return DialReason::Congestion;
  }
  return DialReason::Failure;
}

SpoolModule::SpoolModule(Engine& engine, SpoolerOptions options) : engine_(engine), options_(std::move(options)) {}

SpoolModule::~SpoolModule() { unload(); }

Result<void, Errors> SpoolModule::load(const std::filesystem::path&) {
  {
    std::lock_guard lock(mu_);
    if (spooler_ || booted_.active()) return {};
  }
  if (engine_.running()) {
    start_spooler();
    return {};
  }
  // Calls go out only once every module is loaded and the engine runs (Asterisk waits for
  // FullyBooted too); before that a file would be dialed into a half-configured system.
  auto sub = engine_.events().subscribe({.name = "pbx_spool"}, [this](const EventPtr& ev) {
    if (ev->type() == EngineFullyBooted::kType) {
      start_spooler();
    } else if (ev->type() == EngineShutdown::kType) {
      // Stop claiming files before the channels go: a shutdown must not burn retries.
      std::lock_guard lock(mu_);
      if (spooler_) spooler_->stop();
    }
  });
  std::lock_guard lock(mu_);
  booted_ = std::move(sub);
  return {};
}

void SpoolModule::start_spooler() {
  std::lock_guard lock(mu_);
  if (spooler_) return;
  SpoolerOptions opts = options_;
  if (opts.spool_dir.empty()) opts.spool_dir = engine_.options().dirs.spool;
  Engine& engine = engine_;
  opts.log = [&engine](SpoolLogLevel level, std::string line) {
    switch (level) {
      case SpoolLogLevel::Debug: engine.log().debug(kSource, line); break;
      case SpoolLogLevel::Notice: engine.log().notice(kSource, line); break;
      case SpoolLogLevel::Warning: engine.log().warning(kSource, line); break;
      case SpoolLogLevel::Error: engine.log().error(kSource, line); break;
    }
  };
  Dialer dialer = [&engine](const DialAttempt& attempt, std::function<void(DialReason)> done) {
    std::vector<std::string> warnings;
    OriginateRequest req = originate_request_for(attempt.file, &warnings);
    for (const auto& w : warnings) engine.log().warning(kSource, attempt.file_name + ": " + w);
    std::string name = attempt.file_name;
    std::string dial = req.dial;
    originate(engine, std::move(req), [&engine, done = std::move(done), name, dial](const OriginateResult& r) {
      if (r.answered()) {
        engine.log().verbose(kSource, "Call completed to " + dial + " (" + name + ")");
      } else {
        // pbx_spool's own wording, so log watchers keep working.
        engine.log().notice(kSource, "Call failed to go through, reason (" + std::to_string(static_cast<int>(r.reason)) +
                                         ") " + std::string(reason_text(r.reason)) + " (" + name + ": " + r.error + ")");
      }
      done(dial_reason_for(r.reason));
    });
  };
  spooler_ = std::make_unique<CallFileSpooler>(engine_.io(), std::move(opts), std::move(dialer));
  spooler_->start();
}

void SpoolModule::unload() {
  booted_.close();
  std::unique_ptr<CallFileSpooler> s;
  {
    std::lock_guard lock(mu_);
    s = std::move(spooler_);
  }
  if (s) s->stop();
}

std::optional<CallFileSpooler::Stats> SpoolModule::stats() const {
  std::lock_guard lock(mu_);
  if (!spooler_) return std::nullopt;
  return spooler_->stats();
}

}  // namespace telephony::spool
