/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "guest memory" a vhost-user back-end sees: one memfd this process
 * owns and shares through SET_MEM_TABLE, holding a shadow split vring per
 * queue and, per ring slot, an indirect descriptor table and a data
 * buffer that a kernel request is copied into.
 *
 * Guest physical addresses are offsets into the memfd (the one region
 * starts at guest address 0); the ring addresses of SET_VRING_ADDR are
 * this process's own virtual addresses, as the protocol wants.
 *
 * Every request takes one ring descriptor (an indirect one), so a shadow
 * ring as large as the kernel's queue never runs out: the driver cannot
 * have more requests in flight than its ring has descriptors.
 */
#ifndef VHOST_USER_MEM_H
#define VHOST_USER_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

#include "vl_channel.h"

/* What a ring slot remembers of the kernel request it carries. */
struct vu_slot {
	uint64_t id;
	uint32_t out_len;
	uint32_t in_len;
	bool busy;
};

struct vu_ring {
	uint32_t num;			/* descriptors, a power of 2 */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint64_t tables_gpa;		/* num indirect tables */
	uint64_t data_gpa;		/* num data buffers */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;		/* the next avail entry we publish */
	uint16_t last_used;		/* the next used entry we consume */
	uint32_t *free;			/* a stack of free slots */
	uint32_t nfree;
	struct vu_slot *slots;
};

struct vu_mem {
	int fd;				/* the memfd */
	uint8_t *base;
	size_t size;
	size_t slot_bytes;		/* the data buffer of one slot */
	uint32_t nrings;
	struct vu_ring *rings;
};

/*
 * Create the memfd for @nrings rings of @num descriptors whose requests
 * carry at most @slot_bytes bytes.  The file is sparse: only the pages
 * requests touch take memory.  0 or -errno.
 */
int vu_mem_create(struct vu_mem *mem, uint32_t nrings, uint32_t num,
		  size_t slot_bytes);
void vu_mem_destroy(struct vu_mem *mem);

/* Empty every ring, as before the back-end first saw it. */
void vu_mem_reset(struct vu_mem *mem);

/* This process's address of guest address @gpa (which must be valid). */
static inline uint64_t vu_mem_uaddr(const struct vu_mem *mem, uint64_t gpa)
{
	return (uint64_t)(uintptr_t)(mem->base + gpa);
}

/*
 * Copy @req into a free slot of @ring with the same segment layout and
 * publish it.  Returns the slot, or a negative errno: -ENOSPC (no free
 * slot), -E2BIG (larger than a slot), -EINVAL (a layout a ring cannot
 * carry: no segments, or segments that contradict the lengths).
 */
int vu_ring_add(struct vu_mem *mem, struct vu_ring *ring,
		const struct vl_request *req);

/*
 * The next used entry: 1 with its slot in *slot and the back-end's used
 * length in *len, 0 when there is none, -EPROTO (with @why set) when the
 * back-end wrote something impossible into the used ring.
 */
int vu_ring_next_used(struct vu_ring *ring, uint32_t *slot, uint32_t *len,
		      const char **why);

/* The in-data the back-end wrote for @slot (its in_len bytes). */
const uint8_t *vu_ring_in_data(const struct vu_mem *mem,
			       const struct vu_ring *ring, uint32_t slot);

void vu_ring_release(struct vu_ring *ring, uint32_t slot);

#endif /* VHOST_USER_MEM_H */
