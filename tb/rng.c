/* rng.c - xorshift64* generator (see rng.h). */
#include "rng.h"

static uint64_t state = 0x2545f4914f6cdd1dull;

void rng_seed(uint64_t seed) {
    state = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
    if (!state) state = 1;
    for (int i = 0; i < 4; i++) rng_next();
}

uint64_t rng_next(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}
