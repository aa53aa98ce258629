// pattern/evaluator.h: internals of Match() shared with tests: the observation data model.
//
// An Observation is one observed-data object: its interval [first_observed, last_observed],
// number_observed, and the SCOs it can see (2.0: its `objects` dictionary; 2.1: the top-level
// SCOs its object_refs name), sorted by id so references resolve within the observation.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "pattern/pattern.h"
#include "pattern/values.h"

namespace detente::pattern {

struct Observation {
  Nanos128 first = 0;
  Nanos128 last = 0;
  uint64_t number_observed = 1;
  // (id, object value), sorted by id, unique ids. Every entry is a root candidate.
  std::vector<std::pair<std::string_view, const boost::json::value*>> objects;

  const boost::json::value* Find(std::string_view id) const;
};

struct Observations::Impl {
  StixVersion version = StixVersion::k21;
  boost::json::value json;
  std::vector<Observation> observations;
};

}  // namespace detente::pattern
