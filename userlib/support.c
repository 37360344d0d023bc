// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Support types of libmemdisp: Error, Object, Notifier, EventNotifier.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "memdisp-internal.h"

struct Error {
	char *msg;
	const char *src;
	const char *func;
	int line;
};

/* Only the addresses of these matter. */
Error *error_abort;
Error *error_fatal;

static void error_handle(Error **errp, Error *err)
{
	if (errp == &error_abort) {
		fprintf(stderr, "memdisp: unexpected error in %s() at %s:%d: %s\n",
			err->func, err->src, err->line, err->msg);
		abort();
	}
	if (errp == &error_fatal) {
		fprintf(stderr, "memdisp: %s\n", err->msg);
		exit(1);
	}
	if (!errp) {
		error_free(err);
		return;
	}
	if (*errp) {
		/* QEMU asserts; keep the first error, as the caller expects. */
		error_free(err);
		return;
	}
	*errp = err;
}

static void error_vsetg(Error **errp, const char *src, int line,
			const char *func, const char *suffix,
			const char *fmt, va_list ap)
{
	Error *err;
	char *msg = NULL;
	int n;

	err = calloc(1, sizeof(*err));
	if (!err)
		md_oom();
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		md_oom();
	if (suffix) {
		char *full = NULL;

		if (asprintf(&full, "%s: %s", msg, suffix) < 0)
			md_oom();
		free(msg);
		msg = full;
	}
	err->msg = msg;
	err->src = src;
	err->line = line;
	err->func = func;
	error_handle(errp, err);
}

void error_setg_internal(Error **errp, const char *src, int line,
			 const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vsetg(errp, src, line, func, NULL, fmt, ap);
	va_end(ap);
}

void error_setg_errno_internal(Error **errp, const char *src, int line,
			       const char *func, int os_errno,
			       const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	error_vsetg(errp, src, line, func, strerror(os_errno), fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *error_get_pretty(const Error *err)
{
	return err->msg;
}

void error_free(Error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}

void error_propagate(Error **dst_errp, Error *local_err)
{
	if (!local_err)
		return;
	error_handle(dst_errp, local_err);
}

void error_report_err(Error *err)
{
	if (!err)
		return;
	fprintf(stderr, "memdisp: %s\n", err->msg);
	error_free(err);
}

/* Object ------------------------------------------------------------- */

void object_initialize_simple(Object *obj, const char *type,
			      void (*finalize)(Object *obj))
{
	memset(obj, 0, sizeof(*obj));
	obj->type = type;
	obj->finalize = finalize;
	obj->ref = 1;
}

Object *object_ref(void *opaque)
{
	Object *obj = opaque;

	if (!obj)
		return NULL;
	obj->ref++;
	return obj;
}

static void object_detach_child(Object *parent, Object *child)
{
	Object **pp;

	for (pp = &parent->children; *pp; pp = &(*pp)->sibling) {
		if (*pp == child) {
			*pp = child->sibling;
			child->sibling = NULL;
			child->parent = NULL;
			return;
		}
	}
}

void object_unref(void *opaque)
{
	Object *obj = opaque;

	if (!obj)
		return;
	if (obj->ref == 0) {
		fprintf(stderr, "memdisp: object %p: reference count underflow\n",
			(void *)obj);
		abort();
	}
	if (--obj->ref)
		return;
	/* Children hold their own reference from their parent: drop them. */
	while (obj->children) {
		Object *child = obj->children;

		object_unparent(child);
		if (obj->children == child)
			object_detach_child(obj, child);
	}
	if (obj->finalize)
		obj->finalize(obj);
}

void object_add_child(Object *parent, Object *child)
{
	if (!parent || !child || child->parent)
		return;
	child->parent = parent;
	child->sibling = parent->children;
	parent->children = child;
}

void object_unparent(Object *obj)
{
	if (!obj || obj->unparented)
		return;
	obj->unparented = true;
	if (obj->parent)
		object_detach_child(obj->parent, obj);
	object_unref(obj);
}

/* Notifier ----------------------------------------------------------- */

void notifier_list_init(NotifierList *list)
{
	list->first = NULL;
}

void notifier_list_add(NotifierList *list, Notifier *notifier)
{
	notifier->next = list->first;
	if (list->first)
		list->first->pprev = &notifier->next;
	list->first = notifier;
	notifier->pprev = &list->first;
}

void notifier_remove(Notifier *notifier)
{
	if (!notifier->pprev)
		return;
	if (notifier->next)
		notifier->next->pprev = notifier->pprev;
	*notifier->pprev = notifier->next;
	notifier->next = NULL;
	notifier->pprev = NULL;
}

void notifier_list_notify(NotifierList *list, void *data)
{
	Notifier *n, *next;

	for (n = list->first; n; n = next) {
		next = n->next;
		n->notify(n, data);
	}
}

int notifier_list_empty(NotifierList *list)
{
	return list->first == NULL;
}

/* EventNotifier ------------------------------------------------------ */

int event_notifier_init(EventNotifier *e, int active)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	e->rfd = fd;
	e->wfd = fd;
	e->initialized = true;
	if (active)
		event_notifier_set(e);
	return 0;
}

void event_notifier_cleanup(EventNotifier *e)
{
	if (!e->initialized)
		return;
	close(e->rfd);
	e->rfd = -1;
	e->wfd = -1;
	e->initialized = false;
}

int event_notifier_set(EventNotifier *e)
{
	uint64_t one = 1;
	ssize_t r;

	do {
		r = write(e->wfd, &one, sizeof(one));
	} while (r < 0 && errno == EINTR);
	if (r < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

int event_notifier_test_and_clear(EventNotifier *e)
{
	uint64_t v;
	ssize_t r;

	do {
		r = read(e->rfd, &v, sizeof(v));
	} while (r < 0 && errno == EINTR);
	return r == sizeof(v) && v != 0;
}

int event_notifier_get_fd(const EventNotifier *e)
{
	return e->rfd;
}
