// risk/training_data.h — labelled order histories turned into training rows with the *same*
// code live scoring uses (RiskHistory + ComputeSignals), so a model never sees a feature computed
// differently from the one it will be asked about.
//
// The labelled CSV (header row required; RFC 4180 quoting; see core/csv.h). Our canonical
// columns — all optional except created_at and label; unknown columns are ignored:
//   order_id             → channel_order_id
//   shop                 → shop
//   created_at           → created_at (required): ISO 8601 / RFC 3339, "YYYY-MM-DD[ HH:MM[:SS]]",
//                          or US style m/d/yy[yy] H:MM[:SS]; UTC unless an offset is given.
//                          Two-digit years: 00–68 → 20xx, 69–99 → 19xx.
//   customer_id          → customer.channel_customer_id
//   customer_created_at  → customer.created_at (same formats; empty = unknown)
//   customer_orders      → customer.orders_count (integer, as the channel reports it)
//   email, phone         → email, phone
//   total                → totals.total, a decimal amount ("14", "19.99") in `currency`
//   currency             → currency (ISO 4217; default USD)
//   device               → client.session_hash (a device or browser fingerprint id)
//   ip                   → client.browser_ip
//   user_agent           → client.user_agent
//   accept_language      → client.accept_language
//   card_bin             → payment.card_bin
//   avs, cvv             → payment.avs_result_code, payment.cvv_result_code
//   failed_payments      → payment.failed_attempts (integer)
//   billing_country, billing_zip, billing_name    → billing_address (country_code, zip, "First
//                          Last" split at the last space); absent when all three are empty
//   shipping_country, shipping_zip, shipping_name, shipping_address1 → shipping_address
//   shipping_method      → one shipping line with this code and title ("Express")
//   skus                 → line items: "SKU:qty;SKU:qty" (qty defaults to 1; no prices)
//   label                → 0/1, true/false, fraud/ok, yes/no (required; case-insensitive)
//
// A mapping renames: our column → the file's column, e.g. for the public e-commerce fraud data
// set (user_id,signup_time,purchase_time,purchase_value,device_id,source,browser,sex,age,class):
//   created_at=purchase_time customer_created_at=signup_time total=purchase_value
//   device=device_id customer_id=user_id label=class
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/order.h"
#include "core/status.h"
#include "core/time.h"
#include "risk/signals.h"

namespace orderpilot::risk {

struct LabelledOrder {
  Order order;
  int label = 0;  // 1 = fraud
};

// Our canonical column names, in the order documented above.
const std::vector<std::string>& CanonicalColumns();

// Reads a labelled CSV. `mapping` maps our column → the file's column.
// InvalidArgument:
//   "<file>:<line>: <reason>"                         a bad row (unparsable time, amount, label…)
//   "<file>: column 'X' not found (did you mean 'Y'?)" a mapped or required column the file lacks
//   "unknown column 'X' in the mapping (did you mean 'Y'?)" a mapping key that is not ours
// NotFound / FailedPrecondition from reading the file (core/text_file.h).
Result<std::vector<LabelledOrder>> ReadLabelledCsv(
    const std::string& path, const std::map<std::string, std::string>& mapping);

// Parses the time formats of created_at above. InvalidArgument otherwise.
Result<Timestamp> ParseLabelledTime(std::string_view text);

struct FeatureRows {
  std::vector<float> rows;       // row-major, kSignalCount floats per order, Signal order
  std::vector<float> labels;     // 0/1, one per order
  std::vector<Timestamp> times;  // each order's created_at, ascending
  size_t num_rows() const { return labels.size(); }
};

// Sorts `orders` by created_at (stable), replays them through a fresh RiskHistory (order_key =
// index after sorting) and computes each order's signals, exactly as live scoring would.
FeatureRows BuildFeatureRows(std::vector<LabelledOrder>& orders, const SignalConfig& config);

// Feature names for the model, in Signal order (SignalName of each).
std::vector<std::string> SignalNames();

}  // namespace orderpilot::risk
