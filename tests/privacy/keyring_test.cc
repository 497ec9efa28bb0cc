#include "privacy/keyring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace orderpilot::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "keyring_test.XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const char kKeyA[] = "0f1e2d3c4b5a69788796a5b4c3d2e1f000112233445566778899aabbccddeeff";
const char kKeyB[] = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

MasterKey Master(const char* hex) {
  auto m = ParseMasterKey(hex);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The wrapped bytes of `key_id` as stored, read through a separate connection (closed again so
// it does not hold the WAL).
std::string StoredWrapped(const std::string& db_path, const std::string& key_id) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(
      sqlite3_prepare_v2(db, "SELECT wrapped FROM data_keys WHERE key_id = ?", -1, &stmt, nullptr),
      SQLITE_OK);
  sqlite3_bind_text(stmt, 1, key_id.c_str(), -1, SQLITE_TRANSIENT);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    out.assign(static_cast<const char*>(sqlite3_column_blob(stmt, 0)),
               static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

class KeyringTest : public ::testing::Test {
 protected:
  std::unique_ptr<Keyring> OpenWith(std::vector<MasterKey> masters) {
    auto k = Keyring::Open(path_, std::move(masters), clock_);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? std::move(k).value() : nullptr;
  }
  std::unique_ptr<Keyring> OpenA() { return OpenWith({Master(kKeyA)}); }

  TempDir dir_;
  std::string path_ = dir_.path() + "/keys.db";
  ManualClock clock_{Timestamp{1700000000000000}};
};

TEST(MasterKeyTest, ParsesHexWithSurroundingWhitespace) {
  auto m = ParseMasterKey(std::string("  ") + kKeyA + "\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->key[0], 0x0f);
  EXPECT_EQ(m->key[31], 0xff);
  EXPECT_EQ(m->id.size(), 16u);
  EXPECT_TRUE(std::all_of(m->id.begin(), m->id.end(),
                          [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }));
  // Upper-case hex is the same key; the id depends on the key only.
  std::string upper = kKeyA;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  EXPECT_EQ(ParseMasterKey(upper)->id, m->id);
  EXPECT_NE(ParseMasterKey(kKeyB)->id, m->id);
  EXPECT_EQ(std::string(kKeyA).find(m->id), std::string::npos);  // not a slice of the key
}

TEST(MasterKeyTest, RejectsWrongLengthWithoutEchoingTheKey) {
  const std::string short_key = std::string(kKeyA).substr(0, 62);
  auto m = ParseMasterKey(short_key);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("64 hex"));
  EXPECT_THAT(m.status().message(), Not(HasSubstr(short_key.substr(0, 8))));

  EXPECT_EQ(ParseMasterKey("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMasterKey(std::string(kKeyA) + "00").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MasterKeyTest, RejectsNonHexWithoutEchoingTheKey) {
  std::string bad = kKeyA;
  bad[10] = 'z';
  auto m = ParseMasterKey(bad);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("hex"));
  EXPECT_THAT(m.status().message(), Not(HasSubstr("z")));
  EXPECT_THAT(m.status().message(), Not(HasSubstr(bad.substr(0, 8))));
  // Inner whitespace is not trimmed.
  std::string spaced = kKeyA;
  spaced[32] = ' ';
  EXPECT_EQ(ParseMasterKey(spaced).status().code(), StatusCode::kInvalidArgument);
}

TEST(MasterKeyTest, GeneratedTextParsesAndDiffers) {
  const std::string a = GenerateMasterKeyText();
  const std::string b = GenerateMasterKeyText();
  EXPECT_EQ(a.size(), 65u);
  EXPECT_EQ(a.back(), '\n');
  EXPECT_NE(a, b);
  EXPECT_TRUE(ParseMasterKey(a).ok());
}

TEST_F(KeyringTest, RefusesAnEmptyMasterList) {
  auto k = Keyring::Open(path_, {}, clock_);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, RefusesAMasterKeyWhoseIdDoesNotMatch) {
  MasterKey forged = Master(kKeyA);
  forged.id = Master(kKeyB).id;
  auto k = Keyring::Open(path_, {forged}, clock_);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, KeyFileIsPrivate) {
  auto k = OpenA();
  ASSERT_NE(k, nullptr);
  ASSERT_TRUE(k->NewDataKey().ok());
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(::stat((path_ + "-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST_F(KeyringTest, NewKeysAreDurableAcrossReopen) {
  std::vector<DataKey> keys;
  {
    auto k = OpenA();
    ASSERT_NE(k, nullptr);
    for (int i = 0; i < 3; ++i) {
      auto key = k->NewDataKey();
      ASSERT_TRUE(key.ok()) << key.status().ToString();
      EXPECT_EQ(key->id.size(), 16u);
      ASSERT_NE(key->key, nullptr);
      keys.push_back(*key);
    }
  }
  auto fresh = OpenA();
  ASSERT_NE(fresh, nullptr);
  for (const DataKey& key : keys) {
    auto found = fresh->Find(key.id);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    ASSERT_TRUE(found->has_value()) << key.id;
    EXPECT_EQ(*(*found)->key, *key.key);
    EXPECT_EQ((*found)->id, key.id);
  }
  EXPECT_NE(*keys[0].key, *keys[1].key);
}

TEST_F(KeyringTest, NewKeyIsCommittedBeforeItIsReturned) {
  auto k = OpenA();
  ASSERT_NE(k, nullptr);
  auto key = k->NewDataKey();
  ASSERT_TRUE(key.ok());
  // Another connection sees it while the keyring is still open.
  EXPECT_EQ(StoredWrapped(path_, key->id).size(), 24u + 32u + 16u);
}

TEST_F(KeyringTest, FindUnknownIsNullopt) {
  auto k = OpenA();
  ASSERT_NE(k, nullptr);
  auto found = k->Find("0123456789abcdef");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  found = k->Find("not-a-key-id");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(KeyringTest, ShredErasesTheKeyForGood) {
  auto k = OpenA();
  ASSERT_NE(k, nullptr);
  std::vector<DataKey> keys;
  for (int i = 0; i < 150; ++i) keys.push_back(*k->NewDataKey());  // several pages of rows
  const DataKey victim = keys[70];
  std::vector<std::string> wrapped;  // the victim's, then two more shredded in a second call
  for (const std::string& id : {victim.id, keys[0].id, keys[149].id}) {
    wrapped.push_back(StoredWrapped(path_, id));
    ASSERT_EQ(wrapped.back().size(), 72u);
  }
  ASSERT_TRUE(k->Find(victim.id)->has_value());  // cached
  // The check below can see the bytes: before the shred they are on disk.
  ASSERT_NE((ReadFile(path_) + ReadFile(path_ + "-wal")).find(wrapped[0]), std::string::npos);

  ASSERT_TRUE(k->Shred({victim.id}).ok());
  auto found = k->Find(victim.id);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  EXPECT_TRUE(*k->IsShredded(victim.id));
  EXPECT_FALSE(*k->IsShredded(keys[71].id));
  EXPECT_TRUE(k->Find(keys[71].id)->has_value());
  ASSERT_TRUE(k->Shred({keys[0].id, keys[149].id}).ok());

  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string bytes = ReadFile(path_ + suffix);
    for (const std::string& w : wrapped) {
      EXPECT_EQ(bytes.find(w), std::string::npos) << "wrapped key still in keys.db" << suffix;
      // Not even a part of it (the ciphertext without its nonce).
      EXPECT_EQ(bytes.find(w.substr(24, 32)), std::string::npos) << suffix;
    }
  }
  k.reset();
  auto fresh = OpenA();
  ASSERT_NE(fresh, nullptr);
  EXPECT_FALSE(fresh->Find(victim.id)->has_value());
  EXPECT_TRUE(*fresh->IsShredded(victim.id));
  EXPECT_TRUE(fresh->Find(keys[71].id)->has_value());
}

TEST_F(KeyringTest, AShredByAnotherProcessStopsOpeningWithinTwoSeconds) {
  auto server = OpenA();  // the server, with the key cached
  auto cli = OpenA();     // `orderpilot customer erase` beside it
  ASSERT_NE(server, nullptr);
  ASSERT_NE(cli, nullptr);
  const DataKey key = *server->NewDataKey();
  ASSERT_TRUE(server->Find(key.id)->has_value());
  ASSERT_TRUE(cli->Shred({key.id}).ok());
  bool gone = false;
  for (int i = 0; i < 60 && !gone; ++i) {  // the check runs at most every 2 s; wait up to 3
    gone = !server->Find(key.id)->has_value();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(gone);
}

TEST_F(KeyringTest, ShredRecordsUnknownIdsAndRefusesMalformedOnes) {
  auto k = OpenA();
  ASSERT_NE(k, nullptr);
  ASSERT_TRUE(k->Shred({"00000000deadbeef"}).ok());
  EXPECT_TRUE(*k->IsShredded("00000000deadbeef"));
  ASSERT_TRUE(k->Shred({"00000000deadbeef"}).ok());  // idempotent
  EXPECT_EQ(k->Shred({"DEADBEEF"}).code(), StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, WrongMasterKeyIsRefused) {
  {
    auto k = OpenA();
    ASSERT_NE(k, nullptr);
    ASSERT_TRUE(k->NewDataKey().ok());
  }
  auto wrong = Keyring::Open(path_, {Master(kKeyB)}, clock_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong.status().message(), Not(HasSubstr(kKeyA)));
  EXPECT_THAT(wrong.status().message(), Not(HasSubstr(kKeyB)));
  // Nothing was forked: A still opens, and KeysPerMaster knows only A.
  auto again = OpenA();
  ASSERT_NE(again, nullptr);
  auto per = again->KeysPerMaster();
  ASSERT_TRUE(per.ok());
  ASSERT_EQ(per->size(), 1u);
  EXPECT_EQ((*per)[0].first, Master(kKeyA).id);
}

TEST_F(KeyringTest, WrongMasterKeyIsRefusedEvenWithoutDataKeys) {
  { ASSERT_NE(OpenA(), nullptr); }  // creates only the index key
  auto wrong = Keyring::Open(path_, {Master(kKeyB)}, clock_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(KeyringTest, RotationMovesEveryKeyToThePrimary) {
  const MasterKey a = Master(kKeyA);
  const MasterKey b = Master(kKeyB);
  std::vector<DataKey> keys;
  std::string index_before;
  {
    auto k = OpenA();
    ASSERT_NE(k, nullptr);
    for (int i = 0; i < 70; ++i) keys.push_back(*k->NewDataKey());
    index_before = k->BlindIndex("email", "jon@example.com");
  }
  int64_t stored = 0;  // the pool created whole batches
  {
    auto k = OpenWith({b, a});
    ASSERT_NE(k, nullptr);
    auto before = k->KeysPerMaster();
    ASSERT_TRUE(before.ok());
    ASSERT_EQ(before->size(), 2u);
    EXPECT_EQ((*before)[0], std::make_pair(b.id, int64_t{0}));
    EXPECT_EQ((*before)[1].first, a.id);
    stored = (*before)[1].second - 1;  // minus the index key
    EXPECT_GE(stored, 70);

    auto report = k->Rotate(/*batch=*/25);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->rewrapped, stored);
    EXPECT_EQ(report->already, 0);
    EXPECT_EQ(report->unknown_master, 0);
    auto after = k->KeysPerMaster();
    ASSERT_TRUE(after.ok());
    ASSERT_EQ(after->size(), 2u);
    EXPECT_EQ((*after)[0], std::make_pair(b.id, stored + 1));  // with the index key
    EXPECT_EQ((*after)[1], std::make_pair(a.id, int64_t{0}));  // A may be retired
    EXPECT_EQ(k->BlindIndex("email", "jon@example.com"), index_before);

    auto again = k->Rotate(25);  // idempotent
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->rewrapped, 0);
    EXPECT_EQ(again->already, stored);
  }
  auto k = OpenWith({b});
  ASSERT_NE(k, nullptr);
  for (const DataKey& key : keys) {
    auto found = k->Find(key.id);
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ(*(*found)->key, *key.key);
  }
  EXPECT_EQ(k->BlindIndex("email", "jon@example.com"), index_before);
  // A alone no longer opens the rotated file.
  k.reset();
  auto old_only = Keyring::Open(path_, {a}, clock_);
  ASSERT_FALSE(old_only.ok());
  EXPECT_EQ(old_only.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(KeyringTest, RotationLeavesKeysUnderAMasterNotGivenAlone) {
  const MasterKey b = Master(kKeyB);
  const MasterKey c = Master("1111111111111111111111111111111111111111111111111111111111111111");
  int64_t under_c = 0;
  {
    auto k = OpenWith({c});
    ASSERT_NE(k, nullptr);
    ASSERT_TRUE(k->NewDataKey().ok());
    under_c = (*k->KeysPerMaster())[0].second - 1;
  }
  int64_t under_b = 0;
  {
    auto k = OpenWith({b, c});  // new keys under B
    ASSERT_NE(k, nullptr);
    ASSERT_TRUE(k->NewDataKey().ok());
    under_b = (*k->KeysPerMaster())[0].second;
  }
  auto k = OpenWith({c});  // B not given: its keys stay as they are
  ASSERT_NE(k, nullptr);
  auto report = k->Rotate();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rewrapped, 0);
  EXPECT_EQ(report->already, under_c);
  EXPECT_EQ(report->unknown_master, under_b);
  auto per = k->KeysPerMaster();
  ASSERT_TRUE(per.ok());
  ASSERT_EQ(per->size(), 2u);
  EXPECT_EQ((*per)[0], std::make_pair(c.id, under_c + 1));
  EXPECT_EQ((*per)[1], std::make_pair(b.id, under_b));
}

TEST_F(KeyringTest, RotationIsSafeWhileAnotherKeyringUsesTheFile) {
  const MasterKey a = Master(kKeyA);
  const MasterKey b = Master(kKeyB);
  std::vector<DataKey> old_keys;
  {
    auto k = OpenA();
    ASSERT_NE(k, nullptr);
    for (int i = 0; i < 200; ++i) old_keys.push_back(*k->NewDataKey());
  }
  // The "server", restarted with [B, A], keeps creating and reading keys during the rotation.
  auto server = OpenWith({b, a});
  auto rotator = OpenWith({b, a});
  ASSERT_NE(server, nullptr);
  ASSERT_NE(rotator, nullptr);
  std::atomic<bool> done{false};
  std::vector<DataKey> new_keys;
  std::atomic<int> errors{0};
  std::thread serving([&] {
    size_t i = 0;
    while (!done.load()) {
      auto key = server->NewDataKey();
      if (!key.ok()) {
        ++errors;
        continue;
      }
      new_keys.push_back(*key);
      auto found = server->Find(old_keys[i++ % old_keys.size()].id);
      if (!found.ok() || !found->has_value()) ++errors;
    }
  });
  auto report = rotator->Rotate(/*batch=*/16);
  done = true;
  serving.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GE(report->rewrapped, 200);
  server.reset();
  rotator.reset();

  auto k = OpenWith({b});
  ASSERT_NE(k, nullptr);
  for (const auto* list : {&old_keys, &new_keys}) {
    for (const DataKey& key : *list) {
      auto found = k->Find(key.id);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      ASSERT_TRUE(found->has_value());
      EXPECT_EQ(*(*found)->key, *key.key);
    }
  }
}

TEST_F(KeyringTest, BlindIndexIsStableKeyedAndDependsOnKind) {
  std::string first;
  {
    auto k = OpenA();
    ASSERT_NE(k, nullptr);
    first = k->BlindIndex("email", "jon@example.com");
    EXPECT_EQ(first.size(), 32u);
    EXPECT_EQ(k->BlindIndex("email", "jon@example.com"), first);
    EXPECT_NE(k->BlindIndex("phone", "jon@example.com"), first);
    EXPECT_NE(k->BlindIndex("email", "jon@example.org"), first);
    // The separator keeps kind and value apart.
    EXPECT_NE(k->BlindIndex("ab", "c"), k->BlindIndex("a", "bc"));
  }
  auto reopened = OpenA();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->BlindIndex("email", "jon@example.com"), first);
  // Another key file has another index key, even under the same master key.
  TempDir other;
  auto elsewhere = Keyring::Open(other.path() + "/keys.db", {Master(kKeyA)}, clock_);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_NE((*elsewhere)->BlindIndex("email", "jon@example.com"), first);
}

TEST_F(KeyringTest, BlindIndex64IsStableKeyedAndDependsOnKind) {
  uint64_t first = 0;
  {
    auto k = OpenA();
    ASSERT_NE(k, nullptr);
    first = k->BlindIndex64("risk:email", "jon@example.com");
    EXPECT_EQ(k->BlindIndex64("risk:email", "jon@example.com"), first);
    EXPECT_NE(k->BlindIndex64("risk:ip", "jon@example.com"), first);
    EXPECT_NE(k->BlindIndex64("risk:email", "jon@example.org"), first);
    EXPECT_NE(k->BlindIndex64("ab", "c"), k->BlindIndex64("a", "bc"));
    EXPECT_NE(k->BlindIndex64("risk:email", ""), k->BlindIndex64("risk:email", std::string(1, 0)));
    // An 8-byte BLAKE2b, not the first 8 bytes of the 16-byte one (the output length is part of
    // BLAKE2b's parameter block).
    const std::string hex = k->BlindIndex("risk:email", "jon@example.com");
    uint64_t prefix = 0;
    for (int i = 7; i >= 0; --i)
      prefix = (prefix << 8) | std::stoul(hex.substr(2 * i, 2), nullptr, 16);
    EXPECT_NE(prefix, first);
    // Values spread over all 64 bits.
    std::set<uint64_t> seen;
    uint64_t ored = 0;
    for (int i = 0; i < 1000; ++i) {
      const uint64_t v = k->BlindIndex64("risk:ip", "10.0.0." + std::to_string(i));
      seen.insert(v);
      ored |= v;
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_EQ(ored, ~uint64_t{0});
  }
  auto reopened = OpenA();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->BlindIndex64("risk:email", "jon@example.com"), first);
  reopened.reset();
  // Rotation re-wraps the index key: the values do not change.
  {
    auto k = OpenWith({Master(kKeyB), Master(kKeyA)});
    ASSERT_NE(k, nullptr);
    auto report = k->Rotate();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(k->BlindIndex64("risk:email", "jon@example.com"), first);
  }
  auto rotated = OpenWith({Master(kKeyB)});
  ASSERT_NE(rotated, nullptr);
  EXPECT_EQ(rotated->BlindIndex64("risk:email", "jon@example.com"), first);
  // Another key file has another index key, even under the same master key.
  TempDir other;
  auto elsewhere = Keyring::Open(other.path() + "/keys.db", {Master(kKeyA)}, clock_);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_NE((*elsewhere)->BlindIndex64("risk:email", "jon@example.com"), first);
}

TEST_F(KeyringTest, ConcurrentNewDataKeysAreDistinctAndDurable) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::vector<std::vector<DataKey>> made(kThreads);
  {
    auto k = OpenA();
    ASSERT_NE(k, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          auto key = k->NewDataKey();
          if (key.ok()) made[t].push_back(*key);
          // Reads interleave with the writes.
          if (key.ok()) static_cast<void>(k->Find(key->id));
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  std::set<std::string> ids;
  std::set<std::array<unsigned char, kKeyBytes>> materials;
  auto k = OpenA();
  ASSERT_NE(k, nullptr);
  for (const auto& list : made) {
    ASSERT_EQ(list.size(), static_cast<size_t>(kPerThread));
    for (const DataKey& key : list) {
      ids.insert(key.id);
      materials.insert(*key.key);
      auto found = k->Find(key.id);
      ASSERT_TRUE(found.ok());
      ASSERT_TRUE(found->has_value()) << key.id;
      EXPECT_EQ(*(*found)->key, *key.key);
    }
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(materials.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(KeyringTest, DataKeyOutlivesItsKeyring) {
  DataKey key;
  {
    auto k = OpenA();
    ASSERT_NE(k, nullptr);
    key = *k->NewDataKey();
  }
  // The handle keeps its memory alive (ASan would flag a use after free).
  unsigned sum = 0;
  for (unsigned char b : *key.key) sum += b;
  EXPECT_GT(sum, 0u);
}

}  // namespace
}  // namespace orderpilot::privacy
