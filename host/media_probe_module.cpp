#include "media_probe_module.hpp"

#include <cmath>
#include <cstdlib>

#include "telephony/config/module_config.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/dialplan/args.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/recording.hpp"

namespace telephonyd {

namespace asio = boost::asio;
using telephony::Errors;
using telephony::dialplan::AppResult;
using telephony::dialplan::Execution;

namespace {

std::chrono::milliseconds seconds_arg(const std::vector<std::string>& args, std::size_t i) {
  if (args.size() > i && !args[i].empty()) {
    const double v = std::strtod(args[i].c_str(), nullptr);
    if (v > 0 && std::isfinite(v)) return std::chrono::milliseconds(static_cast<long long>(v * 1000));
  }
  return std::chrono::seconds(30);
}

asio::awaitable<AppResult> probe_tone(Execution& x, std::string_view data) {
  auto args = telephony::dialplan::split_args(data);
  auto chan = x.channel_ptr();
  const std::string freq = args.empty() ? std::string("1000") : args[0];
  chan->answer();
  auto task = telephony::media::play_tones(chan, freq);
  if (!task) {
    x.engine().log().warning("media_probe", "ProbeTone(" + freq + "): " + task.error().to_string());
    co_return AppResult::Continue;
  }
  const auto d = seconds_arg(args, 1);
  co_await chan->sleep(d);
  telephony::media::stop_generator(chan);
  co_return AppResult::Continue;
}

asio::awaitable<AppResult> probe_record(Execution& x, std::string_view data) {
  auto args = telephony::dialplan::split_args(data);
  auto chan = x.channel_ptr();
  if (args.empty() || args[0].empty()) {
    x.engine().log().warning("media_probe", "ProbeRecord needs a file name");
    co_return AppResult::Continue;
  }
  chan->answer();
  // A phone that talks while it listens: the tone goes out through the generator while the
  // recording reads what comes in.
  if (args.size() > 2 && !args[2].empty()) {
    if (auto t = telephony::media::play_tones(chan, args[2]); !t)
      x.engine().log().warning("media_probe", "ProbeRecord tone '" + args[2] + "': " + t.error().to_string());
  }
  telephony::media::RecordOptions opts;
  opts.beep = false;
  opts.terminators.clear();
  opts.max_duration = seconds_arg(args, 1);
  std::filesystem::path path = args[0];
  auto r = co_await telephony::media::record_file(chan, std::move(path), std::move(opts));
  telephony::media::stop_generator(chan);
  x.channel().set_variable("PROBE_RECORD_STATUS", std::string(telephony::media::to_string(r.status)));
  co_return AppResult::Continue;
}

}  // namespace

telephony::Result<void, Errors> MediaProbeModule::check(const std::filesystem::path& dir) {
  auto cfg = telephony::config::load_module_config(dir, "media_probe.conf");
  if (!cfg) return telephony::Unexpected<Errors>{cfg.error()};
  return {};
}

telephony::Result<void, Errors> MediaProbeModule::load(const std::filesystem::path& dir) {
  if (auto r = check(dir); !r) return r;
  using telephony::Documentation;
  auto add = [&](std::string name, Documentation doc, telephony::dialplan::AppHandler run) {
    auto app = std::make_shared<telephony::dialplan::Application>(
        telephony::dialplan::Application{name, std::move(doc), std::move(run)});
    (void)engine_.applications().add(std::move(name), std::move(app));
  };
  add("ProbeTone",
      Documentation{"Test probe: send a continuous tone.", "ProbeTone(freq[,seconds])",
                    "Answers and sends a sine of freq Hz (any tonelist is accepted) for seconds (default 30) or until "
                    "hangup. Registered only when media_probe.conf exists (integration tests).",
                    {{"freq", "Hz, or a tonelist"}, {"seconds", "how long (default 30)"}},
                    {"ProbeRecord"}},
      probe_tone);
  add("ProbeRecord",
      Documentation{"Test probe: record what the channel hears.", "ProbeRecord(file[,seconds[,tone]])",
                    "Answers and writes the channel's inbound audio to file (its extension picks the format) for "
                    "seconds (default 30) or until hangup, sending tone (Hz or a tonelist) meanwhile when given; sets "
                    "PROBE_RECORD_STATUS to Record()'s status words. "
                    "Registered only when media_probe.conf exists (integration tests).",
                    {{"file", "path with extension"}, {"seconds", "longest recording (default 30)"},
                     {"tone", "what the probe says while it records"}},
                    {"ProbeTone"}},
      probe_record);
  return {};
}

}  // namespace telephonyd
