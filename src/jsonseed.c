// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jsonseed.c - a non-blocking seed for json-c's hash tables.
 *
 * json-c seeds the hash tables it builds for every JSON object with
 * json_c_get_random_seed(): getrandom(GRND_NONBLOCK), and when the kernel's
 * CRNG is not ready yet, a read of /dev/urandom.  Since Linux 5.18 that
 * read waits for the CRNG (the kernel generates jitter entropy meanwhile:
 * about a second under QEMU TCG), and early boot, where cocosecret parses
 * the LUKS2 header, is exactly when the CRNG may not be ready.
 *
 * The seed only protects hash tables from collision floods; the JSON parsed
 * here is one LUKS2 header or token.  In the static link this definition
 * takes the place of json-c's: it keeps the non-blocking getrandom and
 * otherwise mixes the clock and an address instead of waiting.
 */
#include <stdint.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* json-c's (internal, not in its installed headers) */
int json_c_get_random_seed(void);

int json_c_get_random_seed(void)
{
	struct timespec ts = { 0 };
	uint64_t x;
	int seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&ts ^
	    (uint64_t)getpid() << 16;
	/* splitmix64 finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (int)(x & 0x7fffffff);
}
