#include "risk/tree_model.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

#include "core/json_dom.h"
#include "core/text_file.h"

namespace orderpilot::risk {
namespace {

using json_dom::ObjectReader;

// Deepest tree accepted: a path's distinct features then fit in a 64-bit pattern.
constexpr int kMaxTreeDepth = 64;

Status ModelError(std::string message) {
  return InvalidArgumentError("not an XGBoost binary:logistic model: " + std::move(message));
}

// json_dom reports type mismatches as Unprocessable with a JSON path; for a model file they all
// mean "this is not a model we can use".
Status AsModelError(const Status& status) {
  std::string message = status.message();
  if (!status.field().empty()) message += " at " + status.field();
  return ModelError(std::move(message));
}

Result<ObjectReader> RequiredObject(const ObjectReader& parent, std::string_view key) {
  Result<std::optional<ObjectReader>> object = parent.OptObject(key);
  if (!object.ok()) return AsModelError(object.status());
  if (!object->has_value()) return ModelError("missing object " + parent.PathOf(key));
  return std::move(**object);
}

Result<std::string> RequiredString(const ObjectReader& parent, std::string_view key) {
  Result<std::optional<std::string_view>> s = parent.OptString(key);
  if (!s.ok()) return AsModelError(s.status());
  if (!s->has_value()) return ModelError("missing string " + parent.PathOf(key));
  return std::string(**s);
}

Result<simdjson::dom::array> RequiredArray(const ObjectReader& parent, std::string_view key) {
  Result<std::optional<simdjson::dom::array>> a = parent.OptArray(key);
  if (!a.ok()) return AsModelError(a.status());
  if (!a->has_value()) return ModelError("missing array " + parent.PathOf(key));
  return **a;
}

// A number written as a JSON string, as XGBoost writes its parameters ("5E-1", "45").
Result<double> NumberInString(const ObjectReader& parent, std::string_view key) {
  OP_ASSIGN_OR_RETURN(std::string text, RequiredString(parent, key));
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value))
    return ModelError(parent.PathOf(key) + " is not a number: \"" + text + "\"");
  return value;
}

// The numeric array `key` of a tree. Booleans read as 0/1 (default_left may be written either
// way).
Status ReadNumbers(const ObjectReader& tree, std::string_view key, std::vector<double>& out) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::array array, RequiredArray(tree, key));
  out.clear();
  out.reserve(array.size());
  for (simdjson::dom::element e : array) {
    double value = 0;
    bool flag = false;
    if (e.get_double().get(value) == simdjson::SUCCESS) {
      out.push_back(value);
    } else if (e.get_bool().get(flag) == simdjson::SUCCESS) {
      out.push_back(flag ? 1 : 0);
    } else {
      return ModelError(json_dom::IndexPath(tree.PathOf(key), out.size()) + " is not a number");
    }
  }
  return Status::Ok();
}

// The raw arrays of one XGBoost tree, indexed by XGBoost's node id.
struct RawTree {
  std::vector<double> left, right, feature, condition, default_left, cover;
};

Result<RawTree> ReadRawTree(const ObjectReader& tree, size_t num_features) {
  RawTree raw;
  OP_RETURN_IF_ERROR(ReadNumbers(tree, "left_children", raw.left));
  OP_RETURN_IF_ERROR(ReadNumbers(tree, "right_children", raw.right));
  OP_RETURN_IF_ERROR(ReadNumbers(tree, "split_indices", raw.feature));
  OP_RETURN_IF_ERROR(ReadNumbers(tree, "split_conditions", raw.condition));
  OP_RETURN_IF_ERROR(ReadNumbers(tree, "default_left", raw.default_left));
  OP_RETURN_IF_ERROR(ReadNumbers(tree, "sum_hessian", raw.cover));
  const size_t n = raw.left.size();
  const std::pair<const char*, size_t> sizes[] = {{"right_children", raw.right.size()},
                                                  {"split_indices", raw.feature.size()},
                                                  {"split_conditions", raw.condition.size()},
                                                  {"default_left", raw.default_left.size()},
                                                  {"sum_hessian", raw.cover.size()}};
  for (const auto& [name, size] : sizes) {
    if (size != n)
      return ModelError(tree.path() + ": left_children has " + std::to_string(n) + " entries but " +
                        name + " has " + std::to_string(size));
  }
  if (n == 0) return ModelError(tree.path() + " has no nodes");
  // tree_param.num_nodes (a string) catches a tree whose arrays were all cut short.
  if (std::optional<simdjson::dom::element> params = tree.Find("tree_param")) {
    simdjson::dom::object params_object;
    if (params->get(params_object) == simdjson::SUCCESS) {
      const ObjectReader reader(params_object, tree.PathOf("tree_param"));
      if (reader.Find("num_nodes")) {
        OP_ASSIGN_OR_RETURN(double num_nodes, NumberInString(reader, "num_nodes"));
        if (num_nodes != static_cast<double>(n))
          return ModelError(tree.path() + " is truncated: tree_param.num_nodes is " +
                            std::to_string(static_cast<int64_t>(num_nodes)) +
                            " but its arrays have " + std::to_string(n) + " entries");
      }
    }
  }
  if (std::optional<simdjson::dom::element> types = tree.Find("split_type")) {
    simdjson::dom::array split_types;
    if (types->get(split_types) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : split_types) {
        int64_t type = 0;
        if (e.get_int64().get(type) != simdjson::SUCCESS || type != 0)
          return ModelError(tree.path() +
                            " has a categorical split; only numerical splits "
                            "are supported");
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const double l = raw.left[i], r = raw.right[i];
    const bool leaf = l == -1;
    if (leaf && r != -1)
      return ModelError(tree.path() + ": node " + std::to_string(i) +
                        " has no left child but a right child");
    if (!leaf) {
      for (double child : {l, r}) {
        if (child < 0 || child >= static_cast<double>(n) || child != std::floor(child))
          return ModelError(tree.path() + ": node " + std::to_string(i) +
                            " has a child index out of range (" + std::to_string(child) +
                            "; the tree has " + std::to_string(n) + " nodes)");
      }
      const double f = raw.feature[i];
      if (f < 0 || f >= static_cast<double>(num_features) || f != std::floor(f))
        return ModelError(tree.path() + ": node " + std::to_string(i) + " splits on feature " +
                          std::to_string(static_cast<int64_t>(f)) + " but the model has " +
                          std::to_string(num_features) + " features");
    }
    if (!std::isfinite(raw.condition[i]) || !(raw.cover[i] >= 0))
      return ModelError(tree.path() + ": node " + std::to_string(i) +
                        " has a non-finite split condition, leaf value or cover");
  }
  return raw;
}

// The low k bits set.
uint64_t LowBits(int k) { return k >= 64 ? ~uint64_t{0} : (uint64_t{1} << k) - 1; }

// Weights of TreeSHAP's subset sum for a path with k distinct features:
// w[s] = s!(k-s-1)!/k! for s = 0..k-1.
void ShapWeights(int k, double* w) {
  if (k == 0) return;
  w[0] = 1.0 / k;
  for (int s = 0; s + 1 < k; ++s) w[s + 1] = w[s] * (s + 1) / (k - s - 1);
}

// The SHAP values of the k distinct features of one leaf's path, when x follows exactly the
// features whose bit is set in `ones` (o_j = 1) and the others not (o_j = 0). z[j] is the
// product of the cover ratios of the path's edges on feature j, v the leaf value. For feature j
// with A = ones \ {j} (|A| = a) and B the other features but j:
//   φ_j = v·(o_j − z_j)·Π_{i∈B} z_i · Σ_{S⊆A} w(|S|)·Π_{i∈A\S} z_i
//       = v·(o_j − z_j)·Π_{i∈B} z_i · Σ_{s=0..a} w(s)·e_{a−s}(z_A)
// where e_m is the elementary symmetric polynomial of degree m. e over all of `ones` is built
// once by a DP over the subset size; for j in `ones` it is "unwound" (e'_m = e_m − z_j·e'_{m−1},
// as TreeSHAP's UnwindPath does), so the whole pattern costs O(k²).
// REQUIRES: k <= kMaxTreeDepth; w from ShapWeights(k).
void LeafShapValues(double v, const double* z, int k, uint64_t ones, const double* w, double* out) {
  double e[kMaxTreeDepth + 1];
  double zeros_prefix[kMaxTreeDepth + 1];  // products of the z of the first t zero slots
  int zero_slots[kMaxTreeDepth];
  int a = 0, num_zeros = 0;
  e[0] = 1;
  zeros_prefix[0] = 1;
  for (int i = 0; i < k; ++i) {
    if ((ones >> i) & 1) {
      ++a;
      e[a] = 0;
      for (int m = a; m >= 1; --m) e[m] += z[i] * e[m - 1];
    } else {
      zero_slots[num_zeros] = i;
      zeros_prefix[num_zeros + 1] = zeros_prefix[num_zeros] * z[i];
      ++num_zeros;
    }
  }
  // Features x does not follow: A is all of `ones`.
  double zero_sum = 0;
  for (int s = 0; s <= a && s < k; ++s) zero_sum += w[s] * e[a - s];
  double zeros_suffix = 1;
  for (int t = num_zeros - 1; t >= 0; --t) {
    const int j = zero_slots[t];
    out[j] = -v * z[j] * zeros_prefix[t] * zeros_suffix * zero_sum;
    zeros_suffix *= z[j];
  }
  // Features x follows: A is `ones` without j.
  const double all_zeros = zeros_prefix[num_zeros];
  for (int j = 0; j < k; ++j) {
    if (((ones >> j) & 1) == 0) continue;
    double unwound = 1;  // e'_0
    double sum = w[a - 1] * unwound;
    for (int m = 1; m < a; ++m) {
      unwound = e[m] - z[j] * unwound;
      sum += w[a - 1 - m] * unwound;
    }
    out[j] = v * (1 - z[j]) * all_zeros * sum;
  }
}

struct ExplainScratch {
  // Per node of the tree being staged: the path features x does not follow on the way to it
  // (one bit per slot), and for splits, whether x goes left.
  std::vector<uint64_t> not_followed;
  std::vector<uint64_t> go_left;  // 0/1 (not a byte: byte stores alias everything)
  // Per unit of a staged tree: the offset of its row in the SHAP table (tabulated units) or
  // its pattern (leaves explained on the fly). Two trees are in flight at a time.
  std::vector<uint64_t> unit_rows[2];
  // Partial sums of the contributions (kAccumulators × features), so that consecutive units
  // adding to the same feature do not wait for each other.
  std::vector<double> partial;
};

constexpr size_t kAccumulators = 4;

ExplainScratch& ThreadScratch() {
  thread_local ExplainScratch scratch;
  return scratch;
}

}  // namespace

Result<TreeModel> TreeModel::FromXgboostJson(std::string_view json) {
  Result<simdjson::dom::object> root = json_dom::ParseObject(json);
  if (!root.ok()) return ModelError(root.status().message());
  const ObjectReader document(*root, "");

  OP_ASSIGN_OR_RETURN(ObjectReader learner, RequiredObject(document, "learner"));
  OP_ASSIGN_OR_RETURN(ObjectReader objective, RequiredObject(learner, "objective"));
  OP_ASSIGN_OR_RETURN(std::string objective_name, RequiredString(objective, "name"));
  if (objective_name != "binary:logistic")
    return ModelError("objective is \"" + objective_name + "\"; only binary:logistic is supported");
  OP_ASSIGN_OR_RETURN(ObjectReader booster, RequiredObject(learner, "gradient_booster"));
  OP_ASSIGN_OR_RETURN(std::string booster_name, RequiredString(booster, "name"));
  if (booster_name != "gbtree")
    return ModelError("booster is \"" + booster_name + "\"; only gbtree is supported");
  OP_ASSIGN_OR_RETURN(ObjectReader model_param, RequiredObject(learner, "learner_model_param"));
  OP_ASSIGN_OR_RETURN(double base_score, NumberInString(model_param, "base_score"));
  if (!(base_score > 0 && base_score < 1))
    return ModelError("base_score " + std::to_string(base_score) + " is not in (0, 1)");
  OP_ASSIGN_OR_RETURN(double num_features_value, NumberInString(model_param, "num_feature"));
  if (num_features_value < 0 || num_features_value > (1 << 24))
    return ModelError("num_feature " + std::to_string(num_features_value) + " is out of range");
  const size_t num_features = static_cast<size_t>(num_features_value);

  TreeModel model;
  model.base_margin_ = std::log(base_score / (1 - base_score));

  OP_ASSIGN_OR_RETURN(simdjson::dom::array names, RequiredArray(learner, "feature_names"));
  for (simdjson::dom::element e : names) {
    std::string_view name;
    if (e.get_string().get(name) != simdjson::SUCCESS)
      return ModelError("learner.feature_names holds a non-string");
    model.feature_names_.emplace_back(name);
  }
  if (model.feature_names_.empty()) {
    for (size_t i = 0; i < num_features; ++i)
      model.feature_names_.push_back("f" + std::to_string(i));
  } else if (model.feature_names_.size() != num_features) {
    return ModelError("learner.feature_names has " + std::to_string(model.feature_names_.size()) +
                      " names but num_feature is " + std::to_string(num_features));
  }

  if (std::optional<simdjson::dom::element> attributes = learner.Find("attributes")) {
    simdjson::dom::object object;
    if (attributes->get(object) != simdjson::SUCCESS)
      return ModelError("learner.attributes is not an object");
    for (auto field : object) {
      std::string_view value;
      if (field.value.get_string().get(value) != simdjson::SUCCESS)
        return ModelError("learner.attributes." + std::string(field.key) + " is not a string");
      model.attributes_.emplace(std::string(field.key), std::string(value));
    }
  }

  OP_ASSIGN_OR_RETURN(ObjectReader gbtree_model, RequiredObject(booster, "model"));
  OP_ASSIGN_OR_RETURN(simdjson::dom::array trees, RequiredArray(gbtree_model, "trees"));

  model.tree_splits_.push_back(0);
  model.tree_units_.push_back(0);
  size_t tree_index = 0;
  std::vector<int64_t> new_index;  // per raw node: its index in the tree's new numbering
  std::vector<uint32_t> old_of_new;
  std::vector<int> depth_of_new;
  double expected_margin = model.base_margin_;
  for (simdjson::dom::element tree_element : trees) {
    Result<ObjectReader> tree_reader = json_dom::AsObject(
        tree_element, json_dom::IndexPath(gbtree_model.PathOf("trees"), tree_index));
    if (!tree_reader.ok()) return AsModelError(tree_reader.status());
    OP_ASSIGN_OR_RETURN(RawTree raw, ReadRawTree(*tree_reader, num_features));
    const size_t n = raw.left.size();

    // Renumber breadth-first so that siblings are adjacent (right = left + 1); a node reached
    // twice means the arrays do not form a tree. Unreachable (deleted) nodes are dropped.
    new_index.assign(n, -1);
    old_of_new.assign(1, 0);
    depth_of_new.assign(1, 0);
    new_index[0] = 0;
    for (size_t pos = 0; pos < old_of_new.size(); ++pos) {
      const uint32_t old = old_of_new[pos];
      if (raw.left[old] == -1) continue;
      if (depth_of_new[pos] + 1 > kMaxTreeDepth)
        return ModelError(tree_reader->path() + " is deeper than " + std::to_string(kMaxTreeDepth) +
                          " levels");
      for (double child : {raw.left[old], raw.right[old]}) {
        const auto c = static_cast<size_t>(child);
        if (new_index[c] != -1)
          return ModelError(tree_reader->path() + ": node " + std::to_string(c) +
                            " is reached twice; the arrays do not form a tree");
        new_index[c] = static_cast<int64_t>(old_of_new.size());
        old_of_new.push_back(static_cast<uint32_t>(c));
        depth_of_new.push_back(depth_of_new[pos] + 1);
      }
    }

    const auto base = static_cast<uint32_t>(model.nodes_.size());
    const size_t tree_size = old_of_new.size();
    for (size_t pos = 0; pos < tree_size; ++pos) {
      const uint32_t old = old_of_new[pos];
      Node node{};
      node.value = static_cast<float>(raw.condition[old]);
      if (raw.left[old] == -1) {
        node.feature_and_default = kLeaf;
        model.max_depth_ = std::max(model.max_depth_, depth_of_new[pos]);
      } else {
        node.feature_and_default = static_cast<uint32_t>(raw.feature[old]) |
                                   (raw.default_left[old] != 0 ? kDefaultLeft : 0);
        node.left = base + static_cast<uint32_t>(new_index[static_cast<size_t>(raw.left[old])]);
        assert(new_index[static_cast<size_t>(raw.right[old])] + base == node.left + 1);
      }
      model.nodes_.push_back(node);
    }
    model.tree_roots_.push_back(base);
    model.tree_end_.push_back(static_cast<uint32_t>(model.nodes_.size()));
    model.max_tree_nodes_ = std::max(model.max_tree_nodes_, tree_size);

    std::vector<double> cover(tree_size);
    for (size_t pos = 0; pos < tree_size; ++pos) cover[pos] = raw.cover[old_of_new[pos]];
    expected_margin += model.AddTreeExplanation(base, cover);
    ++tree_index;
  }
  model.expected_margin_ = expected_margin;
  return model;
}

Result<TreeModel> TreeModel::Load(const std::string& path) {
  OP_ASSIGN_OR_RETURN(std::string json, ReadTextFile(path, "risk model"));
  Result<TreeModel> model = FromXgboostJson(json);
  if (!model.ok()) return InvalidArgumentError(path + ": " + model.status().message());
  return model;
}

double TreeModel::Margin(std::span<const float> x) const {
  assert(x.size() == num_features());
  double margin = base_margin_;
  const Node* nodes = nodes_.data();
  for (const uint32_t root : tree_roots_) {
    const Node* node = nodes + root;
    while (node->feature_and_default != kLeaf) {
      const float v = x[node->feature_and_default & ~kDefaultLeft];
      const uint32_t left =
          (v < node->value) | (std::isnan(v) & ((node->feature_and_default & kDefaultLeft) != 0));
      node = nodes + node->left + 1 - left;  // branch-free: the decisions look random
    }
    margin += node->value;
  }
  return margin;
}

double TreeModel::Probability(std::span<const float> x) const {
  return 1.0 / (1.0 + std::exp(-Margin(x)));
}

double TreeModel::AddTreeExplanation(uint32_t base, const std::vector<double>& cover) {
  const size_t tree_size = cover.size();
  // Per node, by a depth-first walk that keeps the current path: the distinct features of the
  // path from the root to it in order of first appearance (its leaves' slots) and their z.
  struct PathInfo {
    std::vector<uint32_t> features;
    std::vector<double> z;
  };
  std::vector<PathInfo> info(tree_size);
  std::vector<uint32_t> slot_of(tree_size, 0);  // per split: its feature's slot
  std::vector<uint32_t> stack = {0};
  while (!stack.empty()) {
    const uint32_t pos = stack.back();
    stack.pop_back();
    const Node& node = nodes_[base + pos];
    if (node.feature_and_default == kLeaf) continue;
    const uint32_t feature = node.feature_and_default & ~kDefaultLeft;
    const PathInfo& here = info[pos];
    size_t slot = 0;
    while (slot < here.features.size() && here.features[slot] != feature) ++slot;
    slot_of[pos] = static_cast<uint32_t>(slot);
    const uint32_t left = node.left - base;
    for (uint32_t child : {left, left + 1}) {
      PathInfo& below = info[child];
      below = here;
      if (slot == below.features.size()) {
        below.features.push_back(feature);
        below.z.push_back(1);
      }
      below.z[slot] *= cover[pos] > 0 ? cover[child] / cover[pos] : 0;
      stack.push_back(child);
    }
  }

  // The splits, parents before children (the numbering is breadth-first).
  for (uint32_t pos = 0; pos < tree_size; ++pos) {
    const Node& node = nodes_[base + pos];
    if (node.feature_and_default == kLeaf) continue;
    splits_.push_back(
        Split{node.value, node.feature_and_default, pos, node.left - base, slot_of[pos]});
  }
  tree_splits_.push_back(static_cast<uint32_t>(splits_.size()));

  // The units: sibling leaves as pairs, other leaves alone; leaves without a split above them
  // contribute nothing. Tabulated while the table has room, else (single leaves) on the fly.
  double expectation = 0;
  auto is_leaf = [&](uint32_t pos) { return nodes_[base + pos].feature_and_default == kLeaf; };
  auto fits = [&](int k, size_t rows) {
    return k <= kMaxTabulatedPathFeatures &&
           (shap_table_.size() + rows * static_cast<size_t>(k)) * sizeof(float) <=
               kMaxShapTableBytes;
  };
  // All 2^k rows of one leaf's values, in double.
  auto leaf_rows = [&](uint32_t pos, std::vector<double>& rows) {
    const PathInfo& leaf = info[pos];
    const int k = static_cast<int>(leaf.features.size());
    double w[kMaxTreeDepth];
    ShapWeights(k, w);
    rows.resize((size_t{1} << k) * static_cast<size_t>(k));
    for (uint64_t pattern = 0; pattern <= LowBits(k); ++pattern) {
      LeafShapValues(nodes_[base + pos].value, leaf.z.data(), k, pattern, w,
                     rows.data() + pattern * static_cast<uint64_t>(k));
    }
  };
  auto add_single = [&](uint32_t pos) {
    const PathInfo& leaf = info[pos];
    const int k = static_cast<int>(leaf.features.size());
    if (k == 0) return;
    ShapUnit unit{};
    unit.node = pos;
    unit.num_features = static_cast<uint16_t>(k);
    unit.value = nodes_[base + pos].value;
    unit.features_begin = static_cast<uint32_t>(unit_features_.size());
    unit_features_.insert(unit_features_.end(), leaf.features.begin(), leaf.features.end());
    unit_zero_fractions_.insert(unit_zero_fractions_.end(), leaf.z.begin(), leaf.z.end());
    unit.table_begin = kNotTabulated;
    if (fits(k, size_t{1} << k)) {
      unit.table_begin = shap_table_.size();
      std::vector<double> rows;
      leaf_rows(pos, rows);
      shap_table_.insert(shap_table_.end(), rows.begin(), rows.end());
    }
    units_.push_back(unit);
  };
  std::vector<double> left_rows, right_rows;
  for (uint32_t pos = 0; pos < tree_size; ++pos) {
    const Node& node = nodes_[base + pos];
    if (node.feature_and_default == kLeaf) {
      const PathInfo& leaf = info[pos];
      double product = node.value;
      for (double z : leaf.z) product *= z;
      expectation += product;
      max_path_features_ = std::max(max_path_features_, leaf.features.size());
      const uint32_t sibling = pos % 2 == 1 ? pos + 1 : pos - 1;  // children are (odd, even)
      if (pos == 0 || !is_leaf(sibling)) add_single(pos);
      continue;
    }
    const uint32_t left = node.left - base;
    if (!is_leaf(left) || !is_leaf(left + 1)) continue;
    // Both children are leaves, with the same path features; one row of 2^(k+1) per pair:
    // row 2q + d holds both leaves' values when x follows the features in q on the way to this
    // split and then goes left (d = 1) or right (d = 0) here.
    const int k = static_cast<int>(info[left].features.size());
    assert(info[left].features == info[left + 1].features);
    if (k == 0 || !fits(k, size_t{2} << k)) {
      add_single(left);
      add_single(left + 1);
      continue;
    }
    ShapUnit unit{};
    unit.node = pos;
    unit.num_features = static_cast<uint16_t>(k);
    unit.pair = 1;
    unit.features_begin = static_cast<uint32_t>(unit_features_.size());
    unit_features_.insert(unit_features_.end(), info[left].features.begin(),
                          info[left].features.end());
    unit_zero_fractions_.insert(unit_zero_fractions_.end(), info[left].z.begin(),
                                info[left].z.end());
    unit.table_begin = shap_table_.size();
    leaf_rows(left, left_rows);
    leaf_rows(left + 1, right_rows);
    const uint64_t here = uint64_t{1} << slot_of[pos];
    for (uint64_t q = 0; q <= LowBits(k); ++q) {
      for (uint64_t d = 0; d < 2; ++d) {
        const uint64_t left_pattern = d == 1 ? q : q & ~here;
        const uint64_t right_pattern = d == 1 ? q & ~here : q;
        for (int j = 0; j < k; ++j) {
          shap_table_.push_back(static_cast<float>(left_rows[left_pattern * k + j] +
                                                   right_rows[right_pattern * k + j]));
        }
      }
    }
    units_.push_back(unit);
  }
  tree_units_.push_back(static_cast<uint32_t>(units_.size()));
  return expectation;
}

double TreeModel::Explain(std::span<const float> x, std::span<double> contributions,
                          double* margin) const {
  assert(x.size() == num_features());
  assert(contributions.size() == num_features());
  const size_t f = num_features();
  ExplainScratch& scratch = ThreadScratch();
  if (scratch.not_followed.size() < max_tree_nodes_) {
    scratch.not_followed.resize(max_tree_nodes_);
    scratch.go_left.resize(max_tree_nodes_);
    scratch.unit_rows[0].resize(max_tree_nodes_);
    scratch.unit_rows[1].resize(max_tree_nodes_);
  }
  scratch.partial.assign(kAccumulators * f, 0.0);
  uint64_t* not_followed = scratch.not_followed.data();
  uint64_t* go_left = scratch.go_left.data();
  double* partial = scratch.partial.data();
  const Node* nodes = nodes_.data();
  const Split* splits = splits_.data();
  const ShapUnit* units = units_.data();
  const uint32_t* unit_features = unit_features_.data();
  const float* table = shap_table_.data();
  double sum = base_margin_;

  // Stage 1 of tree t: each split's decision, once, handed down to its children as the set of
  // path features x does not follow (parents come before children); the leaf x reaches; then
  // per unit the pattern of features x follows, hence its row of the table, which is
  // prefetched: the rows are scattered over the table, and their loads are what costs most.
  // (Everything the loops use is in locals: a store through one of the scratch pointers could
  // otherwise alias a member and force reloads.)
  const float* xs = x.data();
  const uint32_t* tree_splits = tree_splits_.data();
  const uint32_t* tree_units = tree_units_.data();
  const uint32_t* tree_roots = tree_roots_.data();
  const double* zero_fractions = unit_zero_fractions_.data();
  double* accumulators[kAccumulators];
  for (size_t a = 0; a < kAccumulators; ++a) accumulators[a] = partial + a * f;
  auto stage = [&](size_t t, uint64_t* unit_rows) {
    not_followed[0] = 0;
    uint32_t reached = 0;
    const Split* split = splits + tree_splits[t];
    const Split* const splits_end = splits + tree_splits[t + 1];
    for (; split != splits_end; ++split) {
      const float v = xs[split->feature_and_default & ~kDefaultLeft];
      const uint64_t left = (v < split->threshold) |
                            (std::isnan(v) & ((split->feature_and_default & kDefaultLeft) != 0));
      // Branch-free: the decisions are as good as random, so a branch would mispredict often.
      const uint64_t bit = uint64_t{1} << split->slot;
      const uint64_t left_bit = bit & (0 - left);
      const uint64_t above = not_followed[split->node];
      const uint32_t left_child = split->left;
      go_left[split->node] = left;
      not_followed[left_child] = above | (bit ^ left_bit);
      not_followed[left_child + 1] = above | left_bit;
      const uint32_t here = 0 - static_cast<uint32_t>(reached == split->node);
      reached = (reached & ~here) | ((left_child + 1 - static_cast<uint32_t>(left)) & here);
    }
    sum += nodes[tree_roots[t] + reached].value;
    const ShapUnit* unit = units + tree_units[t];
    const ShapUnit* const units_end = units + tree_units[t + 1];
    for (; unit != units_end; ++unit, ++unit_rows) {
      const uint64_t pattern = ~not_followed[unit->node] & LowBits(unit->num_features);
      if (unit->table_begin == kNotTabulated) {
        *unit_rows = pattern;
        continue;
      }
      // A pair's row: 2 · pattern + whether x goes left at the parent.
      const uint64_t index = (pattern << unit->pair) | (go_left[unit->node] & unit->pair);
      const uint64_t row = unit->table_begin + index * unit->num_features;
      __builtin_prefetch(table + row);
      __builtin_prefetch(table + row + unit->num_features - 1);
      *unit_rows = row;
    }
  };
  // Stage 2 of tree t: add each unit's values.
  auto accumulate = [&](size_t t, const uint64_t* unit_rows) {
    for (uint32_t u = tree_units[t], end = tree_units[t + 1]; u < end; ++u, ++unit_rows) {
      const ShapUnit& unit = units[u];
      const int k = unit.num_features;
      const uint32_t* features = unit_features + unit.features_begin;
      double* acc = accumulators[u % kAccumulators];
      if (unit.table_begin != kNotTabulated) {
        const float* row = table + *unit_rows;
        for (int j = 0; j < k; ++j) acc[features[j]] += row[j];
      } else {
        double w[kMaxTreeDepth];
        double values[kMaxTreeDepth];
        ShapWeights(k, w);
        LeafShapValues(unit.value, zero_fractions + unit.features_begin, k, *unit_rows, w, values);
        for (int j = 0; j < k; ++j) acc[features[j]] += values[j];
      }
    }
  };
  // Tree t + 1 is staged before tree t is accumulated, so its rows arrive in the meantime.
  const size_t trees = tree_roots_.size();
  if (trees > 0) stage(0, scratch.unit_rows[0].data());
  for (size_t t = 0; t < trees; ++t) {
    if (t + 1 < trees) stage(t + 1, scratch.unit_rows[(t + 1) & 1].data());
    accumulate(t, scratch.unit_rows[t & 1].data());
  }
  for (size_t j = 0; j < f; ++j) {
    double total = 0;
    for (size_t a = 0; a < kAccumulators; ++a) total += partial[a * f + j];
    contributions[j] = total;
  }
  if (margin != nullptr) *margin = sum;
  return expected_margin_;
}

}  // namespace orderpilot::risk
