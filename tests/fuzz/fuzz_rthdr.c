/*
 * libFuzzer target for routing-header insertion and removal.
 *
 * The input is an Ethernet frame.  Its first 10 bytes, the MAC
 * addresses that no parser reads, double as offload metadata
 * (struct virtio_net_hdr), so the fuzzer varies both at once.
 *
 *  1. rthdr_peek() on an exactly sized copy agrees with pkt_parse().
 *  2. rthdr_insert() in every mode, with and without the metadata, into
 *     a copy with headroom: a refusal changes nothing (and, without
 *     metadata, happens only for a reason the frame shows); a success
 *     re-parses with the header in place, and rthdr_remove() gives back
 *     the input and the metadata exactly.
 *  3. rthdr_remove() on the input: a refusal changes nothing; a success
 *     re-parses with the same upper layer.
 * Any disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"
#include "rthdr.h"
#include "fuzz_util.h"

#define FZ_HEADROOM	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct in6_addr fz_u = {
	.s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10 }
};

static const enum rh_mode fz_modes[] = {
	RH_MODE_EXP, RH_MODE_RH0, RH_MODE_SRH, RH_MODE_NONE
};

static uint8_t
fz_type(enum rh_mode mode)
{
	return mode == RH_MODE_EXP ? RH_TYPE_EXP :
	    mode == RH_MODE_RH0 ? RH_TYPE_RH0 : RH_TYPE_SRH;
}

/* Copy the input behind a patterned headroom. */
static uint8_t *
fz_copy(const uint8_t *data, size_t size)
{
	uint8_t	*mem = malloc(FZ_HEADROOM + size);

	if (mem == NULL)
		abort();
	for (size_t i = 0; i < FZ_HEADROOM; i++)
		mem[i] = (uint8_t)(0x5a ^ i);
	memcpy(mem + FZ_HEADROOM, data, size);
	return mem;
}

/* Is the headroom pattern intact in its first keep bytes? */
static bool
fz_headroom_kept(const uint8_t *mem, size_t keep)
{
	for (size_t i = 0; i < keep; i++)
		if (mem[i] != (uint8_t)(0x5a ^ i))
			return false;
	return true;
}

static bool
fz_untouched(const uint8_t *mem, const uint8_t *data, size_t size)
{
	return fz_headroom_kept(mem, FZ_HEADROOM) &&
	    memcmp(mem + FZ_HEADROOM, data, size) == 0;
}

static void
fz_insert(const uint8_t *data, size_t size, enum rh_mode mode,
    const struct virtio_net_hdr *vin, const struct pkt *p0, bool parsed)
{
	struct virtio_net_hdr	 v, *vp = NULL;
	struct pkt		 p;
	struct in6_addr		 a;
	uint8_t			*mem, *d, type, segleft;
	uint32_t		 len = (uint32_t)size;
	size_t			 n = rthdr_len(mode);
	int			 r;

	if (vin != NULL) {
		v = *vin;
		vp = &v;
	}
	mem = fz_copy(data, size);
	d = mem + FZ_HEADROOM;
	r = rthdr_insert(&d, &len, FZ_HEADROOM, vp, mode, &fz_u);

	if (r == -1 || mode == RH_MODE_NONE) {
		if ((mode == RH_MODE_NONE && r != 0) ||
		    d != mem + FZ_HEADROOM || len != size ||
		    !fz_untouched(mem, data, size) ||
		    (vp != NULL && memcmp(&v, vin, sizeof(v)) != 0))
			abort();
		/* Without metadata, refused only for what the frame shows. */
		if (r == -1 && vp == NULL && parsed && p0->rh_off == 0 &&
		    p0->n_ext < PKT_MAX_EXT_HDRS &&
		    p0->ip_len - IP6_HLEN + n <= IP6_MAX_PAYLOAD)
			abort();
		free(mem);
		return;
	}

	if (r != (int)n || !parsed || d != mem + FZ_HEADROOM - n ||
	    len != size + n || !fz_headroom_kept(mem, FZ_HEADROOM - n))
		abort();
	if (pkt_parse(d, len, &p) != DROP_NONE || p.rh_off == 0 ||
	    p.rh_type != fz_type(mode) || p.ip_len != p0->ip_len + n ||
	    p.proto != p0->proto || p.l4_off != p0->l4_off + n ||
	    p.l4_len != p0->l4_len ||
	    memcmp(d + p.l4_off, data + p0->l4_off, p.l4_len) != 0)
		abort();
	if (rthdr_peek(d, len, &type, &segleft, &a) != 0 ||
	    type != fz_type(mode) ||
	    segleft != (mode == RH_MODE_SRH ? 1 : 0) ||
	    memcmp(&a, &fz_u, sizeof(a)) != 0)
		abort();
	if (vp != NULL && (v.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    v.csum_start != vin->csum_start + n)
		abort();

	/* And back again, exactly (the headroom keeps what moved there). */
	if (rthdr_remove(&d, &len, vp) != r || d != mem + FZ_HEADROOM ||
	    len != size || memcmp(d, data, size) != 0 ||
	    (vp != NULL && memcmp(&v, vin, sizeof(v)) != 0))
		abort();
	free(mem);
}

static void
fz_remove(const uint8_t *data, size_t size, const struct pkt *p0,
    bool parsed)
{
	struct pkt	 p;
	uint8_t		*mem, *d;
	uint32_t	 len = (uint32_t)size;
	int		 r;

	mem = fz_copy(data, size);
	d = mem + FZ_HEADROOM;
	r = rthdr_remove(&d, &len, NULL);
	if (r == -1) {
		if (d != mem + FZ_HEADROOM || len != size ||
		    !fz_untouched(mem, data, size))
			abort();
	} else {
		if (r <= 0 || !parsed || p0->rh_off == 0 ||
		    d != mem + FZ_HEADROOM + r || len != size - (size_t)r)
			abort();
		if (pkt_parse(d, len, &p) != DROP_NONE ||
		    p.ip_len != p0->ip_len - (uint32_t)r ||
		    p.proto != p0->proto || p.l4_len != p0->l4_len ||
		    p.n_ext != p0->n_ext - 1 ||
		    memcmp(d + p.l4_off, data + p0->l4_off, p.l4_len) != 0)
			abort();
	}
	free(mem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr	 vnet;
	struct pkt		 p0;
	struct in6_addr		 a;
	uint8_t			*copy, type, segleft;
	bool			 parsed;

	if (size > 70000)
		return 0;

	/* 1. Peek from an exactly sized copy: any overread is reported. */
	if ((copy = fz_exact_copy(data, size)) == NULL)
		return 0;
	parsed = pkt_parse(copy, size, &p0) == DROP_NONE;
	if (rthdr_peek(copy, size, &type, &segleft, &a) == 0 &&
	    (!parsed || p0.rh_off == 0 || p0.rh_type != type ||
	    p0.rh_segleft != segleft))
		abort();
	free(copy);

	/* 2. Insert in every mode, then remove. */
	memset(&vnet, 0, sizeof(vnet));
	if (size >= sizeof(vnet))
		memcpy(&vnet, data, sizeof(vnet));
	for (size_t m = 0; m < sizeof(fz_modes) / sizeof(fz_modes[0]); m++) {
		fz_insert(data, size, fz_modes[m], NULL, &p0, parsed);
		fz_insert(data, size, fz_modes[m], &vnet, &p0, parsed);
	}

	/* 3. Remove from the input. */
	fz_remove(data, size, &p0, parsed);
	return 0;
}
