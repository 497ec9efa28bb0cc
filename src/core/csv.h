// core/csv.h — reading CSV files (RFC 4180) with a header row, for imports.
//
// Fields may be quoted ("a, b" and "say ""hi"""); quoted fields may span lines; CRLF and LF line
// ends are both accepted; a UTF-8 byte-order mark at the start is skipped; blank lines are
// skipped. Every row must have as many fields as the header. Errors name the line
// ("stock.csv:12: 4 fields, the header has 3").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orderpilot {

struct CsvRow {
  size_t line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

class CsvTable {
 public:
  // Parses the whole text. InvalidArgument ("<file>:<line>: reason") for an unterminated quote,
  // text after a closing quote, a row with the wrong number of fields, an empty header or
  // duplicate header names.
  static Result<CsvTable> Parse(std::string_view text, std::string_view file_name);

  const std::vector<std::string>& header() const { return header_; }
  const std::vector<CsvRow>& rows() const { return rows_; }
  // Index of a header column (exact, after trimming spaces), or nullopt.
  std::optional<size_t> Column(std::string_view name) const;

 private:
  std::vector<std::string> header_;
  std::vector<CsvRow> rows_;
};

}  // namespace orderpilot
