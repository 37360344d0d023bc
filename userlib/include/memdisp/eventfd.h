/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/eventfd.h - EventNotifier (an eventfd), as in QEMU's
 * qemu/event_notifier.h (Linux only: one eventfd is both ends).
 */
#ifndef MEMDISP_EVENTFD_H
#define MEMDISP_EVENTFD_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct EventNotifier {
	int rfd;
	int wfd;
	bool initialized;
} EventNotifier;

/**
 * event_notifier_init() - create the eventfd
 * @e: the notifier
 * @active: start signalled
 *
 * Return: 0, or -errno.
 */
int event_notifier_init(EventNotifier *e, int active);
/* event_notifier_cleanup() - close the eventfd (idempotent). */
void event_notifier_cleanup(EventNotifier *e);
/* event_notifier_set() - signal; 0 or -errno. */
int event_notifier_set(EventNotifier *e);
/* event_notifier_test_and_clear() - 1 if it was signalled, 0 if not. */
int event_notifier_test_and_clear(EventNotifier *e);
/* event_notifier_get_fd() - the file descriptor. */
int event_notifier_get_fd(const EventNotifier *e);

#ifdef __cplusplus
}
#endif

#endif /* MEMDISP_EVENTFD_H */
