// stix/markings_test.cc: the fixed TLP 1.0 and TLP 2.0 marking definitions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stix/stix.h"

namespace detente::stix {
namespace {

using ::testing::IsEmpty;

TEST(TlpTest, Tlp2Ids) {
  EXPECT_EQ(Tlp2Marking(TlpLevel::kClear).id,
            "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
  EXPECT_EQ(Tlp2Marking(TlpLevel::kGreen).id,
            "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
  EXPECT_EQ(Tlp2Marking(TlpLevel::kAmber).id,
            "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
  EXPECT_EQ(Tlp2Marking(TlpLevel::kAmberStrict).id,
            "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
  EXPECT_EQ(Tlp2Marking(TlpLevel::kRed).id,
            "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
}

TEST(TlpTest, Tlp1IdsFromSection7214) {
  struct {
    const char* id;
    TlpLevel level;
  } cases[] = {
      {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TlpLevel::kClear},
      {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TlpLevel::kGreen},
      {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TlpLevel::kAmber},
      {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TlpLevel::kRed},
  };
  for (const auto& c : cases) {
    auto m = TlpForMarkingId(c.id);
    ASSERT_TRUE(m.has_value()) << c.id;
    EXPECT_EQ(m->level, c.level);
    EXPECT_EQ(m->tlp_version, 1);
  }
}

TEST(TlpTest, UnknownMarkingIsNotTlp) {
  EXPECT_FALSE(TlpForMarkingId("marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd"));
  EXPECT_FALSE(TlpForMarkingId(""));
}

TEST(TlpTest, NineMarkingsWithDistinctIds) {
  auto all = AllTlpMarkings();
  EXPECT_EQ(all.size(), 9u);
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) EXPECT_NE(all[i].id, all[j].id);
  }
}

TEST(TlpTest, LevelNames) {
  EXPECT_EQ(TlpLevelName(TlpLevel::kClear), "clear");
  EXPECT_EQ(TlpLevelName(TlpLevel::kAmberStrict), "amber+strict");
  EXPECT_EQ(Tlp2Marking(TlpLevel::kAmberStrict).name, "TLP:AMBER+STRICT");
}

TEST(TlpTest, StrictestTlpIgnoresOtherMarkings) {
  std::vector<std::string_view> ids = {
      "marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd",
      "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",  // TLP 1.0 green
      "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",  // amber+strict
      "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",  // amber
  };
  EXPECT_EQ(StrictestTlp(ids), TlpLevel::kAmberStrict);
  std::vector<std::string_view> none = {"marking-definition--4a0042fe-8b88-40fe-9600-dfa128ce6fbd"};
  EXPECT_FALSE(StrictestTlp(none).has_value());
}

TEST(TlpTest, EveryFixedMarkingDefinitionValidatesWithoutWarnings) {
  Validator validator;
  Report report;
  for (const TlpMarking& m : AllTlpMarkings()) {
    std::string json = TlpMarkingDefinitionJson(m);
    validator.Validate(json, &report);
    EXPECT_TRUE(report.valid()) << json;
    EXPECT_THAT(report.warnings, IsEmpty()) << json;
    EXPECT_EQ(report.id, m.id);
  }
}

}  // namespace
}  // namespace detente::stix
