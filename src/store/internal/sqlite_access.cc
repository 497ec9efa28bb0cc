#include "store/internal/sqlite_access.h"

#include <filesystem>

#include "core/json_writer.h"
#include "store/internal/migrations.h"
#include "store/internal/sqlite_log.h"

namespace orderpilot::store {

Result<std::unique_ptr<AccessKeys>> OpenSqliteAccessKeys(const std::string& db_path,
                                                         const Clock& clock) {
  OP_ASSIGN_OR_RETURN(auto keys, internal::SqliteAccessKeys::Open(db_path, clock));
  return std::unique_ptr<AccessKeys>(std::move(keys));
}

namespace internal {
namespace {

constexpr char kStream[] = "access";
constexpr int kBusyTimeoutMs = 10000;  // the server's group commit may hold the write lock

constexpr const char kSelectColumns[] =
    "SELECT id, name, role, hash, prefix, created_at, revoked_at, last_used_at FROM api_keys ";

ApiKeyRecord ReadRow(const Stmt& s) {
  ApiKeyRecord r;
  r.id = s.Int(0);
  r.name = s.Text(1);
  r.role = s.Text(2);
  r.hash = s.Text(3);
  r.prefix = s.Text(4);
  r.created_at = Timestamp{s.Int(5)};
  if (!s.IsNull(6)) r.revoked_at = Timestamp{s.Int(6)};
  if (!s.IsNull(7)) r.last_used_at = Timestamp{s.Int(7)};
  return r;
}

}  // namespace

Result<std::unique_ptr<SqliteAccessKeys>> SqliteAccessKeys::Open(const std::string& db_path,
                                                                 const Clock& clock) {
  std::filesystem::path dir = std::filesystem::path(db_path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return FailedPreconditionError("cannot create directory " + dir.string() + ": " +
                                     ec.message());
    }
  }
  OP_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn,
                      Connection::Open(db_path, /*create=*/true, kBusyTimeoutMs));
  // The same durability as the store's writer: a key acknowledged as created or revoked stays so.
  OP_RETURN_IF_ERROR(conn->ExecScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"));
  OP_RETURN_IF_ERROR(Migrate(*conn, clock));
  return std::unique_ptr<SqliteAccessKeys>(new SqliteAccessKeys(std::move(conn), clock));
}

template <typename Work>
Status SqliteAccessKeys::InTransaction(Work work) {
  OP_RETURN_IF_ERROR(conn_->ExecScript("BEGIN IMMEDIATE"));
  Status s = work();
  if (s.ok()) s = conn_->ExecScript("COMMIT");
  if (!s.ok()) (void)conn_->ExecScript("ROLLBACK");
  return s;
}

Result<std::optional<ApiKeyRecord>> SqliteAccessKeys::FindByName(std::string_view name) {
  static const std::string sql = std::string(kSelectColumns) + "WHERE name = ?1";
  OP_ASSIGN_OR_RETURN(Stmt s, conn_->Prepare(sql.c_str()));
  s.Bind(1, name);
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<ApiKeyRecord>();
  return std::optional<ApiKeyRecord>(ReadRow(s));
}

Status SqliteAccessKeys::AppendAccessEvent(std::string_view type, const ApiKeyRecord& key,
                                           std::string_view actor, Timestamp at) {
  OP_ASSIGN_OR_RETURN(Stmt v, conn_->Prepare("SELECT COALESCE(MAX(version), 0) FROM events "
                                             "WHERE stream = ?1"));
  v.Bind(1, std::string_view(kStream));
  OP_ASSIGN_OR_RETURN(bool row, v.Step());
  const int64_t version = (row ? v.Int(0) : 0) + 1;
  JsonWriter w;
  w.BeginObject()
      .Field("name", key.name)
      .Field("role", key.role)
      .Field("prefix", key.prefix)
      .EndObject();
  const std::string payload = w.Take();
  return AppendEvent(*conn_, kStream, version, type, payload, actor, at.micros);
}

Result<ApiKeyRecord> SqliteAccessKeys::Create(const NewApiKey& key) {
  if (key.name.empty() || key.role.empty() || key.hash.empty() || key.prefix.empty())
    return InvalidArgumentError("an API key needs a name, a role, a hash and a prefix");
  std::lock_guard<std::mutex> lock(mu_);
  ApiKeyRecord out;
  Status s = InTransaction([&]() -> Status {
    OP_ASSIGN_OR_RETURN(std::optional<ApiKeyRecord> existing, FindByName(key.name));
    if (existing) {
      return AlreadyExistsError("an API key named '" + key.name + "' exists already" +
                                (existing->revoked_at ? " (revoked; names are not reused)" : ""));
    }
    {
      OP_ASSIGN_OR_RETURN(Stmt p, conn_->Prepare("SELECT 1 FROM api_keys WHERE prefix = ?1"));
      p.Bind(1, key.prefix);
      OP_ASSIGN_OR_RETURN(bool taken, p.Step());
      if (taken) return AlreadyExistsError("an API key with this prefix exists");
    }
    out.name = key.name;
    out.role = key.role;
    out.hash = key.hash;
    out.prefix = key.prefix;
    out.created_at = clock_.Now();
    {
      OP_ASSIGN_OR_RETURN(Stmt ins, conn_->Prepare("INSERT INTO api_keys (name, role, hash, "
                                                   "prefix, created_at) VALUES (?1, ?2, ?3, "
                                                   "?4, ?5)"));
      ins.Bind(1, out.name).Bind(2, out.role).Bind(3, out.hash).Bind(4, out.prefix);
      ins.Bind(5, out.created_at.micros);
      OP_RETURN_IF_ERROR(ins.Exec());
      out.id = sqlite3_last_insert_rowid(conn_->db());
    }
    return AppendAccessEvent("api_key.created", out, key.actor, out.created_at);
  });
  if (!s.ok()) return s;
  return out;
}

Result<ApiKeyRecord> SqliteAccessKeys::Revoke(std::string_view name, std::string_view actor) {
  std::lock_guard<std::mutex> lock(mu_);
  ApiKeyRecord out;
  Status s = InTransaction([&]() -> Status {
    OP_ASSIGN_OR_RETURN(std::optional<ApiKeyRecord> existing, FindByName(name));
    if (!existing) return NotFoundError("no API key named '" + std::string(name) + "'");
    if (existing->revoked_at) {
      return FailedPreconditionError("API key '" + std::string(name) + "' is revoked already");
    }
    out = std::move(*existing);
    out.revoked_at = clock_.Now();
    {
      OP_ASSIGN_OR_RETURN(Stmt u,
                          conn_->Prepare("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1"));
      u.Bind(1, out.id).Bind(2, out.revoked_at->micros);
      OP_RETURN_IF_ERROR(u.Exec());
    }
    return AppendAccessEvent("api_key.revoked", out, actor, *out.revoked_at);
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<ApiKeyRecord>> SqliteAccessKeys::List() {
  static const std::string sql = std::string(kSelectColumns) + "ORDER BY id";
  std::lock_guard<std::mutex> lock(mu_);
  OP_ASSIGN_OR_RETURN(Stmt s, conn_->Prepare(sql.c_str()));
  std::vector<ApiKeyRecord> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadRow(s));
  }
  return out;
}

Status SqliteAccessKeys::MarkUsed(const std::vector<std::string>& prefixes, Timestamp at) {
  if (prefixes.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  return InTransaction([&]() -> Status {
    for (const std::string& p : prefixes) {
      OP_ASSIGN_OR_RETURN(
          Stmt u, conn_->Prepare("UPDATE api_keys SET last_used_at = ?2 WHERE prefix = ?1"));
      u.Bind(1, p).Bind(2, at.micros);
      OP_RETURN_IF_ERROR(u.Exec());
    }
    return Status::Ok();
  });
}

}  // namespace internal
}  // namespace orderpilot::store
