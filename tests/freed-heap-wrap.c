// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * freed-heap-wrap.c - a free() that looks at what it frees, and a look at
 * all of the process's writable memory at exit (tests only).
 *
 * Linked into a test build with -Wl,--wrap=free,--wrap=realloc,
 * --wrap=reallocarray: every block that the program, libcryptsetup,
 * libdevmapper, json-c or nettle hands back to the heap is scanned, whole
 * (malloc_usable_size), just before glibc gets it; and at exit (and when
 * the program asks, freed_heap_scan_memory()) every readable and writable
 * mapping is: heap with its free chunks, the stacks with what dead frames
 * left below them (threads' too: glibc keeps their stacks), .data, .bss.
 * That is what an exiting process leaves in RAM.  The needles:
 *
 *   for each file named in $FREED_HEAP_NEEDLES (':'-separated; the secrets
 *   a test uses, e.g. a passphrase and a volume key):
 *     - its bytes,
 *     - its bytes ^ HMAC's ipad and ^ opad (the block hmac_set_key() hashes,
 *       on nettle's stack), also as big-endian 32-bit words (as a SHA-1/256
 *       compression function's message schedule holds them),
 *     - the inner and outer HMAC states keyed by them, for SHA-1, SHA-256
 *       and SHA-512: the hash state words after one block of key ^ ipad
 *       (key ^ opad), in host byte order, as nettle's hmac_*_set_key()
 *       leaves them in a context.  A PBKDF2 or a digest check keyed by the
 *       secret keeps both for its whole run.
 *
 * A needle counts when any 16-byte piece of it (the whole needle if
 * shorter) occurs at any byte offset.  A freed block found holding one is
 * wiped before it is freed, so that it is reported once and never blamed
 * on a later owner of the same memory.  Each hit and, at exit, a summary
 * are appended to $FREED_HEAP_REPORT (stderr if unset): names, sizes,
 * places, never a needle's bytes.
 *
 *   freed-heap: N block(s) freed, B bytes scanned, D with a secret (H hit(s)), K needles, M bytes of memory scanned
 *   hit: NEEDLE in a freed block of S bytes at +OFF, free() returns to +0xADDR
 *   hit: NEEDLE in MAPPING (WHEN) at +OFF of S bytes
 *
 * (a hit: one needle in one block or mapping; one may hold several)
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "freed-heap.h"

/* The names ld --wrap and the linker script give: reserved, and meant. NOLINTBEGIN */
void __real_free(void *p);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_reallocarray(void *p, size_t nmemb, size_t size);
extern const char __executable_start[];	/* the linker's: where the binary starts */
/* NOLINTEND */

#define WINDOW		16
#define MAX_NEEDLES	32
#define NEEDLE_MAX	4096
#define SLOTS		4096	/* a power of two, well above the windows */

struct needle {
	char name[64];
	size_t len;
	uint8_t bytes[NEEDLE_MAX];
};

/* Static storage: the scanner itself must not put a needle in the heap. */
static struct needle needles[MAX_NEEDLES];
static unsigned int n_needles;

/* Open addressing on a window's first 8 bytes; value: needle + 1, offset. */
static struct { uint64_t key; uint16_t needle, off; } slots[SLOTS];
static size_t slots_used;

static atomic_ulong blocks, bytes, dirty, hits, mem_bytes;
static char report_path[256];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int fd = 2, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (report_path[0])
		fd = open(report_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* nowhere left to say it */
	}
	if (fd != 2)
		close(fd);
}

static size_t slot_of(uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 52) & (SLOTS - 1);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static size_t window_of(const struct needle *n)
{
	return n->len < WINDOW ? n->len : WINDOW;
}

static int index_needle(unsigned int i)
{
	const struct needle *n = &needles[i];
	size_t w = window_of(n), off, s;
	uint64_t key;

	for (off = 0; off + w <= n->len; off++) {
		key = load64(n->bytes + off);
		if (!key)	/* freed memory is mostly zeros: never a needle */
			continue;
		for (s = slot_of(key); slots[s].needle; s = (s + 1) & (SLOTS - 1))
			if (slots[s].needle == i + 1 && slots[s].key == key)
				break;
		if (slots[s].needle)
			continue;	/* the same 8 bytes twice in a needle */
		if (slots_used == SLOTS / 2)
			return -ENOSPC;
		slots_used++;
		slots[s].key = key;
		slots[s].needle = (uint16_t)(i + 1);
		slots[s].off = (uint16_t)off;
	}
	return 0;
}

int freed_heap_add(const char *name, const void *p, size_t len)
{
	struct needle *n;

	if (n_needles == MAX_NEEDLES || len < 8 || len > NEEDLE_MAX)
		return -EINVAL;
	n = &needles[n_needles];
	snprintf(n->name, sizeof(n->name), "%s", name);
	memcpy(n->bytes, p, len);
	n->len = len;
	if (index_needle(n_needles++)) {
		say("freed-heap: too many needles; %s only in part\n", name);
		return -ENOSPC;
	}
	return 0;
}

/* HMAC inner/outer states: the hash of one block of key ^ pad. */
#define HMAC_STATES(alg, ALG)							\
static void add_##alg(const char *what, const uint8_t *key, size_t len)	\
{									\
	struct alg##_ctx c;						\
	uint8_t k[ALG##_BLOCK_SIZE] = { 0 }, pad[ALG##_BLOCK_SIZE];	\
	char name[64];							\
	size_t i;							\
									\
	if (len > sizeof(k)) {						\
		alg##_init(&c);						\
		alg##_update(&c, len, key);				\
		alg##_digest(&c, ALG##_DIGEST_SIZE, k);			\
	} else {							\
		memcpy(k, key, len);					\
	}								\
	for (i = 0; i < sizeof(k); i++)					\
		pad[i] = k[i] ^ 0x36;					\
	alg##_init(&c);							\
	alg##_update(&c, sizeof(pad), pad);				\
	snprintf(name, sizeof(name), "HMAC-" #ALG "(%s) inner state", what); \
	freed_heap_add(name, c.state, sizeof(c.state));			\
	for (i = 0; i < sizeof(k); i++)					\
		pad[i] = k[i] ^ 0x5c;					\
	alg##_init(&c);							\
	alg##_update(&c, sizeof(pad), pad);				\
	snprintf(name, sizeof(name), "HMAC-" #ALG "(%s) outer state", what); \
	freed_heap_add(name, c.state, sizeof(c.state));			\
	explicit_bzero(&c, sizeof(c));					\
	explicit_bzero(k, sizeof(k));					\
	explicit_bzero(pad, sizeof(pad));				\
}
HMAC_STATES(sha1, SHA1)
HMAC_STATES(sha256, SHA256)
HMAC_STATES(sha512, SHA512)

/* KEY ^ PAD as hmac_set_key() hashes it, and as big-endian 32-bit words. */
static void add_pad(const char *what, const uint8_t *key, size_t len, uint8_t pad)
{
	uint8_t x[64];
	char name[64];
	size_t i;

	len = len < sizeof(x) ? len : sizeof(x);
	for (i = 0; i < len; i++)
		x[i] = key[i] ^ pad;
	snprintf(name, sizeof(name), "%s ^ HMAC %s", what, pad == 0x36 ? "ipad" : "opad");
	freed_heap_add(name, x, len);
	for (i = 0; i + 4 <= len; i += 4) {
		uint8_t a = x[i], b = x[i + 1];

		x[i] = x[i + 3];
		x[i + 1] = x[i + 2];
		x[i + 2] = b;
		x[i + 3] = a;
	}
	snprintf(name, sizeof(name), "%s ^ HMAC %s (be32)", what, pad == 0x36 ? "ipad" : "opad");
	freed_heap_add(name, x, len & ~(size_t)3);
	explicit_bzero(x, sizeof(x));
}

/* Zeroes 16 KiB of stack below the caller (what our own hashing left there). */
__attribute__((noinline)) void freed_heap_burn_stack(void)
{
	uint8_t buf[16384];

	explicit_bzero(buf, sizeof(buf));
	__asm__ volatile("" : : "r"(buf) : "memory");
}

int freed_heap_add_secret(const char *what, const void *p, size_t len)
{
	int r = freed_heap_add(what, p, len);

	if (r)
		return r;
	add_pad(what, p, len, 0x36);
	add_pad(what, p, len, 0x5c);
	add_sha1(what, p, len);
	add_sha256(what, p, len);
	add_sha512(what, p, len);
	freed_heap_burn_stack();	/* the hashing above, on our own stack */
	return 0;
}

/* Returns 1 when P..P+N holds a needle: a freed block (CALLER: free()'s) or
 * a part of a mapping (WHERE). */
static int scan(const uint8_t *p, size_t n, const void *caller, const char *where)
{
	unsigned long seen = 0;	/* needles found in this block, as bits */
	const struct needle *nd;
	size_t i, s, w;
	uint64_t key;
	int found = 0;

	for (i = 0; i + 8 <= n; i++) {
		key = load64(p + i);
		if (!key)
			continue;
		for (s = slot_of(key); slots[s].needle; s = (s + 1) & (SLOTS - 1)) {
			if (slots[s].key != key)
				continue;
			nd = &needles[slots[s].needle - 1];
			w = window_of(nd);
			if (i + w > n || memcmp(p + i, nd->bytes + slots[s].off, w))
				continue;
			if (seen & (1UL << (slots[s].needle - 1)))
				continue;
			seen |= 1UL << (slots[s].needle - 1);
			atomic_fetch_add(&hits, 1);
			if (where)
				say("hit: %s in %s at +%zu of %zu bytes\n", nd->name, where, i, n);
			else
				say("hit: %s in a freed block of %zu bytes at +%zu, free() returns to +%#lx\n",
				    nd->name, n, i,
				    (unsigned long)((const char *)caller - __executable_start));
			found = 1;
		}
	}
	return found;
}

void __wrap_free(void *p)
{
	size_t n;

	if (p && n_needles) {
		n = malloc_usable_size(p);
		atomic_fetch_add(&blocks, 1);
		atomic_fetch_add(&bytes, n);
		if (scan(p, n, __builtin_return_address(0), NULL)) {
			atomic_fetch_add(&dirty, 1);
			explicit_bzero(p, n);
		}
	}
	__real_free(p);
}

/* A realloc that moves every time, so that the old block goes through free(). */
void *__wrap_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (!p)
		return malloc(n);
	if (!n) {
		__wrap_free(p);
		return NULL;
	}
	q = malloc(n);
	if (!q)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	__wrap_free(p);
	return q;
}

void *__wrap_reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return __wrap_realloc(p, n);
}

/* Scans LO..HI but the scanner's own tables (they hold the needles). */
static void scan_range(uintptr_t lo, uintptr_t hi, const char *where)
{
	const struct { uintptr_t lo, hi; } skip[] = {
		{ (uintptr_t)needles, (uintptr_t)needles + sizeof(needles) },
		{ (uintptr_t)slots, (uintptr_t)slots + sizeof(slots) },
	};
	uintptr_t a = lo, b;
	size_t i;

	while (a < hi) {
		b = hi;
		for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
			if (skip[i].lo <= a && a < skip[i].hi) {
				a = skip[i].hi;
				i = (size_t)-1;	/* again, from the new start */
				continue;
			}
			if (a < skip[i].lo && skip[i].lo < b)
				b = skip[i].lo;
		}
		if (a >= hi)
			break;
		if (b > hi)
			b = hi;
		atomic_fetch_add(&mem_bytes, b - a);
		scan((const uint8_t *)a, b - a, NULL, where);
		a = b;
	}
}

void freed_heap_scan_memory(const char *when)
{
	static char maps[65536];
	char where[200], perms[8], path[128], *line, *next;
	unsigned long lo, hi;
	size_t len = 0;
	ssize_t r;
	int fd;

	if (!n_needles)
		return;
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (len < sizeof(maps) - 1 && (r = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	maps[len] = 0;
	for (line = maps; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		path[0] = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %127s", &lo, &hi, perms, path) < 3)
			continue;
		if (perms[0] != 'r' || perms[1] != 'w')
			continue;
		snprintf(where, sizeof(where), "%s (%s)", path[0] ? path : "anonymous memory", when);
		scan_range(lo, hi, where);
	}
}

unsigned long freed_heap_hits(void)
{
	return atomic_load(&hits);
}

static int read_needle_file(const char *path)
{
	static uint8_t buf[NEEDLE_MAX];
	size_t len = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) && (r = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)r;
	close(fd);
	r = freed_heap_add_secret(strrchr(path, '/') ? strrchr(path, '/') + 1 : path, buf, len);
	explicit_bzero(buf, sizeof(buf));
	return (int)r;
}

__attribute__((constructor)) static void freed_heap_init(void)
{
	static char list[4096];
	const char *env = getenv("FREED_HEAP_NEEDLES"), *rep = getenv("FREED_HEAP_REPORT");
	char *f, *save = NULL;

	if (rep)
		snprintf(report_path, sizeof(report_path), "%s", rep);
	if (!env)
		return;
	snprintf(list, sizeof(list), "%s", env);
	for (f = strtok_r(list, ":", &save); f; f = strtok_r(NULL, ":", &save))
		if (read_needle_file(f))
			say("freed-heap: cannot use needle file %s\n", f);
}

__attribute__((destructor)) static void freed_heap_done(void)
{
	if (!n_needles)
		return;
	freed_heap_scan_memory("at exit");
	say("freed-heap: %lu block(s) freed, %lu bytes scanned, %lu with a secret (%lu hit(s)), %u needles, %lu bytes of memory scanned\n",
	    atomic_load(&blocks), atomic_load(&bytes), atomic_load(&dirty),
	    atomic_load(&hits), n_needles, atomic_load(&mem_bytes));
	explicit_bzero(needles, sizeof(needles));
	explicit_bzero(slots, sizeof(slots));
	n_needles = 0;
}
