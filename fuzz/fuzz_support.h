// fuzz/fuzz_support.h — small helpers shared by the fuzz targets: a fatal check and a temporary
// file for loaders that only read from a path.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace orderpilot::fuzz {

// Aborts (a crash libFuzzer records, with the input) when `ok` is false.
inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

// A temporary file that lives as long as the process: each Write replaces its contents. The name
// ends in `suffix` (loaders pick formats by extension).
class TempFile {
 public:
  explicit TempFile(const std::string& suffix) {
    // tmpfs when there is one: on ext4 each truncate-and-rewrite flushes to disk (auto_da_alloc),
    // which holds a target to a few hundred executions a second.
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = std::string(dir) + "/orderpilot-fuzz-XXXXXX" + suffix;
    int fd = mkstemps(tmpl.data(), static_cast<int>(suffix.size()));
    Check(fd >= 0, "cannot create a temporary file");
    close(fd);
    path_ = tmpl;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& Write(const uint8_t* data, size_t size) {
    FILE* f = std::fopen(path_.c_str(), "wb");
    Check(f != nullptr, "cannot write the temporary file");
    Check(size == 0 || std::fwrite(data, 1, size, f) == size, "short write to a temporary file");
    std::fclose(f);
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace orderpilot::fuzz
