--
-- Wireshark dissector for E-BB messages (docs/ebb.md, "Wire format"):
-- the extended bandwidth brokers' DISCOVER, ANSWER and reservation
-- messages, UDP port 5300.
--
--   wireshark -X lua_script:tools/wireshark/ebb.lua -r lab.pcap
--   tshark -X lua_script:tools/wireshark/ebb.lua -r lab.pcap -V
--
-- or copy it, with hmac-sha256.lua, into the personal Lua plugins
-- folder.  Display filter field prefix: "ebb", e.g.
-- ebb.type == 2 && ebb.load > 50.
--
-- Tags are checked when keys are set in the protocol preferences
-- ("keys": a 64-digit hex key for every key id, or "id=hex,id=hex"),
-- over the IPv6 source address and the bytes before the tag
-- (hmac-sha256.lua, beside this file, computes them).
-- What the codec (common/ebb_proto.c) would refuse whatever the tag is
-- marked "Malformed message" (severity error): length, version, type,
-- path and hop count, and the field rules.
--

local HDR_LEN = 72
local TAG_LEN = 32
local MAX_PATH = 16

local p = Proto("ebb", "E-BB (extended bandwidth broker)")

local msg_types = {
	[1] = "DISCOVER", [2] = "ANSWER", [3] = "RESERVE",
	[4] = "RESERVE_ACK", [5] = "RESERVE_NAK", [6] = "RELEASE",
}
-- Bytes of type-specific fields between the header and the path.
local type_len = { [1] = 0, [2] = 20, [3] = 8, [4] = 8, [5] = 8, [6] = 8 }

local f = {
	version = ProtoField.uint8("ebb.version", "Version"),
	type = ProtoField.uint8("ebb.type", "Message type", base.DEC,
	    msg_types),
	key_id = ProtoField.uint16("ebb.key_id", "Key id"),
	flags = ProtoField.uint16("ebb.flags", "Flags", base.HEX),
	npath = ProtoField.uint8("ebb.npath", "Routers in the path"),
	hops = ProtoField.uint8("ebb.hops", "Hops"),
	seq = ProtoField.uint64("ebb.seq", "Sequence"),
	sender = ProtoField.ipv6("ebb.sender", "Sender"),
	req_id = ProtoField.uint32("ebb.req_id", "Request id", base.HEX),
	bw = ProtoField.uint32("ebb.bw_mbit",
	    "Widest residual bandwidth (Mbit/s)"),
	origin = ProtoField.ipv6("ebb.origin", "Origin"),
	group = ProtoField.ipv6("ebb.group", "Group"),
	server = ProtoField.ipv6("ebb.server", "Server"),
	load = ProtoField.uint8("ebb.load", "Server load (%)"),
	pad = ProtoField.bytes("ebb.pad", "Padding"),
	kbit = ProtoField.uint32("ebb.kbit", "Bandwidth reserved (kbit/s)"),
	lifetime = ProtoField.uint32("ebb.lifetime_ms", "Lifetime (ms)"),
	path = ProtoField.none("ebb.path", "Path"),
	router = ProtoField.ipv6("ebb.path.router", "Router"),
	tag = ProtoField.bytes("ebb.tag", "Tag (HMAC-SHA256)"),
	tag_ok = ProtoField.bool("ebb.tag_ok", "Tag valid"),
}
p.fields = {}
for _, v in pairs(f) do table.insert(p.fields, v) end

local e_malformed = ProtoExpert.new("ebb.malformed", "Malformed message",
    expert.group.MALFORMED, expert.severity.ERROR)
local e_bad_tag = ProtoExpert.new("ebb.bad_tag", "Tag does not verify",
    expert.group.SECURITY, expert.severity.WARN)
p.experts = { e_malformed, e_bad_tag }

p.prefs.keys = Pref.string("Keys", "",
    "64 hex digits (every key id), or id=hex pairs separated by commas")

-- HMAC-SHA256 and the keys preference, from the file beside this one.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or ""
local crypto = dofile(here .. "hmac-sha256.lua")
local ipv6_src = Field.new("ipv6.src")

local UNSPEC = string.rep("\0", 16)
local LOOPBACK = string.rep("\0", 15) .. "\1"

-- Mark item malformed: the expert item, and "[Malformed]" in Info.
local malformed
local function bad(item, text)
	item:add_proto_expert_info(e_malformed, text)
	malformed = true
end

local function not_unicast(raw)
	return raw == UNSPEC or raw == LOOPBACK or raw:byte(1) == 0xff
end

local function dissect_fields(buf, t, mtype)
	local v = buf(HDR_LEN, type_len[mtype])
	if mtype == 2 then
		local st = t:add(f.server, v(0, 16))
		local lt = t:add(f.load, v(16, 1))
		t:add(f.pad, v(17, 3))
		if not_unicast(v(0, 16):raw()) then
			bad(st, "Server is unspecified, loopback or multicast")
		end
		if v(16, 1):uint() > 100 then
			bad(lt, "Load over 100 %")
		end
	elseif mtype >= 3 then
		t:add(f.kbit, v(0, 4))
		t:add(f.lifetime, v(4, 4))
	end
end

local function dissect_path(buf, t, off, npath)
	local pt = t:add(f.path, buf(off, 16 * npath))
	pt:set_text("Path: " .. npath .. (npath == 1 and " router" or
	    " routers"))
	for i = 0, npath - 1 do
		local ri = pt:add(f.router, buf(off + 16 * i, 16))
		ri:append_text(i == 0 and " (origin)" or "")
	end
end

-- The tag, checked under the key of the header's key id if one is set.
local function dissect_tag(buf, t, len)
	local tagr = buf(len - TAG_LEN, TAG_LEN)
	local tt = t:add(f.tag, tagr)
	local srcs = { ipv6_src() }
	local src = srcs[#srcs]
	local key = crypto.key_for(p.prefs.keys, buf(2, 2):uint())
	if not (key and src and src.range) then
		tt:append_text(" [not checked: no key]")
		return
	end
	local ok = crypto.hmac_sha256(key, src.range:raw() ..
	    buf(0, len - TAG_LEN):raw()) == tagr:raw()
	tt:add(f.tag_ok, tagr, ok):set_generated()
	if not ok then tt:add_proto_expert_info(e_bad_tag) end
end

function p.dissector(buf, pinfo, tree)
	local len = buf:len()
	if len == 0 then return 0 end
	malformed = false
	local t = tree:add(p, buf())
	pinfo.cols.protocol:set("E-BB")

	if len < HDR_LEN + TAG_LEN then
		bad(t, "Shorter than header and tag (" .. len .. " bytes)")
		pinfo.cols.info:set("E-BB, " .. len .. " bytes [Malformed]")
		return len
	end
	local mtype = buf(1, 1):uint()
	local npath = buf(6, 1):uint()
	local hops = buf(7, 1):uint()
	local tname = msg_types[mtype] or ("type " .. mtype)

	pinfo.cols.info:set(tname .. " req 0x" ..
	    string.format("%08x", buf(32, 4):uint()) .. " group " ..
	    tostring(buf(56, 16):ipv6()) .. " hops " .. hops .. ", " ..
	    buf(36, 4):uint() .. " Mbit/s")
	t:append_text(", " .. tname)

	local vt = t:add(f.version, buf(0, 1))
	local ty = t:add(f.type, buf(1, 1))
	t:add(f.key_id, buf(2, 2))
	t:add(f.flags, buf(4, 2))
	local nt = t:add(f.npath, buf(6, 1))
	local ht = t:add(f.hops, buf(7, 1))
	t:add(f.seq, buf(8, 8))
	t:add(f.sender, buf(16, 16))
	t:add(f.req_id, buf(32, 4))
	t:add(f.bw, buf(36, 4))
	t:add(f.origin, buf(40, 16))
	local gt = t:add(f.group, buf(56, 16))

	if buf(0, 1):uint() ~= 1 then
		bad(vt, "Unknown version")
	end
	if not type_len[mtype] then
		bad(ty, "Unknown type")
	end
	if npath > MAX_PATH then
		bad(nt, "Path longer than " .. MAX_PATH .. " routers")
	end
	if hops > MAX_PATH then
		bad(ht, "Hop count over " .. MAX_PATH)
	end
	if not_unicast(buf(56, 16):raw()) then
		bad(gt, "Group is unspecified, loopback or multicast")
	end
	local want = type_len[mtype] and npath <= MAX_PATH and
	    HDR_LEN + type_len[mtype] + 16 * npath + TAG_LEN
	if not want then
		t:add(f.tag, buf(len - TAG_LEN, TAG_LEN))
	elseif len ~= want then
		bad(t, "Length " .. len ..
		    " bytes, but a " .. tname .. " with " .. npath ..
		    " routers has " .. want)
	else
		dissect_fields(buf, t, mtype)
		dissect_path(buf, t, HDR_LEN + type_len[mtype], npath)
		dissect_tag(buf, t, len)
	end
	if malformed then pinfo.cols.info:append(" [Malformed]") end
	return len
end

DissectorTable.get("udp.port"):add(5300, p)
