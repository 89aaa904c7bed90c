// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * safemem.c - locked buffers for secrets, wiping, process hardening.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "safemem.h"

/*
 * Stack of the threads libcryptsetup starts (Argon2 lanes, which keep their
 * memory on the heap and need a few KiB of stack).  Under mlockall() every
 * thread's default stack (RLIMIT_STACK, 8 MiB) would be made resident.
 */
#define THREAD_STACK_SIZE	(256 * 1024)

static void small_thread_stacks(void)
{
	pthread_attr_t a;

	if (pthread_attr_init(&a))
		return;
	if (pthread_attr_setstacksize(&a, THREAD_STACK_SIZE) == 0 &&
	    pthread_setattr_default_np(&a) == 0)
		log_dbg("thread stacks: %d KiB", THREAD_STACK_SIZE / 1024);
	pthread_attr_destroy(&a);
}

int secure_process_init(void)
{
	struct rlimit no_core = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	small_thread_stacks();
	/*
	 * Lock everything, including libcryptsetup's copies of the
	 * passphrase and the volume key.  Without CAP_IPC_LOCK a small
	 * RLIMIT_MEMLOCK makes this fail; the secret buffer itself is still
	 * locked by secure_alloc(), so go on with a warning.
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		log_verbose("mlockall failed (%s); only secret buffers are locked",
			    strerror(errno));
	return 0;
}

int secure_alloc(struct secure_buf *b, size_t cap)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t map;
	void *p;

	memset(b, 0, sizeof(*b));
	if (page <= 0)
		page = 4096;
	if (cap == 0 || cap > ((size_t)1 << 30))
		return -EINVAL;
	map = (cap + (size_t)page - 1) & ~((size_t)page - 1);

	p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	if (mlock(p, map) < 0) {
		int r = errno == EPERM ? -EPERM : -ENOMEM;

		munmap(p, map);
		return r;
	}
	/* Advisory: an older kernel without these flags is still safe. */
	(void)madvise(p, map, MADV_DONTDUMP);
	(void)madvise(p, map, MADV_WIPEONFORK);

	b->data = p;
	b->cap = cap;
	b->map = map;
	return 0;
}

void secure_free(struct secure_buf *b)
{
	if (!b->data)
		return;
	explicit_bzero(b->data, b->map);
	munlock(b->data, b->map);
	munmap(b->data, b->map);
	memset(b, 0, sizeof(*b));
}

int secure_read_fd(int fd, size_t max, struct secure_buf *b)
{
	ssize_t n;
	int r;

	r = secure_alloc(b, max + 1);
	if (r < 0)
		return r;
	n = read_full(fd, b->data, b->cap);
	if (n < 0) {
		r = (int)n;
		goto err;
	}
	b->len = (size_t)n;
	if (b->len <= max)
		return 0;
	r = -EFBIG;
err:
	secure_free(b);
	return r;
}

int secure_read_file(const char *path, size_t max, struct secure_buf *b)
{
	struct stat sb;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0)
		r = -errno;
	else if (!S_ISREG(sb.st_mode))
		r = S_ISDIR(sb.st_mode) ? -EISDIR : -EINVAL;
	else
		r = secure_read_fd(fd, max, b);
	close(fd);
	return r;
}

ssize_t read_full(int fd, void *buf, size_t size)
{
	unsigned char *p = buf;
	size_t len = 0;

	while (len < size) {
		ssize_t n = read(fd, p + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void kill_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
}

void signals_block(sigset_t *old)
{
	sigset_t set;

	kill_signals(&set);
	/* threads started later (libcryptsetup's Argon2 lanes) inherit the mask */
	(void)pthread_sigmask(SIG_BLOCK, &set, old);
}

int signals_pending(void)
{
	sigset_t set, pending;
	int sig;

	if (sigpending(&pending) < 0)
		return 0;
	kill_signals(&set);
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&set, sig) == 1 && sigismember(&pending, sig) == 1)
			return sig;
	return 0;
}

void signals_restore(const sigset_t *old)
{
	(void)pthread_sigmask(SIG_SETMASK, old, NULL);
}

__attribute__((noinline)) void stack_wipe(void)
{
	unsigned char buf[4096];

	explicit_bzero(buf, sizeof(buf));
	/* the compiler must believe the zeros are looked at */
	__asm__ __volatile__("" : : "r"(buf) : "memory");
}
