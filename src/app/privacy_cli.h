// app/privacy_cli.h — the privacy commands: `orderpilot customer export|erase`, `orderpilot
// privacy requests`, `orderpilot keys new-master|rotate` (docs/privacy.md).
//
// They work on the data directory directly (the server may be running: SQLite and keys.db take
// a second process). Each prints one line per result on `out`, or "orderpilot: <why>" on `err`
// with exit code 2 (bad arguments, no master key) or 1 (nothing found / failed).
#pragma once

#include <cstdio>
#include <string>

#include "app/config.h"

namespace orderpilot::app {

// Who a person names: at least one of email, phone, customer id or ref. `shop` may be left
// empty when the config names exactly one shop.
struct CustomerSelector {
  std::string shop;
  std::string email;
  std::string phone;
  std::string customer_id;  // the channel's customer id
  std::string ref;          // a customer ref ("cus_…") as printed by export
};

// export: writes the customers' document to `out_file` (mode 0600; "-" = stdout).
// erase: crypto-shreds them, recorded in the audit chain with `request_id` (free text: a ticket
// number; "" when none).
int CustomerCommand(const Config& config, const std::string& action,
                    const CustomerSelector& selector, const std::string& out_file,
                    const std::string& request_id, std::FILE* out, std::FILE* err);

// Lists privacy requests with their status, received and due dates (30 days), marking overdue
// ones; --json prints them as a JSON array.
int PrivacyRequestsCommand(const Config& config, bool json, std::FILE* out, std::FILE* err);

// Prints a new random master key (64 hex characters).
int KeysNewMasterCommand(std::FILE* out);

// Re-wraps every data key under the first configured master key; prints how many keys each
// master key still wraps, so an old one can be retired when it wraps none.
int KeysRotateCommand(const Config& config, std::FILE* out, std::FILE* err);

}  // namespace orderpilot::app
