// Applications and functions: the vocabulary of the dialplan. Both register by name (case-
// insensitive) into the engine with their documentation, so hosts can add their own.
//
// An application is a C++20 coroutine run on the channel's strand. It receives the execution
// context of the PBX running that channel (location, Gosub stack, the channel itself) and its raw
// argument string, already variable-substituted. It returns Continue (next priority, or wherever
// it jumped with Goto) or Hangup (end the dialplan; `h` runs).
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "telephony/documentation.hpp"
#include "telephony/result.hpp"

namespace telephony {
class Engine;
class Channel;
}

namespace telephony::dialplan {

class Execution;  // defined by the dialplan executor

enum class AppResult { Continue, Hangup };

using AppHandler = std::function<boost::asio::awaitable<AppResult>(Execution&, std::string_view data)>;

struct Application {
  std::string name;
  Documentation doc;
  AppHandler run;
};

// What a function call sees: the engine, the channel if any (AMI Getvar may have none), the
// function name as written (e.g. "CALLERID") and its raw argument text ("num").
struct FunctionCall {
  Engine& engine;
  Channel* channel;
  std::string_view name;
  std::string_view args;
};

using FunctionRead = std::function<Result<std::string>(const FunctionCall&)>;
using FunctionWrite = std::function<Result<void>(const FunctionCall&, std::string_view value)>;

struct Function {
  std::string name;
  Documentation doc;
  FunctionRead read;    // empty: write-only
  FunctionWrite write;  // empty: read-only
};

}  // namespace telephony::dialplan
