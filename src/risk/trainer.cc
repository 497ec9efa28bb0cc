#include "risk/trainer.h"

#include <fcntl.h>
#include <unistd.h>
#include <xgboost/c_api.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

namespace orderpilot::risk {
namespace {

constexpr size_t kMinPartRows = 10;
constexpr double kValidationReviewRate = 0.02;

Status XgbStatus(int rc, std::string_view call) {
  if (rc == 0) return Status::Ok();
  return InternalError("XGBoost " + std::string(call) + " failed: " + XGBGetLastError());
}

#define OP_XGB(call) OP_RETURN_IF_ERROR(XgbStatus((call), #call))

// Owns a DMatrixHandle or a BoosterHandle.
class DMatrix {
 public:
  DMatrix() = default;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  ~DMatrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  DMatrixHandle* out() { return &handle_; }
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

class Booster {
 public:
  Booster() = default;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;
  ~Booster() {
    if (handle_ != nullptr) XGBoosterFree(handle_);
  }
  BoosterHandle* out() { return &handle_; }
  BoosterHandle get() const { return handle_; }

 private:
  BoosterHandle handle_ = nullptr;
};

// XGBoost logs warnings through a process-wide verbosity; the trainer never wants them.
Status SilenceXgboost() {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = XGBSetGlobalConfig(R"({"verbosity": 0})"); });
  return XgbStatus(rc, "XGBSetGlobalConfig");
}

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

Status CheckSet(const TrainingSet& set, const TrainOptions& o) {
  const size_t features = set.feature_names.size();
  if (features == 0) return InvalidArgumentError("training set has no features");
  std::set<std::string_view> seen;
  for (const std::string& name : set.feature_names) {
    if (name.empty()) return InvalidArgumentError("training set has an empty feature name");
    if (name.find_first_of("[]<") != std::string::npos)
      return InvalidArgumentError("feature name \"" + name +
                                  "\" contains [, ] or < (XGBoost refuses them)");
    if (!seen.insert(name).second)
      return InvalidArgumentError("feature name \"" + name + "\" appears twice");
  }
  if (set.rows.size() != set.num_rows() * features)
    return InvalidArgumentError("training set has " + std::to_string(set.rows.size()) +
                                " values for " + std::to_string(set.num_rows()) + " rows of " +
                                std::to_string(features) + " features");
  for (size_t i = 0; i < set.labels.size(); ++i) {
    if (set.labels[i] != 0 && set.labels[i] != 1)
      return InvalidArgumentError("label of row " + std::to_string(i) + " is not 0 or 1");
  }
  if (o.max_trees < 1) return InvalidArgumentError("max_trees must be at least 1");
  if (o.max_depth < 1 || o.max_depth > 64)
    return InvalidArgumentError("max_depth must be in 1..64");
  if (!(o.eta > 0 && o.eta <= 1)) return InvalidArgumentError("eta must be in (0, 1]");
  if (o.early_stopping_rounds < 0)
    return InvalidArgumentError("early_stopping_rounds must not be negative");
  if (!(o.validation_fraction > 0 && o.validation_fraction < 1))
    return InvalidArgumentError("validation_fraction must be in (0, 1)");
  if (!(o.min_child_weight >= 0 && std::isfinite(o.min_child_weight)))
    return InvalidArgumentError("min_child_weight must be >= 0");
  if (!(o.subsample > 0 && o.subsample <= 1))
    return InvalidArgumentError("subsample must be in (0, 1]");
  if (!(o.colsample_bytree > 0 && o.colsample_bytree <= 1))
    return InvalidArgumentError("colsample_bytree must be in (0, 1]");
  if (o.threads < 0) return InvalidArgumentError("threads must not be negative");
  if (o.seed > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return InvalidArgumentError("seed must be below 2^63");
  return Status::Ok();
}

// "training part (rows 0..799)" has enough rows of both classes.
Status CheckPart(std::string_view name, size_t begin, size_t end, const TrainingSet& set,
                 size_t* positives) {
  const std::string what = std::string(name) + " part (rows " + std::to_string(begin) + ".." +
                           std::to_string(end == 0 ? 0 : end - 1) + ")";
  if (end - begin < kMinPartRows)
    return InvalidArgumentError(what + " has " + std::to_string(end - begin) + " rows; at least " +
                                std::to_string(kMinPartRows) + " are needed");
  *positives = 0;
  for (size_t i = begin; i < end; ++i) *positives += set.labels[i] == 1 ? 1 : 0;
  if (*positives == 0) return InvalidArgumentError(what + " has no positive row");
  if (*positives == end - begin) return InvalidArgumentError(what + " has no negative row");
  return Status::Ok();
}

Status MakeDMatrix(const TrainingSet& set, size_t begin, size_t end, DMatrix& out) {
  const size_t features = set.feature_names.size();
  OP_XGB(XGDMatrixCreateFromMat(set.rows.data() + begin * features, end - begin, features,
                                std::numeric_limits<float>::quiet_NaN(), out.out()));
  OP_XGB(XGDMatrixSetFloatInfo(out.get(), "label", set.labels.data() + begin, end - begin));
  std::vector<const char*> names;
  for (const std::string& name : set.feature_names) names.push_back(name.c_str());
  OP_XGB(XGDMatrixSetStrFeatureInfo(out.get(), "feature_name", names.data(), names.size()));
  return Status::Ok();
}

// "[12]\tvalid-aucpr:0.8123" → 0.8123.
Result<double> ParseEval(const char* text) {
  static constexpr std::string_view kKey = "valid-aucpr:";
  const char* at = std::strstr(text, kKey.data());
  if (at == nullptr) return InternalError(std::string("unexpected XGBoost evaluation: ") + text);
  char* end = nullptr;
  const double value = std::strtod(at + kKey.size(), &end);
  if (end == at + kKey.size())
    return InternalError(std::string("unexpected XGBoost evaluation: ") + text);
  return value;
}

}  // namespace

size_t TrainingRows(size_t rows, double validation_fraction) {
  const auto valid_rows =
      static_cast<size_t>(std::llround(static_cast<double>(rows) * validation_fraction));
  return rows - std::min(valid_rows, rows);
}

Result<TrainedModel> Train(const TrainingSet& set, const TrainOptions& options) {
  OP_RETURN_IF_ERROR(CheckSet(set, options));
  const size_t n = set.num_rows();
  const size_t train_rows = TrainingRows(n, options.validation_fraction);
  size_t train_positives = 0, valid_positives = 0;
  OP_RETURN_IF_ERROR(CheckPart("training", 0, train_rows, set, &train_positives));
  OP_RETURN_IF_ERROR(CheckPart("validation", train_rows, n, set, &valid_positives));
  OP_RETURN_IF_ERROR(SilenceXgboost());

  DMatrix train, valid;
  OP_RETURN_IF_ERROR(MakeDMatrix(set, 0, train_rows, train));
  OP_RETURN_IF_ERROR(MakeDMatrix(set, train_rows, n, valid));

  Booster booster;
  const DMatrixHandle cached[] = {train.get(), valid.get()};
  OP_XGB(XGBoosterCreate(cached, 2, booster.out()));
  const double scale_pos_weight =
      options.balance_classes
          ? static_cast<double>(train_rows - train_positives) / static_cast<double>(train_positives)
          : 1.0;
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::pair<const char*, std::string> params[] = {
      {"verbosity", "0"},
      {"objective", "binary:logistic"},
      {"eval_metric", "aucpr"},
      {"tree_method", "hist"},
      {"base_score", "0.5"},
      {"max_depth", std::to_string(options.max_depth)},
      {"eta", FormatDouble(options.eta)},
      {"min_child_weight", FormatDouble(options.min_child_weight)},
      {"subsample", FormatDouble(options.subsample)},
      {"colsample_bytree", FormatDouble(options.colsample_bytree)},
      {"scale_pos_weight", FormatDouble(scale_pos_weight)},
      {"seed", std::to_string(options.seed)},
      {"nthread", std::to_string(threads)},
  };
  for (const auto& [name, value] : params)
    OP_XGB(XGBoosterSetParam(booster.get(), name, value.c_str()));

  int best_iteration = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  int rounds = 0;
  const DMatrixHandle eval_sets[] = {valid.get()};
  const char* eval_names[] = {"valid"};
  for (int i = 0; i < options.max_trees; ++i) {
    OP_XGB(XGBoosterUpdateOneIter(booster.get(), i, train.get()));
    rounds = i + 1;
    if (options.early_stopping_rounds == 0) {
      best_iteration = i;
      continue;
    }
    const char* eval = nullptr;
    OP_XGB(XGBoosterEvalOneIter(booster.get(), i, const_cast<DMatrixHandle*>(eval_sets), eval_names,
                                1, &eval));
    OP_ASSIGN_OR_RETURN(double score, ParseEval(eval));
    if (score > best_score) {
      best_score = score;
      best_iteration = i;
    } else if (i - best_iteration >= options.early_stopping_rounds) {
      break;
    }
  }

  // The model up to the best round. Slicing drops the feature names, so they (and the
  // attributes) are set on the sliced booster.
  Booster sliced;
  BoosterHandle final_booster = booster.get();
  if (best_iteration + 1 < rounds) {
    OP_XGB(XGBoosterSlice(booster.get(), 0, best_iteration + 1, 1, sliced.out()));
    final_booster = sliced.get();
  }
  std::vector<const char*> names;
  for (const std::string& name : set.feature_names) names.push_back(name.c_str());
  OP_XGB(XGBoosterSetStrFeatureInfo(final_booster, "feature_name", names.data(), names.size()));
  std::map<std::string, std::string> attributes = options.attributes;
  attributes["orderpilot_best_iteration"] = std::to_string(best_iteration);
  attributes["orderpilot_trained_rows"] = std::to_string(train_rows);
  for (const auto& [key, value] : attributes)
    OP_XGB(XGBoosterSetAttr(final_booster, key.c_str(), value.c_str()));

  TrainedModel model;
  OP_XGB(XGBoosterBoostedRounds(final_booster, &model.trees));
  model.best_iteration = best_iteration;
  bst_ulong json_size = 0;
  const char* json = nullptr;
  OP_XGB(XGBoosterSaveModelToBuffer(final_booster, R"({"format": "json"})", &json_size, &json));
  model.json.assign(json, json_size);

  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* predictions = nullptr;
  OP_XGB(XGBoosterPredictFromDMatrix(
      final_booster, valid.get(),
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
      R"( "strict_shape": false})",
      &shape, &dims, &predictions));
  if (dims != 1 || shape[0] != n - train_rows)
    return InternalError("XGBoost returned predictions of an unexpected shape");
  model.validation_scores.assign(predictions, predictions + (n - train_rows));
  std::vector<double> scores(model.validation_scores.begin(), model.validation_scores.end());
  model.validation = Evaluate(scores, std::span<const float>(set.labels).subspan(train_rows),
                              kValidationReviewRate);
  return model;
}

Status SaveModel(const TrainedModel& model, const std::string& path) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return InternalError("cannot create " + temp + ": " + std::strerror(errno));
  const char* data = model.json.data();
  size_t left = model.json.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      return InternalError("cannot write " + temp + ": " + reason);
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  const bool synced = ::fsync(fd) == 0;
  const int sync_errno = errno;
  if (::close(fd) != 0 || !synced) {
    const std::string reason = std::strerror(synced ? errno : sync_errno);
    ::unlink(temp.c_str());
    return InternalError("cannot write " + temp + ": " + reason);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    return InternalError("cannot rename " + temp + " to " + path + ": " + reason);
  }
  return Status::Ok();
}

}  // namespace orderpilot::risk
