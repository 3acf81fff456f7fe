// SPDX-License-Identifier: GPL-2.0
/*
 * The shared memory of the vhost-user bridge and its shadow vrings.
 *
 * Layout of the memfd, ring after ring, each part page-aligned:
 *   descriptor table | avail ring | used ring |
 *   num indirect tables of VIRTIO_LOOPBACK_MAX_SEGS entries |
 *   num data buffers of slot_bytes
 * A slot's data buffer holds its segments back to back: the out-data as
 * one block, then the in-data as one block, so a request is copied in and
 * its answer copied out with one memcpy each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vhost_user_mem.h"

#define VU_PAGE			4096u
#define VU_TABLE_BYTES		(VIRTIO_LOOPBACK_MAX_SEGS * sizeof(struct vring_desc))

static uint64_t vu_page_align(uint64_t n)
{
	return (n + VU_PAGE - 1) & ~(uint64_t)(VU_PAGE - 1);
}

/* Place one ring's parts from @at; returns where the next ring starts. */
static uint64_t vu_ring_place(struct vu_ring *ring, uint32_t num,
			      size_t slot_bytes, uint64_t at)
{
	ring->num = num;
	ring->desc_gpa = at;
	at += vu_page_align(sizeof(struct vring_desc) * num);
	ring->avail_gpa = at;
	at += vu_page_align(sizeof(struct vring_avail) + 2 * num + 2);
	ring->used_gpa = at;
	at += vu_page_align(sizeof(struct vring_used) +
			    sizeof(struct vring_used_elem) * num + 2);
	ring->tables_gpa = at;
	at += (uint64_t)VU_TABLE_BYTES * num;
	ring->data_gpa = at;
	return at + (uint64_t)slot_bytes * num;
}

static int vu_ring_alloc(struct vu_ring *ring)
{
	ring->free = calloc(ring->num, sizeof(*ring->free));
	ring->slots = calloc(ring->num, sizeof(*ring->slots));
	return ring->free && ring->slots ? 0 : -ENOMEM;
}

static void vu_ring_map(const struct vu_mem *mem, struct vu_ring *ring)
{
	ring->desc = (struct vring_desc *)(mem->base + ring->desc_gpa);
	ring->avail = (struct vring_avail *)(mem->base + ring->avail_gpa);
	ring->used = (struct vring_used *)(mem->base + ring->used_gpa);
}

/* Every slot free, the last freed one first so few pages get touched. */
static void vu_ring_reset(struct vu_ring *ring)
{
	uint32_t i;

	memset(ring->desc, 0, sizeof(struct vring_desc) * ring->num);
	memset(ring->avail, 0, sizeof(struct vring_avail) + 2 * ring->num + 2);
	memset(ring->used, 0, sizeof(struct vring_used) +
	       sizeof(struct vring_used_elem) * ring->num + 2);
	ring->avail_idx = 0;
	ring->last_used = 0;
	for (i = 0; i < ring->num; i++) {
		ring->free[i] = ring->num - 1 - i;
		ring->slots[i].busy = false;
	}
	ring->nfree = ring->num;
}

int vu_mem_create(struct vu_mem *mem, uint32_t nrings, uint32_t num,
		  size_t slot_bytes)
{
	uint64_t size = 0;
	uint32_t i;

	memset(mem, 0, sizeof(*mem));
	mem->fd = -1;
	mem->slot_bytes = vu_page_align(slot_bytes);
	mem->nrings = nrings;
	mem->rings = calloc(nrings, sizeof(*mem->rings));
	if (!mem->rings)
		return -ENOMEM;
	for (i = 0; i < nrings; i++) {
		size = vu_ring_place(&mem->rings[i], num, mem->slot_bytes,
				     size);
		if (vu_ring_alloc(&mem->rings[i]))
			return -ENOMEM;
	}
	mem->size = size;
	/* Not MFD_ALLOW_SEALING: the back-end maps it writable, shared. */
	mem->fd = memfd_create("vl-vhost-user", MFD_CLOEXEC);
	if (mem->fd < 0 || ftruncate(mem->fd, size))
		return -errno;
	mem->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE, mem->fd, 0);
	if (mem->base == MAP_FAILED) {
		mem->base = NULL;
		return -errno;
	}
	for (i = 0; i < nrings; i++)
		vu_ring_map(mem, &mem->rings[i]);
	vu_mem_reset(mem);
	return 0;
}

void vu_mem_destroy(struct vu_mem *mem)
{
	uint32_t i;

	if (mem->base)
		munmap(mem->base, mem->size);
	if (mem->fd >= 0)
		close(mem->fd);
	for (i = 0; mem->rings && i < mem->nrings; i++) {
		free(mem->rings[i].free);
		free(mem->rings[i].slots);
	}
	free(mem->rings);
	memset(mem, 0, sizeof(*mem));
	mem->fd = -1;
}

void vu_mem_reset(struct vu_mem *mem)
{
	uint32_t i;

	for (i = 0; i < mem->nrings; i++)
		vu_ring_reset(&mem->rings[i]);
}

/* Readable segments first, and their lengths add up to what was said. */
static int vu_check_layout(const struct vl_request *req)
{
	uint64_t out = 0, in = 0;
	uint32_t i;

	if (!req->nsegs || req->nsegs > VIRTIO_LOOPBACK_MAX_SEGS)
		return -EINVAL;
	for (i = 0; i < req->nsegs; i++) {
		if (req->segs[i].flags & VIRTIO_LOOPBACK_SEG_WRITE)
			in += req->segs[i].len;
		else if (in)
			return -EINVAL;
		else
			out += req->segs[i].len;
	}
	return out == req->out_len && in == req->in_len ? 0 : -EINVAL;
}

/* The slot's indirect table: one descriptor per segment, in order. */
static void vu_fill_table(struct vu_mem *mem, struct vu_ring *ring,
			  uint32_t slot, const struct vl_request *req)
{
	struct vring_desc *table = (struct vring_desc *)
		(mem->base + ring->tables_gpa + (uint64_t)VU_TABLE_BYTES * slot);
	uint64_t addr = ring->data_gpa + (uint64_t)mem->slot_bytes * slot;
	uint32_t i;

	for (i = 0; i < req->nsegs; i++) {
		uint16_t flags = 0;

		if (req->segs[i].flags & VIRTIO_LOOPBACK_SEG_WRITE)
			flags |= VRING_DESC_F_WRITE;
		if (i + 1 < req->nsegs)
			flags |= VRING_DESC_F_NEXT;
		table[i].addr = addr;
		table[i].len = req->segs[i].len;
		table[i].flags = flags;
		table[i].next = i + 1 < req->nsegs ? i + 1 : 0;
		addr += req->segs[i].len;
	}
	ring->desc[slot].addr = ring->tables_gpa +
				(uint64_t)VU_TABLE_BYTES * slot;
	ring->desc[slot].len = req->nsegs * sizeof(struct vring_desc);
	ring->desc[slot].flags = VRING_DESC_F_INDIRECT;
	ring->desc[slot].next = 0;
}

int vu_ring_add(struct vu_mem *mem, struct vu_ring *ring,
		const struct vl_request *req)
{
	uint8_t *data;
	uint32_t slot;

	if (vu_check_layout(req))
		return -EINVAL;
	if ((uint64_t)req->out_len + req->in_len > mem->slot_bytes)
		return -E2BIG;
	if (!ring->nfree)
		return -ENOSPC;
	slot = ring->free[--ring->nfree];
	data = mem->base + ring->data_gpa + (uint64_t)mem->slot_bytes * slot;
	memcpy(data, req->out, req->out_len);
	/* What the back-end leaves unwritten reads as zeros, not old data. */
	memset(data + req->out_len, 0, req->in_len);
	vu_fill_table(mem, ring, slot, req);
	ring->slots[slot] = (struct vu_slot){
		.id = req->id, .out_len = req->out_len,
		.in_len = req->in_len, .busy = true,
	};
	ring->avail->ring[ring->avail_idx % ring->num] = slot;
	/* The back-end must see the descriptors before the new index. */
	__atomic_store_n(&ring->avail->idx, ++ring->avail_idx,
			 __ATOMIC_RELEASE);
	return slot;
}

int vu_ring_next_used(struct vu_ring *ring, uint32_t *slot, uint32_t *len,
		      const char **why)
{
	uint16_t idx = __atomic_load_n(&ring->used->idx, __ATOMIC_ACQUIRE);
	const struct vring_used_elem *e;

	if (idx == ring->last_used)
		return 0;
	if ((uint16_t)(idx - ring->last_used) > ring->num - ring->nfree) {
		*why = "used index ran ahead of the requests in flight";
		return -EPROTO;
	}
	e = &ring->used->ring[ring->last_used % ring->num];
	*slot = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	*len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
	if (*slot >= ring->num || !ring->slots[*slot].busy) {
		*why = "used entry names a descriptor not in flight";
		return -EPROTO;
	}
	if (*len > ring->slots[*slot].in_len) {
		*why = "used length is larger than the writable buffers";
		return -EPROTO;
	}
	ring->last_used++;
	return 1;
}

const uint8_t *vu_ring_in_data(const struct vu_mem *mem,
			       const struct vu_ring *ring, uint32_t slot)
{
	return mem->base + ring->data_gpa + (uint64_t)mem->slot_bytes * slot +
	       ring->slots[slot].out_len;
}

void vu_ring_release(struct vu_ring *ring, uint32_t slot)
{
	ring->slots[slot].busy = false;
	ring->free[ring->nfree++] = slot;
}
