// Shared argument helpers of the media applications and their one registration call.
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "apps/media_apps.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/channel_media.hpp"
#include "telephony/media/mixmonitor.hpp"
#include "telephony/media/playback.hpp"

namespace telephony::dialplan {

namespace asio = boost::asio;

void register_media_applications(Engine& engine) {
  register_playback_applications(engine);
  register_record_application(engine);
  register_read_applications(engine);
  register_say_applications(engine);
  register_tone_applications(engine);
  register_moh_applications(engine);
  register_dtmf_applications(engine);
  register_echo_application(engine);
  media::register_mixmonitor_applications(engine);  // MixMonitor, the Monitor family (src/recording)
  register_say_more_applications(engine);
  register_signalling_applications(engine);
  register_readexten_applications(engine);
}

namespace media_apps {

Documentation doc(std::string synopsis, std::string syntax, std::string description,
                  std::vector<std::pair<std::string, std::string>> args, std::vector<std::string> see) {
  return Documentation{std::move(synopsis), std::move(syntax), std::move(description), std::move(args), std::move(see)};
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split_prompts(std::string_view files) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto amp = files.find('&', start);
    auto name = trim(files.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start));
    if (!name.empty()) out.push_back(std::move(name));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

std::optional<std::chrono::milliseconds> parse_seconds(std::string_view s) {
  const std::string text = trim(s);
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v < 0) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(v * 1000.0)));
}

std::optional<long long> parse_integer(std::string_view s) {
  const std::string text = trim(s);
  if (text.empty() || text.size() > 18) return std::nullopt;
  long long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

void prepare_for_prompt(Channel& chan, bool noanswer) {
  if (chan.state() != ChannelState::Up && !noanswer) chan.answer();
  media::stop_generator(chan.shared_from_this());
}

std::string tone_zone(const Channel&) { return "us"; }

void warn(Execution& x, std::string_view app, std::string_view message) {
  x.engine().log().warning("pbx", std::string(app) + ": " + std::string(message) + " (" + x.channel().name() + ")");
}

asio::awaitable<std::optional<std::string>> get_data(Execution& x, std::string prompts, std::size_t max_digits,
                                                     std::chrono::milliseconds first, std::chrono::milliseconds next) {
  auto chan = x.channel_ptr();
  std::string digits;
  if (auto list = split_prompts(prompts); !list.empty()) {
    media::PlayOptions po;
    po.interrupt_digits = "any";
    po.skip_missing = true;
    auto r = co_await media::play_files(chan, std::move(list), std::move(po));
    if (r.status == media::PlayStatus::HungUp) co_return std::nullopt;
    if (r.status == media::PlayStatus::Interrupted) {
      if (r.digit == '#') co_return digits;
      digits += r.digit;
    }
  }
  while (max_digits == 0 || digits.size() < max_digits) {
    bool hung = false;
    auto d = co_await x.read_digit(digits.empty() ? first : next, &hung);
    if (hung) co_return std::nullopt;
    if (!d || *d == '#') break;
    digits += *d;
  }
  co_return digits;
}

}  // namespace media_apps
}  // namespace telephony::dialplan
