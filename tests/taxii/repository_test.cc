// Tests of taxii::Repository, parametrized over the store backend (SQLite in taxii_test,
// PostgreSQL in taxii_pg_test).
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store_test_util.h"
#include "taxii/filter.h"
#include "taxii/taxii.h"
#include "taxii_test_util.h"

namespace detente::taxii {
namespace {

using ::detente::testing::IsOkAndHolds;
using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::detente::taxii::testing;  // NOLINT

class RepositoryTest : public store::BackendTest {
 protected:
  void SetUp() override {
    store::BackendTest::SetUp();
    conn_ = Open();
    ASSERT_NE(conn_, nullptr);
    ASSERT_OK(store::Migrate(*conn_, Migrations()));
    repo_ = std::make_unique<Repository>(*conn_, RepositoryOptions{.clock = &clock_});
    ASSERT_OK(repo_->CreateApiRoot({.name = "api1", .title = "API 1"}));
    ASSERT_OK_AND_ASSIGN(coll_, repo_->CreateCollection({.api_root = "api1", .title = "c"}));
  }

  std::vector<AddResult> Add(const std::vector<std::string>& objects) {
    std::vector<std::string_view> views(objects.begin(), objects.end());
    auto r = repo_->AddObjects(coll_, views);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<AddResult>{};
  }

  std::vector<std::string> Ids(const Filter& f, int limit = 1000) {
    auto page = repo_->QueryObjects(coll_, f, INT64_MIN, limit);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const StoredObject& o : page->objects) out.push_back(o.id + "@" + o.version);
    }
    return out;
  }

  static Filter Latest() {
    Filter f;
    f.version_last = true;
    return f;
  }

  base::FakeClock clock_{base::Timestamp::FromUnixSeconds(1'700'000'000)};
  std::unique_ptr<store::Connection> conn_;
  std::unique_ptr<Repository> repo_;
  CollectionInfo coll_;
};

TEST_P(RepositoryTest, ObjectBytesArePreservedVerbatim) {
  std::string weird = Indicator(1);
  weird.insert(1, "  \n\t");  // whitespace a re-serialiser would drop
  weird.replace(weird.find("10.0.0.1"), 8, "10.0.0.1\\u0041");
  ASSERT_TRUE(Add({weird})[0].ok);
  ASSERT_OK_AND_ASSIGN(Page page, repo_->QueryObjects(coll_, Latest(), INT64_MIN, 10));
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].body, weird);
}

TEST_P(RepositoryTest, DateAddedIsStrictlyIncreasingWithAFrozenClock) {
  Add({Indicator(1), Indicator(2)});
  Add({Indicator(3)});
  ASSERT_OK_AND_ASSIGN(Page page, repo_->QueryObjects(coll_, Latest(), INT64_MIN, 10));
  ASSERT_EQ(page.objects.size(), 3u);
  EXPECT_LT(page.objects[0].date_added_us, page.objects[1].date_added_us);
  EXPECT_LT(page.objects[1].date_added_us, page.objects[2].date_added_us);
  EXPECT_EQ(page.objects[0].date_added_us, 1'700'000'000'000'000);
}

TEST_P(RepositoryTest, ExactDuplicateSucceedsWithoutASecondCopy) {
  ASSERT_TRUE(Add({Indicator(1)})[0].ok);
  std::string reordered = Indicator(1);
  reordered.insert(1, " ");
  auto r = Add({reordered});
  EXPECT_TRUE(r[0].ok);
  EXPECT_THAT(r[0].message, HasSubstr("duplicate"));
  Filter all;
  all.version_all = true;
  EXPECT_EQ(Ids(all).size(), 1u);
}

TEST_P(RepositoryTest, DifferentObjectUnderSameVersionFails) {
  ASSERT_TRUE(Add({Indicator(1)})[0].ok);
  std::string changed = Indicator(1);
  changed.replace(changed.find("10.0.0.1"), 8, "10.0.0.2");
  auto r = Add({changed});
  EXPECT_FALSE(r[0].ok);
  EXPECT_THAT(r[0].message, HasSubstr("already stored"));
}

TEST_P(RepositoryTest, InvalidStixIsAPerObjectFailure) {
  auto r = Add({"{\"type\":\"indicator\"}", Indicator(2)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].ok);
  EXPECT_THAT(r[0].message, HasSubstr("invalid STIX"));
  EXPECT_TRUE(r[1].ok);
}

TEST_P(RepositoryTest, VersionFlagsFollowInsertsOutOfOrder) {
  Add({Indicator(1, "2024-02-01T00:00:00.000Z"), Indicator(1, "2024-03-01T00:00:00.000Z"),
       Indicator(1, "2024-01-15T00:00:00.000Z")});
  std::string id = StixId("indicator", 1);
  EXPECT_THAT(Ids(Latest()), ElementsAre(id + "@2024-03-01T00:00:00.000Z"));
  Filter first;
  first.version_first = true;
  EXPECT_THAT(Ids(first), ElementsAre(id + "@2024-01-15T00:00:00.000Z"));
  Filter all;
  all.version_all = true;
  EXPECT_EQ(Ids(all).size(), 3u);
  Filter exact;
  exact.versions = {VersionKey(*base::Timestamp::Parse("2024-02-01T00:00:00Z"))};
  EXPECT_THAT(Ids(exact), ElementsAre(id + "@2024-02-01T00:00:00.000Z"));
}

TEST_P(RepositoryTest, FirstAndLastUnderASpecVersionFilterUseTheListedVersions) {
  Add({Indicator(1, "2024-02-01T00:00:00.000Z"), Indicator(1, "2024-03-01T00:00:00.000Z"),
       Indicator(1, "2024-01-15T00:00:00.000Z")});
  std::string id = StixId("indicator", 1);
  Filter f;
  f.spec_versions = {"2.1"};
  f.version_first = true;
  f.version_last = true;
  EXPECT_THAT(Ids(f),
              ElementsAre(id + "@2024-03-01T00:00:00.000Z", id + "@2024-01-15T00:00:00.000Z"));
  f.spec_versions = {"2.0"};
  EXPECT_THAT(Ids(f), ElementsAre());
}

TEST_P(RepositoryTest, DeletingTheLatestVersionPromotesThePrevious) {
  Add({Indicator(1, "2024-02-01T00:00:00.000Z"), Indicator(1, "2024-03-01T00:00:00.000Z")});
  Filter v;
  v.versions = {VersionKey(*base::Timestamp::Parse("2024-03-01T00:00:00Z"))};
  EXPECT_THAT(repo_->DeleteObject(coll_, StixId("indicator", 1), v), IsOkAndHolds(1));
  EXPECT_THAT(Ids(Latest()), ElementsAre(StixId("indicator", 1) + "@2024-02-01T00:00:00.000Z"));
}

TEST_P(RepositoryTest, ScoWithoutTimestampsIsVersionedByDateAdded) {
  auto r = Add({Ipv4(1)});
  ASSERT_TRUE(r[0].ok);
  EXPECT_EQ(r[0].version, "2023-11-14T22:13:20.000000Z");
  clock_.AdvanceSeconds(10);
  auto again = Add({Ipv4(1)});
  EXPECT_TRUE(again[0].ok);
  EXPECT_EQ(again[0].version, r[0].version);  // an exact duplicate keeps its version
}

TEST_P(RepositoryTest, NewVersionInALaterEnvelopeMovesTheFlagsOfStoredVersions) {
  std::string id = StixId("indicator", 1);
  Add({Indicator(1, "2024-02-01T00:00:00.000Z")});
  auto r = Add({Indicator(1, "2024-03-01T00:00:00.000Z"), Indicator(1, "2024-01-15T00:00:00.000Z"),
                Indicator(1, "2024-02-01T00:00:00.000Z")});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].ok);
  EXPECT_TRUE(r[1].ok);
  EXPECT_TRUE(r[2].ok);
  EXPECT_THAT(r[2].message, HasSubstr("duplicate"));
  EXPECT_THAT(Ids(Latest()), ElementsAre(id + "@2024-03-01T00:00:00.000Z"));
  Filter first;
  first.version_first = true;
  EXPECT_THAT(Ids(first), ElementsAre(id + "@2024-01-15T00:00:00.000Z"));
  Filter all;
  all.version_all = true;
  EXPECT_EQ(Ids(all).size(), 3u);
}

TEST_P(RepositoryTest, ConflictingCopyInTheSameEnvelopeFailsOnlyTheSecond) {
  std::string changed = Indicator(1);
  changed.replace(changed.find("10.0.0.1"), 8, "10.0.0.2");
  auto r = Add({Indicator(1), changed, Indicator(1)});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].ok);
  EXPECT_FALSE(r[1].ok);
  EXPECT_THAT(r[1].message, HasSubstr("already stored"));
  EXPECT_TRUE(r[2].ok);
  EXPECT_THAT(r[2].message, HasSubstr("duplicate"));
  Filter all;
  all.version_all = true;
  EXPECT_EQ(Ids(all).size(), 1u);
}

TEST_P(RepositoryTest, ScoRepeatedInOneEnvelopeIsStoredOnce) {
  auto r = Add({Ipv4(1), Ipv4(1)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].ok);
  EXPECT_TRUE(r[1].ok);
  EXPECT_THAT(r[1].message, HasSubstr("duplicate"));
  EXPECT_EQ(r[1].version, r[0].version);
  Filter all;
  all.version_all = true;
  EXPECT_EQ(Ids(all).size(), 1u);
}

TEST_P(RepositoryTest, VersionLimitCountsVersionsAddedEarlierInTheEnvelope) {
  Repository repo(*conn_, RepositoryOptions{.clock = &clock_, .max_versions_per_object = 2});
  std::vector<std::string> objs = {Indicator(1, "2024-02-01T00:00:00.000Z"),
                                   Indicator(1, "2024-03-01T00:00:00.000Z"),
                                   Indicator(1, "2024-04-01T00:00:00.000Z")};
  std::vector<std::string_view> views(objs.begin(), objs.end());
  ASSERT_OK_AND_ASSIGN(std::vector<AddResult> r, repo.AddObjects(coll_, views));
  EXPECT_TRUE(r[0].ok);
  EXPECT_TRUE(r[1].ok);
  EXPECT_FALSE(r[2].ok);
  EXPECT_THAT(r[2].message, HasSubstr("too many versions"));
  EXPECT_THAT(Ids(Latest()), ElementsAre(StixId("indicator", 1) + "@2024-03-01T00:00:00.000Z"));
}

// Over 1 MiB of rows (more than one COPY on PostgreSQL) and more ids than one group lookup
// takes (512), then the same envelope again.
TEST_P(RepositoryTest, LargeEnvelopeIsStoredWholeAndThenRecognisedAsDuplicates) {
  std::vector<std::string> objs;
  for (int i = 0; i < 2100; ++i) objs.push_back(i % 3 ? Indicator(i) : Malware(i));
  auto first = Add(objs);
  ASSERT_EQ(first.size(), objs.size());
  for (const AddResult& a : first) ASSERT_TRUE(a.ok) << a.id << ": " << a.message;
  objs.push_back(Indicator(5000));
  auto again = Add(objs);
  ASSERT_EQ(again.size(), objs.size());
  for (size_t i = 0; i + 1 < objs.size(); ++i) {
    ASSERT_TRUE(again[i].ok) << again[i].message;
    ASSERT_THAT(again[i].message, HasSubstr("duplicate")) << again[i].id;
  }
  EXPECT_TRUE(again.back().ok);
  EXPECT_EQ(again.back().message, "");
  ASSERT_OK_AND_ASSIGN(Page page, repo_->QueryObjects(coll_, Latest(), INT64_MIN, 5000));
  ASSERT_EQ(page.objects.size(), 2101u);
  EXPECT_EQ(page.objects[0].body, objs[0]);
  EXPECT_EQ(page.objects[2099].body, objs[2099]);
  EXPECT_EQ(page.objects[2100].id, StixId("indicator", 5000));
  for (size_t i = 1; i < page.objects.size(); ++i) {
    ASSERT_LT(page.objects[i - 1].date_added_us, page.objects[i].date_added_us);
  }
}

// The version flags after many envelopes (versions in any order, repeated within and across
// envelopes) against an obviously correct model: per id, the set of versions stored.
TEST_P(RepositoryTest, VersionFlagsMatchAReferenceModelOverManyEnvelopes) {
  const std::string kVersions[] = {"2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z",
                                   "2024-01-03T00:00:00.000Z", "2024-02-01T00:00:00.000Z",
                                   "2024-03-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"};
  std::mt19937 rng(20261122);
  std::map<int, std::set<std::string>> model;
  for (int envelope = 0; envelope < 40; ++envelope) {
    std::vector<std::string> objs;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      const int id = 1 + static_cast<int>(rng() % 7);
      const std::string& v = kVersions[rng() % std::size(kVersions)];
      objs.push_back(Indicator(id, v));
      model[id].insert(v);
    }
    for (const AddResult& a : Add(objs)) ASSERT_TRUE(a.ok) << a.id << ": " << a.message;
  }
  std::set<std::string> want_last, want_first;
  size_t want_all = 0;
  for (const auto& [id, versions] : model) {
    want_last.insert(StixId("indicator", id) + "@" + *versions.rbegin());
    want_first.insert(StixId("indicator", id) + "@" + *versions.begin());
    want_all += versions.size();
  }
  auto as_set = [](const std::vector<std::string>& v) {
    return std::set<std::string>(v.begin(), v.end());
  };
  EXPECT_EQ(as_set(Ids(Latest())), want_last);
  EXPECT_EQ(Ids(Latest()).size(), want_last.size());
  Filter first;
  first.version_first = true;
  EXPECT_EQ(as_set(Ids(first)), want_first);
  Filter all;
  all.version_all = true;
  EXPECT_EQ(Ids(all).size(), want_all);
  // The flag-free path (correlated MIN/MAX under match[spec_version]) agrees.
  Filter sv;
  sv.spec_versions = {"2.1"};
  sv.version_last = true;
  EXPECT_EQ(as_set(Ids(sv)), want_last);
}

TEST_P(RepositoryTest, CountObjectsCountsDistinctIdsNotVersions) {
  EXPECT_THAT(repo_->CountObjects(coll_), IsOkAndHolds(0));
  Add({Indicator(1), Indicator(1, "2024-02-01T00:00:00.000Z"), Malware(2)});
  EXPECT_THAT(repo_->CountObjects(coll_), IsOkAndHolds(2));
}

TEST_P(RepositoryTest, TlpAboveTheReadersLevelIsHidden) {
  std::string red = "\"object_marking_refs\":[\"" + std::string(kTlpRed) + "\"],";
  Add({Indicator(1, "2024-01-01T00:00:00.000Z", red), Indicator(2)});
  Filter f = Latest();
  f.max_tlp = stix::TlpLevel::kAmber;
  EXPECT_THAT(Ids(f), ElementsAre(StixId("indicator", 2) + "@2024-01-01T00:00:00.000Z"));
  EXPECT_THAT(repo_->ObjectExists(coll_, StixId("indicator", 1), stix::TlpLevel::kAmber),
              IsOkAndHolds(false));
  EXPECT_THAT(repo_->ObjectExists(coll_, StixId("indicator", 1), std::nullopt), IsOkAndHolds(true));
}

TEST_P(RepositoryTest, KeysetPagesCoverEverythingOnce) {
  std::vector<std::string> objs;
  for (int i = 0; i < 250; ++i) objs.push_back(i % 2 ? Indicator(i) : Malware(i));
  Add(objs);
  Filter f = Latest();
  f.types = {"malware"};
  int64_t after = INT64_MIN;
  std::set<std::string> seen;
  for (int pages = 0; pages < 100; ++pages) {
    ASSERT_OK_AND_ASSIGN(Page p, repo_->QueryObjects(coll_, f, after, 7));
    for (const auto& o : p.objects) EXPECT_TRUE(seen.insert(o.id).second) << o.id;
    if (!p.more) break;
    after = p.objects.back().date_added_us;
  }
  EXPECT_EQ(seen.size(), 125u);
}

TEST_P(RepositoryTest, AliasMustBeUniqueInTheApiRoot) {
  ASSERT_OK(repo_->CreateCollection({.api_root = "api1", .title = "a", .alias = "high"}).status());
  EXPECT_THAT(repo_->CreateCollection({.api_root = "api1", .title = "b", .alias = "high"}),
              StatusIs(base::StatusCode::kAlreadyExists, HasSubstr("alias")));
  ASSERT_OK_AND_ASSIGN(CollectionInfo c, repo_->GetCollection("api1", "high"));
  EXPECT_EQ(c.title, "a");
}

TEST_P(RepositoryTest, UnknownApiRootIsNotFound) {
  EXPECT_THAT(repo_->GetApiRoot("nope"), StatusIs(base::StatusCode::kNotFound, HasSubstr("nope")));
  EXPECT_THAT(repo_->CreateCollection({.api_root = "nope", .title = "x"}),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("nope")));
}

TEST_P(RepositoryTest, StatusIsVisibleOnlyToItsOwner) {
  ASSERT_OK(repo_->PutStatus("api1", "s1", "alice", "{\"id\":\"s1\"}"));
  EXPECT_THAT(repo_->GetStatus("api1", "s1", "alice"), IsOkAndHolds("{\"id\":\"s1\"}"));
  EXPECT_THAT(repo_->GetStatus("api1", "s1", "bob"),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("s1")));
}

TEST_P(RepositoryTest, StatusIsWrittenWithTheObjects) {
  Repository::StatusRecord rec{"api1", "s2", "alice", [](const std::vector<AddResult>& r) {
                                 return "{\"n\":" + std::to_string(r.size()) + "}";
                               }};
  std::string obj = Indicator(1);
  std::string_view views[] = {obj};
  ASSERT_OK(repo_->AddObjects(coll_, views, &rec).status());
  EXPECT_THAT(repo_->GetStatus("api1", "s2", "alice"), IsOkAndHolds("{\"n\":1}"));
}

TEST_P(RepositoryTest, ExpiredStatusesAreGone) {
  ASSERT_OK(repo_->PutStatus("api1", "old", "alice", "{}"));
  clock_.AdvanceSeconds(2 * 86400);
  ASSERT_OK(repo_->PutStatus("api1", "new", "alice", "{}"));
  EXPECT_THAT(repo_->ExpireStatuses(ToMicros(clock_.Now()) - 86400'000'000LL), IsOkAndHolds(1));
  EXPECT_THAT(repo_->GetStatus("api1", "old", "alice"),
              StatusIs(base::StatusCode::kNotFound, HasSubstr("old")));
  EXPECT_OK(repo_->GetStatus("api1", "new", "alice").status());
}

TEST_P(RepositoryTest, ConcurrentWritersGetDistinctIncreasingDateAdded) {
  constexpr int kThreads = 3, kBatches = 20, kPerBatch = 5;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto conn = Open();
      if (conn == nullptr) {
        ++failures;
        return;
      }
      Repository repo(*conn, RepositoryOptions{.clock = &clock_});
      for (int b = 0; b < kBatches; ++b) {
        std::vector<std::string> objs;
        for (int i = 0; i < kPerBatch; ++i) objs.push_back(Indicator(1 + t * 10000 + b * 100 + i));
        std::vector<std::string_view> views(objs.begin(), objs.end());
        auto r = repo.AddObjects(coll_, views);
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(Page page, repo_->QueryObjects(coll_, Latest(), INT64_MIN, 10000));
  ASSERT_EQ(page.objects.size(), static_cast<size_t>(kThreads * kBatches * kPerBatch));
  for (size_t i = 1; i < page.objects.size(); ++i) {
    EXPECT_LT(page.objects[i - 1].date_added_us, page.objects[i].date_added_us);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest, ::testing::ValuesIn(store::TestBackends()),
                         store::BackendName);

}  // namespace
}  // namespace detente::taxii
