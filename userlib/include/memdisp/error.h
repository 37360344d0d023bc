/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/error.h - QEMU-style error reporting (qapi/error.h subset)
 *
 * A function that can fail takes "Error **errp" as its last argument.
 * The caller passes:
 *   NULL           to ignore the error;
 *   &error_abort   to print it and abort() on failure;
 *   &error_fatal   to print it and exit(1) on failure;
 *   &local (Error *local = NULL) to receive it; free it with error_free().
 */
#ifndef MEMDISP_ERROR_H
#define MEMDISP_ERROR_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Error Error;

/* Pass &error_abort / &error_fatal as errp (see above). */
extern Error *error_abort;
extern Error *error_fatal;

void error_setg_internal(Error **errp, const char *src, int line,
			 const char *func, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/**
 * error_setg() - report a new error through @errp
 * @errp: where to store it (see the file comment); *@errp must be NULL
 * @fmt: printf-style message, no trailing newline
 */
#define error_setg(errp, fmt, ...) \
	error_setg_internal((errp), __FILE__, __LINE__, __func__, \
			    (fmt), ##__VA_ARGS__)

/**
 * error_setg_errno() - like error_setg() with ": strerror(errno)" appended
 */
void error_setg_errno_internal(Error **errp, const char *src, int line,
			       const char *func, int os_errno,
			       const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
#define error_setg_errno(errp, os_errno, fmt, ...) \
	error_setg_errno_internal((errp), __FILE__, __LINE__, __func__, \
				  (os_errno), (fmt), ##__VA_ARGS__)

/* error_get_pretty() - the message of @err (owned by @err). */
const char *error_get_pretty(const Error *err);

/* error_free() - free @err; NULL is allowed. */
void error_free(Error *err);

/*
 * error_propagate() - move @local_err into @dst_errp (with the
 * &error_abort / &error_fatal / NULL rules).  @local_err may be NULL.
 */
void error_propagate(Error **dst_errp, Error *local_err);

/* error_report_err() - print "memdisp: MESSAGE" on stderr and free @err. */
void error_report_err(Error *err);

#ifdef __cplusplus
}
#endif

#endif /* MEMDISP_ERROR_H */
