--
-- Wireshark dissector for the anycast membership protocol
-- (docs/protocol.md): ICMPv6 type 200, code 0.
--
--   wireshark -X lua_script:tools/wireshark/anycast-member.lua -r lab.pcap
--   tshark -X lua_script:tools/wireshark/anycast-member.lua -r lab.pcap -V
--
-- or copy it, with hmac-sha256.lua, into the personal Lua plugins
-- folder.  Display filter field prefix: "anycast_member", e.g.
-- anycast_member.type == 1.
--
-- The ICMPv6 dissector offers no table keyed by ICMPv6 type, so this
-- one takes IPv6 next header 58 over, lets the stock ICMPv6 dissector
-- do its work (type, code, checksum), and adds the body of type 200.
--
-- Tags are checked when keys are set in the protocol preferences
-- ("keys": a 64-digit hex key for every key id, or "id=hex,id=hex").
-- A REJECT is also checked against the all-zero key, which a router
-- uses to answer a JOIN it could not authenticate (section 5).
--
-- What the codec (vrouter/member_proto.c) would refuse is marked
-- "Malformed message" (severity error): framing, version, type,
-- addresses, and the TLV rules of section 4.  TLVs a message type does
-- not define are shown as skipped, as receivers skip them, and are not
-- decoded into the value fields.
--

local MP_TYPE = 200
local HDR_LEN = 48
local TAG_LEN = 32
local MAX_TLV = 256

local p = Proto("anycast_member", "Anycast Membership Protocol")

local msg_types = {
	[1] = "JOIN", [2] = "ACCEPT", [3] = "REJECT", [4] = "LEAVE",
	[5] = "LEAVE_ACK", [6] = "ANNOUNCE", [7] = "SESSION", [8] = "REPORT",
	[9] = "FLOW_QUERY", [10] = "FLOW_CLAIM",
}
local reasons = {
	[1] = "bad tag", [2] = "unknown key", [3] = "unknown group",
	[4] = "replay", [5] = "group full", [6] = "not on-link",
	[7] = "malformed", [8] = "rate limited", [9] = "not a member",
}
local session_ops = { [1] = "start", [2] = "end" }
local health_vals = { [0] = "down", [1] = "up" }

-- TLV type -> name, value length, field name
local tlv_defs = {
	[1] = { "REASON", 1 },
	[2] = { "SESSION_OP", 1 },
	[3] = { "SESSIONS", 4 },
	[4] = { "LOAD", 1 },
	[5] = { "CAPACITY", 4 },
	[6] = { "HEALTH", 1 },
	[7] = { "WEIGHT", 2 },
	[8] = { "HOLD_TIME", 2 },
	[9] = { "BANDWIDTH", 4 },
	[10] = { "INTERVAL", 2 },
	[11] = { "FLOW", 21 },
}
local tlv_names = {}
for t, d in pairs(tlv_defs) do tlv_names[t] = d[1] end

-- TLVs defined for each message type (section 3); receivers skip others.
local tlv_allowed = {
	[1] = { [3] = true, [5] = true, [7] = true, [8] = true, [9] = true,
	    [10] = true },
	[2] = { [8] = true, [10] = true },
	[3] = { [1] = true },
	[4] = {}, [5] = {}, [6] = {},
	[7] = { [2] = true, [3] = true },
	[8] = { [3] = true, [4] = true, [5] = true, [6] = true, [7] = true,
	    [9] = true },
	[9] = { [11] = true }, [10] = { [11] = true },
}
local MAX_TYPE = 10

-- Values out of range (section 4, rule 5), by TLV type.
local tlv_in_range = {
	[1] = function(v) return v ~= 0 end,
	[2] = function(v) return v == 1 or v == 2 end,
	[4] = function(v) return v <= 100 end,
	[6] = function(v) return v <= 1 end,
	[8] = function(v) return v ~= 0 end,
	[10] = function(v) return v ~= 0 end,
}

local f = {
	version = ProtoField.uint8("anycast_member.version", "Version"),
	type = ProtoField.uint8("anycast_member.type", "Message type",
	    base.DEC, msg_types),
	key_id = ProtoField.uint16("anycast_member.key_id", "Key id"),
	flags = ProtoField.uint16("anycast_member.flags", "Flags", base.HEX),
	withdraw = ProtoField.bool("anycast_member.flags.withdraw",
	    "Withdraw", 16, nil, 0x0001),
	tlv_len = ProtoField.uint16("anycast_member.tlv_len", "TLV length"),
	group = ProtoField.ipv6("anycast_member.group", "Group"),
	member = ProtoField.ipv6("anycast_member.member", "Member"),
	seq = ProtoField.uint64("anycast_member.seq", "Sequence"),
	tlv = ProtoField.none("anycast_member.tlv", "TLV"),
	tlv_type = ProtoField.uint8("anycast_member.tlv.type", "Type",
	    base.DEC, tlv_names),
	tlv_vlen = ProtoField.uint8("anycast_member.tlv.len", "Length"),
	tlv_value = ProtoField.bytes("anycast_member.tlv.value", "Value"),
	reason = ProtoField.uint8("anycast_member.reason", "Reason",
	    base.DEC, reasons),
	session_op = ProtoField.uint8("anycast_member.session_op",
	    "Session operation", base.DEC, session_ops),
	sessions = ProtoField.uint32("anycast_member.sessions", "Sessions"),
	load = ProtoField.uint8("anycast_member.load", "Load (%)"),
	capacity = ProtoField.uint32("anycast_member.capacity", "Capacity"),
	health = ProtoField.uint8("anycast_member.health", "Health",
	    base.DEC, health_vals),
	weight = ProtoField.uint16("anycast_member.weight", "Weight"),
	hold_time = ProtoField.uint16("anycast_member.hold_time",
	    "Hold time (s)"),
	bandwidth = ProtoField.uint32("anycast_member.bandwidth",
	    "Residual bandwidth (Mbit/s)"),
	interval = ProtoField.uint16("anycast_member.interval",
	    "Report interval (ms)"),
	flow = ProtoField.bytes("anycast_member.flow", "Flow"),
	flow_client = ProtoField.ipv6("anycast_member.flow.client",
	    "Client"),
	flow_cport = ProtoField.uint16("anycast_member.flow.cport",
	    "Client port"),
	flow_gport = ProtoField.uint16("anycast_member.flow.gport",
	    "Group port"),
	flow_proto = ProtoField.uint8("anycast_member.flow.proto",
	    "Protocol"),
	tag = ProtoField.bytes("anycast_member.tag", "Tag"),
	tag_ok = ProtoField.bool("anycast_member.tag_ok", "Tag valid"),
	tag_zero_key = ProtoField.bool("anycast_member.tag_zero_key",
	    "Tagged with the all-zero key (unauthenticated)"),
}
local tlv_field = {
	[1] = f.reason, [2] = f.session_op, [3] = f.sessions, [4] = f.load,
	[5] = f.capacity, [6] = f.health, [7] = f.weight, [8] = f.hold_time,
	[9] = f.bandwidth, [10] = f.interval,
}
p.fields = {}
for _, v in pairs(f) do table.insert(p.fields, v) end

local e_malformed = ProtoExpert.new("anycast_member.malformed",
    "Malformed message", expert.group.MALFORMED, expert.severity.ERROR)
local e_hlim = ProtoExpert.new("anycast_member.hop_limit",
    "Hop limit is not 255: receivers drop this message",
    expert.group.PROTOCOL, expert.severity.WARN)
local e_ip6 = ProtoExpert.new("anycast_member.ip6",
    "Addresses not allowed for this message: receivers drop it",
    expert.group.PROTOCOL, expert.severity.WARN)
local e_bad_tag = ProtoExpert.new("anycast_member.bad_tag",
    "Tag does not verify", expert.group.SECURITY, expert.severity.WARN)
local e_zero_key = ProtoExpert.new("anycast_member.zero_key",
    "Tagged with the all-zero key: information only, not authoritative",
    expert.group.SECURITY, expert.severity.NOTE)
local e_skipped = ProtoExpert.new("anycast_member.tlv_skipped",
    "TLV not defined for this message type: receivers skip it",
    expert.group.PROTOCOL, expert.severity.NOTE)
p.experts = { e_malformed, e_hlim, e_ip6, e_bad_tag, e_zero_key,
    e_skipped }

p.prefs.keys = Pref.string("Keys", "",
    "64 hex digits (every key id), or id=hex pairs separated by commas")

local ipv6_src = Field.new("ipv6.src")
local ipv6_dst = Field.new("ipv6.dst")
local ipv6_hlim = Field.new("ipv6.hlim")

-- HMAC-SHA256 and the keys preference, from the file beside this one.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or ""
local crypto = dofile(here .. "hmac-sha256.lua")
local hmac_sha256 = crypto.hmac_sha256

-- Key for a key id from the preference, or nil.
local function key_for(id)
	return crypto.key_for(p.prefs.keys, id)
end

local function last_field(fe)
	local all = { fe() }
	return all[#all]
end

local ZERO_KEY = string.rep("\0", 32)
local UNSPEC = string.rep("\0", 16)
local LOOPBACK = string.rep("\0", 15) .. "\1"
local ALL_NODES = "\255\2" .. string.rep("\0", 13) .. "\1"

-- Unspecified, loopback or multicast: refused as group, member, source
-- and (but for ANNOUNCE) destination.
local function not_unicast(raw)
	return raw == UNSPEC or raw == LOOPBACK or raw:byte(1) == 0xff
end

-- Step 2 of a receiver (section 8): hop limit and addresses.
local function check_ip6(t, mtype)
	local hl = last_field(ipv6_hlim)
	if hl and hl.value ~= 255 then t:add_proto_expert_info(e_hlim) end
	local src, dst = last_field(ipv6_src), last_field(ipv6_dst)
	if not (src and dst and src.range and dst.range) then return end
	local d = dst.range:raw()
	if not_unicast(src.range:raw()) then
		t:add_proto_expert_info(e_ip6, "Source not unicast")
	end
	if mtype == 6 and d ~= ALL_NODES then
		t:add_proto_expert_info(e_ip6, "ANNOUNCE not sent to ff02::1")
	elseif mtype ~= 6 and not_unicast(d) then
		t:add_proto_expert_info(e_ip6, "Destination not unicast")
	end
end

-- The TLV area, by the rules of section 4.
local function dissect_tlvs(body, t, mtype, tend)
	local allowed = tlv_allowed[mtype] or {}
	local seen = {}
	local off = HDR_LEN
	while off < tend do
		if tend - off < 2 then
			t:add_proto_expert_info(e_malformed, "Cut TLV header")
			return
		end
		local tt, tl = body(off, 1):uint(), body(off + 1, 1):uint()
		if tl > tend - off - 2 then
			t:add_proto_expert_info(e_malformed,
			    "TLV overruns the TLV area")
			return
		end
		local def = tlv_defs[tt]
		local st = t:add(f.tlv, body(off, 2 + tl))
		st:set_text(def and def[1] or ("Unknown TLV " .. tt ..
		    ", length " .. tl))
		st:add(f.tlv_type, body(off, 1))
		st:add(f.tlv_vlen, body(off + 1, 1))
		if not (def and allowed[tt]) then
			-- Rule 2: unknown, or not defined for this type.
			if tl > 0 then st:add(f.tlv_value, body(off + 2, tl)) end
			st:append_text(" (skipped)")
			st:add_proto_expert_info(e_skipped)
		elseif tl ~= def[2] then
			if tl > 0 then st:add(f.tlv_value, body(off + 2, tl)) end
			st:add_proto_expert_info(e_malformed,
			    "Wrong length for " .. def[1] .. ": " .. tl ..
			    " instead of " .. def[2])
		elseif tt == 11 then
			-- FLOW: the connection as the client sent it.
			local v = body(off + 2, tl)
			local ft = st:add(f.flow, v)
			ft:add(f.flow_client, v(0, 16))
			ft:add(f.flow_cport, v(16, 2))
			ft:add(f.flow_gport, v(18, 2))
			ft:add(f.flow_proto, v(20, 1))
			st:append_text(": [" .. tostring(v(0, 16):ipv6()) ..
			    "]:" .. v(16, 2):uint() .. " -> port " ..
			    v(18, 2):uint() .. ", protocol " .. v(20, 1):uint())
			if seen[tt] then
				st:add_proto_expert_info(e_malformed,
				    "FLOW appears twice")
			end
			if not_unicast(v(0, 16):raw()) or v(20, 1):uint() == 0 then
				st:add_proto_expert_info(e_malformed,
				    "FLOW out of range: client not unicast " ..
				    "or protocol 0")
			end
			seen[tt] = true
		else
			local vi = st:add(tlv_field[tt], body(off + 2, tl))
			st:append_text(": " .. vi.text:gsub("^[^:]*: ", ""))
			local v = body(off + 2, tl):uint()
			if seen[tt] then
				st:add_proto_expert_info(e_malformed,
				    def[1] .. " appears twice")
			end
			if tlv_in_range[tt] and not tlv_in_range[tt](v) then
				st:add_proto_expert_info(e_malformed,
				    def[1] .. " out of range: " .. v)
			end
			seen[tt] = true
		end
		off = off + 2 + tl
	end
	-- Rule 6: required TLVs.
	if mtype == 3 and not seen[1] then
		t:add_proto_expert_info(e_malformed, "REJECT without REASON")
	elseif mtype == 7 and not (seen[2] or seen[3]) then
		t:add_proto_expert_info(e_malformed,
		    "SESSION without SESSION_OP or SESSIONS")
	elseif (mtype == 9 or mtype == 10) and not seen[11] then
		t:add_proto_expert_info(e_malformed,
		    msg_types[mtype] .. " without FLOW")
	end
end

local function tag_of(key, src, body, len)
	return hmac_sha256(key, src .. body(0, len - TAG_LEN):raw())
end

-- The tag: under the configured key, and for a REJECT under the
-- all-zero key of a router that could not authenticate the request.
local function dissect_tag(body, t, mtype, len)
	local tagr = body(len - TAG_LEN, TAG_LEN)
	local tt = t:add(f.tag, tagr)
	local src = last_field(ipv6_src)
	if not (src and src.range) then return end
	local s, tag = src.range:raw(), tagr:raw()
	local key = key_for(body(2, 2):uint())
	local ok
	if key then
		ok = tag_of(key, s, body, len) == tag
		tt:add(f.tag_ok, tagr, ok):set_generated()
	end
	if not ok and mtype == 3 and tag_of(ZERO_KEY, s, body, len) == tag then
		tt:add(f.tag_zero_key, tagr, true):set_generated()
		tt:add_proto_expert_info(e_zero_key)
	elseif key and not ok then
		tt:add_proto_expert_info(e_bad_tag)
	elseif not key then
		tt:append_text(" [not checked: no key]")
	end
end

-- Dissect the body (after the 4-byte ICMPv6 header).
local function dissect_body(body, pinfo, tree)
	local len = body:len()
	local t = tree:add(p, body())

	if len < HDR_LEN + TAG_LEN then
		t:add_proto_expert_info(e_malformed,
		    "Shorter than header and tag (" .. len .. " bytes)")
		return
	end
	local mtype = body(1, 1):uint()
	local tlv_len = body(6, 2):uint()
	local tname = msg_types[mtype] or ("type " .. mtype)

	pinfo.cols.protocol:set("AnycastMP")
	pinfo.cols.info:set(tname .. " group " ..
	    tostring(body(8, 16):ipv6()) .. " member " ..
	    tostring(body(24, 16):ipv6()))
	t:append_text(", " .. tname)

	local vt = t:add(f.version, body(0, 1))
	local ty = t:add(f.type, body(1, 1))
	t:add(f.key_id, body(2, 2))
	local ft = t:add(f.flags, body(4, 2))
	ft:add(f.withdraw, body(4, 2))
	local lt = t:add(f.tlv_len, body(6, 2))
	local gt = t:add(f.group, body(8, 16))
	local mt = t:add(f.member, body(24, 16))
	t:add(f.seq, body(40, 8))
	check_ip6(t, mtype)

	if body(0, 1):uint() ~= 1 then
		vt:add_proto_expert_info(e_malformed, "Unknown version")
	end
	if mtype < 1 or mtype > MAX_TYPE then
		ty:add_proto_expert_info(e_malformed, "Unknown type")
	end
	if not_unicast(body(8, 16):raw()) then
		gt:add_proto_expert_info(e_malformed,
		    "Group is unspecified, loopback or multicast")
	end
	if not_unicast(body(24, 16):raw()) then
		mt:add_proto_expert_info(e_malformed,
		    "Member is unspecified, loopback or multicast")
	end
	if tlv_len > MAX_TLV or HDR_LEN + tlv_len + TAG_LEN ~= len then
		lt:add_proto_expert_info(e_malformed,
		    "TLV length disagrees with message length " .. len)
		return
	end

	dissect_tlvs(body, t, mtype, HDR_LEN + tlv_len)
	dissect_tag(body, t, mtype, len)
end

local ip_proto = DissectorTable.get("ip.proto")
local icmpv6 = ip_proto:get_dissector(58)

function p.dissector(tvb, pinfo, tree)
	local n = icmpv6:call(tvb, pinfo, tree)
	if tvb:len() >= 4 and tvb(0, 1):uint() == MP_TYPE and
	    tvb(1, 1):uint() == 0 then
		if tvb:len() > 4 then
			dissect_body(tvb(4):tvb(), pinfo, tree)
		else
			tree:add(p, tvb(0, 4)):add_proto_expert_info(
			    e_malformed, "Empty body")
		end
	end
	return n
end

ip_proto:add(58, p)
