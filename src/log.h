/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef COCOSECRET_LOG_H
#define COCOSECRET_LOG_H

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_VERBOSE,
	LOG_LVL_DEBUG,
};

/* Messages up to and including this level are printed (default: INFO). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Also copy every message to /dev/kmsg (initramfs). */
void log_set_kmsg(int enable);

/*
 * Send every message to SINK instead of stderr and /dev/kmsg (NULL: back to
 * those).  The token plugin passes them on to libcryptsetup's crypt_log():
 * a library must not write to its caller's stderr.  LINE is the whole
 * message, prefixed and ending in one '\n'.
 */
typedef void (*log_sink_fn)(enum log_level level, const char *line);
void log_set_sink(log_sink_fn sink);

/*
 * The one logging helper: one line, prefixed "cocosecret: ", to stderr.
 * Never pass secret material to it.
 */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_LVL_VERBOSE, __VA_ARGS__)
#define log_dbg(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
