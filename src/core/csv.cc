#include "core/csv.h"

namespace orderpilot {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status LineError(std::string_view file, size_t line, const std::string& msg) {
  return InvalidArgumentError(std::string(file) + ":" + std::to_string(line) + ": " + msg);
}

}  // namespace

Result<CsvTable> CsvTable::Parse(std::string_view text, std::string_view file_name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRow> records;
  size_t i = 0;
  size_t line = 1;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    std::string field;
    bool quoted_field = false;
    bool end_of_record = false;
    while (!end_of_record) {
      if (i >= text.size()) {
        row.fields.push_back(std::move(field));
        break;
      }
      char c = text[i];
      if (c == '"' && field.empty() && !quoted_field) {
        quoted_field = true;
        ++i;
        for (;;) {
          if (i >= text.size()) return LineError(file_name, row.line, "unterminated quoted field");
          char q = text[i++];
          if (q == '"') {
            if (i < text.size() && text[i] == '"') {
              field.push_back('"');
              ++i;
              continue;
            }
            break;
          }
          if (q == '\n') ++line;
          field.push_back(q);
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return LineError(file_name, line, "text after a closing quote");
        }
        continue;
      }
      ++i;
      if (c == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
        quoted_field = false;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i < text.size() && text[i] == '\n') ++i;
        ++line;
        row.fields.push_back(std::move(field));
        end_of_record = true;
      } else {
        field.push_back(c);
      }
    }
    bool blank = row.fields.size() == 1 && Trim(row.fields[0]).empty();
    if (!blank) records.push_back(std::move(row));
  }
  if (records.empty()) return InvalidArgumentError(std::string(file_name) + ": no header row");
  CsvTable t;
  for (std::string& h : records.front().fields) {
    std::string name(Trim(h));
    if (name.empty()) return LineError(file_name, records.front().line, "empty column name");
    for (const std::string& seen : t.header_) {
      if (seen == name)
        return LineError(file_name, records.front().line, "column '" + name + "' appears twice");
    }
    t.header_.push_back(std::move(name));
  }
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].fields.size() != t.header_.size()) {
      return LineError(file_name, records[r].line,
                       std::to_string(records[r].fields.size()) + " fields, the header has " +
                           std::to_string(t.header_.size()));
    }
    t.rows_.push_back(std::move(records[r]));
  }
  return t;
}

std::optional<size_t> CsvTable::Column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

}  // namespace orderpilot
