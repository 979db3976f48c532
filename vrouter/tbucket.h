/*
 * tbucket.c: token bucket rate limiter on a caller-supplied clock.
 */
#ifndef VROUTER_TBUCKET_H
#define VROUTER_TBUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct tbucket {
	uint64_t	 rate;		/* tokens per second */
	uint64_t	 burst;
	uint64_t	 tokens_milli;	/* thousandths of a token */
	uint64_t	 last_ns;
};
void	 tb_init(struct tbucket *, uint64_t rate, uint64_t burst,
	    uint64_t now_ns);
bool	 tb_take(struct tbucket *, uint64_t now_ns);

#endif /* VROUTER_TBUCKET_H */
