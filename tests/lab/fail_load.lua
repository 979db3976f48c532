-- wrk script of test_fail_load.sh: every request on a connection of its
-- own (the test passes -H "Connection: close"), and one line per
-- request sent ("<ms> Q") and per response ("<ms> A <status> <body>"),
-- wall-clock milliseconds, in $FAIL_LOAD_LOG.<thread>.  A Q with no A
-- before the next Q of its thread is a request that failed (connect
-- error, reset, timeout): wrk has no callback for those.
local ffi = require("ffi")
ffi.cdef[[
struct fl_timeval { long tv_sec; long tv_usec; };
int gettimeofday(struct fl_timeval *, void *);
]]
local tv = ffi.new("struct fl_timeval")

local function now_ms()
	ffi.C.gettimeofday(tv, nil)
	return tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)
end

local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("id", threads)
end

local log, req
function init(args)
	log = assert(io.open(os.getenv("FAIL_LOAD_LOG") .. "." .. id, "w"))
	req = wrk.format()
end

function request()
	log:write(now_ms(), " Q\n")
	log:flush()
	return req
end

function response(status, headers, body)
	local name = (body or ""):gsub("%s", "")
	log:write(now_ms(), " A ", status, " ", name, "\n")
	log:flush()
end
