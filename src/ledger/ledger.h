// ledger/ledger.h: the public header of the ledger module (depends on base, crypto, store):
// RFC 9162 Merkle hashing and proofs, C2SP signed notes, checkpoints, cosignatures and
// equivocation evidence, C2SP tlog-tiles, and the persistent log. Formats and the storage
// schema: docs/formats/ledger.md.
//
//   merkle.h      hashes, compact range
//   proof.h       inclusion / consistency proofs (generation, verification), MemoryTree
//   note.h        signed notes, key texts, cosignature/v1 signatures
//   checkpoint.h  checkpoints, cosigned checkpoints, equivocation proofs
//   tiles.h       tile paths, entry bundles
//   log.h         the persistent log (Log)
#pragma once

#include "ledger/checkpoint.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/proof.h"
#include "ledger/tiles.h"
