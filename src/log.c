// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log.c - the one logging helper: stderr, and /dev/kmsg in the initramfs
 * (or, in the token plugin, libcryptsetup's log: log_set_sink()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static enum log_level max_level = LOG_LVL_INFO;
static int use_kmsg;
static log_sink_fn log_sink;

void log_set_level(enum log_level level)
{
	max_level = level;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_set_kmsg(int enable)
{
	use_kmsg = enable;
}

void log_set_sink(log_sink_fn sink)
{
	log_sink = sink;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	/* kmsg priorities: 3 err, 4 warning, 6 info, 7 debug */
	static const int kmsg_prio[] = { 3, 4, 6, 6, 7 };
	char line[512];
	va_list ap;
	int saved_errno = errno;
	int off, n;

	if (level > max_level)
		return;

	off = snprintf(line, sizeof(line), "cocosecret: ");
	va_start(ap, fmt);
	n = vsnprintf(line + off, sizeof(line) - (size_t)off - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	off += n;
	if (off > (int)sizeof(line) - 2)
		off = (int)sizeof(line) - 2;
	/*
	 * One message, one line, and nothing for a terminal to act on: a
	 * message may quote the host's strings (a LUKS header's fields).
	 */
	for (char *p = line; p < line + off; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	line[off++] = '\n';

	if (log_sink) {
		line[off] = '\0';
		log_sink(level, line);
		errno = saved_errno;
		return;
	}
	write_all(STDERR_FILENO, line, (size_t)off);

	if (use_kmsg) {
		char kline[sizeof(line) + 8];
		int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);

		if (fd >= 0) {
			n = snprintf(kline, sizeof(kline), "<%d>%.*s",
				     kmsg_prio[level], off, line);
			if (n > 0)
				write_all(fd, kline, (size_t)n < sizeof(kline) ? (size_t)n : sizeof(kline) - 1);
			close(fd);
		}
	}
	errno = saved_errno;
}
