/*
 * A token bucket: rate tokens per second, at most burst of them, kept
 * in thousandths of a token so that slow rates refill smoothly.
 * Integer arithmetic throughout; time is whatever clock the caller
 * passes (monotonic, or the virtual clock of fixture mode).
 */
#include "tbucket.h"

#define TB_MILLI	1000ull
#define NS_PER_SEC	1000000000ull
/* Nanoseconds per thousandth of a token at one token per second. */
#define NS_PER_MILLI	(NS_PER_SEC / TB_MILLI)
/* So that burst * TB_MILLI cannot overflow. */
#define TB_MAX_BURST	(UINT64_MAX / TB_MILLI)

/* The bucket starts full. */
void
tb_init(struct tbucket *tb, uint64_t rate, uint64_t burst, uint64_t now_ns)
{
	if (burst > TB_MAX_BURST)
		burst = TB_MAX_BURST;
	tb->rate = rate;
	tb->burst = burst;
	tb->tokens_milli = burst * TB_MILLI;
	tb->last_ns = now_ns;
}

static void
tb_refill(struct tbucket *tb, uint64_t now_ns)
{
	unsigned __int128	 add;
	uint64_t		 full = tb->burst * TB_MILLI, elapsed;

	if (now_ns <= tb->last_ns) {
		/*
		 * A clock going backwards refills nothing; counting resumes
		 * from the new time, so a clock that was reset (a replayed
		 * capture) does not leave the bucket dry until it catches up.
		 */
		tb->last_ns = now_ns;
		return;
	}
	elapsed = now_ns - tb->last_ns;
	add = (unsigned __int128)elapsed * tb->rate / NS_PER_MILLI;
	if (add >= full - tb->tokens_milli) {
		tb->tokens_milli = full;
		tb->last_ns = now_ns;
		return;
	}
	if (add == 0)
		return;		/* let the time accumulate */
	tb->tokens_milli += (uint64_t)add;
	/* Advance only by the time those tokens account for. */
	tb->last_ns += (uint64_t)(add * NS_PER_MILLI / tb->rate);
}

/* Take one token if there is one. */
bool
tb_take(struct tbucket *tb, uint64_t now_ns)
{
	if (tb->rate == 0)
		return false;
	tb_refill(tb, now_ns);
	if (tb->tokens_milli < TB_MILLI)
		return false;
	tb->tokens_milli -= TB_MILLI;
	return true;
}
