// AGI scripts as child processes: posix_spawn (safe in a threaded process, unlike fork), the
// script's stdin/stdout as pipes read on the channel's strand, EAGI audio on its fd 3, SIGHUP on
// hangup, and the exit status collected without blocking a thread.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>

#include "agi/agi_transport.hpp"
#include "agi/line_stream.hpp"
#include "telephony/engine.hpp"

extern char** environ;

namespace telephony::agi {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct PipeStreams {
  asio::posix::stream_descriptor from_script;  // the script's stdout
  asio::posix::stream_descriptor to_script;    // the script's stdin
  asio::posix::stream_descriptor& in() { return from_script; }
  asio::posix::stream_descriptor& out() { return to_script; }
  void close() {
    boost::system::error_code ec;
    from_script.close(ec);
    to_script.close(ec);
  }
};

class ProcessTransport : public AgiTransport {
 public:
  ProcessTransport(Engine& engine, pid_t pid, std::shared_ptr<LineStream<PipeStreams>> lines)
      : engine_(engine), pid_(pid), lines_(std::move(lines)) {}
  ~ProcessTransport() override {
    lines_->set_waker({});
    lines_->close();
    if (pid_ > 0) reap_in_background();
  }

  void send(std::string text) override { lines_->send(std::move(text)); }
  std::optional<std::string> next_line() override { return lines_->next_line(); }
  bool closed() const override { return lines_->closed(); }
  void set_waker(std::function<void()> wake) override { lines_->set_waker(std::move(wake)); }
  void notify_hangup() override {
    if (pid_ > 0) ::kill(pid_, SIGHUP);
  }
  bool network() const override { return false; }

  asio::awaitable<AgiStatus> finish(bool peer_closed) override {
    lines_->set_waker({});
    lines_->close();
    if (pid_ <= 0) co_return AgiStatus::Success;
    if (!peer_closed) {
      reap_in_background();
      co_return AgiStatus::Success;
    }
    // The script closed its stdout; it normally exits at the same moment. Poll briefly with
    // growing pauses (no thread blocks in waitpid); a script that lingers is reaped later.
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto pause = 1ms;
    for (auto waited = 0ms; waited < 3s; waited += pause, pause = std::min(pause * 2, 100ms)) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        co_return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? AgiStatus::Success : AgiStatus::Failure;
      }
      if (r < 0) {
        pid_ = -1;
        co_return AgiStatus::Success;
      }
      timer.expires_after(pause);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    engine_.log().warning("agi", "AGI script (pid " + std::to_string(pid_) +
                                     ") closed its output but has not exited; it will be reaped when it does");
    reap_in_background();
    co_return AgiStatus::Success;
  }

 private:
  // A script that outlives its AGI is polled for (no thread waits in waitpid) until it exits.
  void reap_in_background() {
    const pid_t pid = pid_;
    pid_ = -1;
    if (pid <= 0) return;
    auto timer = std::make_shared<asio::steady_timer>(engine_.io());
    poll_exit(timer, pid, 10ms);
  }
  static void poll_exit(const std::shared_ptr<asio::steady_timer>& timer, pid_t pid, std::chrono::milliseconds pause) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != 0) return;  // reaped (or not our child any more)
    timer->expires_after(pause);
    timer->async_wait([timer, pid, pause](const boost::system::error_code& ec) {
      if (!ec) poll_exit(timer, pid, std::min(pause * 2, std::chrono::milliseconds(1000)));
    });
  }

  Engine& engine_;
  pid_t pid_;
  std::shared_ptr<LineStream<PipeStreams>> lines_;
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    const auto eq = entry.find('=');
    bool replaced = false;
    for (const auto& x : extra)
      if (eq != std::string_view::npos && x.compare(0, eq + 1, entry.substr(0, eq + 1)) == 0) replaced = true;
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

}  // namespace

EagiAudio::~EagiAudio() {
  if (fd_ >= 0) ::close(fd_);
}

void EagiAudio::write(const Frame& f) {
  if (fd_ < 0 || f.kind != FrameKind::Voice) return;
  auto data = f.data();
  const ssize_t n = ::write(fd_, data.data(), data.size());
  if (n > 0) written_ += static_cast<std::uint64_t>(n);
  // EAGAIN: the script is not reading; that audio is lost, as in Asterisk. EPIPE: it closed fd 3.
}

Result<LaunchedScript, std::pair<LaunchError, std::string>> launch_script(Channel& chan, const ScriptLaunch& launch) {
  using Err = std::pair<LaunchError, std::string>;
  struct stat st {};
  if (::stat(launch.path.c_str(), &st) != 0)
    return Unexpected<Err>{{LaunchError::NotFound, "Failed to execute '" + launch.path.string() + "': File does not exist."}};
  int to_ast[2], from_ast[2], audio[2] = {-1, -1};
  if (::pipe2(to_ast, O_CLOEXEC) != 0)
    return Unexpected<Err>{{LaunchError::Failed, std::string("Unable to create pipe: ") + std::strerror(errno)}};
  Fd to_ast_r{to_ast[0]}, to_ast_w{to_ast[1]};
  if (::pipe2(from_ast, O_CLOEXEC) != 0)
    return Unexpected<Err>{{LaunchError::Failed, std::string("Unable to create pipe: ") + std::strerror(errno)}};
  Fd from_ast_r{from_ast[0]}, from_ast_w{from_ast[1]};
  Fd audio_r, audio_w;
  if (launch.enhanced) {
    if (::pipe2(audio, O_CLOEXEC) != 0)
      return Unexpected<Err>{{LaunchError::Failed, std::string("Unable to create audio pipe: ") + std::strerror(errno)}};
    audio_r.fd = audio[0];
    audio_w.fd = audio[1];
    ::fcntl(audio_w.fd, F_SETFL, ::fcntl(audio_w.fd, F_GETFL) | O_NONBLOCK);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, from_ast_r.fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, to_ast_w.fd, STDOUT_FILENO);
  if (launch.enhanced) posix_spawn_file_actions_adddup2(&actions, audio_r.fd, STDERR_FILENO + 1);
  // Nothing of the engine leaks into the script: every descriptor above 2 (3 for EAGI) closes.
  posix_spawn_file_actions_addclosefrom_np(&actions, launch.enhanced ? STDERR_FILENO + 2 : STDERR_FILENO + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The script starts with default signal handling (the daemon ignores SIGPIPE; a script expects
  // the default) and an empty signal mask.
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGHUP);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv;
  for (const auto& a : launch.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const auto env_strings = merged_environment(launch.env);
  std::vector<char*> envp;
  for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, launch.path.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return Unexpected<Err>{{LaunchError::Failed, "Failed to execute '" + launch.path.string() + "': " + std::strerror(rc)}};

  // The child's ends close here (Fd destructors); ours go to the strand-bound descriptors.
  PipeStreams streams{asio::posix::stream_descriptor(chan.strand(), to_ast_r.release()),
                      asio::posix::stream_descriptor(chan.strand(), from_ast_w.release())};
  auto lines = std::make_shared<LineStream<PipeStreams>>(std::move(streams));
  lines->start();
  LaunchedScript out;
  out.transport = std::make_shared<ProcessTransport>(chan.engine(), pid, std::move(lines));
  if (launch.enhanced) out.audio = std::make_unique<EagiAudio>(audio_w.release());
  chan.engine().log().verbose("agi", "Launched AGI Script " + launch.path.string());
  return out;
}

}  // namespace telephony::agi
