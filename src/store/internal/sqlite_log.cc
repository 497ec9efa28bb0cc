#include "store/internal/sqlite_log.h"

#include "store/audit_chain.h"

namespace orderpilot::store::internal {

std::string_view PayloadOrEmptyObject(std::string_view payload) {
  return payload.empty() ? std::string_view("{}") : payload;
}

Status AppendEvent(Connection& c, std::string_view stream, int64_t version, std::string_view type,
                   std::string_view payload, std::string_view actor, int64_t at) {
  // The chain (store/audit_chain.h): this event's seq and hash follow from the newest event's,
  // read inside the same write transaction.
  int64_t seq = 1;
  std::string previous_hash;
  {
    OP_ASSIGN_OR_RETURN(Stmt last, c.Prepare("SELECT seq, hash FROM events ORDER BY seq DESC "
                                             "LIMIT 1"));
    OP_ASSIGN_OR_RETURN(bool row, last.Step());
    if (row) {
      seq = last.Int(0) + 1;
      if (!last.IsNull(1)) previous_hash = last.Text(1);
    }
  }
  payload = PayloadOrEmptyObject(payload);
  const std::string hash =
      EventChainHash(previous_hash, seq, stream, version, type, payload, actor, at);
  OP_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare("INSERT INTO events (seq, stream, version, type, payload, actor, at, "
                        "hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  s.Bind(1, seq).Bind(2, stream).Bind(3, version).Bind(4, type).Bind(5, payload);
  s.Bind(6, actor).Bind(7, at).Bind(8, hash);
  return s.Exec();
}

Status InsertOutbox(Connection& c, const OutboxMessage& m, OrderId order, int64_t now) {
  OP_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare("INSERT INTO outbox (kind, destination, payload, idempotency_key, "
                        "order_id, next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                        "?6, ?6) ON CONFLICT (idempotency_key) DO NOTHING"));
  s.Bind(1, m.kind).Bind(2, m.destination).Bind(3, PayloadOrEmptyObject(m.payload));
  s.Bind(4, m.idempotency_key).Bind(6, now);
  if (order.valid()) {
    s.Bind(5, order.value());
  } else {
    s.BindNull(5);
  }
  return s.Exec();
}

Result<std::string> ReadSnapshot(Connection& c, OrderId id) {
  OP_ASSIGN_OR_RETURN(Stmt s,
                      c.Prepare("SELECT order_json FROM order_snapshots WHERE order_id = ?1"));
  s.Bind(1, id.value());
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Text(0) : std::string();
}

Status PutSnapshot(Connection& c, OrderId id, std::string_view json) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO order_snapshots (order_id, order_json) "
                                        "VALUES (?1, ?2) ON CONFLICT (order_id) "
                                        "DO UPDATE SET order_json = excluded.order_json"));
  s.Bind(1, id.value()).Bind(2, json);
  return s.Exec();
}

}  // namespace orderpilot::store::internal
