// tdmphone: plays an analog phone (or a telephone line) on a TDM socket-span port, for tests and
// for trying a TDM configuration without hardware.
//
//   tdmphone --socket /run/telephony/tdm/phones/1 [--role phone|line] [--law ulaw|alaw]
//            [--record heard.wav] [--auto-answer N] [--auto-dialtone] [--name NAME] [-e "cmd; cmd"]
//
// Commands come from -e (separated by ';') or, without -e, from standard input, one per line,
// each run to completion before the next (the socket and the 20 ms audio clock keep running):
//   phone:  offhook | onhook | flash [ms] | dial DIGITS [on_ms [off_ms]]
//   line:   ring on|off | cadence MS,MS,... RINGS | polarity | answer | hangup | loopdrop [ms]
//           | tipground | tipopen | alarm red|yellow|blue|clear | dialtone on|off
//           | cid bell|bell-sdmf|v23|dtmf NUMBER [NAME...]
//   both:   tone SPEC (indications tonelist, e.g. 1000 or 350+440) | silence | play FILE.wav
//           | record FILE.wav | stoprecord | measure SECONDS | wait SECONDS
//           | expect EVENT [TIMEOUT_S] [VALUE] | print TEXT | quit
// Everything seen is printed as "<ms since start> <event> [key=value ...]": ring on/off, hookoff,
// hookon, polarity, loopopen, loopclosed, tipground, digit D, cid number=.. name=.. format=..,
// measure freq=.. freq2=.. level=.., dialed, played, cidsent, timeout, error.
// `expect` waits for the next not yet expected event of that name (digits: until the digits
// heard so far equal VALUE); it prints "timeout" and exits with status 3 when it does not come.
#include <poll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

#include "device.hpp"

using namespace tdmphone;
using telephony::tdm::LineSignal;

namespace {

const Clock::time_point g_start = Clock::now();

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - g_start).count();
}

struct Seen {
  std::string name, args;
};

class Runner {
 public:
  Runner(Options opts) : device_(std::move(opts), [this](const std::string& n, const std::string& a) { event(n, a); }) {}

  bool open(std::string& error) { return device_.open(error); }
  Device& device() { return device_; }

  void event(const std::string& name, const std::string& args) {
    std::printf("%lld %s%s%s\n", now_ms(), name.c_str(), args.empty() ? "" : " ", args.c_str());
    std::fflush(stdout);
    seen_.push_back({name, args});
  }

  // Starts a command; returns false when it has to wait (poll() then calls progress()).
  bool start(const std::string& line) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd.empty() || cmd[0] == '#') return true;
    std::vector<std::string> a;
    for (std::string w; in >> w;) a.push_back(w);
    auto arg_d = [&](std::size_t i, double d) { return i < a.size() ? std::atof(a[i].c_str()) : d; };
    std::string err;
    auto failed = [&](const std::string& why) {
      event("error", cmd + ": " + why);
      return true;
    };
    current_ = cmd;
    deadline_.reset();
    wait_cursor_ = seen_.size();
    if (cmd == "offhook") device_.set_hook(true);
    else if (cmd == "onhook") device_.set_hook(false);
    else if (cmd == "flash") device_.flash(static_cast<int>(arg_d(0, 500)));
    else if (cmd == "dial") {
      if (a.empty()) return failed("needs digits");
      if (!device_.dial(a[0], static_cast<int>(arg_d(1, 100)), static_cast<int>(arg_d(2, 100)), err)) return failed(err);
      wait_for_ = "dialed";
      return false;
    } else if (cmd == "ring") device_.send_signal(a.size() && a[0] == "off" ? LineSignal::RingOff : LineSignal::RingOn);
    else if (cmd == "cadence") {
      std::vector<int> pattern;
      std::istringstream p(a.empty() ? "2000,4000" : a[0]);
      for (std::string ms; std::getline(p, ms, ',');) pattern.push_back(std::atoi(ms.c_str()));
      device_.ring_cadence(pattern, static_cast<int>(arg_d(1, 1000)));
    } else if (cmd == "polarity" || cmd == "answer") device_.send_signal(LineSignal::Polarity);
    else if (cmd == "hangup" || cmd == "loopdrop") {
      if (cmd == "hangup" && !device_.off_hook() && !device_.seized()) return true;
      if (cmd == "hangup" && device_.off_hook()) {
        device_.set_hook(false);
        return true;
      }
      device_.send_signal(LineSignal::LoopOpen);
      loop_closed_at_ = Clock::now() + std::chrono::milliseconds(static_cast<int>(arg_d(0, 600)));
    } else if (cmd == "tipground") device_.send_signal(LineSignal::TipGround);
    else if (cmd == "tipopen") device_.send_signal(LineSignal::TipOpen);
    else if (cmd == "alarm") {
      const std::string w = a.empty() ? "clear" : a[0];
      device_.send_alarm(w == "red" ? 1 : w == "yellow" ? 2 : w == "blue" ? 4 : 0);
    } else if (cmd == "dialtone") device_.set_dialtone(a.empty() || a[0] != "off");
    else if (cmd == "cid") {
      if (a.size() < 2) return failed("needs a standard and a number");
      telephony::tdm::CallerIdMessage m;
      auto standard = telephony::tdm::CidSignalling::Bell;
      if (a[0] == "bell-sdmf") m.format = telephony::tdm::CallerIdFormat::Sdmf;
      else if (a[0] == "v23") standard = telephony::tdm::CidSignalling::V23;
      else if (a[0] == "dtmf") standard = telephony::tdm::CidSignalling::Dtmf;
      else if (a[0] != "bell") return failed("standard must be bell, bell-sdmf, v23 or dtmf");
      m.number = a[1];
      for (std::size_t i = 2; i < a.size(); ++i) m.name += (i > 2 ? " " : "") + a[i];
      if (!device_.send_callerid(standard, m, err)) return failed(err);
      wait_for_ = "cidsent";
      return false;
    } else if (cmd == "tone") {
      if (a.empty() || !device_.play_tone(a[0], err)) return failed(a.empty() ? "needs a tone" : err);
    } else if (cmd == "silence") device_.silence();
    else if (cmd == "play") {
      if (a.empty() || !device_.play_file(a[0], err)) return failed(a.empty() ? "needs a file" : err);
      wait_for_ = "played";
      return false;
    } else if (cmd == "record") {
      if (a.empty() || !device_.start_recording(a[0], err)) return failed(a.empty() ? "needs a file" : err);
    } else if (cmd == "stoprecord") device_.stop_recording();
    else if (cmd == "measure") {
      device_.start_measure(arg_d(0, 1));
      wait_for_ = "measure";
      return false;
    } else if (cmd == "wait") {
      deadline_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(arg_d(0, 1) * 1000));
      return false;
    } else if (cmd == "expect") {
      if (a.empty()) return failed("needs an event name");
      expect_ = a[0];
      expect_value_ = a.size() > 2 ? a[2] : "";
      deadline_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(arg_d(1, 10) * 1000));
      return progress();
    } else if (cmd == "print") {
      std::string text;
      for (const auto& w : a) text += (text.empty() ? "" : " ") + w;
      event("print", text);
    } else if (cmd == "quit") {
      quit_ = true;
    } else {
      return failed("unknown command");
    }
    return true;
  }

  // Whether the waiting command is done (or timed out).
  bool progress() {
    const auto now = Clock::now();
    if (!expect_.empty()) {
      if (expect_ == "digits") {
        if (device_.digits() == expect_value_) return done_expect();
      } else {
        for (; cursor_ < seen_.size(); ++cursor_)
          if (seen_[cursor_].name == expect_ && (expect_value_.empty() || seen_[cursor_].args.find(expect_value_) != std::string::npos)) {
            ++cursor_;
            return done_expect();
          }
      }
      if (deadline_ && now >= *deadline_) {
        event("timeout", "expect " + expect_ + (expect_value_.empty() ? "" : " " + expect_value_));
        std::exit(3);
      }
      return false;
    }
    if (!wait_for_.empty()) {
      for (; wait_cursor_ < seen_.size(); ++wait_cursor_)
        if (seen_[wait_cursor_].name == wait_for_) {
          ++wait_cursor_;
          wait_for_.clear();
          return true;
        }
      return false;
    }
    return !deadline_ || now >= *deadline_;
  }

  void tick() {
    if (loop_closed_at_ && Clock::now() >= *loop_closed_at_) {
      loop_closed_at_.reset();
      device_.send_signal(LineSignal::LoopClosed);
    }
    device_.on_tick();
  }
  bool quit() const { return quit_; }

 private:
  bool done_expect() {
    expect_.clear();
    expect_value_.clear();
    return true;
  }

  Device device_;
  std::vector<Seen> seen_;
  std::size_t cursor_ = 0, wait_cursor_ = 0;
  std::string current_, wait_for_, expect_, expect_value_;
  std::optional<Clock::time_point> deadline_, loop_closed_at_;
  bool quit_ = false;
};

void usage() {
  std::fprintf(stderr,
               "usage: tdmphone --socket PATH [--role phone|line] [--law ulaw|alaw] [--record FILE.wav]\n"
               "                [--auto-answer RINGS] [--auto-dialtone] [--name NAME] [-e \"cmd; cmd ...\"]\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  std::string script;
  bool have_script = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--socket") opts.socket_path = next();
    else if (a == "--role") opts.line_role = next() == "line";
    else if (a == "--law") opts.law = next() == "alaw" ? telephony::tdm::WireLaw::Alaw : telephony::tdm::WireLaw::Ulaw;
    else if (a == "--record") opts.record_path = next();
    else if (a == "--name") opts.name = next();
    else if (a == "--auto-answer") opts.auto_answer_rings = std::atoi(next().c_str());
    else if (a == "--auto-dialtone") opts.auto_dialtone = true;
    else if (a == "--dialtone") opts.dialtone = next();
    else if (a == "-e") {
      script = next();
      have_script = true;
    } else {
      usage();
      return 2;
    }
  }
  if (opts.socket_path.empty()) {
    usage();
    return 2;
  }
  Runner runner(opts);
  std::string error;
  if (!runner.open(error)) {
    std::fprintf(stderr, "tdmphone: %s\n", error.c_str());
    return 1;
  }
  runner.event("ready", "socket=" + opts.socket_path + " role=" + (opts.line_role ? "line" : "phone"));

  std::vector<std::string> queue;
  if (have_script) {
    std::istringstream s(script);
    for (std::string cmd; std::getline(s, cmd, ';');) queue.push_back(cmd);
  }
  const int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  itimerspec spec{};
  spec.it_interval.tv_nsec = 20'000'000;
  spec.it_value.tv_nsec = 20'000'000;
  ::timerfd_settime(tfd, 0, &spec, nullptr);
  std::string pending_input;
  bool stdin_open = !have_script;
  bool busy = false;
  std::size_t next_cmd = 0;
  while (!runner.quit()) {
    if (busy && runner.progress()) busy = false;
    while (!busy && next_cmd < queue.size()) busy = !runner.start(queue[next_cmd++]);
    if (!busy && next_cmd >= queue.size() && !stdin_open) break;
    pollfd fds[3] = {{runner.device().fd(), POLLIN, 0}, {tfd, POLLIN, 0}, {0, POLLIN, 0}};
    const int nfds = stdin_open && !busy ? 3 : 2;
    if (::poll(fds, static_cast<nfds_t>(nfds), 100) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) runner.device().on_readable();
    if (fds[1].revents & POLLIN) {
      std::uint64_t expirations = 0;
      (void)!::read(tfd, &expirations, sizeof expirations);
      for (std::uint64_t k = 0; k < expirations && k < 5; ++k) runner.tick();
    }
    if (nfds == 3 && (fds[2].revents & (POLLIN | POLLHUP))) {
      char buf[4096];
      const auto n = ::read(0, buf, sizeof buf);
      if (n <= 0) {
        stdin_open = false;
      } else {
        pending_input.append(buf, static_cast<std::size_t>(n));
        for (auto nl = pending_input.find('\n'); nl != std::string::npos; nl = pending_input.find('\n')) {
          queue.push_back(pending_input.substr(0, nl));
          pending_input.erase(0, nl + 1);
        }
      }
    }
  }
  runner.event("bye", "");
  ::close(tfd);
  return 0;
}
