// risk/trainer.h — trains the risk model: gradient-boosted trees (XGBoost, binary:logistic) on
// labelled historical orders, with a time-ordered validation split and early stopping.
//
// The output is XGBoost's JSON model, which risk/tree_model.h loads for scoring. XGBoost is an
// implementation detail of the .cc: nothing here exposes its API.
//
// Thread-safety: Train() may run concurrently with itself; each call uses its own XGBoost
// handles and `threads` worker threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "risk/metrics.h"

namespace orderpilot::risk {

struct TrainingSet {
  std::vector<std::string> feature_names;
  // Row-major, feature_names.size() values per row; NaN = missing.
  std::vector<float> rows;
  // One per row: 1 = fraud (chargeback), 0 = good.
  std::vector<float> labels;

  size_t num_rows() const { return labels.size(); }
};

struct TrainOptions {
  // Most trees (boosting rounds) to grow.
  // Default: 200
  int max_trees = 200;

  // Deepest tree, in splits from root to leaf. Explanations are fastest up to 10 (see
  // TreeModel::kMaxTabulatedPathFeatures); XGBoost's "max_depth".
  // Default: 4
  int max_depth = 4;

  // Learning rate: each tree's output is scaled by it; XGBoost's "eta".
  // Default: 0.1
  double eta = 0.1;

  // Stop when the validation part's PR-AUC (XGBoost's "aucpr") has not improved for this many
  // rounds, and keep the trees up to the best round. 0 disables early stopping: all max_trees
  // rounds are kept.
  // Default: 30
  int early_stopping_rounds = 30;

  // The last validation_fraction of the rows (in time order) are the validation part; the rest
  // are the training part. REQUIRES: 0 < validation_fraction < 1.
  // Default: 0.2
  double validation_fraction = 0.2;

  // Weigh positives by negatives/positives of the training part (XGBoost's scale_pos_weight), so
  // that rare fraud is not ignored. When false, scale_pos_weight is 1.
  // Default: true
  bool balance_classes = true;

  // Smallest hessian sum of a child; 0 lets tiny training sets split at all.
  // Default: 1
  double min_child_weight = 1;

  // Fraction of the training rows sampled for each tree.
  // Default: 0.8
  double subsample = 0.8;

  // Fraction of the features sampled for each tree.
  // Default: 0.8
  double colsample_bytree = 0.8;

  // Seed of XGBoost's sampling: the same data, options and seed give the same model.
  // REQUIRES: seed < 2^63 (XGBoost's seed is signed).
  // Default: 1
  uint64_t seed = 1;

  // XGBoost worker threads; 0 = one per hardware thread.
  // Default: 0
  int threads = 0;

  // Stored in the model's learner.attributes (TreeModel::attributes()), e.g. the feature set
  // version or the training window. Keys starting with "orderpilot_" are reserved: the trainer's
  // own entries replace them.
  // Default: none
  std::map<std::string, std::string> attributes;
};

struct TrainedModel {
  // XGBoost JSON model (TreeModel::FromXgboostJson reads it), with the feature names and the
  // attributes: TrainOptions::attributes plus orderpilot_best_iteration (0-based round kept
  // last) and orderpilot_trained_rows (rows of the training part).
  std::string json;
  int best_iteration = 0;  // 0-based; the model has best_iteration + 1 trees
  int trees = 0;
  // The kept model evaluated on the validation part (review rate 2%).
  Metrics validation;
  // The kept model's probabilities for the validation rows, in row order.
  std::vector<float> validation_scores;
};

// How many of `rows` rows form the training part: rows − round(rows × validation_fraction).
// Train splits this way; callers use it to describe the split.
size_t TrainingRows(size_t rows, double validation_fraction);

// Trains a binary:logistic gbtree model with XGBoost's "hist" method.
// REQUIRES: rows are in time order (oldest first): the validation part is the last rows and is
// never shuffled into training, so validation measures how the model does on the future.
// InvalidArgument when the set is malformed (rows.size() != num_rows() × features, a label other
// than 0/1, an option out of range), when the training or the validation part has fewer than
// 10 rows, or has no positive or no negative row. Internal when XGBoost fails (with its message).
Result<TrainedModel> Train(const TrainingSet& set, const TrainOptions& options);

// Writes model.json to `path` via a temporary file in the same directory and a rename, so
// readers see either the old or the new model. Internal when the file cannot be written.
Status SaveModel(const TrainedModel& model, const std::string& path);

}  // namespace orderpilot::risk
