// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * efisecret.c - securityfs and efi_secret: mount, load the module, find,
 * read into locked memory, unlink.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "efisecret.h"
#include "log.h"
#include "safemem.h"

#ifndef SECURITYFS_MAGIC
#define SECURITYFS_MAGIC 0x73636673
#endif
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define POLL_INTERVAL_MS 20
#define STR_(x) #x
#define STR(x) STR_(x)

bool securityfs_mounted(void)
{
	struct statfs sfs;

	return statfs(SECURITYFS_MOUNT, &sfs) == 0 &&
	       (unsigned long)sfs.f_type == SECURITYFS_MAGIC;
}

static int mount_securityfs(void)
{
	if (securityfs_mounted())
		return 0;
	if (mount("securityfs", SECURITYFS_MOUNT, "securityfs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 && errno != EBUSY) {
		log_verbose("cannot mount securityfs on %s: %s", SECURITYFS_MOUNT,
			    strerror(errno));
		return -errno;
	}
	log_dbg("mounted securityfs on %s", SECURITYFS_MOUNT);
	return 0;
}

/* "live", "coming", "going", or NULL when the kernel has no such module. */
const char *efi_secret_module_state(char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open("/sys/module/" EFI_SECRET_MODULE "/initstate", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return access("/sys/module/" EFI_SECRET_MODULE, F_OK) == 0 ? "builtin" : NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Find efi_secret's file in modules.dep; returns 0 and fills path. */
static int find_module_file(char *path, size_t len, bool *compressed)
{
	struct utsname u;
	char dep[PATH_MAX], line[PATH_MAX * 2];
	FILE *f;
	int n, r = -ENOENT;

	if (uname(&u) < 0)
		return -errno;
	n = snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", u.release);
	if (n < 0 || (size_t)n >= sizeof(dep))
		return -ENAMETOOLONG;
	f = fopen(dep, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (strncmp(base, EFI_SECRET_MODULE ".ko", sizeof(EFI_SECRET_MODULE ".ko") - 1))
			continue;
		*compressed = strcmp(base, EFI_SECRET_MODULE ".ko") != 0;
		n = line[0] == '/' ? snprintf(path, len, "%s", line) :
		    snprintf(path, len, "/lib/modules/%s/%s", u.release, line);
		r = n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
		break;
	}
	(void)fclose(f);	/* read-only stream: nothing to lose */
	return r;
}

static int load_by_finit(void)
{
	char path[PATH_MAX];
	bool compressed = false;
	int fd, r;

	r = find_module_file(path, sizeof(path), &compressed);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = (int)syscall(SYS_finit_module, fd, "", compressed ? MODULE_INIT_COMPRESSED_FILE : 0);
	r = r < 0 ? -errno : 0;
	close(fd);
	if (r == -EEXIST)
		r = 0;
	log_dbg("finit_module(%s): %s", path, r ? strerror(-r) : "ok");
	return r;
}

static int load_by_modprobe(void)
{
	static const char *const candidates[] = {
		"/sbin/modprobe", "/usr/sbin/modprobe", "/bin/modprobe", "/usr/bin/modprobe",
	};
	char *const argv[] = { "modprobe", "-q", EFI_SECRET_MODULE, NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	const char *prog = NULL;
	pid_t pid;
	int status;

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		if (access(candidates[i], X_OK) == 0) {
			prog = candidates[i];
			break;
		}
	}
	if (!prog)
		return -ENOENT;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
		}
		execve(prog, argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	log_dbg("%s %s: exit %d", prog, EFI_SECRET_MODULE,
		WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ENOENT;
}

static int load_module(void)
{
	char state[32];
	int r;

	if (efi_secret_module_state(state, sizeof(state)))
		return 0;
	r = load_by_finit();
	if (r < 0)
		r = load_by_modprobe();
	if (r < 0)
		log_verbose("cannot load the %s module", EFI_SECRET_MODULE);
	return r;
}

void secrets_init(struct secrets *s, const char *dir, bool setup)
{
	s->dir = dir ? dir : COCO_SECRETS_DIR;
	s->system = !dir;
	s->module_state = 0;
	s->fd = -1;
	s->fd_len = 0;
	if (!s->system)
		return;
	if (!setup) {
		s->module_state = -ENOENT;	/* nothing to wait for */
		return;
	}
	(void)mount_securityfs();
	s->module_state = load_module();
}

/* Is it pointless to wait longer for an entry that is not there? */
static bool settled(const struct secrets *s)
{
	char state[32];
	const char *st;
	struct stat sb;

	if (!s->system)
		return stat(s->dir, &sb) == 0;
	if (s->module_state < 0)
		return true;	/* no module to wait for (or built in) */
	st = efi_secret_module_state(state, sizeof(state));
	return !st || strcmp(st, "coming") != 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int entry_path(const struct secrets *s, const struct guid *g, char *buf, size_t len)
{
	char gs[GUID_STR_LEN + 1];
	int n;

	guid_format(g, gs);
	n = snprintf(buf, len, "%s/%s", s->dir, gs);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int open_entry(const struct secrets *s, const struct guid *g, unsigned int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char path[PATH_MAX];
	int fd, r;

	r = entry_path(s, g, path, sizeof(path));
	if (r < 0)
		return r;
	for (;;) {
		/* O_NONBLOCK: a FIFO planted there must not hang the boot. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0)
			return fd;
		r = -errno;
		/*
		 * While efi_secret is still coming up, any failure (the
		 * directory or the file not there yet, or half made) is
		 * worth another look; once it is settled, it is the answer.
		 */
		if (settled(s) || now_ms() >= deadline || signals_pending())
			return r;
		nanosleep(&(struct timespec){ 0, POLL_INTERVAL_MS * 1000000L }, NULL);
	}
}

int secrets_read(struct secrets *s, const struct guid *g, unsigned int timeout_ms,
		 struct secure_buf *b)
{
	struct stat sb;
	int fd, r;

	secrets_release(s);
	fd = open_entry(s, g, timeout_ms);
	if (fd < 0)
		return fd;
	if (fstat(fd, &sb) < 0)
		r = -errno;
	else if (!S_ISREG(sb.st_mode))
		r = S_ISDIR(sb.st_mode) ? -EISDIR : -EINVAL;
	else
		r = secure_read_fd(fd, SECRET_MAX_SIZE, b);	/* size 0: read to EOF */
	if (r == 0 && b->len == 0) {
		secure_free(b);
		r = -ENODATA;
	}
	if (r < 0 && r != -EFBIG) {
		close(fd);
		return r;
	}
	/*
	 * Kept open for secrets_wipe(): the kernel's read buffer holds a copy
	 * (of an oversized entry too).
	 */
	s->fd = fd;
	s->fd_guid = *g;
	s->fd_len = r == -EFBIG ? SECRET_MAX_SIZE + 1 : b->len;
	return r;
}

void secrets_release(struct secrets *s)
{
	if (s->fd < 0)
		return;
	close(s->fd);
	s->fd = -1;
}

/*
 * Refill the kernel's read buffer of the (now wiped) entry, then close it.
 * Reads in chunks, so that an entry of any size is read back whole: all of
 * it must be zeros, as long as what was read before (at least).
 */
static int scrub(struct secrets *s)
{
	struct secure_buf b = { 0 };
	size_t total = 0, i;
	bool zero = true;
	int r;

	r = secure_alloc(&b, 4096);
	if (r < 0)
		goto out;
	if (lseek(s->fd, 0, SEEK_SET) != 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = read(s->fd, b.data, b.cap);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		for (i = 0; i < (size_t)n; i++)
			zero = zero && !b.data[i];
		total += (size_t)n;
	}
	if (!zero || total < s->fd_len ||
	    (s->fd_len <= SECRET_MAX_SIZE && total != s->fd_len)) {
		log_err("the kernel's read buffer of the wiped entry was not refilled with "
			"zeros (%zu bytes read back, %zu expected)", total, s->fd_len);
		r = -EIO;
		goto out;
	}
	log_verbose("kernel read buffer of the wiped entry refilled (%zu bytes)", total);
out:
	if (r < 0 && r != -EIO)
		log_err("cannot refill the kernel read buffer of the wiped entry: %s",
			strerror(-r));
	secure_free(&b);
	secrets_release(s);
	return r;
}

const char *secrets_strerror(int r)
{
	switch (r) {
	case -ENOENT:
		return "not present";
	case -ENODATA:
		return "empty";
	case -EFBIG:
		return "larger than " STR(SECRET_MAX_SIZE) " bytes";
	case -EISDIR:
		return "is a directory";
	case -EINVAL:
		return "not a regular file";
	default:
		return strerror(-r);
	}
}

int secrets_exists(struct secrets *s, const struct guid *g)
{
	char path[PATH_MAX];
	struct stat sb;
	int r;

	r = entry_path(s, g, path, sizeof(path));
	if (r < 0)
		return r;
	if (lstat(path, &sb) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}

int secrets_wipe(struct secrets *s, const struct guid *g)
{
	char path[PATH_MAX];
	int r;

	r = entry_path(s, g, path, sizeof(path));
	if (r < 0)
		return r;
	r = unlink(path) == 0 ? 0 :
	    errno == ENOENT || errno == ENOTDIR ? 1 : -errno;
	/*
	 * Gone meanwhile (another wipe): the copy we read is still to scrub.
	 * Only efi_secret has a kernel buffer to refill (a --secrets-dir file
	 * keeps its bytes after an unlink).
	 */
	if (r >= 0 && s->fd >= 0 && guid_equal(&s->fd_guid, g)) {
		int rs = s->system ? scrub(s) : 0;

		secrets_release(s);
		if (rs < 0)
			return rs;
	}
	return r;
}
