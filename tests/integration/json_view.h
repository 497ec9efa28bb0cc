// tests/integration/json_view.h — reading response bodies in tests.
#pragma once

#include <simdjson.h>

#include <string>

namespace orderpilot::testing {

// Owns the parser and the parsed document of one response body.
class JsonView {
 public:
  explicit JsonView(const std::string& body) : ok_(!parser_.parse(body).get(root_)) {}
  bool ok() const { return ok_; }
  simdjson::dom::element root() const { return root_; }
  std::string Str(const char* pointer) const {
    std::string_view v;
    if (root_.at_pointer(pointer).get(v)) return "<missing " + std::string(pointer) + ">";
    return std::string(v);
  }
  int64_t Int(const char* pointer) const {
    int64_t v = -1;
    if (root_.at_pointer(pointer).get(v)) return -1;
    return v;
  }
  size_t Size(const char* pointer) const {
    simdjson::dom::array a;
    if (root_.at_pointer(pointer).get(a)) return 0;
    return a.size();
  }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool ok_;
};

}  // namespace orderpilot::testing
