// The YAML spelling: the same configuration in .conf and YAML must give equal models.
#include <gtest/gtest.h>

#include "telephony/config/config.hpp"
#include "telephony/config/yaml.hpp"
#include "testkit/testkit.hpp"

namespace {

namespace cfg = telephony::config;
using telephony::testkit::TempDir;
using telephony::testkit::write_file;

const std::string kData = std::string(TELEPHONY_TEST_DATA) + "/config";

// Equal models, or a message naming the first difference.
::testing::AssertionResult same_model(const cfg::ConfigFile& a, const cfg::ConfigFile& b) {
  if (auto diff = cfg::first_difference(a, b)) return ::testing::AssertionFailure() << *diff;
  return ::testing::AssertionSuccess();
}

TEST(ConfigYaml, ExtensionsConfAndYamlAreEqual) {
  auto conf = cfg::parse_file(kData + "/extensions.conf");
  auto yaml = cfg::load_yaml(kData + "/extensions.yaml");
  ASSERT_TRUE(conf) << conf.error().to_string();
  ASSERT_TRUE(yaml) << yaml.error().to_string();
  EXPECT_TRUE(same_model(*conf, *yaml));
  EXPECT_TRUE(yaml->section("default")->entries[0].object);
  EXPECT_EQ(yaml->section("default")->entries[1].where.to_string(), kData + "/extensions.yaml:6");
}

TEST(ConfigYaml, SipConfWithTemplatesAndYamlAreEqual) {
  auto conf = cfg::parse_file(kData + "/sip.conf");
  auto yaml = cfg::load_yaml(kData + "/sip.yaml");
  ASSERT_TRUE(conf) << conf.error().to_string();
  ASSERT_TRUE(yaml) << yaml.error().to_string();
  EXPECT_TRUE(same_model(*conf, *yaml));
  EXPECT_TRUE(yaml->sections[1].is_template);
  EXPECT_EQ(yaml->section("alice")->inherits, (std::vector<std::string>{"phone", "office"}));
}

TEST(ConfigYaml, EqualityHelperSeesDifferences) {
  auto a = cfg::parse_string("[s]\nx=1\ny=2\n", "a.conf");
  auto b = cfg::parse_string("[s]\nx=1\ny=3\n", "b.conf");
  auto c = cfg::parse_string("[s]\nx=1\ny=>2\n", "c.conf");
  auto d = cfg::parse_string("[s]\nx=1\n", "d.conf");
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(cfg::first_difference(*a, *b), "section #1 's' entry #2 'y': value '2' vs '3'");
  EXPECT_EQ(cfg::first_difference(*a, *c), "section #1 's' entry #2 'y': '=>' vs '=' differs");
  EXPECT_EQ(cfg::first_difference(*a, *d), "section #1 's': 2 entries vs 1");
  EXPECT_FALSE(cfg::first_difference(*a, *a).has_value());
}

TEST(ConfigYaml, ListsRepeatEntriesAndScalarsStayAsWritten) {
  TempDir d;
  write_file(d / "m.yaml",
             "admin:\n  secret: pw\n  read: [system, call]\n  enabled: yes\n  port: 05038\n  empty:\n"
             "  \"deny=>\": 0.0.0.0/0.0.0.0\n");
  auto r = cfg::load_yaml(d / "m.yaml");
  ASSERT_TRUE(r) << r.error().to_string();
  const auto* s = r->section("admin");
  ASSERT_NE(s, nullptr);
  auto reads = s->find_all("read");
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0]->value, "system");
  EXPECT_EQ(reads[1]->value, "call");
  EXPECT_EQ(s->get("enabled"), "yes");
  EXPECT_EQ(s->get("port"), "05038");
  EXPECT_EQ(s->get("empty"), "");
  ASSERT_NE(s->find("deny"), nullptr);
  EXPECT_TRUE(s->find("deny")->object);
  EXPECT_EQ(r->files_read, std::vector<std::string>{(d / "m.yaml").string()});
}

TEST(ConfigYaml, AppendAndEmptySection) {
  TempDir d;
  // A repeated top-level key is a repeated section; `_append` merges it like `[a](+)`.
  write_file(d / "m.yaml", "a:\n  x: 1\nb:\nc:\n  - _template: true\n  - y: 2\na:\n  _append: yes\n  z: 3\n");
  auto r = cfg::load_yaml(d / "m.yaml");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->sections.size(), 3u);
  EXPECT_EQ(r->sections[0].entries.size(), 2u);
  EXPECT_EQ(r->sections[0].get("z"), "3");
  EXPECT_TRUE(r->sections[1].entries.empty());
  EXPECT_TRUE(r->sections[2].is_template);
  EXPECT_EQ(r->sections[2].entries.size(), 1u);
}

TEST(ConfigYaml, ErrorsNameFileAndLine) {
  TempDir d;
  const std::string f = (d / "bad.yaml").string();
  write_file(d / "bad.yaml",
             "a:\n"
             "  x:\n"
             "    nested: map\n"
             "b:\n"
             "  _inherits: [nosuch]\n"
             "c: just a scalar\n"
             "d:\n"
             "  - x: 1\n"
             "    y: 2\n");
  auto r = cfg::load_yaml(d / "bad.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(),
            f + ":3: entry 'x' must be a scalar or a list of scalars\n" +
            f + ":4: section 'b' inherits from 'nosuch', which is not defined before it\n" +
            f + ":6: section 'c' must be a mapping, a list of single-key mappings, or empty\n" +
            f + ":8: items of section 'd' must be single-key mappings (`- key: value`)");
}

TEST(ConfigYaml, SyntaxErrorNamesLine) {
  TempDir d;
  write_file(d / "bad.yaml", "a:\n  x: 1\n  y: [unclosed\n");
  auto r = cfg::load_yaml(d / "bad.yaml");
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().items.size(), 1u);
  EXPECT_EQ(r.error().items[0].where.rfind((d / "bad.yaml").string() + ":", 0), 0u) << r.error().to_string();
}

TEST(ConfigYaml, MissingFile) {
  auto r = cfg::load_yaml("/nonexistent/x.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), "/nonexistent/x.yaml: cannot read YAML file");
}

TEST(ConfigYaml, TopLevelMustBeMapping) {
  TempDir d;
  write_file(d / "l.yaml", "- a\n- b\n");
  auto r = cfg::load_yaml(d / "l.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string(), (d / "l.yaml").string() + ":1: expected a mapping of section names at the top level");
}

TEST(ConfigYamlBundle, OneFileManyConfigs) {
  auto r = cfg::load_yaml_bundle(kData + "/bundle.yaml");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  const auto& ext = r->at("extensions.conf");
  EXPECT_EQ(ext.path, "extensions.conf");
  EXPECT_EQ(ext.section("default")->find_all("same").size(), 1u);
  const auto& mgr = r->at("manager.conf");
  EXPECT_TRUE(mgr.section("general")->get_bool("enabled", false));
  EXPECT_EQ(mgr.section("general")->get_int("port", 0), 5038);
  EXPECT_EQ(mgr.section("admin")->find_all("read").size(), 2u);
  EXPECT_EQ(mgr.section("admin")->where.to_string(), kData + "/bundle.yaml:9");

  auto conf = cfg::parse_string("[default]\nexten => 100,1,Answer()\nsame => n,Hangup()\n", "extensions.conf");
  ASSERT_TRUE(conf);
  EXPECT_TRUE(same_model(*conf, ext));
}

TEST(ConfigYamlBundle, ErrorsCarryBundleLines) {
  TempDir d;
  write_file(d / "b.yaml", "sip.conf:\n  a:\n    x: 1\nextensions.conf:\n  b:\n    _inherits: a\n");
  auto r = cfg::load_yaml_bundle(d / "b.yaml");
  ASSERT_FALSE(r);
  // Sections of one file cannot inherit from another file's sections.
  EXPECT_EQ(r.error().to_string(),
            (d / "b.yaml").string() + ":5: section 'b' inherits from 'a', which is not defined before it");
}

}  // namespace
