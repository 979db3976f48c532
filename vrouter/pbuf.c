/*
 * Frame buffers, allocated once at start.  Each has PBUF_HEADROOM bytes in
 * front of the frame so that headers can be inserted in place by moving
 * only the Ethernet and IPv6 headers back, never the payload.
 */
#include <stdlib.h>

#include "util.h"
#include "pbuf.h"

static struct pbuf	*pool;
static struct pbuf	*free_list;
static unsigned int	 nfree;

void
pbuf_pool_init(unsigned int count)
{
	pool = xcalloc(count, sizeof(*pool));
	for (unsigned int i = 0; i < count; i++) {
		pool[i].next = free_list;
		free_list = &pool[i];
	}
	nfree = count;
}

struct pbuf *
pbuf_alloc(void)
{
	struct pbuf	*pb;

	if ((pb = free_list) == NULL)
		return NULL;
	free_list = pb->next;
	nfree--;
	pb->next = NULL;
	pb->in = NULL;
	pb->vnet = (struct virtio_net_hdr){ 0 };
	pb->data = pb->mem + PBUF_HEADROOM;
	pb->len = 0;
	return pb;
}

void
pbuf_free(struct pbuf *pb)
{
	if (pb == NULL)
		return;
	pb->next = free_list;
	free_list = pb;
	nfree++;
}

void
pbuf_free_chain(struct pbuf *pb)
{
	struct pbuf	*next;

	for (; pb != NULL; pb = next) {
		next = pb->next;
		pbuf_free(pb);
	}
}

void
pbuf_append(struct pbuf **head, struct pbuf **tail, struct pbuf *pb)
{
	pb->next = NULL;
	if (*tail != NULL)
		(*tail)->next = pb;
	else
		*head = pb;
	*tail = pb;
}

unsigned int
pbuf_available(void)
{
	return nfree;
}
