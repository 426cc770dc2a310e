// A module's configuration is found as .conf or .yaml and yields the same model.
#include <gtest/gtest.h>

#include "telephony/config/module_config.hpp"
#include "testkit/testkit.hpp"

using namespace telephony;
using testkit::TempDir;
using testkit::write_file;

TEST(ModuleConfig, ConfAndYamlSpellingsGiveTheSameModel) {
  TempDir a, b;
  write_file(a / "manager.conf", "[general]\nenabled = yes\nport = 5038\n[admin]\nsecret = s3cret\nread = all\n");
  write_file(b / "manager.yaml", "general:\n  enabled: 'yes'\n  port: 5038\nadmin:\n  secret: s3cret\n  read: all\n");
  auto ca = config::load_module_config(a.path(), "manager.conf");
  auto cb = config::load_module_config(b.path(), "manager.conf");
  ASSERT_TRUE(ca) << ca.error().to_string();
  ASSERT_TRUE(cb) << cb.error().to_string();
  EXPECT_EQ(config::first_difference(*ca, *cb), std::nullopt);
  EXPECT_EQ(config::find_module_config(b.path(), "manager.conf")->filename(), "manager.yaml");
}

TEST(ModuleConfig, MissingAndAmbiguousFilesAreErrors) {
  TempDir d;
  auto none = config::load_module_config(d.path(), "extensions.conf");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().to_string().find("extensions.conf: configuration file not found"), std::string::npos);
  EXPECT_FALSE(config::find_module_config(d.path(), "extensions.conf"));
  write_file(d / "extensions.conf", "[default]\n");
  write_file(d / "extensions.yaml", "default: {}\n");
  auto both = config::load_module_config(d.path(), "extensions.conf");
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().to_string().find("keep one"), std::string::npos);
}
