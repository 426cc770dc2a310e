// Internal: the two ways an AGI session reaches its peer — a child process (AGI/EAGI script: the
// script's stdin/stdout as pipes, EAGI audio on its fd 3) and a FastAGI TCP connection — built on
// one line-stream core driven on the channel's strand.
#pragma once

#include <sys/types.h>

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agi/agi_session.hpp"
#include "telephony/agi/command_line.hpp"
#include "telephony/result.hpp"

namespace telephony::agi {

struct ScriptLaunch {
  std::filesystem::path path;      // resolved (agi dir prepended to relative names)
  std::vector<std::string> argv;   // argv[0] = the script as written, then the AGI() arguments
  std::vector<std::string> env;    // "NAME=value" added to (or replacing in) the daemon's environment
  bool enhanced = false;           // EAGI: audio pipe on fd 3
};

struct LaunchedScript {
  std::shared_ptr<AgiTransport> transport;
  std::unique_ptr<EagiAudio> audio;  // EAGI only
};

// Starts the script with posix_spawn. Errors: the file does not exist (the caller reports
// NOTFOUND), it cannot be executed, pipes could not be made.
enum class LaunchError { NotFound, Failed };
Result<LaunchedScript, std::pair<LaunchError, std::string>> launch_script(Channel& chan, const ScriptLaunch& launch);

// Connects to a FastAGI server (2 s limit, every address the host resolves to, in order) and
// sends `agi_network: yes` and `agi_network_script: …` before the environment. Error: why.
boost::asio::awaitable<Result<std::shared_ptr<AgiTransport>>> connect_fastagi(Channel::Ptr chan, AgiLocation where);

}  // namespace telephony::agi
