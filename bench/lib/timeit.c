// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timeit - run a command and print how long it took on CLOCK_MONOTONIC, in ns,
 * and (with -d NAME) whether device-mapper device NAME is live afterwards.
 * A tiny static helper for bench/'s initramfs (busybox has no ns clock).
 *
 *   timeit [-d NAME] -- CMD [ARG...]
 *     prints "rc=N ns=T maxrss_kb=R dm=live|suspended|absent" on stdout; exit
 *     status 0. T runs from just before fork() to wait4() returning; rc is the
 *     command's exit code (128+signal when killed, 127 when exec failed); R is
 *     the command's peak resident set size (wait4's ru_maxrss). The command's
 *     stdout goes to stderr, so that stdout holds the result line only.
 *   timeit -n
 *     prints CLOCK_MONOTONIC now, in ns.
 *
 * "live": /sys/block/dm-N/dm/name is NAME and dm/suspended is 0.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static const char *dm_state(const char *name)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	const char *state = "absent";
	char path[512], buf[256];

	if (!d)
		return "absent";
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "dm-", 3))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/name", e->d_name);
		if (read_line(path, buf, sizeof(buf)) < 0 || strcmp(buf, name))
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/dm/suspended", e->d_name);
		state = read_line(path, buf, sizeof(buf)) == 0 && !strcmp(buf, "0") ?
			"live" : "suspended";
		break;
	}
	closedir(d);
	return state;
}

int main(int argc, char **argv)
{
	const char *dm = NULL;
	long long t0, t1;
	int i = 1, status, rc;
	struct rusage ru;
	pid_t pid;

	if (argc == 2 && !strcmp(argv[1], "-n")) {
		printf("%lld\n", now_ns());
		return 0;
	}
	if (i + 1 < argc && !strcmp(argv[i], "-d")) {
		dm = argv[i + 1];
		i += 2;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: timeit [-d NAME] -- CMD [ARG...] | timeit -n\n");
		return 2;
	}
	fflush(stdout);
	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 2;
	}
	if (pid == 0) {
		/* the command's own output goes to stderr: stdout is the result line */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[i], argv + i);
		perror("timeit: exec");
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		;
	t1 = now_ns();
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("rc=%d ns=%lld maxrss_kb=%ld dm=%s\n", rc, t1 - t0, ru.ru_maxrss,
	       dm ? dm_state(dm) : "-");
	return 0;
}
