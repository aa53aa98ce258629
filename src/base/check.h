// base/check.h: DETENTE_CHECK (always on) and DETENTE_DCHECK (debug builds) for broken
// internal invariants, i.e. our own bugs. Never use them on input from outside: return a Status.
#pragma once

#include <cstdio>
#include <cstdlib>

#define DETENTE_CHECK(cond)                                                            \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "detente: check failed at %s:%d: %s\n", __FILE__, __LINE__, \
                   #cond);                                                             \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

#ifdef NDEBUG
#define DETENTE_DCHECK(cond) \
  do {                       \
  } while (false && (cond))
#else
#define DETENTE_DCHECK(cond) DETENTE_CHECK(cond)
#endif
