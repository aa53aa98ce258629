// Tests of taxii/envelope.h: splitting POSTed envelopes into verbatim objects.
#include "taxii/envelope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace detente::taxii {
namespace {

using ::detente::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(EnvelopeTest, ObjectsAreTheExactBytes) {
  std::string body =
      "{ \"more\" : false, \"objects\" : [ {\"a\": 1,  \"b\":\"x]}\\\"\"} ,"
      "\n{\"c\":[{}, []]}\t], \"x\": {\"objects\": 3} }";
  ASSERT_OK_AND_ASSIGN(auto objs, SplitEnvelope(body));
  EXPECT_THAT(objs, ElementsAre("{\"a\": 1,  \"b\":\"x]}\\\"\"}", "{\"c\":[{}, []]}"));
}

TEST(EnvelopeTest, UnparseableJsonIsInvalidArgument) {
  EXPECT_THAT(SplitEnvelope("{\"objects\": [ {] }"),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not JSON")));
}

TEST(EnvelopeTest, NotAnEnvelopeIsFailedPreconditionFromTable) {
  const std::pair<const char*, const char*> cases[] = {
      {"[]", "not a JSON object"},
      {"{}", "no \"objects\""},
      {"{\"objects\": {}}", "not an array"},
      {"{\"objects\": []}", "empty"},
      {"{\"objects\": [1]}", "objects[0] is not a JSON object"},
      {"{\"objects\": [{}], \"objects\": [{}, {}]}", "more than once"},
      {"{\"obj\\u0065cts\": [{}]}", "escaped"},
      // Found by taxii_envelope_fuzzer (a timeout): a duplicated key whose first value is an
      // object that itself holds "objects".
      {"{\"ts\":[{}],\"objects\":{\"objects\":[    {},{}]}\r,\"objects\":[  {},{}]}",
       "more than once"},
  };
  for (const auto& [body, msg] : cases) {
    EXPECT_THAT(SplitEnvelope(body),
                StatusIs(base::StatusCode::kFailedPrecondition, HasSubstr(msg)))
        << body;
  }
}

TEST(EnvelopeTest, DeepNestingIsRefused) {
  std::string body =
      "{\"objects\":[{\"a\":" + std::string(200, '[') + std::string(200, ']') + "}]}";
  EXPECT_THAT(SplitEnvelope(body),
              StatusIs(base::StatusCode::kInvalidArgument, HasSubstr("not JSON")));
}

}  // namespace
}  // namespace detente::taxii
