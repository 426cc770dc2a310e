// telephonyd: a thin host that wires an Asterisk-style configuration directory into libtelephony.
//
//   telephonyd -C DIR [-f]             run (in the background unless -f)
//   telephonyd -C DIR -rx "command"    run one console command on the running daemon
//   telephonyd -C DIR -r               interactive remote console
//   telephonyd --check-config -C DIR   validate every file, print every error with file:line
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <set>
#include <string>

#include "config_directory.hpp"
#include "control_socket.hpp"
#include "daemon_config.hpp"
#include "module_commands.hpp"
#include "modules.hpp"
#include "systemd_notify.hpp"
#include "telephony/config/module_config.hpp"
#include "telephony/engine.hpp"
#include "telephony/media/file_format.hpp"
#include "telephony/version.hpp"

namespace fs = std::filesystem;
using namespace telephonyd;

namespace {

struct Args {
  fs::path config_dir = "/etc/telephony";
  bool foreground = false;
  bool check = false;
  bool remote = false;
  std::string remote_command;
  bool has_remote_command = false;
  int verbose = -1;  // -v count; -1: telephony.conf [options] verbose
};

void usage(FILE* out) {
  std::fprintf(out,
               "Usage: telephonyd [-C DIR] [-f]\n"
               "       telephonyd [-C DIR] -rx \"<console command>\"\n"
               "       telephonyd [-C DIR] -r\n"
               "       telephonyd --check-config [-C DIR]\n"
               "  -C DIR          configuration directory (telephony.conf, extensions.conf, ...)\n"
               "  -f              stay in the foreground and log to the terminal\n"
               "  -r              connect to the running daemon's console\n"
               "  -x CMD          with -r: run CMD and exit\n"
               "  --check-config  validate the configuration and exit (1 on any error)\n"
               "  -V, --version   print the version\n");
}

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto need = [&](const char* what) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "telephonyd: %s needs an argument\n", what);
        return nullptr;
      }
      return argv[++i];
    };
    if (s == "-C") {
      auto v = need("-C");
      if (!v) return false;
      a.config_dir = v;
    } else if (s == "-f" || s == "-c" || s == "-F") {
      a.foreground = true;
    } else if (s == "--check-config") {
      a.check = true;
    } else if (s == "-r" || s == "-R") {
      a.remote = true;
    } else if (s == "-rx" || s == "-x") {
      auto v = need(s.c_str());
      if (!v) return false;
      a.remote = true;
      a.has_remote_command = true;
      a.remote_command = v;
    } else if (s == "-V" || s == "--version") {
      std::printf("telephonyd %s\n", std::string(telephony::library_version()).c_str());
      std::exit(0);
    } else if (s == "-h" || s == "--help") {
      usage(stdout);
      std::exit(0);
    } else if (s.rfind("-v", 0) == 0 && s.find_first_not_of('v', 1) == std::string::npos) {
      // -v / -vvv: the starting verbosity, as Asterisk's (otherwise telephony.conf verbose = N).
      a.verbose = std::max(a.verbose, 0) + static_cast<int>(s.size() - 1);
    } else {
      std::fprintf(stderr, "telephonyd: unknown option '%s'\n", s.c_str());
      usage(stderr);
      return false;
    }
  }
  return true;
}

void print_errors(const telephony::Errors& errs) {
  for (const auto& e : errs.items) std::fprintf(stderr, "%s\n", e.to_string().c_str());
}

int check_config(const fs::path& dir) {
  std::set<std::string> seen;
  std::vector<std::string> lines;
  auto collect = [&](const telephony::Errors& errs) {
    for (const auto& e : errs.items)
      if (seen.insert(e.to_string()).second) lines.push_back(e.to_string());
  };
  auto cfg = load_daemon_config(dir);
  if (!cfg) collect(cfg.error());
  collect(check_all_config_files(dir));
  telephony::Engine engine(cfg ? cfg->engine : telephony::EngineOptions{});
  for (auto& m : make_modules(engine, true)) {
    if (!m->config_file().empty() && !telephony::config::find_module_config(dir, m->config_file())) continue;
    auto r = m->check(dir);
    if (!r) collect(r.error());
  }
  for (const auto& l : lines) std::fprintf(stderr, "%s\n", l.c_str());
  if (!lines.empty()) {
    std::fprintf(stderr, "%zu error%s in %s\n", lines.size(), lines.size() == 1 ? "" : "s", dir.c_str());
    return 1;
  }
  std::printf("Configuration OK: %s\n", fs::absolute(dir).c_str());
  return 0;
}

// Said once at start, where an administrator looks: without the default language's prompts every
// Playback() of a standard prompt fails later, call by call.
void warn_if_prompts_missing(telephony::Engine& engine) {
  const auto& sounds = engine.options().dirs.sounds;
  const std::string_view language = "en";  // a new channel's language
  if (telephony::media::find_sound_file(sounds, language, "hello-world", telephony::media::Format::slin())) return;
  engine.log().warning("telephonyd", "the prompts of the default language '" + std::string(language) +
                                         "' are missing (" +
                                         telephony::media::sound_not_found_message(sounds, language, "hello-world") +
                                         "): Playback() of the standard prompts will fail. Install the Debian package "
                                         "asterisk-core-sounds-en, or set soundsdir in telephony.conf [directories]");
}

void daemonize() {
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid > 0) std::_Exit(0);
  ::setsid();
  int fd = ::open("/dev/null", O_RDWR);
  if (fd >= 0) {
    ::dup2(fd, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (fd > 2) ::close(fd);
  }
}

int run_daemon(const Args& args, char** argv) {
  auto cfg = load_daemon_config(args.config_dir);
  if (!cfg) {
    print_errors(cfg.error());
    return 1;
  }
  if (!args.foreground) daemonize();
  create_state_directories(*cfg);
  const auto& dirs = cfg->engine.dirs;
  std::error_code ec;

  telephony::Engine engine(cfg->engine);
  engine.log().set_verbose(args.verbose >= 0 ? args.verbose : cfg->verbose);
  if (auto r = load_config_directory(engine, *cfg, args.foreground); !r) {
    print_errors(r.error());
    std::fprintf(stderr, "telephonyd: not starting\n");
    return 1;
  }
  warn_if_prompts_missing(engine);
  engine.start();
  ControlSocketServer control(engine, cfg->control_socket());
  if (auto r = control.start(); !r) {
    std::fprintf(stderr, "telephonyd: %s\n", r.error().to_string().c_str());
    engine.stop();
    return 1;
  }
  SystemdNotifier systemd(engine.io());
  boost::asio::signal_set signals(engine.io(), SIGINT, SIGTERM, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code e, int sig) {
    if (e) return;
    if (sig == SIGHUP) {
      systemd.reloading();
      auto r = engine.commands().execute("module reload");
      engine.log().notice("telephonyd", "SIGHUP: " + r.output);
      systemd.ready(r.status == 0 ? "reloaded" : "reload failed; running configuration kept");
      signals.async_wait(on_signal);
    } else {
      engine.log().notice("telephonyd", std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", stopping");
      engine.request_stop(telephony::Engine::StopMode::Now);
    }
  };
  signals.async_wait(on_signal);
  {
    std::ofstream pid(cfg->pid_file());
    pid << ::getpid() << "\n";
  }
  engine.log().notice("telephonyd", "telephonyd " + std::string(telephony::library_version()) + " ready (config " +
                                        dirs.config.string() + ")");
  systemd.ready("ready (config " + dirs.config.string() + ")");
  systemd.start_watchdog();
  engine.wait_for_stop_request();
  const bool restart = engine.restart_requested();
  systemd.stopping();
  systemd.stop_watchdog();
  engine.log().notice("telephonyd", std::string(restart ? "restarting" : "stopping") + ": hanging up " +
                                        std::to_string(engine.channel_count()) + " channel(s)");
  boost::system::error_code sec;
  signals.cancel(sec);
  engine.stop(std::chrono::milliseconds(1500));
  control.stop();
  for (auto& m : engine.modules()) m->unload();
  fs::remove(cfg->pid_file(), ec);
  if (restart) {
    // `core restart …`: the same program with the same arguments, in the same process (the pid
    // systemd and scripts know stays valid). Already detached, so stay in the foreground.
    std::vector<char*> again;
    for (char** a = argv; *a; ++a) again.push_back(*a);
    static char foreground[] = "-f";
    if (!args.foreground) again.push_back(foreground);
    again.push_back(nullptr);
    ::execv("/proc/self/exe", again.data());
    std::perror("telephonyd: restart failed (execv)");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  Args args;
  if (!parse_args(argc, argv, args)) return 2;
  if (args.check) return check_config(args.config_dir);
  if (args.remote) {
    auto cfg = load_daemon_config(args.config_dir);
    if (!cfg) {
      print_errors(cfg.error());
      return 1;
    }
    return args.has_remote_command ? run_remote_command(cfg->control_socket(), args.remote_command)
                                   : run_remote_console(cfg->control_socket());
  }
  return run_daemon(args, argv);
}
