// AMI actions on the running dialplan and AstDB: ShowDialPlan, DialplanExtensionAdd/Remove (a new
// snapshot the next call runs), ExtensionState and DeviceStateList from hints, DBGet/DBGetTree/
// DBPut/DBDel/DBDelTree sharing the engine's AstDb with DB(). Each: its success reply and its error
// replies.
#include "amiz_test_support.hpp"

using namespace amiz_test;

TEST(AmizShowDialPlan, ListsItemsOfOneContextAndErrors) {
  Fixture f;
  Client& c = f.login();
  auto m = action("ShowDialPlan");
  m.add("Context", "test");
  auto list = f.send_list(c, m);
  ASSERT_GE(list.size(), 3u);
  EXPECT_EQ(list[0].get("Message"), "DialPlan list will follow");
  bool hint = false, labelled = false, include = false;
  for (std::size_t i = 1; i + 1 < list.size(); ++i) {
    EXPECT_EQ(list[i].event(), "ListDialplan");
    EXPECT_EQ(list[i].get("Context"), "test");
    if (list[i].get_or("Extension") == "300" && list[i].get_or("Priority") == "hint") {
      hint = true;
      EXPECT_EQ(list[i].get("Application"), "Test/alice&Test/bob");
    }
    if (list[i].get_or("ExtensionLabel") == "waiting") {
      labelled = true;
      EXPECT_EQ(list[i].get("Extension"), "200");
      EXPECT_EQ(list[i].get("Priority"), "2");
      EXPECT_EQ(list[i].get("Application"), "Wait");
      EXPECT_EQ(list[i].get("AppData"), "20");
    }
    if (list[i].get_or("IncludeContext") == "more") include = true;
  }
  EXPECT_TRUE(hint && labelled && include);
  const auto& done = list.back();
  EXPECT_EQ(done.event(), "ShowDialPlanComplete");
  EXPECT_EQ(done.get("ListContexts"), "1");
  EXPECT_EQ(done.get("ListExtensions"), "5");
  EXPECT_EQ(done.get("ListItems"), std::to_string(list.size() - 2));

  auto one = action("ShowDialPlan");
  one.add("Context", "dst").add("Extension", "600");
  auto items = f.send_list(c, one);
  ASSERT_EQ(items.size(), 4u);  // response, 2 priorities, complete
  EXPECT_EQ(items[1].get("AppData"), "extra ${EXTEN}");

  auto missing = action("ShowDialPlan");
  missing.add("Context", "nowhere");
  EXPECT_EQ(f.send(c, missing).get("Message"), "Did not find context nowhere");
  auto missing_ext = action("ShowDialPlan");
  missing_ext.add("Context", "test").add("Extension", "999");
  EXPECT_EQ(f.send(c, missing_ext).get("Message"), "Did not find extension 999@test");
}

TEST(AmizDialplanEdit, AddedExtensionRunsAndRemoveTakesItAway) {
  Fixture f;
  EventLog events;
  Client& c = f.login("admin", "s3cret", &events);
  auto add = action("DialplanExtensionAdd");
  add.add("Context", "fresh").add("Extension", "700").add("Priority", "1").add("Application", "NoOp")
      .add("ApplicationData", "added by ami");
  auto r = f.send(c, add);
  EXPECT_EQ(r.response(), "Success");
  EXPECT_EQ(r.get("Message"), "Added extension");
  EXPECT_TRUE(f.pbx->exists("fresh", "700", 1, ""));
  EXPECT_TRUE(f.pbx->exists("test", "100", 1, "")) << "the rest of the dialplan must survive the edit";
  auto call = f.call_in("carol", "fresh", "700");
  EXPECT_TRUE(saw_step(events, "Test/carol", "NoOp", "added by ami"));

  // Same priority again: refused unless Replace.
  auto again = f.send(c, add);
  EXPECT_EQ(again.get("Message"), "That extension and priority already exist at that context");
  add.set("ApplicationData", "replaced");
  add.add("Replace", "yes");
  EXPECT_EQ(f.send(c, add).response(), "Success");
  auto plan = f.pbx->snapshot();
  EXPECT_EQ(plan->find("fresh", "700", 1, "")->priority->data, "replaced");

  auto bad = action("DialplanExtensionAdd");
  bad.add("Context", "fresh").add("Extension", "701").add("Priority", "first").add("Application", "NoOp");
  EXPECT_EQ(f.send(c, bad).get("Message"), "Priority 'first' is not valid.");
  auto incomplete = action("DialplanExtensionAdd");
  incomplete.add("Context", "fresh");
  EXPECT_EQ(f.send(c, incomplete).get("Message"), "Context, Extension, Priority, and Application must be defined.");

  auto rm = action("DialplanExtensionRemove");
  rm.add("Context", "fresh").add("Extension", "700");
  auto rr = f.send(c, rm);
  EXPECT_EQ(rr.response(), "Success");
  EXPECT_EQ(rr.get("Message"), "Removed the specified extension");
  EXPECT_FALSE(f.pbx->exists("fresh", "700", 1, ""));
  EXPECT_NE(f.send(c, rm).get_or("Message").find("does not exist"), std::string::npos);
  auto rm_prio = action("DialplanExtensionRemove");
  rm_prio.add("Context", "dst").add("Extension", "600").add("Priority", "2");
  EXPECT_EQ(f.send(c, rm_prio).response(), "Success");
  EXPECT_TRUE(f.pbx->exists("dst", "600", 1, ""));
  EXPECT_FALSE(f.pbx->exists("dst", "600", 2, ""));
  auto rm_ctx = action("DialplanExtensionRemove");
  rm_ctx.add("Context", "nowhere").add("Extension", "1");
  EXPECT_EQ(f.send(c, rm_ctx).get("Message"), "Did not find context nowhere");

  // Needs system write.
  Client& caller = f.login("orig", "pw");
  EXPECT_EQ(f.send(caller, add).get("Message"), "Permission denied");
}

TEST(AmizExtensionState, HintFollowsDeviceChannels) {
  Fixture f;
  Client& c = f.login();
  auto m = action("ExtensionState");
  m.add("Exten", "300").add("Context", "test");
  auto idle = f.send(c, m);
  EXPECT_EQ(idle.response(), "Success");
  EXPECT_EQ(idle.get("Message"), "Extension Status");
  EXPECT_EQ(idle.get("Hint"), "Test/alice&Test/bob");
  EXPECT_EQ(idle.get("Status"), "0");
  EXPECT_EQ(idle.get("StatusText"), "Idle");

  EventLog events;
  (void)f.login("admin", "s3cret", &events);
  auto alice = f.call_in("alice", "test", "200");  // Answer, then Wait(20): in use
  ASSERT_TRUE(saw_step(events, "Test/alice", "Wait", "20"));
  auto busy = f.send(c, m);
  EXPECT_EQ(busy.get("Status"), "1");
  EXPECT_EQ(busy.get("StatusText"), "InUse");

  auto list = f.send_list(c, action("DeviceStateList"));
  bool alice_seen = false, bob_seen = false;
  for (const auto& e : list) {
    if (e.get_or("Device") == "Test/alice") alice_seen = e.get_or("State") == "INUSE";
    if (e.get_or("Device") == "Test/bob") bob_seen = e.get_or("State") == "NOT_INUSE";
  }
  EXPECT_TRUE(alice_seen && bob_seen) << [&] { std::string s; for (const auto& e : list) s += std::string(e.get_or("Device")) + "=" + std::string(e.get_or("State")) + " "; for (const auto& ch : f.engine.channels()) s += ch->name() + " "; return s; }();
  EXPECT_EQ(list.back().event(), "DeviceStateListComplete");

  auto no_hint = action("ExtensionState");
  no_hint.add("Exten", "100").add("Context", "test");
  auto nh = f.send(c, no_hint);
  EXPECT_EQ(nh.get("Status"), "-1");
  EXPECT_EQ(nh.get("StatusText"), "Unknown");
  EXPECT_EQ(f.send(c, action("ExtensionState")).get("Message"), "Extension not specified");
  auto bad_ctx = action("ExtensionState");
  bad_ctx.add("Exten", "1").add("Context", "nowhere");
  EXPECT_EQ(f.send(c, bad_ctx).get("Message"), "Did not find context nowhere");
  alice->request_hangup();
}

TEST(AmizDb, PutGetDelDelTreeAndErrors) {
  Fixture f;
  Client& c = f.login();
  auto put = action("DBPut");
  put.add("Family", "cf").add("Key", "1001/busy").add("Val", "2002");
  auto pr = f.send(c, put);
  EXPECT_EQ(pr.response(), "Success");
  EXPECT_EQ(pr.get("Message"), "Updated database successfully");
  EXPECT_EQ(*f.engine.astdb().get("cf", "1001/busy").value(), "2002");

  auto get = action("DBGet");
  get.add("Family", "cf").add("Key", "1001/busy");
  auto list = f.send_list(c, get);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].get("Message"), "Result will follow");
  EXPECT_EQ(list[1].event(), "DBGetResponse");
  EXPECT_EQ(list[1].get("Family"), "cf");
  EXPECT_EQ(list[1].get("Key"), "1001/busy");
  EXPECT_EQ(list[1].get("Val"), "2002");
  EXPECT_EQ(list[2].event(), "DBGetComplete");

  auto del = action("DBDel");
  del.add("Family", "cf").add("Key", "1001/busy");
  EXPECT_EQ(f.send(c, del).get("Message"), "Key deleted successfully");
  EXPECT_EQ(f.send(c, del).get("Message"), "Database entry not found");
  EXPECT_EQ(f.send(c, get).get("Message"), "Database entry not found");

  (void)f.engine.astdb().put("tree", "a/1", "x");
  (void)f.engine.astdb().put("tree", "a/2", "y");
  (void)f.engine.astdb().put("tree", "b", "z");
  auto tree = action("DBGetTree");
  tree.add("Family", "tree").add("Key", "a");
  auto entries = f.send_list(c, tree);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].get("Message"), "Result will follow");
  EXPECT_EQ(entries[1].event(), "DBGetTreeResponse");
  EXPECT_EQ(entries[1].get("Key"), "/tree/a/1");
  EXPECT_EQ(entries[1].get("Val"), "x");
  EXPECT_EQ(entries[2].get("Key"), "/tree/a/2");
  EXPECT_EQ(entries[3].event(), "DBGetTreeComplete");
  EXPECT_EQ(entries[3].get("ListItems"), "2");
  auto family = action("DBGetTree");
  family.add("Family", "tree");
  EXPECT_EQ(f.send_list(c, family).size(), 5u);  // a/1, a/2, b
  auto all = f.send_list(c, action("DBGetTree"));  // no Family: the whole database
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[3].get("Key"), "/tree/b");
  auto none = action("DBGetTree");
  none.add("Family", "nosuch");
  auto empty = f.send_list(c, none);  // an empty list, not an error
  ASSERT_EQ(empty.size(), 2u);
  EXPECT_EQ(empty[1].get("ListItems"), "0");

  auto deltree = action("DBDelTree");
  deltree.add("Family", "tree").add("Key", "a");
  EXPECT_EQ(f.send(c, deltree).get("Message"), "Key tree deleted successfully");
  EXPECT_FALSE(f.engine.astdb().get("tree", "a/1").value());
  EXPECT_TRUE(f.engine.astdb().get("tree", "b").value());
  EXPECT_EQ(f.send(c, deltree).get("Message"), "Database entry not found");

  EXPECT_EQ(f.send(c, action("DBGet")).get("Message"), "No family specified.");
  auto nokey = action("DBPut");
  nokey.add("Family", "cf");
  EXPECT_EQ(f.send(c, nokey).get("Message"), "No key specified.");
  Client& caller = f.login("caller", "pw");
  EXPECT_EQ(f.send(caller, put).get("Message"), "Permission denied");
}
