// fuzz/replay_main.cc — a main() for fuzz targets built without libFuzzer (g++ in `make test`).
//
// Feeds every regular file under each argument (a file or a directory, walked recursively, in
// sorted order) to LLVMFuzzerTestOneInput once, so the seed corpus and every crash found so far
// run as a smoke test under the build's sanitizers. An argument that does not exist is skipped
// (a target may have no regressions yet); exits 1 when no input was found at all. A crash aborts
// the process, as under libFuzzer.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_regular_file(arg, ec)) {
      inputs.push_back(arg);
    } else if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg, ec))
        if (entry.is_regular_file()) inputs.push_back(entry.path());
    } else {
      std::fprintf(stderr, "replay: %s does not exist; skipped\n", argv[i]);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs\n");
    return 1;
  }
  for (const auto& path : inputs) {
    std::fprintf(stderr, "replay: %s\n", path.c_str());  // the last one named is the culprit
    const std::string data = ReadAll(path);
    // A copy on the heap of exactly the input's size, so ASan sees any read past its end.
    std::vector<uint8_t> exact(data.begin(), data.end());
    LLVMFuzzerTestOneInput(exact.data(), exact.size());
  }
  std::printf("replay: %zu inputs ran\n", inputs.size());
  return 0;
}
