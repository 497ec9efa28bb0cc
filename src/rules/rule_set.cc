#include "rules/rule_set.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "core/text_file.h"

namespace orderpilot::rules {
namespace {

constexpr size_t kMaxErrors = 20;

constexpr std::string_view kRuleKeys[] = {"name", "on", "when", "do", "description"};
constexpr std::string_view kPriorities[] = {"low", "normal", "high", "urgent"};
constexpr std::string_view kShippingSpeeds[] = {"standard", "express", "overnight"};
constexpr ActionKind kActionKinds[] = {
    ActionKind::kAddTag,           ActionKind::kRemoveTag, ActionKind::kSetPriority,
    ActionKind::kSetShippingSpeed, ActionKind::kSetNote,   ActionKind::kHold,
    ActionKind::kReleaseHold,      ActionKind::kCancel,    ActionKind::kRouteTo,
    ActionKind::kChooseService,    ActionKind::kNotify,    ActionKind::kCallWebhook,
};

template <typename Range>
std::string JoinNames(const Range& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

bool ValidRuleName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

bool IsHttpUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme) && url.size() > scheme.size() && url[scheme.size()] != '/' &&
        url.find_first_of(" \t\r\n") == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::optional<ActionKind> FindActionKind(std::string_view name) {
  for (ActionKind k : kActionKinds) {
    if (ActionKindName(k) == name) return k;
  }
  return std::nullopt;
}

// A 1-based position in a file; line 0 when unknown.
struct Pos {
  int line = 0;
  int column = 0;
};

// Everything one load collects across its files.
struct Collector {
  std::vector<Rule> rules;
  std::vector<std::string> errors;
  std::string first_error_file;
  std::map<std::string, std::string, std::less<>> names;  // rule name → "file:line"
  bool Full() const { return errors.size() >= kMaxErrors; }
};

// Reads one YAML file into the collector's rules, recording every error found.
class FileParser {
 public:
  FileParser(std::string_view text, std::string_view file, const OrderEnv& env, Collector& out)
      : text_(text), file_(file), env_(env), out_(out) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  void Parse() {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text_));
    } catch (const YAML::ParserException& e) {
      Error(PosOf(e.mark), e.msg);
      return;
    } catch (const std::exception& e) {
      Error(Pos{}, std::string("cannot parse YAML: ") + e.what());
      return;
    }
    try {
      ReadRoot(root);
    } catch (const std::exception& e) {  // yaml-cpp conversions; none are expected
      Error(Pos{}, std::string("cannot read rules: ") + e.what());
    }
  }

 private:
  // --- Positions -------------------------------------------------------------------------------

  // The text of 0-based line `line`, without its line break.
  std::string_view Line(size_t line) const {
    size_t begin = line_starts_[line];
    size_t end = line + 1 < line_starts_.size() ? line_starts_[line + 1] : text_.size();
    std::string_view s = text_.substr(begin, end - begin);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  }
  size_t LineOf(size_t offset) const {
    return std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
           line_starts_.begin() - 1;
  }
  // 1-based column of byte `offset`, counting UTF-8 characters as one column each.
  int ColumnOf(size_t offset) const {
    int column = 1;
    for (size_t i = line_starts_[LineOf(offset)]; i < offset; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    return column;
  }
  Pos PosAt(size_t offset) const {
    return Pos{static_cast<int>(LineOf(offset)) + 1, ColumnOf(offset)};
  }
  bool ValidOffset(int pos) const { return pos >= 0 && static_cast<size_t>(pos) <= text_.size(); }
  Pos PosOf(const YAML::Mark& mark) const {
    if (mark.is_null()) return Pos{};
    if (ValidOffset(mark.pos)) return PosAt(static_cast<size_t>(mark.pos));
    return Pos{mark.line + 1, mark.column + 1};
  }
  // An empty value has no position of its own (yaml-cpp marks where the next token starts), so
  // errors about it point at its key.
  Pos ValuePos(const YAML::Node& key, const YAML::Node& value) const {
    return value.IsNull() ? PosOf(key.Mark()) : PosOf(value.Mark());
  }

  void Error(Pos at, std::string_view message) {
    std::string line = file_;
    if (at.line > 0) line += ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
    line += ": ";
    line += message;
    AddError(std::move(line));
  }
  void AddError(std::string line) {
    if (out_.Full()) return;
    if (out_.errors.empty()) out_.first_error_file = file_;
    out_.errors.push_back(std::move(line));
  }

  // --- Structure ---------------------------------------------------------------------------------

  void ReadRoot(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) return;  // an empty file holds no rules
    if (!root.IsSequence()) {
      Error(PosOf(root.Mark()),
            "a rule file is a list of rules, each starting with '- name:' (got a " +
                std::string(root.IsMap() ? "mapping" : "single value") + ")");
      return;
    }
    for (const YAML::Node& rule : root) {
      if (out_.Full()) return;
      ReadRule(rule);
    }
  }

  struct Entry {
    YAML::Node key;
    YAML::Node value;
  };

  void ReadRule(const YAML::Node& node) {
    Pos rule_pos = PosOf(node.Mark());
    if (!node.IsMap()) {
      Error(rule_pos, "a rule must be a mapping with name, on, when, do (got " +
                          std::string(node.IsNull() ? "nothing" : "a list or value") + ")");
      return;
    }
    std::map<std::string, Entry, std::less<>> entries;
    for (const auto& kv : node) {
      const YAML::Node& key = kv.first;
      if (!key.IsScalar()) {
        Error(PosOf(key.Mark()), "rule keys must be plain names");
        continue;
      }
      const std::string& name = key.Scalar();
      if (std::find(std::begin(kRuleKeys), std::end(kRuleKeys), name) == std::end(kRuleKeys)) {
        std::string message = "unknown key '" + name + "' (expected " + JoinNames(kRuleKeys) + ")";
        if (auto s = ClosestName(name, kRuleKeys))
          message += "; did you mean '" + std::string(*s) + "'?";
        Error(PosOf(key.Mark()), message);
        continue;
      }
      if (!entries.emplace(name, Entry{key, kv.second}).second) {
        Error(PosOf(key.Mark()), "duplicate key '" + name + "' in rule");
      }
    }

    Rule rule;
    rule.file = file_;
    rule.line = rule_pos.line;
    bool ok = true;

    auto name = entries.find("name");
    if (name == entries.end()) {
      Error(rule_pos, "rule has no 'name'");
      ok = false;
    } else if (auto s = String(name->second, "name")) {
      rule.name = *s;
      Pos at = ValuePos(name->second.key, name->second.value);
      if (!ValidRuleName(rule.name)) {
        Error(at, "rule name '" + rule.name +
                      "' may only use lowercase letters, digits, '-', '_' and '.'");
        ok = false;
      } else {
        std::string where = file_ + ":" + std::to_string(at.line);
        auto [it, inserted] = out_.names.emplace(rule.name, where);
        if (!inserted) {
          Error(at,
                "duplicate rule name '" + rule.name + "' (first defined at " + it->second + ")");
          ok = false;
        }
      }
    } else {
      ok = false;
    }
    std::string label = rule.name.empty() ? "rule" : "rule '" + rule.name + "'";

    auto on = entries.find("on");
    if (on == entries.end()) {
      Error(rule_pos, label + " has no 'on' (the trigger, e.g. on: order.accepted)");
      ok = false;
    } else if (auto s = String(on->second, "on")) {
      rule.trigger = *s;
      const auto& known = KnownTriggers();
      if (std::find(known.begin(), known.end(), rule.trigger) == known.end()) {
        std::string message = "unknown trigger '" + rule.trigger + "'";
        if (auto t = ClosestName(rule.trigger, known)) {
          message += " (did you mean '" + std::string(*t) + "'?)";
        } else {
          message += " (expected one of " + JoinNames(known) + ")";
        }
        Error(ValuePos(on->second.key, on->second.value), message);
        ok = false;
      }
    } else {
      ok = false;
    }

    if (auto d = entries.find("description"); d != entries.end()) {
      if (auto s = String(d->second, "description")) {
        rule.description = *s;
      } else {
        ok = false;
      }
    }

    if (auto when = entries.find("when"); when != entries.end()) {
      if (!CompileCondition(when->second, rule)) ok = false;
    }

    auto actions = entries.find("do");
    if (actions == entries.end()) {
      Error(rule_pos, label + " has no 'do' (the list of actions)");
      ok = false;
    } else if (!ReadActions(actions->second, rule)) {
      ok = false;
    }

    if (ok) out_.rules.push_back(std::move(rule));
  }

  // A non-empty scalar, or an error naming `what`.
  std::optional<std::string> String(const Entry& e, std::string_view what) {
    if (e.value.IsNull() || (e.value.IsScalar() && e.value.Scalar().empty())) {
      Error(ValuePos(e.key, e.value), "'" + std::string(what) + "' is empty");
      return std::nullopt;
    }
    if (!e.value.IsScalar()) {
      Error(ValuePos(e.key, e.value), "'" + std::string(what) + "' must be a string");
      return std::nullopt;
    }
    return e.value.Scalar();
  }

  bool ReadActions(const Entry& e, Rule& rule) {
    if (e.value.IsNull() || (e.value.IsSequence() && e.value.size() == 0)) {
      Error(ValuePos(e.key, e.value), "'do' is empty: a rule needs at least one action");
      return false;
    }
    if (!e.value.IsSequence()) {
      Error(ValuePos(e.key, e.value), "'do' must be a list of actions ('- add_tag: vip')");
      return false;
    }
    bool ok = true;
    for (const YAML::Node& a : e.value) {
      if (!ReadAction(a, rule)) ok = false;
    }
    return ok;
  }

  bool ReadAction(const YAML::Node& node, Rule& rule) {
    Pos pos = PosOf(node.Mark());
    if (!node.IsMap() || node.size() != 1) {
      Error(pos, "an action is one 'kind: value' pair, e.g. '- add_tag: vip' (expected one of " +
                     JoinActionNames() + ")");
      return false;
    }
    auto kv = *node.begin();
    Entry e{kv.first, kv.second};
    if (!e.key.IsScalar()) {
      Error(pos, "an action's kind must be a plain name");
      return false;
    }
    const std::string& name = e.key.Scalar();
    std::optional<ActionKind> kind = FindActionKind(name);
    if (!kind) {
      std::string message = "unknown action '" + name + "'";
      if (auto s = ClosestName(name, ActionNames())) {
        message += " (did you mean '" + std::string(*s) + "'?)";
      } else {
        message += " (expected one of " + JoinActionNames() + ")";
      }
      Error(PosOf(e.key.Mark()), message);
      return false;
    }
    Action action{*kind, {}, {}};
    if (*kind == ActionKind::kNotify) {
      if (!ReadOptions(e, name, {"template", "to"}, "template",
                       "{template: vip-thanks, to: customer}", action)) {
        return false;
      }
    } else if (*kind == ActionKind::kCallWebhook) {
      if (!ReadOptions(e, name, {"url", "template"}, "url",
                       "{url: https://hooks.example.com/orders}", action)) {
        return false;
      }
      if (!IsHttpUrl(action.value)) {
        Error(OptionPos(e, "url"),
              "call_webhook url '" + action.value + "' must be an http:// or https:// URL");
        return false;
      }
    } else {
      auto s = String(e, name);
      if (!s) return false;
      action.value = *s;
      if (*kind == ActionKind::kSetPriority && !OneOf(*s, kPriorities)) {
        Error(ValuePos(e.key, e.value),
              "set_priority '" + *s + "' is not one of " + JoinNames(kPriorities));
        return false;
      }
      if (*kind == ActionKind::kSetShippingSpeed && !OneOf(*s, kShippingSpeeds)) {
        Error(ValuePos(e.key, e.value),
              "set_shipping_speed '" + *s + "' is not one of " + JoinNames(kShippingSpeeds));
        return false;
      }
    }
    rule.actions.push_back(std::move(action));
    return true;
  }

  template <typename Range>
  static bool OneOf(std::string_view s, const Range& names) {
    return std::find(std::begin(names), std::end(names), s) != std::end(names);
  }

  static const std::vector<std::string_view>& ActionNames() {
    static const std::vector<std::string_view> kNames = [] {
      std::vector<std::string_view> v;
      for (ActionKind k : kActionKinds) v.push_back(ActionKindName(k));
      return v;
    }();
    return kNames;
  }
  static std::string JoinActionNames() { return JoinNames(ActionNames()); }

  // The position of option `key` of a mapping action (the action's value when absent).
  Pos OptionPos(const Entry& e, std::string_view key) const {
    for (const auto& kv : e.value) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return ValuePos(kv.first, kv.second);
    }
    return ValuePos(e.key, e.value);
  }

  // A mapping action: {template: vip-thanks, to: customer}. `primary` (required) becomes the
  // action's value; the other options go to `args` in the file's order.
  bool ReadOptions(const Entry& e, const std::string& action_name,
                   std::initializer_list<std::string_view> known, std::string_view primary,
                   std::string_view example, Action& action) {
    if (!e.value.IsMap()) {
      Error(ValuePos(e.key, e.value), action_name + " takes a mapping of " + JoinNames(known) +
                                          ", e.g. " + std::string(example));
      return false;
    }
    bool ok = true;
    for (const auto& kv : e.value) {
      Entry option{kv.first, kv.second};
      if (!option.key.IsScalar()) {
        Error(PosOf(option.key.Mark()), action_name + " options must be plain names");
        ok = false;
        continue;
      }
      const std::string& key = option.key.Scalar();
      if (!OneOf(key, known)) {
        Error(PosOf(option.key.Mark()), "unknown " + action_name + " option '" + key +
                                            "' (expected " + JoinNames(known) + ")");
        ok = false;
        continue;
      }
      auto s = String(option, action_name + " " + key);
      if (!s) {
        ok = false;
        continue;
      }
      if (key == primary) {
        action.value = *s;
      } else {
        action.args.emplace_back(key, *s);
      }
    }
    if (ok && action.value.empty()) {
      Error(ValuePos(e.key, e.value), action_name + " needs '" + std::string(primary) + "'");
      ok = false;
    }
    return ok;
  }

  // --- Conditions ------------------------------------------------------------------------------

  bool CompileCondition(const Entry& e, Rule& rule) {
    if (e.value.IsNull() || (e.value.IsScalar() && e.value.Scalar().empty())) {
      Error(ValuePos(e.key, e.value),
            "'when' is empty (leave it out for a rule that always fires)");
      return false;
    }
    if (!e.value.IsScalar()) {
      Error(ValuePos(e.key, e.value), "'when' must be an expression string");
      return false;
    }
    const std::string& source = e.value.Scalar();
    expr::CompileOptions options;
    options.expect = env_.env().types().Basic(expr::TypeKind::kBool);
    expr::CompileResult compiled = expr::Compile(source, env_.env(), options);
    if (!compiled.issues.empty()) {
      SourceMap map = MapScalar(e.value, source);
      for (const expr::Issue& issue : compiled.issues) {
        if (out_.Full()) break;
        // Report from the nearest mapped character at or before the issue, so positions stay
        // exact across the lines of a block scalar.
        size_t offset = std::min(static_cast<size_t>(std::max(issue.offset, 0)), source.size());
        size_t from = offset;
        while (from > 0 && map.at[from].line == 0) --from;
        Pos p = map.at[from].line != 0 ? map.at[from] : map.start;
        if (map.at[from].line == 0) from = 0;
        expr::Issue relative{static_cast<int32_t>(offset - from), issue.message};
        std::string_view rest = std::string_view(source).substr(from);
        AddError(expr::FormatIssue(expr::SourceRef{file_, p.line, p.column}, rest, relative));
      }
      return false;
    }
    // A block scalar keeps its final line break; the condition shown in events does not need it.
    rule.condition = source.substr(0, source.find_last_not_of(" \t\r\n") + 1);
    rule.program = std::move(compiled.program);
    return true;
  }

  // Where each byte of a scalar's value sits in the file.
  struct SourceMap {
    Pos start;            // the value's first character
    std::vector<Pos> at;  // per byte of the value (+1); line 0 = not mapped
  };

  // Aligns the lines of the scalar as written with its value: each written line, with its
  // indentation, quotes and escapes removed, is found in the value after the previous one,
  // separated only by whitespace (folding turns line breaks into spaces). Plain, quoted and block
  // (| and >) scalars map exactly except inside escape sequences; anything unexpected stops the
  // mapping, and later bytes are counted from the last mapped one.
  SourceMap MapScalar(const YAML::Node& node, std::string_view value) const {
    SourceMap map;
    map.at.assign(value.size() + 1, Pos{});
    const YAML::Mark mark = node.Mark();
    map.start = PosOf(mark);
    if (!ValidOffset(mark.pos) || static_cast<size_t>(mark.pos) >= text_.size()) return map;
    size_t begin = static_cast<size_t>(mark.pos);
    char style = text_[begin];
    size_t line = LineOf(begin);
    if (style == '\'' || style == '"') map.start = PosAt(begin + 1);

    // Segments: the characters of one written line that appear in the value, with their offsets.
    struct Segment {
      std::string content;
      std::vector<size_t> offsets;  // file offset of each content byte
    };
    auto plain_segment = [&](size_t from, size_t to) {
      Segment s;
      std::string_view t = text_.substr(from, to - from);
      if (size_t c = t.find(" #"); c != std::string_view::npos) t = t.substr(0, c);
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
      for (size_t i = 0; i < t.size(); ++i) {
        s.content += t[i];
        s.offsets.push_back(from + i);
      }
      return s;
    };
    bool closed = false;
    auto quoted_segment = [&](size_t from, size_t to) {
      Segment s;
      for (size_t i = from; i < to; ++i) {
        char c = text_[i];
        if (style == '\'') {
          if (c == '\'') {
            if (i + 1 < to && text_[i + 1] == '\'') {
              s.content += '\'';
              s.offsets.push_back(i);
              ++i;
              continue;
            }
            closed = true;
            break;
          }
        } else if (c == '"') {
          closed = true;
          break;
        } else if (c == '\\') {
          static constexpr std::string_view kFrom = "\"\\/nt", kTo = "\"\\/\n\t";
          size_t k = i + 1 < to ? kFrom.find(text_[i + 1]) : std::string_view::npos;
          if (k == std::string_view::npos) {
            closed = true;  // an escape we do not map: stop here
            break;
          }
          s.content += kTo[k];
          s.offsets.push_back(i);
          ++i;
          continue;
        }
        s.content += c;
        s.offsets.push_back(i);
      }
      return s;
    };
    auto line_bounds = [&](size_t l) {
      size_t from = line_starts_[l];
      return std::pair<size_t, size_t>(from, from + Line(l).size());
    };
    auto skip_indent = [&](size_t from, size_t to) {
      while (from < to && (text_[from] == ' ' || text_[from] == '\t')) ++from;
      return from;
    };

    std::vector<Segment> segments;
    if (style == '|' || style == '>') {
      // Content starts on the next line; its indentation is that of the first non-blank line.
      size_t indent = std::string_view::npos;
      for (size_t l = line + 1; l < line_starts_.size(); ++l) {
        auto [from, to] = line_bounds(l);
        size_t first = skip_indent(from, to);
        if (first == to) continue;  // blank lines belong to the block
        if (indent == std::string_view::npos) indent = first - from;
        if (first - from < indent) break;
        Segment s;
        for (size_t i = from + indent; i < to; ++i) {
          s.content += text_[i];
          s.offsets.push_back(i);
        }
        segments.push_back(std::move(s));
      }
    } else {
      bool quoted = style == '\'' || style == '"';
      for (size_t l = line; l < line_starts_.size() && !closed; ++l) {
        auto [from, to] = line_bounds(l);
        from = l == line ? begin + (quoted ? 1 : 0) : skip_indent(from, to);
        segments.push_back(quoted ? quoted_segment(from, to) : plain_segment(from, to));
        if (l > line + value.size()) break;  // more lines than the value could span
      }
    }

    size_t cursor = 0;
    for (const Segment& s : segments) {
      if (cursor >= value.size()) break;
      if (s.content.empty()) continue;
      size_t found = value.find(s.content, cursor);
      if (found == std::string_view::npos) break;
      bool gap_is_space = std::all_of(value.begin() + cursor, value.begin() + found, [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
      });
      if (!gap_is_space) break;
      for (size_t i = 0; i < s.content.size(); ++i) map.at[found + i] = PosAt(s.offsets[i]);
      cursor = found + s.content.size();
    }
    if (map.at[0].line != 0) map.start = map.at[0];
    return map;
  }

  std::string_view text_;
  std::string file_;
  const OrderEnv& env_;
  Collector& out_;
  std::vector<size_t> line_starts_;
};

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

}  // namespace

const std::vector<std::string_view>& KnownTriggers() {
  static const std::vector<std::string_view> kTriggers = {
      "order.received",    "order.validated", "order.risk_scored", "order.held",
      "order.accepted",    "order.rejected",  "order.allocated",   "order.routed",
      "order.backordered", "order.shipped",   "order.delivered",   "order.cancelled",
      "order.updated",     "order.paid",      "return.requested",  "refund.issued",
      "ticket.created",    "stock.low",
  };
  return kTriggers;
}

std::string_view ActionKindName(ActionKind k) {
  switch (k) {
    case ActionKind::kAddTag:
      return "add_tag";
    case ActionKind::kRemoveTag:
      return "remove_tag";
    case ActionKind::kSetPriority:
      return "set_priority";
    case ActionKind::kSetShippingSpeed:
      return "set_shipping_speed";
    case ActionKind::kSetNote:
      return "set_note";
    case ActionKind::kHold:
      return "hold";
    case ActionKind::kReleaseHold:
      return "release_hold";
    case ActionKind::kCancel:
      return "cancel";
    case ActionKind::kRouteTo:
      return "route_to";
    case ActionKind::kChooseService:
      return "choose_service";
    case ActionKind::kNotify:
      return "notify";
    case ActionKind::kCallWebhook:
      return "call_webhook";
  }
  return "unknown";
}

std::vector<const Rule*> RuleSet::ForTrigger(std::string_view trigger) const {
  std::vector<const Rule*> out;
  for (const Rule& r : rules_) {
    if (r.trigger == trigger) out.push_back(&r);
  }
  return out;
}

Result<std::shared_ptr<const RuleSet>> LoadRuleSet(const std::vector<std::string>& files,
                                                   const OrderEnv& env) {
  std::vector<std::string> texts;
  texts.reserve(files.size());
  for (const std::string& path : files) {
    OP_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "rule file"));
    texts.push_back(std::move(text));
  }
  Collector c;
  for (size_t i = 0; i < files.size() && !c.Full(); ++i) {
    FileParser(texts[i], files[i], env, c).Parse();
  }
  if (!c.errors.empty()) return InvalidArgumentError(JoinLines(c.errors), c.first_error_file);
  auto set = std::make_shared<RuleSet>();
  set->rules_ = std::move(c.rules);
  set->files_ = files;
  return std::shared_ptr<const RuleSet>(std::move(set));
}

Result<std::shared_ptr<const RuleSet>> ParseRuleSet(std::string_view yaml,
                                                    std::string_view file_name,
                                                    const OrderEnv& env) {
  Collector c;
  FileParser(yaml, file_name, env, c).Parse();
  if (!c.errors.empty()) return InvalidArgumentError(JoinLines(c.errors), c.first_error_file);
  auto set = std::make_shared<RuleSet>();
  set->rules_ = std::move(c.rules);
  set->files_ = {std::string(file_name)};
  return std::shared_ptr<const RuleSet>(std::move(set));
}

}  // namespace orderpilot::rules
