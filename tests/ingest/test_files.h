// Helpers shared by the ingest tests: reading fixtures and editing JSON text.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace orderpilot::ingest::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Fixture(const std::string& name) {
  return ReadFile(std::string(OP_TEST_DATA_DIR) + "/shopify/" + name);
}

// Replaces the first occurrence of `from`; fails the test when there is none.
inline std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

}  // namespace orderpilot::ingest::testing
