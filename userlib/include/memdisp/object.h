/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memdisp/object.h - a minimal stand-in for QEMU's QOM Object
 *
 * Only what the memory API needs: a reference count, a finalizer called
 * when it drops to zero, and a parent/child link so that an owner's
 * child regions are unparented when the owner is finalized.
 *
 * Embed Object as the FIRST member of a structure to make OBJECT() work.
 */
#ifndef MEMDISP_OBJECT_H
#define MEMDISP_OBJECT_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Object Object;

struct Object {
	const char *type;		/* free-form type name, may be NULL */
	void (*finalize)(Object *obj);	/* called when ref drops to 0 */
	unsigned long ref;
	Object *parent;			/* set while the object is parented */
	Object *children;		/* first child */
	Object *sibling;		/* next child of the same parent */
	bool unparented;
};

#define OBJECT(obj) ((Object *)(obj))

/**
 * object_initialize_simple() - set up an embedded Object with ref 1
 * @obj: the object
 * @type: a type name shown by mtree_info(owner=true), or NULL
 * @finalize: called when the last reference goes, or NULL
 */
void object_initialize_simple(Object *obj, const char *type,
			      void (*finalize)(Object *obj));

/* object_ref() - take a reference on @obj (NULL is allowed). */
Object *object_ref(void *obj);

/* object_unref() - drop a reference; finalizes at zero (NULL allowed). */
void object_unref(void *obj);

/**
 * object_unparent() - drop the reference the parent (or the creator, for a
 * parentless object) holds.  For a MemoryRegion this destroys it once
 * nothing else references it, as in QEMU.  Calling it twice is a no-op.
 */
void object_unparent(Object *obj);

/* object_property_add_child_simple() - make @parent hold a ref on @child. */
void object_add_child(Object *parent, Object *child);

#ifdef __cplusplus
}
#endif

#endif /* MEMDISP_OBJECT_H */
