/*
 * The flow table's index: buckets of signatures and slots, spare
 * buckets for the rare overflow, and the memory behind both.
 */
#include <sys/mman.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "flow_index.h"

/* A huge page: big arrays are mapped on its boundaries. */
#define FLOW_HUGE_PAGE		(2u << 20)
/* Flows per bucket, at most, in a full table. */
#define FLOW_BUCKET_LOAD	4

/*
 * Zeroed memory for an array, aligned for its cache lines, every page
 * touched: no page fault later on the packet path.  From
 * FLOW_HUGE_PAGE up it is mapped on a huge-page boundary and advised
 * for huge pages, which spares TLB misses in a large table (*mapped
 * says how much to unmap); smaller ones come from the heap (*mapped is
 * 0), where the sanitizers see them.
 */
void *
flow_mem_alloc(size_t size, size_t *mapped)
{
	size_t	 len, head;
	char	*p;

	if (size < FLOW_HUGE_PAGE) {
		size = (size + 63) & ~(size_t)63;
		if ((p = aligned_alloc(64, size)) == NULL)
			fatal("%s: %zu bytes", __func__, size);
		memset(p, 0, size);
		*mapped = 0;
		return p;
	}
	len = (size + FLOW_HUGE_PAGE - 1) & ~(size_t)(FLOW_HUGE_PAGE - 1);
	p = mmap(NULL, len + FLOW_HUGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fatal("%s: mmap %zu bytes", __func__, len);
	head = (FLOW_HUGE_PAGE - (uintptr_t)p % FLOW_HUGE_PAGE) %
	    FLOW_HUGE_PAGE;
	if (head > 0)
		munmap(p, head);
	munmap(p + head + len, FLOW_HUGE_PAGE - head);
	p += head;
	/* Only advice: without transparent huge pages, small pages. */
	(void)madvise(p, len, MADV_HUGEPAGE);
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 0;
	*mapped = len;
	return p;
}

void
flow_mem_free(void *p, size_t mapped)
{
	if (mapped > 0)
		munmap(p, mapped);
	else
		free(p);
}

/*
 * Buckets: a power of two, at least a quarter of the capacity.  Spares:
 * enough for the worst case, every flow in one chain, though only a
 * few are ever used.
 */
void
flow_index_init(struct flow_index *ix, uint32_t capacity)
{
	uint64_t	 nb = 2;		/* a shift by 64 would be undefined */
	unsigned int	 bits = 1;

	while (nb * FLOW_BUCKET_LOAD < capacity) {
		nb <<= 1;
		bits++;
	}
	memset(ix, 0, sizeof(*ix));
	ix->nbuckets = (uint32_t)nb;
	ix->shift = 64 - bits;
	ix->spare_fresh = ix->nbuckets;
	ix->spare_end = ix->nbuckets + capacity / FLOW_BUCKET_SLOTS + 1;
	ix->buckets = flow_mem_alloc((size_t)ix->spare_end *
	    sizeof(*ix->buckets), &ix->mapped);

	if (getrandom(ix->key, sizeof(ix->key), GRND_NONBLOCK) !=
	    sizeof(ix->key)) {
		uint64_t	 x = mono_ns() ^ (uint64_t)(uintptr_t)ix;

		for (size_t i = 0; i < NITEMS(ix->key); i++) {
			x = x * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
			ix->key[i] = x ^ x >> 31;
		}
	}
	/* A zero multiplier would drop the last word. */
	ix->key[5] |= 1;
}

void
flow_index_free(struct flow_index *ix)
{
	flow_mem_free(ix->buckets, ix->mapped);
}

/* Slot i (a flow index) under hash: the first empty slot of its chain. */
void
flow_index_add(struct flow_index *ix, uint64_t hash, uint32_t i)
{
	struct flow_bucket	*b = flow_index_bucket(ix, hash);
	uint32_t		 n;

	for (;;) {
		for (int s = 0; s < FLOW_BUCKET_SLOTS; s++) {
			if (b->slot[s] == 0) {
				b->sig[s] = flow_index_sig(hash);
				b->slot[s] = i + 1;
				return;
			}
		}
		if (b->next == 0)
			break;
		b = &ix->buckets[b->next];
	}
	if ((n = ix->spare_free) != 0)
		ix->spare_free = ix->buckets[n].next;
	else if (ix->spare_fresh < ix->spare_end)
		n = ix->spare_fresh++;
	else
		fatalx("%s: no spare bucket", __func__);
	memset(&ix->buckets[n], 0, sizeof(ix->buckets[n]));
	ix->buckets[n].sig[0] = flow_index_sig(hash);
	ix->buckets[n].slot[0] = i + 1;
	b->next = n;
}

static bool
flow_bucket_empty(const struct flow_bucket *b)
{
	for (int s = 0; s < FLOW_BUCKET_SLOTS; s++)
		if (b->slot[s] != 0)
			return false;
	return true;
}

/* Take slot i out; a spare left empty goes back to the spares. */
void
flow_index_del(struct flow_index *ix, uint64_t hash, uint32_t i)
{
	struct flow_bucket	*b = flow_index_bucket(ix, hash), *prev = NULL;
	uint32_t		 n;

	for (;;) {
		for (int s = 0; s < FLOW_BUCKET_SLOTS; s++) {
			if (b->slot[s] != i + 1)
				continue;
			b->slot[s] = 0;
			if (prev != NULL && flow_bucket_empty(b)) {
				n = prev->next;
				prev->next = b->next;
				b->next = ix->spare_free;
				ix->spare_free = n;
			}
			return;
		}
		if (b->next == 0)
			break;
		prev = b;
		b = &ix->buckets[b->next];
	}
	fatalx("%s: flow %u not in its bucket", __func__, i);
}
