// AGI commands on variables and AstDB: SET VARIABLE, GET VARIABLE, GET FULL VARIABLE and
// DATABASE DEL/DELTREE/GET/PUT (all allowed after hangup, as in Asterisk).
#include <utility>  // before asio: Boost 1.74 awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>

#include "agi/agi_command.hpp"
#include "agi/agi_session.hpp"
#include "telephony/astdb.hpp"
#include "telephony/dialplan/executor.hpp"
#include "telephony/dialplan/substitution.hpp"
#include "telephony/engine.hpp"

namespace telephony::agi {

namespace asio = boost::asio;
using Status = CommandStatus;

namespace {

std::optional<std::string> read_function(Engine& engine, Channel* chan, std::string_view text) {
  const auto open = text.find('(');
  if (open == std::string_view::npos || open == 0 || text.back() != ')') return std::nullopt;
  const auto name = text.substr(0, open);
  const auto args = text.substr(open + 1, text.size() - open - 2);
  auto fn = engine.functions().find(name);
  if (!fn || !fn->read) return std::nullopt;
  auto value = fn->read(dialplan::FunctionCall{engine, chan, name, args});
  if (!value) return std::nullopt;
  return *value;
}

// Substitution on a channel that is not running this AGI (GET FULL VARIABLE … CHANNEL): its
// variables and the dialplan functions, read for that channel.
struct OtherChannelResolver : dialplan::VariableResolver {
  Engine& engine;
  Channel& chan;
  OtherChannelResolver(Engine& e, Channel& c) : engine(e), chan(c) {}
  std::optional<std::string> variable(std::string_view name) const override {
    if (name == "CHANNEL") return chan.name();
    if (name == "UNIQUEID") return chan.uniqueid();
    if (name == "CONTEXT") return chan.location().context;
    if (name == "EXTEN") return chan.location().exten;
    if (name == "PRIORITY") return std::to_string(chan.location().priority);
    return chan.variable(name);
  }
  std::optional<std::string> function(std::string_view name, std::string_view args) const override {
    auto fn = engine.functions().find(name);
    if (!fn || !fn->read) return std::nullopt;
    auto v = fn->read(dialplan::FunctionCall{engine, &chan, name, args});
    if (!v) return std::nullopt;
    return *v;
  }
};

asio::awaitable<Status> set_variable(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 4) co_return Status::ShowUsage;
  if (auto r = s.exec().assign(a[2], a[3]); !r)
    s.engine().log().warning("agi", "SET VARIABLE " + a[2] + ": " + r.error().to_string());
  s.send("200 result=1\n");
  co_return Status::Success;
}

asio::awaitable<Status> get_variable(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 3) co_return Status::ShowUsage;
  std::optional<std::string> value;
  if (!a[2].empty() && a[2].back() == ')') value = read_function(s.engine(), &s.channel(), a[2]);
  else value = s.exec().variable(a[2]);
  s.send(value ? "200 result=1 (" + *value + ")\n" : std::string("200 result=0\n"));
  co_return Status::Success;
}

asio::awaitable<Status> get_full_variable(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 4 && a.size() != 5) co_return Status::ShowUsage;
  if (a.size() == 5) {
    auto other = s.engine().find_channel(a[4]);
    if (!other) {
      s.send("200 result=0\n");
      co_return Status::Success;
    }
    OtherChannelResolver resolver(s.engine(), *other);
    s.send("200 result=1 (" + dialplan::substitute(a[3], resolver) + ")\n");
    co_return Status::Success;
  }
  s.send("200 result=1 (" + s.exec().substitute(a[3]) + ")\n");
  co_return Status::Success;
}

asio::awaitable<Status> database_get(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 4) co_return Status::ShowUsage;
  auto v = s.engine().astdb().get(a[2], a[3]);
  if (!v) s.engine().log().warning("agi", "DATABASE GET: " + v.error().to_string());
  s.send(v && *v ? "200 result=1 (" + **v + ")\n" : std::string("200 result=0\n"));
  co_return Status::Success;
}

asio::awaitable<Status> database_put(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 5) co_return Status::ShowUsage;
  auto r = s.engine().astdb().put(a[2], a[3], a[4]);
  if (!r) s.engine().log().warning("agi", "DATABASE PUT: " + r.error().to_string());
  s.send(r ? "200 result=1\n" : "200 result=0\n");
  co_return Status::Success;
}

asio::awaitable<Status> database_del(AgiSession& s, const CommandArgs& a) {
  if (a.size() != 4) co_return Status::ShowUsage;
  auto r = s.engine().astdb().del(a[2], a[3]);
  s.send(r && *r ? "200 result=1\n" : "200 result=0\n");
  co_return Status::Success;
}

asio::awaitable<Status> database_deltree(AgiSession& s, const CommandArgs& a) {
  if (a.size() < 3 || a.size() > 4) co_return Status::ShowUsage;
  auto r = s.engine().astdb().deltree(a[2], a.size() == 4 ? std::string_view(a[3]) : std::string_view());
  // The documented result (1 when something was deleted); see docs/compatibility.md.
  s.send(r && *r > 0 ? "200 result=1\n" : "200 result=0\n");
  co_return Status::Success;
}

void add(std::vector<AgiCommand>& t, std::vector<std::string> words, bool dead, Documentation doc, CommandHandler h) {
  t.push_back(AgiCommand{std::move(words), dead, std::move(doc), std::move(h)});
}

}  // namespace

void add_variable_commands(std::vector<AgiCommand>& t) {
  add(t, {"set", "variable"}, true,
      agi_doc("Sets a channel variable.", "SET VARIABLE VARIABLENAME VALUE",
              "Sets a channel variable (or writes a function, NAME(args)); inheritance prefixes _ and __ work as "
              "in Set(). Returns 1.",
              {{"variablename", "name"}, {"value", "value (quote it when it has spaces)"}}),
      set_variable);
  add(t, {"get", "variable"}, true,
      agi_doc("Gets a channel variable.", "GET VARIABLE VARIABLENAME",
              "Returns 1 (value) when the variable is set (channel, then global), 0 when it is not. A name ending "
              "in ')' reads a dialplan function. Does not substitute nested variables; use GET FULL VARIABLE.",
              {{"variablename", "name or FUNCTION(args)"}}),
      get_variable);
  add(t, {"get", "full", "variable"}, true,
      agi_doc("Evaluates a channel expression", "GET FULL VARIABLE EXPRESSION [CHANNELNAME]",
              "Substitutes EXPRESSION (e.g. \"${CALLERID(num)} at ${EXTEN}\") on this channel or the named one and "
              "returns 1 (text); 0 when the named channel does not exist.",
              {{"expression", "text with ${…} references"}, {"channelname", "another channel"}}),
      get_full_variable);
  add(t, {"database", "get"}, true,
      agi_doc("Gets database value", "DATABASE GET FAMILY KEY",
              "Returns 1 (value) when the AstDB entry exists, 0 when it does not."),
      database_get);
  add(t, {"database", "put"}, true,
      agi_doc("Adds/updates database value", "DATABASE PUT FAMILY KEY VALUE",
              "Stores the AstDB entry. Returns 1 on success, 0 otherwise."),
      database_put);
  add(t, {"database", "del"}, true,
      agi_doc("Removes database key/value", "DATABASE DEL FAMILY KEY",
              "Deletes the AstDB entry. Returns 1 when it existed and was deleted, 0 otherwise."),
      database_del);
  add(t, {"database", "deltree"}, true,
      agi_doc("Removes database keytree/value", "DATABASE DELTREE FAMILY [KEYTREE]",
              "Deletes the family, or the key tree below it. Returns 1 when something was deleted, 0 otherwise."),
      database_deltree);
}

}  // namespace telephony::agi
