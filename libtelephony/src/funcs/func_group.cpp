// Channel groups (call limits): GROUP, GROUP_COUNT, GROUP_MATCH_COUNT, GROUP_LIST and the console
// command `group show channels`.
//
// One registry per engine, shared by the functions and the command (captured at registration).
// A channel is in at most one group per category. Entries refer to channels weakly and count
// only while the channel is not hung up, so a hangup frees its groups at once (Asterisk discards
// them at hangup too) without the registry owning any channel.
#include <mutex>

#include "funcs/function_support.hpp"

namespace telephony::funcs {

namespace {

bool iequal(std::string_view a, std::string_view b) { return to_lower(a) == to_lower(b); }

class GroupRegistry {
 public:
  struct Entry {
    std::weak_ptr<Channel> chan;
    const Channel* key;
    std::string group;
    std::string category;  // empty: the default category
  };

  // Puts `chan` in `group` of `category`, replacing its group of that category; an empty group
  // only removes it.
  void set(Channel& chan, std::string group, std::string category) {
    std::lock_guard lock(mu_);
    prune();
    std::erase_if(entries_, [&](const Entry& e) { return e.key == &chan && iequal(e.category, category); });
    if (!group.empty()) entries_.push_back({chan.weak_from_this(), &chan, std::move(group), std::move(category)});
  }

  // The live entries, in the order they were set.
  std::vector<Entry> live() {
    std::lock_guard lock(mu_);
    prune();
    return entries_;
  }

 private:
  void prune() {
    std::erase_if(entries_, [](const Entry& e) {
      auto c = e.chan.lock();
      return !c || c->is_hung_up();
    });
  }
  std::mutex mu_;
  std::vector<Entry> entries_;
};

// "group@category" -> {group, category}.
std::pair<std::string, std::string> split_group(std::string_view text) {
  auto at = text.find('@');
  if (at == std::string_view::npos) return {std::string(text), {}};
  return {std::string(text.substr(0, at)), std::string(text.substr(at + 1))};
}

std::size_t count(const std::vector<GroupRegistry::Entry>& all, std::string_view group, std::string_view category) {
  std::size_t n = 0;
  for (const auto& e : all)
    if (iequal(e.group, group) && (category.empty() || (!e.category.empty() && iequal(e.category, category)))) ++n;
  return n;
}

ConsoleResult show_channels(GroupRegistry& groups, const std::vector<std::string>& args) {
  if (args.size() > 1) return {2, ""};
  std::optional<PosixRegex> filter;
  if (!args.empty()) {
    auto re = PosixRegex::compile(args[0]);
    if (!re) return {2, ""};
    filter.emplace(std::move(*re));
  }
  char line[256];
  std::snprintf(line, sizeof line, "%-25s  %-20s  %-20s\n", "Channel", "Group", "Category");
  std::string out = line;
  std::size_t n = 0;
  for (const auto& e : groups.live()) {
    if (filter && !filter->matches(e.group)) continue;
    auto c = e.chan.lock();
    if (!c) continue;
    std::snprintf(line, sizeof line, "%-25s  %-20s  %-20s\n", c->name().c_str(), e.group.c_str(),
                  e.category.empty() ? "(default)" : e.category.c_str());
    out += line;
    ++n;
  }
  out += std::to_string(n) + " active channel" + (n == 1 ? "" : "s") + "\n";
  return {0, out};
}

}  // namespace

void register_group_functions(Engine& engine) {
  auto groups = std::make_shared<GroupRegistry>();
  add_function(
      engine, "GROUP",
      {"Gets or sets the channel group.", "GROUP([category])",
       "Set(GROUP(category)=name) puts the channel in group name of that category (one group per category; an empty "
       "name leaves the category). Reading gives the channel's group of the category (without one: its first group).",
       {{"category", "category name"}}, {"GROUP_COUNT", "GROUP_MATCH_COUNT", "GROUP_LIST"}},
      [groups](const FunctionCall& c) -> Result<std::string> {
        auto chan = need_channel(c);
        if (!chan) return Unexpected<Error>{chan.error()};
        const std::string category(trim(c.args));
        for (const auto& e : groups->live())
          if (e.key == *chan && (category.empty() || (!e.category.empty() && iequal(e.category, category))))
            return e.group;
        return std::string();  // no group: empty, as Asterisk
      },
      [groups](const FunctionCall& c, std::string_view value) -> Result<void> {
        auto chan = need_channel(c);
        if (!chan) return Unexpected<Error>{chan.error()};
        // GROUP(cat)=name is "name@cat"; a value may carry its own @category without an argument.
        auto [group, category] = split_group(value);
        if (!trim(c.args).empty()) category = std::string(trim(c.args));
        groups->set(**chan, std::move(group), std::move(category));
        return {};
      });
  add_function(
      engine, "GROUP_COUNT",
      {"Counts the number of channels in the specified group.", "GROUP_COUNT([groupname][@category])",
       "Counts the channels (not hung up) in the group (case-insensitive), optionally only in that category. "
       "Without a group name, the channel's own group (of the category, if given) is counted.",
       {{"groupname", "group name"}, {"category", "category name"}}, {"GROUP", "GROUP_MATCH_COUNT"}},
      [groups](const FunctionCall& c) -> Result<std::string> {
        auto chan = need_channel(c);
        if (!chan) return Unexpected<Error>{chan.error()};
        auto [group, category] = split_group(trim(c.args));
        auto all = groups->live();
        if (group.empty()) {
          for (const auto& e : all)
            if (e.key == *chan && (category.empty() || (!e.category.empty() && iequal(e.category, category)))) {
              group = e.group;
              category = e.category;
              break;
            }
          if (group.empty()) return func_error(c, "no group could be found for channel '" + (*chan)->name() + "'");
        }
        return std::to_string(count(all, group, category));
      });
  add_function(
      engine, "GROUP_MATCH_COUNT",
      {"Counts the number of channels in the groups matching the specified pattern.",
       "GROUP_MATCH_COUNT(groupmatch[@category])",
       "Counts the channels whose group matches the regular expression groupmatch (POSIX extended) and, when given, "
       "whose category matches category (also a regular expression). An invalid expression counts 0.",
       {{"groupmatch", "regular expression on group names"}, {"category", "regular expression on categories"}},
       {"GROUP_COUNT"}},
      [groups](const FunctionCall& c) -> Result<std::string> {
        auto [group, category] = split_group(trim(c.args));
        if (group.empty()) return func_error(c, "missing group pattern");
        auto gre = PosixRegex::compile(group);
        if (!gre) return std::string("0");
        std::optional<PosixRegex> cre;
        if (!category.empty()) {
          auto r = PosixRegex::compile(category);
          if (!r) return std::string("0");
          cre.emplace(std::move(*r));
        }
        std::size_t n = 0;
        for (const auto& e : groups->live())
          if (gre->matches(e.group) && (!cre || (!e.category.empty() && cre->matches(e.category)))) ++n;
        return std::to_string(n);
      });
  add_function(engine, "GROUP_LIST",
               {"Gets a list of the groups set on a channel.", "GROUP_LIST()",
                "Space-separated list of the channel's groups, each as group or group@category, in the order set.",
                {}, {"GROUP"}},
               [groups](const FunctionCall& c) -> Result<std::string> {
                 auto chan = need_channel(c);
                 if (!chan) return Unexpected<Error>{chan.error()};
                 std::string out;
                 for (const auto& e : groups->live()) {
                   if (e.key != *chan) continue;
                   if (!out.empty()) out += ' ';
                   out += e.category.empty() ? e.group : e.group + "@" + e.category;
                 }
                 return out;
               });
  (void)engine.commands().add(ConsoleCommand{
      "group show channels",
      Documentation{"Display active channels with group(s)", "group show channels [pattern]",
                    "Lists all currently active channels with channel group(s) specified. Optional regular expression "
                    "pattern is matched to group names for each channel.",
                    {{"pattern", "regular expression on group names"}},
                    {"core show channels"}},
      [groups](const std::vector<std::string>& args) { return show_channels(*groups, args); }});
}

}  // namespace telephony::funcs
