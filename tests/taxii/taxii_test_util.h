// taxii_test_util.h: STIX objects and a ready repository for the taxii tests.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store.h"
#include "taxii/taxii.h"
#include "testing/status_matchers.h"

namespace detente::taxii::testing {

// "indicator--0000000n-0000-4000-8000-00000000000n"-style ids (valid UUIDv4 form).
inline std::string StixId(std::string_view type, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", n, n);
  return std::string(type) + "--" + buf;
}

// A valid STIX 2.1 indicator with the given id number and modified time; `extra` is spliced
// in as additional members (e.g. "\"object_marking_refs\":[...],").
inline std::string Indicator(int n, std::string_view modified = "2024-01-01T00:00:00.000Z",
                             std::string_view extra = "") {
  return "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" + StixId("indicator", n) +
         "\"," + std::string(extra) + "\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"" +
         std::string(modified) +
         "\",\"pattern\":\"[ipv4-addr:value = '10.0.0.1']\",\"pattern_type\":\"stix\","
         "\"valid_from\":\"2024-01-01T00:00:00Z\"}";
}

inline std::string Malware(int n) {
  return "{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"" + StixId("malware", n) +
         "\",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":\"2024-01-01T00:00:00.000Z\","
         "\"name\":\"m\",\"is_family\":false}";
}

// An SCO without created/modified.
inline std::string Ipv4(int n) {
  return "{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\",\"id\":\"" + StixId("ipv4-addr", n) +
         "\",\"value\":\"10.0.0." + std::to_string(n % 250) + "\"}";
}

inline std::string Envelope(const std::vector<std::string>& objects) {
  std::string s = "{\"objects\":[";
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) s += ",";
    s += objects[i];
  }
  return s + "]}";
}

inline constexpr std::string_view kTlpRed =
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
inline constexpr std::string_view kTlpGreen =
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";

}  // namespace detente::taxii::testing
