#include "app/keys_cli.h"

#include <filesystem>
#include <memory>

#include "api/access.h"
#include "store/access_keys.h"

namespace orderpilot::app {
namespace {

constexpr char kActor[] = "cli";

Result<std::unique_ptr<store::AccessKeys>> OpenKeys(const Config& config, const Clock& clock) {
  const std::string path = (std::filesystem::path(config.data_dir) / "orderpilot.db").string();
  return store::OpenSqliteAccessKeys(path, clock);
}

int Report(const Status& s, std::FILE* err, int code) {
  std::fprintf(err, "orderpilot: %s\n", s.message().c_str());
  return code;
}

std::string TimeOrDash(const std::optional<Timestamp>& t) {
  return t ? FormatTimestamp(*t) : std::string("-");
}

}  // namespace

int KeysCreateCommand(const Config& config, const std::string& name, const std::string& role,
                      const Clock& clock, std::FILE* out, std::FILE* err) {
  if (name.empty() || name.size() > 100)
    return Report(InvalidArgumentError("--name must be 1..100 characters"), err, 1);
  std::optional<api::Role> parsed = api::ParseRole(role);
  if (!parsed) {
    return Report(InvalidArgumentError("role '" + role + "' is not one of viewer, operator, admin"),
                  err, 1);
  }
  auto keys = OpenKeys(config, clock);
  if (!keys.ok()) return Report(keys.status(), err, 2);
  api::GeneratedApiKey key = api::GenerateApiKey();
  store::NewApiKey row{name, std::string(api::RoleName(*parsed)), key.hash, key.prefix, kActor};
  auto created = (*keys)->Create(row);
  if (!created.ok()) {
    return Report(created.status(), err, created.status().code() == StatusCode::kInternal ? 2 : 1);
  }
  std::fprintf(out, "%s\n", key.key.c_str());
  std::fprintf(err,
               "created API key '%s' (role %s, prefix %s). It is shown only this once: store it "
               "now.\n",
               name.c_str(), created->role.c_str(), created->prefix.c_str());
  return 0;
}

int KeysRevokeCommand(const Config& config, const std::string& name, const Clock& clock,
                      std::FILE* out, std::FILE* err) {
  auto keys = OpenKeys(config, clock);
  if (!keys.ok()) return Report(keys.status(), err, 2);
  auto revoked = (*keys)->Revoke(name, kActor);
  if (!revoked.ok()) {
    return Report(revoked.status(), err, revoked.status().code() == StatusCode::kInternal ? 2 : 1);
  }
  std::fprintf(out, "revoked API key '%s' (prefix %s)\n", revoked->name.c_str(),
               revoked->prefix.c_str());
  return 0;
}

int KeysListCommand(const Config& config, const Clock& clock, std::FILE* out, std::FILE* err) {
  auto keys = OpenKeys(config, clock);
  if (!keys.ok()) return Report(keys.status(), err, 2);
  auto rows = (*keys)->List();
  if (!rows.ok()) return Report(rows.status(), err, 2);
  std::fprintf(out, "%-24s %-9s %-9s %-28s %-28s %s\n", "NAME", "ROLE", "PREFIX", "CREATED",
               "REVOKED", "LAST USED");
  for (const store::ApiKeyRecord& k : *rows) {
    std::fprintf(out, "%-24s %-9s %-9s %-28s %-28s %s\n", k.name.c_str(), k.role.c_str(),
                 k.prefix.c_str(), FormatTimestamp(k.created_at).c_str(),
                 TimeOrDash(k.revoked_at).c_str(), TimeOrDash(k.last_used_at).c_str());
  }
  return 0;
}

}  // namespace orderpilot::app
