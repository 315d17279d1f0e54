/* rng.h - the test bench's one random source (xorshift64*), seeded by --seed. */
#ifndef RNG_H
#define RNG_H
#include <stdint.h>

void rng_seed(uint64_t seed);
uint64_t rng_next(void);
/* uniform in [0, n); n > 0 */
static inline uint64_t rng_below(uint64_t n) { return rng_next() % n; }
/* true with probability pct/100 */
static inline int rng_pct(unsigned pct) { return pct && rng_below(100) < pct; }
#endif
