// app/rules_cli.h — `orderpilot rules check|test`: for people writing rule files.
//
//   orderpilot rules check FILE...                 validate; every error as file:line:col
//   orderpilot rules test FILE... --order O.json   which rules fire on that order, which do not,
//                        [--trigger order.accepted] and the value of each condition
// Exit status: 0 when the files are valid (check) / were evaluated (test), 1 otherwise, with a
// one-line reason on stderr (plus the list of rule errors for check).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace orderpilot::app {

int RulesCheck(const std::vector<std::string>& files, std::FILE* out, std::FILE* err);
// `order_file` holds canonical order JSON (docs/canonical-order.md) or a Shopify order.
int RulesTest(const std::vector<std::string>& files, const std::string& order_file,
              const std::string& trigger, std::FILE* out, std::FILE* err);

}  // namespace orderpilot::app
