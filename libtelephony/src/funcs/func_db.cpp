// AstDB functions: DB (read/write), DB_EXISTS, DB_DELETE, DB_KEYS, on engine.astdb().
#include "funcs/function_support.hpp"
#include "telephony/astdb.hpp"

namespace telephony::funcs {

namespace {

Result<std::pair<std::string, std::string>> db_path(const FunctionCall& call) {
  auto p = AstDb::split_path(trim(call.args));
  if (!p) return func_error(call, p.error().message);
  return p;
}

Unexpected<Error> storage_error(const FunctionCall& call, const Error& e) {
  return func_error(call, e.to_string());
}

Result<std::string> db_read(const FunctionCall& call) {
  auto p = db_path(call);
  if (!p) return Unexpected<Error>{p.error()};
  auto v = call.engine.astdb().get(p->first, p->second);
  if (!v) return storage_error(call, v.error());
  return v->value_or("");
}

Result<void> db_write(const FunctionCall& call, std::string_view value) {
  auto p = db_path(call);
  if (!p) return Unexpected<Error>{p.error()};
  auto r = call.engine.astdb().put(p->first, p->second, value);
  if (!r) return storage_error(call, r.error());
  return {};
}

Result<std::string> db_exists_read(const FunctionCall& call) {
  auto p = db_path(call);
  if (!p) return Unexpected<Error>{p.error()};
  auto v = call.engine.astdb().get(p->first, p->second);
  if (!v) return storage_error(call, v.error());
  if (!*v) return std::string("0");
  if (call.channel) call.channel->set_variable("DB_RESULT", **v);
  return std::string("1");
}

Result<std::string> db_delete_read(const FunctionCall& call) {
  auto p = db_path(call);
  if (!p) return Unexpected<Error>{p.error()};
  auto& db = call.engine.astdb();
  auto v = db.get(p->first, p->second);
  if (!v) return storage_error(call, v.error());
  if (!*v) return std::string();
  if (auto d = db.del(p->first, p->second); !d) return storage_error(call, d.error());
  return **v;
}

Result<std::string> db_keys_read(const FunctionCall& call) {
  auto keys = call.engine.astdb().keys(trim(call.args));
  if (!keys) return storage_error(call, keys.error());
  std::string out;
  for (const auto& k : *keys) out += (out.empty() ? "" : ",") + k;
  return out;
}

}  // namespace

void register_db_functions(Engine& engine) {
  add_function(engine, "DB",
               {"Read from or write to the Asterisk database.", "DB(family/key)",
                "This function will read from or write a value to the Asterisk database. On a read, this function "
                "returns the corresponding value from the database, or blank if it does not exist. Reading a "
                "database value will also set the variable DB_RESULT. If you wish to find out if an entry exists, "
                "use the DB_EXISTS function. Example: Set(DB(test/count)=1).",
                {{"family", "database family"}, {"key", "key within the family; may contain '/'"}},
                {"DBdel", "DB_DELETE", "DBdeltree", "DB_EXISTS", "DB_KEYS"}},
               db_read, db_write);
  add_function(engine, "DB_EXISTS",
               {"Check to see if a key exists in the Asterisk database.", "DB_EXISTS(family/key)",
                "This function will check to see if a key exists in the Asterisk database. If it exists, the "
                "function will return 1. If not, it will return 0. Checking for existence of a database key will "
                "also set the variable DB_RESULT to the key's value if it exists.",
                {{"family", "database family"}, {"key", "key within the family"}},
                {"DB", "DB_DELETE", "DB_KEYS"}},
               db_exists_read);
  add_function(engine, "DB_DELETE",
               {"Return a value from the database and delete it.", "DB_DELETE(family/key)",
                "This function will retrieve a value from the Asterisk database and then remove that key from the "
                "database. Example: Verbose(0, The value was ${DB_DELETE(test/count)}).",
                {{"family", "database family"}, {"key", "key within the family"}},
                {"DB", "DB_EXISTS", "DB_KEYS"}},
               db_delete_read);
  add_function(engine, "DB_KEYS",
               {"Obtain a list of keys within the Asterisk database.", "DB_KEYS([prefix])",
                "This function will return a comma-separated list of keys existing at the prefix specified within "
                "the Asterisk database, sorted. If no argument is provided, then a list of key families will be "
                "returned.",
                {{"prefix", "family, or family/keytree"}},
                {"DB", "DB_DELETE", "DB_EXISTS"}},
               db_keys_read);
}

}  // namespace telephony::funcs
