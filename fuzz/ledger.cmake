# ledger fuzz targets: proof (RFC 9162 proof verification against an in-memory tree and the
# reference generator; corpus/proof/) and note (signed notes, checkpoints, key texts, tile
# paths, equivocation JSON; corpus/note/).
detente_fuzzer(proof
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ledger_proof_fuzzer.cc
  DEPS detente_ledger)
detente_fuzzer(note
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ledger_note_fuzzer.cc
  DEPS detente_ledger)
