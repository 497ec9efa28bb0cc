#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "core/order_json.h"
#include "pipeline/steps.h"

namespace orderpilot::pipeline {

Pipeline::Pipeline(store::Store& store, const Clock& clock, PipelineOptions options)
    : store_(store), clock_(clock), options_(options) {
  for (int i = 0; i < options_.workers; ++i) workers_.push_back(std::make_unique<Worker>());
}

Pipeline::~Pipeline() { Stop(); }

Status Pipeline::Start() {
  if (started_) return FailedPreconditionError("pipeline already started");
  started_ = true;
  if (workers_.empty()) {
    spdlog::info("pipeline paused (0 workers): orders are stored but not processed");
    return Status::Ok();
  }
  for (auto& w : workers_) {
    Worker* wp = w.get();
    w->thread = std::thread([this, wp] { Run(*wp); });
  }
  // Resume: everything a step still has to handle, page by page. Enqueue collapses overlaps
  // with new arrivals and between the scans.
  int64_t resumed = 0;
  auto resume = [&](auto next_page) -> Status {
    OrderId after;
    for (;;) {
      Result<std::vector<store::OrderRecord>> page = next_page(after);
      if (!page.ok()) return page.status();
      if (page->empty()) return Status::Ok();
      for (const store::OrderRecord& r : *page) Enqueue(r.id);
      resumed += static_cast<int64_t>(page->size());
      after = page->back().id;
    }
  };
  const std::vector<store::OrderState> states = RunnableStates(options_.fulfillment != nullptr);
  OP_RETURN_IF_ERROR(
      resume([&](OrderId after) { return store_.OrdersInStates(states, after, 1000); }));
  // With rules: also orders (in any state) whose newest events had not met the rules when the
  // process stopped, e.g. a cancellation acknowledged just before a crash.
  if (options_.rules) {
    OP_RETURN_IF_ERROR(
        resume([&](OrderId after) { return store_.OrdersBehindRules(after, 1000); }));
  }
  if (resumed > 0) spdlog::info("pipeline resumed {} unfinished orders", resumed);
  if (options_.fulfillment) recheck_thread_ = std::thread([this] { RecheckLoop(); });
  return Status::Ok();
}

Status Pipeline::RecheckBackorders() {
  if (!options_.fulfillment) return Status::Ok();
  OrderId after;
  for (;;) {
    OP_ASSIGN_OR_RETURN(std::vector<store::OrderRecord> page,
                        store_.OrdersInStates({store::OrderState::kBackordered}, after, 1000));
    if (page.empty()) return Status::Ok();
    for (const store::OrderRecord& r : page) Enqueue(r.id);
    after = page.back().id;
  }
}

void Pipeline::RequestBackorderRecheck() {
  {
    std::lock_guard<std::mutex> lock(recheck_mu_);
    recheck_requested_ = true;
  }
  recheck_cv_.notify_all();
}

void Pipeline::RecheckLoop() {
  std::unique_lock<std::mutex> lock(recheck_mu_);
  while (!stopping_) {
    recheck_cv_.wait_for(lock, options_.backorder_recheck,
                         [&] { return stopping_.load() || recheck_requested_; });
    if (stopping_) return;
    recheck_requested_ = false;  // requests arriving during the scan ask for one more
    lock.unlock();
    Status s = RecheckBackorders();
    if (!s.ok()) spdlog::error("pipeline: backorder recheck failed: {}", s.ToString());
    lock.lock();
  }
}

void Pipeline::Stop() {
  if (stopping_.exchange(true)) return;
  for (auto& w : workers_) {
    { std::lock_guard<std::mutex> lock(w->mu); }
    w->cv.notify_all();
  }
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
  { std::lock_guard<std::mutex> lock(recheck_mu_); }
  recheck_cv_.notify_all();
  if (recheck_thread_.joinable()) recheck_thread_.join();
  idle_cv_.notify_all();
}

void Pipeline::Enqueue(OrderId id) {
  if (workers_.empty() || stopping_) return;
  Worker& w = *workers_[static_cast<size_t>(id.value()) % workers_.size()];
  {
    std::lock_guard<std::mutex> lock(w.mu);
    if (!w.queued.insert(id).second) return;
    w.queue.push_back(id);
  }
  w.cv.notify_one();
}

void Pipeline::Run(Worker& w) {
  expr::EvalContext ctx;  // this worker's scratch for rule conditions
  StockLedger ledger;     // stock as this worker's batch sees it
  std::vector<OrderId> batch;
  batch.reserve(static_cast<size_t>(options_.batch));
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(w.mu);
      w.busy = false;
      if (w.queue.empty()) idle_cv_.notify_all();
      w.cv.wait(lock, [&] { return stopping_ || !w.queue.empty(); });
      if (stopping_) return;
      batch.clear();
      while (!w.queue.empty() && batch.size() < static_cast<size_t>(options_.batch)) {
        batch.push_back(w.queue.front());
        w.queued.erase(w.queue.front());
        w.queue.pop_front();
      }
      w.busy = true;
    }
    ProcessBatch(batch, ctx, ledger);
  }
}

std::vector<std::string> Pipeline::PendingTriggers(const store::OrderRecord& record) {
  std::vector<std::string> out;
  if (record.rules_version >= record.version) return out;
  // A new order's only event is order.received: no need to read it back.
  if (record.version == 1 && record.rules_version == 0 &&
      record.state == store::OrderState::kReceived) {
    out.push_back("order.received");
    return out;
  }
  auto events = store_.ReadStreamAfter(store::OrderStream(record.id), record.rules_version);
  if (!events.ok()) {
    spdlog::error("pipeline: cannot read events of order {}: {}", record.id.value(),
                  events.status().ToString());
    return out;
  }
  for (const store::Event& e : *events) {
    std::string trigger = TriggerForEvent(e.type);
    if (!trigger.empty()) out.push_back(std::move(trigger));
  }
  return out;
}

void Pipeline::ProcessBatch(std::vector<OrderId>& ids, expr::EvalContext& ctx,
                            StockLedger& ledger) {
  std::unordered_map<int64_t, int> attempts;
  std::vector<std::pair<store::OrderRecord, Order>> loaded;
  std::vector<std::string> skus;
  while (!ids.empty() && !stopping_) {
    std::vector<store::OrderTransition> plans;
    plans.reserve(ids.size());
    const Timestamp now = clock_.Now();
    loaded.clear();
    skus.clear();
    for (OrderId id : ids) {
      auto record = store_.GetOrder(id);
      if (!record.ok()) {
        spdlog::error("pipeline: cannot read order {}: {}", id.value(), record.status().ToString());
        ++failures_;
        continue;
      }
      auto order = DecodeOrder(record->order_json);
      if (!order.ok()) {
        spdlog::error("pipeline: order {} has an undecodable snapshot: {}", id.value(),
                      order.status().ToString());
        ++failures_;
        continue;
      }
      if (options_.fulfillment && record->state != store::OrderState::kHeld &&
          record->state != store::OrderState::kAllocated) {
        CollectSkus(*order, skus);
      }
      loaded.emplace_back(std::move(*record), std::move(*order));
    }
    std::optional<AllocationContext> allocation;
    if (options_.fulfillment) {
      std::sort(skus.begin(), skus.end());
      skus.erase(std::unique(skus.begin(), skus.end()), skus.end());
      auto levels = skus.empty()
                        ? Result<std::vector<store::StockLevel>>(std::vector<store::StockLevel>{})
                        : store_.GetStock(skus);
      if (levels.ok()) {
        ledger.Load(*options_.fulfillment, *levels);
        allocation.emplace(AllocationContext{
            *options_.fulfillment, ledger,
            [this](const std::vector<std::string>& wanted) {
              auto in = store_.GetIncoming(wanted, /*open_only=*/true);
              return in.ok() ? std::move(*in) : std::vector<store::IncomingStock>{};
            },
            [this](const std::vector<std::string>& wanted) {
              auto levels = store_.GetStock(wanted);
              if (!levels.ok()) {
                spdlog::error("pipeline: cannot read stock: {}", levels.status().ToString());
              }
              return levels.ok() ? std::move(*levels) : std::vector<store::StockLevel>{};
            }});
      } else {
        spdlog::error("pipeline: cannot read stock: {}", levels.status().ToString());
      }
    }
    PlanContext context;
    context.allocation = allocation ? &*allocation : nullptr;
    context.screen = options_.screen.screen ? &options_.screen : nullptr;
    context.autonomy = options_.autonomy;
    std::vector<bool> rerun;
    for (auto& [record, order] : loaded) {
      std::optional<store::OrderTransition> plan;
      bool again = false;
      if (options_.rules) {
        RuleRunInput in{*options_.rules, ctx, options_.autonomy, PendingTriggers(record)};
        context.rules = &in;
        plan = PlanTransition(record, order, now, context, &again);
        context.rules = nullptr;
      } else {
        plan = PlanTransition(record, order, now, context, &again);
      }
      if (plan) {
        plans.push_back(std::move(*plan));
        rerun.push_back(again);
      }
    }
    if (plans.empty()) return;
    std::vector<Status> results = store_.TransitionAll(plans);
    ids.clear();
    for (size_t i = 0; i < plans.size(); ++i) {
      const store::OrderTransition& t = plans[i];
      if (results[i].ok()) {
        ++processed_;
        if (t.new_state == store::OrderState::kAccepted) ++accepted_;
        if (t.new_state == store::OrderState::kHeld) ++held_;
        if (t.new_state == store::OrderState::kAllocated) ++allocated_;
        if (t.new_state == store::OrderState::kBackordered) ++backordered_;
        if (t.new_state == store::OrderState::kCancelled) ++cancelled_;
        automatic_ +=
            static_cast<int64_t>(t.applied.size()) + (t.review && t.review->applied ? 1 : 0);
        // An automatic substitution changed the order: allocate it as changed, now.
        if (rerun[i] && ++attempts[t.order_id.value()] <= options_.max_retries) {
          ids.push_back(t.order_id);
        }
      } else if (results[i].code() == StatusCode::kAborted &&
                 ++attempts[t.order_id.value()] <= options_.max_retries) {
        ++retries_;
        ids.push_back(t.order_id);  // the order changed under us: re-read and re-plan
      } else {
        ++failures_;
        spdlog::error("pipeline: order {} not advanced: {}", t.order_id.value(),
                      results[i].ToString());
      }
    }
  }
}

PipelineStats Pipeline::Stats() const {
  PipelineStats s;
  s.processed = processed_;
  s.accepted = accepted_;
  s.held = held_;
  s.allocated = allocated_;
  s.backordered = backordered_;
  s.cancelled = cancelled_;
  s.automatic_decisions = automatic_;
  s.retries = retries_;
  s.failures = failures_;
  for (const auto& w : workers_) {
    std::lock_guard<std::mutex> lock(w->mu);
    s.queue_depth += static_cast<int64_t>(w->queue.size());
  }
  return s;
}

bool Pipeline::WaitIdle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto idle = [&] {
    for (const auto& w : workers_) {
      std::lock_guard<std::mutex> lock(w->mu);
      if (w->busy || !w->queue.empty()) return false;
    }
    return true;
  };
  std::unique_lock<std::mutex> lock(idle_mu_);
  while (!idle()) {
    if (stopping_ || std::chrono::steady_clock::now() >= deadline) return idle();
    idle_cv_.wait_for(lock, std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace orderpilot::pipeline
