// risk/tree_model.h — scores orders with a gradient-boosted tree model trained by XGBoost, and
// explains each score with exact TreeSHAP values, in a few microseconds per order.
//
// The model is read from XGBoost 1.7's JSON model format (what risk/trainer.h writes). Only
// binary:logistic gbtree models with numerical splits are accepted. Predictions equal XGBoost's
// (same float thresholds, same missing-value rule) up to floating-point summation order, and
// Explain() returns what XGBoost's pred_contribs returns (path-dependent TreeSHAP).
//
// Main invariant: a TreeModel is immutable after loading; all const methods are safe to call
// from any number of threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orderpilot::risk {

class TreeModel {
 public:
  // Explain() adds up, for every leaf, the SHAP values of the k distinct features on its path,
  // which depend only on which of them x "follows" (path-dependent TreeSHAP). A leaf with
  // k <= kMaxTabulatedPathFeatures gets those values tabulated at load for all 2^k patterns
  // (2^k · k floats; two sibling leaves share one table of 2^(k+1) rows, so Explain reads one
  // row per pair), as long as the model's table stays within kMaxShapTableBytes (leaves are
  // taken in tree order). Other leaves are computed at each Explain() call: O(k²) per leaf,
  // correct but slower. 200 full trees of depth 4 need 0.8 MB, depth 6 ~20 MB, depth 7 ~92 MB;
  // from depth 8 on, the later trees are computed on the fly.
  static constexpr int kMaxTabulatedPathFeatures = 10;
  static constexpr size_t kMaxShapTableBytes = size_t{128} << 20;

  // Parses an XGBoost 1.7 JSON model (learner.gradient_booster.model.trees[]).
  // InvalidArgument, with a message naming the problem (and the tree), when `json` is not JSON,
  // the objective is not binary:logistic, the booster is not gbtree, a tree array is missing or
  // has the wrong length, a child index or feature index is out of range, a split is
  // categorical, a tree is deeper than 64 levels, or a tree is not a tree (a node reached twice).
  static Result<TreeModel> FromXgboostJson(std::string_view json);
  // Reads the file, then as FromXgboostJson. NotFound / FailedPrecondition when it cannot be read.
  static Result<TreeModel> Load(const std::string& path);

  TreeModel(TreeModel&&) = default;
  TreeModel& operator=(TreeModel&&) = default;

  // learner.feature_names; "f0", "f1", … when the model has none.
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  size_t num_features() const { return feature_names_.size(); }
  size_t num_trees() const { return tree_roots_.size(); }
  // Edges on the longest root-to-leaf path of any tree (0 for a model of single leaves).
  int max_depth() const { return max_depth_; }
  // learner.attributes (the trainer stores its metadata there, e.g. orderpilot_best_iteration).
  const std::map<std::string, std::string>& attributes() const { return attributes_; }
  // Most distinct features tested on one root-to-leaf path (above kMaxTabulatedPathFeatures,
  // some leaves are explained on the fly).
  size_t max_path_features() const { return max_path_features_; }
  // logit(base_score): the margin before any tree.
  double base_margin() const { return base_margin_; }
  // The bias of Explain(): base_margin() plus each tree's cover-weighted mean leaf value.
  double expected_margin() const { return expected_margin_; }

  // Log-odds score of one row. REQUIRES: x.size() == num_features(). NaN means missing: the
  // split's default direction is taken. A split goes left when x[feature] < threshold.
  double Margin(std::span<const float> x) const;
  // 1 / (1 + exp(-Margin(x))).
  double Probability(std::span<const float> x) const;

  // Fills contributions[j] with feature j's exact path-dependent TreeSHAP value (XGBoost's
  // pred_contribs) and returns the bias (expected_margin(), XGBoost's last pred_contribs
  // column); Σ contributions + bias == Margin(x) up to rounding. When `margin` is not null it
  // receives Margin(x), which Explain gets almost for free.
  // REQUIRES: x.size() == contributions.size() == num_features().
  // Allocation-free except that each thread grows a small scratch buffer on first use.
  double Explain(std::span<const float> x, std::span<double> contributions,
                 double* margin = nullptr) const;

  // Bytes held by the tabulated SHAP values (for capacity planning; ~0.8 MB for 200 trees of
  // depth 4).
  size_t shap_table_bytes() const { return shap_table_.size() * sizeof(float); }

 private:
  // One node of a tree. Nodes are renumbered at load so that the two children of a split are
  // adjacent: right child = left + 1.
  struct Node {
    float value;                   // split threshold, or the leaf value
    uint32_t feature_and_default;  // feature index | kDefaultLeft, or kLeaf
    uint32_t left;                 // index into nodes_ of the left child (splits only)
  };
  static constexpr uint32_t kDefaultLeft = 0x80000000u;
  static constexpr uint32_t kLeaf = 0x7fffffffu;
  static constexpr uint64_t kNotTabulated = ~uint64_t{0};

  // A split as Explain() visits it (all splits of a tree, parents before children).
  struct Split {
    float threshold;
    uint32_t feature_and_default;
    uint32_t node;  // its index relative to the tree's first node
    uint32_t left;  // its left child's, likewise; the right child is left + 1
    // The slot of its feature among the distinct features of the path from the root to it, in
    // order of first appearance: the same in every leaf below it.
    uint32_t slot;
  };
  // What Explain() adds up per tree: two sibling leaves (one table row covers both; they have
  // the same path features) or a single leaf, whose path has `num_features` distinct features,
  // slot s standing for feature unit_features_[features_begin + s].
  struct ShapUnit {
    uint64_t table_begin;  // into shap_table_, or kNotTabulated (single leaves only)
    // Pair: the parent split; single leaf: the leaf (relative to the tree's first node).
    uint32_t node;
    uint32_t features_begin;  // into unit_features_ and unit_zero_fractions_
    uint16_t num_features;
    uint8_t pair;
    float value;  // single leaf: its value
  };

  TreeModel() = default;

  // Appends the splits and units of the tree whose nodes start at nodes_[base], with the
  // nodes' covers; returns the tree's expected value (Σ leaf value × Π z).
  double AddTreeExplanation(uint32_t base, const std::vector<double>& cover);

  std::vector<std::string> feature_names_;
  std::map<std::string, std::string> attributes_;
  double base_margin_ = 0;
  double expected_margin_ = 0;
  int max_depth_ = 0;
  size_t max_tree_nodes_ = 0;
  size_t max_path_features_ = 0;

  std::vector<Node> nodes_;           // all trees, concatenated (for Margin)
  std::vector<uint32_t> tree_roots_;  // tree t: nodes_[tree_roots_[t] .. tree_end_[t])
  std::vector<uint32_t> tree_end_;    //
  std::vector<Split> splits_;         // tree t: [tree_splits_[t], tree_splits_[t + 1])
  std::vector<uint32_t> tree_splits_;
  std::vector<ShapUnit> units_;  // tree t: [tree_units_[t], tree_units_[t + 1])
  std::vector<uint32_t> tree_units_;
  std::vector<uint32_t> unit_features_;      // per unit slot: the feature index
  std::vector<double> unit_zero_fractions_;  // per unit slot: z (product of cover ratios)
  // Per tabulated single leaf with k slots: 2^k rows of k values; row p holds the slots' SHAP
  // values when x follows exactly the slots whose bit is set in p. Per pair: 2^(k+1) rows, see
  // AddTreeExplanation.
  std::vector<float> shap_table_;
};

}  // namespace orderpilot::risk
