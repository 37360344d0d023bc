/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/notify.h - Notifier / NotifierList as in QEMU's qemu/notify.h
 */
#ifndef MEMDISP_NOTIFY_H
#define MEMDISP_NOTIFY_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Notifier Notifier;

struct Notifier {
	void (*notify)(Notifier *notifier, void *data);
	Notifier *next;
	Notifier **pprev;
};

typedef struct NotifierList {
	Notifier *first;
} NotifierList;

#define NOTIFIER_LIST_INITIALIZER(head) { NULL }

/* notifier_list_init() - empty @list. */
void notifier_list_init(NotifierList *list);
/* notifier_list_add() - add @notifier at the head of @list. */
void notifier_list_add(NotifierList *list, Notifier *notifier);
/* notifier_remove() - remove @notifier from whatever list holds it. */
void notifier_remove(Notifier *notifier);
/* notifier_list_notify() - call every notifier (removal while called is safe). */
void notifier_list_notify(NotifierList *list, void *data);
/* notifier_list_empty() - true if @list has no notifier. */
int notifier_list_empty(NotifierList *list);

#ifdef __cplusplus
}
#endif

#endif /* MEMDISP_NOTIFY_H */
