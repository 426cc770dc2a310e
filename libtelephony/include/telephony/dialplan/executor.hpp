// The dialplan executor: DialplanPbx (the engine's Pbx) runs one coroutine per channel on the
// channel's strand; Execution is what that coroutine keeps per channel and what every dialplan
// application receives.
//
// The loop is Asterisk's __ast_pbx_run: a start location that does not exist falls back to `s`
// (then `s@default`); each step substitutes the priority's data, publishes DialplanStep and runs
// the application; Continue moves to the next priority (or wherever the app jumped), Hangup ends
// the loop. A missing extension goes to `i` (INVALID_EXTEN) or raises INVALID at `e`; the end of
// an extension either hangs up (autofallthrough=yes: DIALSTATUS BUSY -> busy, cause 17;
// CONGESTION/CHANUNAVAIL -> congestion, cause 34) or waits TIMEOUT(response) for digits and goes
// to `t` (autofallthrough=no). An absolute timeout goes to `T` (or raises ABSOLUTETIMEOUT at `e`).
// At the end `h` runs (includes searched) with ${EXTEN}=h and the channel marked hung up, so apps
// that wait return at once; then the channel is hung up.
//
// Snapshots: the call reads the snapshot it started on and refreshes it on every jump (Goto,
// Gosub, Return, digit collection, `i`/`t`/`T`/`e`/`h`), so a reload never changes the priorities
// of an extension under a running call.
//
// Originate failures: run_failed_extension() runs `failed@context` on a dummy channel named
// "OutgoingSpoolFailed" with ${REASON} and the given variables (Asterisk's behaviour for call
// files and AMI Originate whose call could not be placed).
#pragma once

#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "telephony/channel.hpp"
#include "telephony/dialplan/application.hpp"
#include "telephony/dialplan/dialplan.hpp"
#include "telephony/dialplan/substitution.hpp"
#include "telephony/events.hpp"
#include "telephony/pbx.hpp"

namespace telephony {
class Engine;
}

namespace telephony::dialplan {

class DialplanPbx;

// A global variable was set at run time (GLOBAL() write, AMI Setvar without Channel): AMI sends
// it as VarSet with Channel: none, as Asterisk does. An empty value means it was unset.
struct GlobalVarSet : Event {
  static constexpr std::string_view kType = "GlobalVarSet";
  std::string_view type() const override { return kType; }
  std::string variable;
  std::string value;
};

// Global variables: the initial [globals] of the snapshot plus Set(GLOBAL(x)=…) at run time.
class GlobalVariables {
 public:
  std::optional<std::string> get(std::string_view name) const;
  void set(std::string_view name, std::string value);  // empty value: unset
  void clear();
  std::vector<std::pair<std::string, std::string>> list() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> values_;
};

// One Gosub return address with the LOCAL variables it shadows.
struct GosubFrame {
  DialplanLocation return_to;  // where Return() continues
  bool nested = false;         // pushed by run_subroutine(): its Return ends that nested loop
  int argc = 0;
  // LOCAL variables of this frame and their values before it (nullopt: was unset).
  std::vector<std::pair<std::string, std::optional<std::string>>> saved;
};

struct WhileFrame {
  std::string context;
  std::string exten;
  int while_priority = 0;
  int end_priority = 0;  // the matching EndWhile
};

struct ExceptionInfo {
  std::string reason;
  std::string context;
  std::string exten;
  int priority = 0;
};

class Execution {
 public:
  Execution(DialplanPbx& pbx, Channel::Ptr chan);
  ~Execution();
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;

  Channel& channel() { return *chan_; }
  const Channel::Ptr& channel_ptr() const { return chan_; }
  Engine& engine();
  DialplanPbx& pbx() { return pbx_; }
  const Dialplan& dialplan() const { return *plan_; }

  // --- location ------------------------------------------------------------------------------
  const DialplanLocation& location() const { return loc_; }
  // Jumps (the loop does not advance past the new location) and moves to the newest snapshot.
  void jump(std::string context, std::string exten, int priority);
  // Asterisk's parseable goto: `[[context,]exten,]priority` where priority is a number, `+N`/`-N`
  // (relative to the current one) or a label of the target extension. Errors name the target.
  Result<void> jump_to(std::string_view target);
  // Resolves such a target without jumping.
  Result<DialplanLocation> resolve_target(std::string_view target) const;
  bool jumped() const { return jumped_; }
  // Puts the execution back at `loc` on `plan` without counting as a jump (the loop advances
  // past it): how Macro and run_subroutine return to the priority that called them.
  void resume_at(DialplanLocation loc, std::shared_ptr<const Dialplan> plan);
  std::shared_ptr<const Dialplan> snapshot_ptr() const { return plan_; }
  // The extension and priority being run (null when the location does not exist).
  const Extension* current_extension() const { return found_.extension; }
  const Priority* current_priority() const { return found_.priority; }
  bool exists(std::string_view context, std::string_view exten, int priority) const;
  bool match_more(std::string_view context, std::string_view exten) const;
  std::string caller_number() const;

  // --- stepping (used by the main loop and by Macro / run_subroutine) -------------------------
  // Looks the current location up; false when it does not exist.
  bool locate();
  // Runs the located priority: substitution, DialplanStep, the application.
  boost::asio::awaitable<AppResult> execute_current();
  // Runs an application by name with already-substituted data (ExecIf, Macro bodies …).
  boost::asio::awaitable<AppResult> run_application(std::string_view app, std::string_view data);
  // Next priority unless the last application jumped.
  void advance();

  // --- variables -----------------------------------------------------------------------------
  std::string substitute(std::string_view text) const;
  const VariableResolver& resolver() const;
  // Builtins (EXTEN, CONTEXT, …), then channel variables, then globals.
  std::optional<std::string> variable(std::string_view name) const;
  // `NAME`, `_NAME`, `__NAME` or `FUNC(args)` (a function write). Every channel write goes through
  // Channel::set_variable, which publishes ChannelVarSet.
  Result<void> assign(std::string_view name, std::string value);

  // --- Gosub / LOCAL ---------------------------------------------------------------------------
  std::vector<GosubFrame>& gosub_stack() { return gosub_; }
  // Pushes a frame returning to `return_to` and sets ARG1..ARGn / ARGC as LOCAL variables of it
  // (clearing ARGs of the outer frame beyond n, as Asterisk does).
  void push_gosub(DialplanLocation return_to, const std::vector<std::string>& args, bool nested = false);
  // Sets a LOCAL variable of the top frame, remembering the value it shadows.
  Result<void> set_local(std::string_view name, std::string value);
  // Pops the top frame, restoring the variables it shadowed; returns it.
  std::optional<GosubFrame> pop_gosub();
  // Runs `target` (Gosub syntax, with optional "(args)") as a nested subroutine until its Return
  // and comes back here; the value given to Return is returned. For apps such as Dial's U().
  boost::asio::awaitable<Result<std::string>> run_subroutine(std::string_view target);

  std::vector<WhileFrame>& while_stack() { return while_; }
  int macro_depth = 0;
  bool macro_exit = false;

  // --- exceptions, special extensions, timeouts ----------------------------------------------
  // Sets EXCEPTION() data and jumps to `e` of the current context.
  void raise_exception(std::string reason);
  const std::optional<ExceptionInfo>& exception() const { return exception_; }
  std::chrono::milliseconds response_timeout{10000};
  std::chrono::milliseconds digit_timeout{5000};
  std::optional<std::chrono::system_clock::time_point> absolute_deadline;
  bool in_hangup_extension() const { return in_h_; }

  // --- digit collection ----------------------------------------------------------------------
  // Next DTMF digit within `timeout`; nullopt on timeout; sets *hung_up on hangup.
  boost::asio::awaitable<std::optional<char>> read_digit(std::chrono::milliseconds timeout, bool* hung_up);
  // Collects an extension number the way the PBX does after Background/WaitExten: starting
  // with `prefix` (digits already received), waits `first_wait` for a first digit if there is
  // none, then TIMEOUT(digit) per further digit while more digits could still match. Then jumps:
  // the number if it exists, else `i` (INVALID_EXTEN) / INVALID at `e`; nothing dialed: `t` /
  // RESPONSETIMEOUT at `e`. Returns Hangup when the channel hung up or no handler exists.
  boost::asio::awaitable<AppResult> collect_extension(std::string prefix, std::chrono::milliseconds first_wait);
  // Where an invalid extension goes: `i` with INVALID_EXTEN, else INVALID at `e`; false: neither.
  bool goto_invalid(std::string_view dialed);

  // The whole loop from the current location; runs `h` and hangs up at the end.
  boost::asio::awaitable<void> run();

 private:
  friend class ExecutionResolver;
  enum class LoopEnd { Finished, HungUp, Error };
  boost::asio::awaitable<LoopEnd> main_loop();
  boost::asio::awaitable<void> fall_through();
  boost::asio::awaitable<void> run_hangup_extension();
  bool handle_absolute_timeout();
  boost::asio::awaitable<bool> take_redirect();  // a pending Channel::request_redirect(): jump there; true to go on
  std::optional<std::string> builtin(std::string_view name) const;

  DialplanPbx& pbx_;
  Channel::Ptr chan_;
  std::shared_ptr<const Dialplan> plan_;
  DialplanLocation loc_;
  Found found_;
  bool jumped_ = false;
  bool in_h_ = false;
  std::vector<GosubFrame> gosub_;
  std::vector<WhileFrame> while_;
  std::optional<ExceptionInfo> exception_;
  std::unique_ptr<VariableResolver> resolver_;
};

// "ctx,exten,prio(arg1,arg2)" -> {"ctx,exten,prio", {"arg1", "arg2"}}: arguments are split at
// commas outside (), [] and quotes, which are kept (Asterisk's raw argument split).
std::pair<std::string, std::vector<std::string>> split_gosub_target(std::string_view text);

class DialplanPbx : public Pbx, public std::enable_shared_from_this<DialplanPbx> {
 public:
  explicit DialplanPbx(Engine& engine, std::shared_ptr<const Dialplan> plan = nullptr);

  void start(Channel::Ptr chan) override;
  bool exists(std::string_view context, std::string_view exten, int priority,
              std::string_view caller_number) const override;
  bool can_match(std::string_view context, std::string_view exten, std::string_view caller_number) const override;
  bool match_more(std::string_view context, std::string_view exten, std::string_view caller_number) const override;
  // Originate's application form: one application on the answered channel, then hangup.
  Result<void> start_application(Channel::Ptr chan, std::string app, std::string data) override;
  // Originate/Dial/Page predial handlers: `context^exten^priority(args)` (or with commas) run as
  // a nested Gosub on the not-yet-dialed channel.
  boost::asio::awaitable<Result<void>> run_predial_gosub(Channel::Ptr chan, std::string gosub) override;

  Engine& engine() { return engine_; }
  std::shared_ptr<const Dialplan> snapshot() const;
  // Swaps in a new snapshot (one shared_ptr, atomically for new lookups) and applies its
  // [globals]: replaced wholesale when clearglobalvars is set, else merged over the current ones.
  void replace(std::shared_ptr<const Dialplan> plan);
  GlobalVariables& globals() { return globals_; }
  // Sets (empty: unsets) a global at run time and publishes GlobalVarSet; what GLOBAL() and AMI
  // Setvar without a channel do, so both see and announce the same variables.
  void set_global(std::string_view name, std::string value);

  // The Execution running `chan`, for functions (LOCAL, TIMEOUT, …). Only valid on the channel's
  // strand, where the execution lives; null elsewhere or when the PBX does not run the channel.
  Execution* execution_of(const Channel& chan);
  void attach(const Channel& chan, Execution* e);
  void detach(const Channel& chan);

 private:
  Engine& engine_;
  mutable std::mutex mu_;
  std::shared_ptr<const Dialplan> plan_;
  GlobalVariables globals_;
  std::unordered_map<const Channel*, Execution*> running_;
};

// Runs `failed@context` (if it exists) on a dummy channel "OutgoingSpoolFailed" with ${REASON}
// (the originate failure reason code, e.g. "3" no answer, "5" busy, "8" congestion) and `vars`
// set, then hangs that channel up. Returns false when the engine has no DialplanPbx or the
// extension does not exist. For the originate core and the call-file spooler.
bool run_failed_extension(Engine& engine, std::string_view context,
                          const std::vector<std::pair<std::string, std::string>>& vars, std::string_view reason);

}  // namespace telephony::dialplan
