// fuzz/stix_fuzzer.cc: libFuzzer target over the stix module. Any input bytes are fed to
// ValidateStream (reader + validator + output formatting, with a small object limit and tiny
// read chunks so chunk boundaries are exercised), to Validator::Validate directly, and to
// DeterministicScoId. Nothing may crash, hang or grow without bound. Corpus: fuzz/corpus/stix/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stix/stix.h"

namespace {

// Hands out the input in chunks of 1..16 bytes, chosen from the data itself.
class ChoppySource final : public detente::stix::ByteSource {
 public:
  explicit ChoppySource(std::string_view data) : data_(data) {}
  detente::base::Result<size_t> Read(char* buf, size_t max) override {
    if (pos_ >= data_.size()) return size_t{0};
    size_t n = 1 + static_cast<unsigned char>(data_[pos_]) % 16;
    n = std::min({n, max, data_.size() - pos_});
    for (size_t i = 0; i < n; ++i) buf[i] = data_[pos_ + i];
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  detente::stix::ValidatorOptions options;
  options.max_object_bytes = 64 * 1024;
  options.check_sco_ids = true;
  {
    ChoppySource source(input);
    size_t out = 0;
    auto summary = detente::stix::ValidateStream(
        &source, options, [&out](std::string_view line) { out += line.size(); });
    (void)summary;
  }
  {
    detente::stix::Validator validator(options);
    detente::stix::Report report;
    validator.Validate(input, &report);
  }
  {
    auto id = detente::stix::DeterministicScoId(input);
    (void)id;
  }
  return 0;
}
