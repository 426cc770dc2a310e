// Conditionals and variables: IF, SET, ENV.
#include <cstdlib>

#include "funcs/function_support.hpp"

namespace telephony::funcs {

namespace {

Result<std::string> if_read(const FunctionCall& call) {
  auto q = call.args.find('?');
  if (q == std::string_view::npos) return func_error(call, "usage IF(<expr>?[<true>][:<false>])");
  std::string_view branches = call.args.substr(q + 1);
  auto colon = branches.find(':');
  std::string_view yes = trim(branches.substr(0, colon));
  std::string_view no = colon == std::string_view::npos ? std::string_view() : trim(branches.substr(colon + 1));
  return std::string(is_true(call.args.substr(0, q)) ? yes : no);
}

Result<std::string> set_read(const FunctionCall& call) {
  auto chan = need_channel(call);
  if (!chan) return Unexpected<Error>{chan.error()};
  auto eq = call.args.find('=');
  if (eq == std::string_view::npos) return func_error(call, "usage SET(<varname>=[<value>])");
  std::string_view name = trim(call.args.substr(0, eq));
  if (name.empty()) return func_error(call, "missing variable name");
  std::string value(call.args.substr(eq + 1));
  (*chan)->set_variable(name, value);
  return value;
}

Result<std::string> env_read(const FunctionCall& call) {
  if (call.args.empty()) return func_error(call, "missing variable name");
  const char* v = std::getenv(std::string(call.args).c_str());
  return std::string(v ? v : "");
}

Result<void> env_write(const FunctionCall& call, std::string_view value) {
  std::string name(call.args);
  if (name.empty() || name.find('=') != std::string::npos)
    return func_error(call, "bad environment variable name '" + name + "'");
  int rc = value.empty() ? ::unsetenv(name.c_str()) : ::setenv(name.c_str(), std::string(value).c_str(), 1);
  if (rc != 0) return func_error(call, "cannot set '" + name + "'");
  return {};
}

}  // namespace

void register_logic_functions(Engine& engine) {
  add_function(engine, "IF",
               {"Check for an expression.", "IF(expression?[true][:false])",
                "Returns the data following '?' if true, else the data following ':'. The expression is true when "
                "it is not empty and, if it starts with a number, that number is not 0 (as $[...] results are "
                "tested). Surrounding whitespace of the branches is removed.",
                {{"expression", "usually $[...]"}, {"true", "returned when true"}, {"false", "returned when false"}},
                {"IFTIME", "EXISTS", "ISNULL"}},
               if_read);
  add_function(engine, "SET",
               {"SET assigns a value to a channel variable.", "SET(varname=[value])",
                "Sets the channel variable and returns the value, so an assignment can sit inside an expression "
                "or another function: While($[\"${SET(var=${POP(array)})}\" != \"\"]). A leading _ or __ makes "
                "the variable inheritable as with Set().",
                {{"varname", "the variable"}, {"value", "its new value"}},
                {"Set"}},
               set_read);
  add_function(engine, "ENV",
               {"Gets or sets the environment variable specified.", "ENV(varname)",
                "Reads the process environment variable; writing sets it, and writing an empty value removes it. "
                "The environment is shared by the whole process.",
                {{"varname", "environment variable name"}},
                {}},
               env_read, env_write);
}

}  // namespace telephony::funcs
