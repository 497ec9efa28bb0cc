// fuzz/csv_fuzz.cc — the RFC 4180 reader under every CSV import (core/csv.h).
//
// Checks besides "no crash": an accepted table has a non-empty header without duplicates, every
// row has as many fields as the header, rows start on increasing lines, Column() finds every
// header name; a refusal is InvalidArgument naming the file.
#include <cstdint>
#include <string_view>

#include "core/csv.h"
#include "core/status.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orderpilot;
  using fuzz::Check;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto table = CsvTable::Parse(text, "fuzz.csv");
  if (!table.ok()) {
    Check(table.status().code() == StatusCode::kInvalidArgument, "not InvalidArgument");
    Check(table.status().message().starts_with("fuzz.csv"), "the error does not name the file");
    return 0;
  }
  Check(!table->header().empty(), "an accepted table without a header");
  for (const std::string& name : table->header()) Check(table->Column(name).has_value(), "lost");
  size_t last_line = 0;
  for (const CsvRow& row : table->rows()) {
    Check(row.fields.size() == table->header().size(), "a row with the wrong field count");
    Check(row.line > last_line, "row lines do not increase");
    last_line = row.line;
  }
  return 0;
}
