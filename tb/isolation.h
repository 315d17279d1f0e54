/*
 * isolation.h - the isolation checker's permission map: per device_id, the
 * physical bytes the device may touch and how (read, write, execute).
 *
 * A test tells the map what each device is allowed (from the page tables it
 * built, or from Bare mode) and asks it, for every memory access that leaves
 * the IOMMU, whether that device was allowed to make it.
 *
 * Semantics, byte by byte: each byte of each device has a permission set
 * (ISO_R | ISO_W | ISO_X, possibly empty).  iso_allow ORs permissions into a
 * byte range, iso_revoke_perms clears some, iso_revoke clears all.  Ranges are
 * given as (pa, len) and may reach the top of the 64-bit space; a range that
 * would wrap past 2^64 is clipped at 2^64 - 1.  len = 0 is a no-op (and
 * iso_check of 0 bytes is true).
 *
 * Storage: per device a treap (randomized balanced tree) of disjoint
 * intervals with non-empty permissions, adjacent intervals with equal
 * permissions merged; devices in a hash table.  Updates cost O(k + log n)
 * expected (k = intervals touched), lookups O(log n).  One global map (the
 * test bench is single-threaded); iso_reset() frees everything.
 */
#ifndef ISOLATION_H
#define ISOLATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ISO_R = 1u, ISO_W = 2u, ISO_X = 4u, ISO_RWX = 7u };

/* Forget every device and range; frees all memory. */
void iso_reset(void);

/* Give device `did` the permissions `perms` on [pa, pa + len). */
void iso_allow(uint32_t did, uint64_t pa, uint64_t len, unsigned perms);
/* Take every permission of `did` away from [pa, pa + len) (splits ranges). */
void iso_revoke(uint32_t did, uint64_t pa, uint64_t len);
/* Take only `perms` away from [pa, pa + len). */
void iso_revoke_perms(uint32_t did, uint64_t pa, uint64_t len, unsigned perms);
/* Forget every range of one device. */
void iso_clear_device(uint32_t did);

/* True when every byte of [pa, pa + len) has all of `need` for `did`
 * (need = 0: every byte has some permission). */
bool iso_check(uint32_t did, uint64_t pa, uint64_t len, unsigned need);
/* Permissions of one byte. */
unsigned iso_perms(uint32_t did, uint64_t pa);
/* True when the device has any permitted byte. */
bool iso_any(uint32_t did);
/* Number of disjoint ranges held for one device / for all devices. */
size_t iso_count(uint32_t did);
size_t iso_total(void);

/* Visit the ranges of one device in address order; [lo, hi] inclusive.
 * The callback must not modify the map. */
typedef void (*iso_visit_fn)(void *ctx, uint64_t lo, uint64_t hi, unsigned perms);
void iso_foreach(uint32_t did, iso_visit_fn fn, void *ctx);

#endif
