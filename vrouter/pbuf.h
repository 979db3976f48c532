/*
 * pbuf.c: preallocated frame buffers with headroom for inserting
 * headers in place.  The pool is filled at start; the data path takes
 * and returns buffers and never allocates.
 */
#ifndef VROUTER_PBUF_H
#define VROUTER_PBUF_H

#include <sys/uio.h>

#include <stdint.h>

#include "vnet.h"

struct iface;

#define PBUF_HEADROOM	128
#define PBUF_DATA	(65536 + 128)
#define DEFAULT_PBUFS	1024

struct pbuf {
	struct pbuf		*next;		/* free list and queues */
	struct iface		*in;		/* receiving interface */
	struct virtio_net_hdr	 vnet;		/* offload metadata */
	uint8_t			*data;		/* Ethernet header */
	uint32_t		 len;
	uint64_t		 due_ns;	/* emulated link: leaves then */
	struct iface		*out;		/* io_uring: written to */
	struct iovec		 iov[2];	/* io_uring: vnet, frame */
	uint8_t			 mem[PBUF_HEADROOM + PBUF_DATA];
};

void	 pbuf_pool_init(unsigned int count);
struct pbuf *pbuf_alloc(void);		/* NULL when the pool is empty */
void	 pbuf_free(struct pbuf *);
unsigned int pbuf_available(void);
/* Append pb to the queue *head .. *tail (both NULL when empty). */
/* Free a list linked by next (NULL: nothing). */
void	 pbuf_free_chain(struct pbuf *);
void	 pbuf_append(struct pbuf **head, struct pbuf **tail, struct pbuf *);

#endif /* VROUTER_PBUF_H */
