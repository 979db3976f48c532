/*
 * libFuzzer target for nd_parse_opts(): any input is an NDP option
 * list.  An accepted list must tile the input exactly with options of
 * non-zero length.
 */
#include <stdint.h>
#include <stdlib.h>

#include "pkt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_opts	 o;
	size_t		 off = 0;
	bool		 tiles = true;

	/* What a well-formed list looks like, walked independently. */
	while (off < size) {
		if (size - off < 2 || data[off + 1] == 0 ||
		    data[off + 1] * 8u > size - off) {
			tiles = false;
			break;
		}
		off += data[off + 1] * 8u;
	}
	if (nd_parse_opts(data, size, &o) == 0) {
		if (!tiles)
			abort();
	} else if (tiles)
		abort();
	return 0;
}
