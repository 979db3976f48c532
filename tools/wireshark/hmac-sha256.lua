--
-- SHA-256 and HMAC-SHA256 over Lua strings (Lua 5.2, bit32), and the
-- "keys" preference of the dissectors that check tags
-- (anycast-member.lua, ebb.lua), which load this file from their own
-- folder: keep it beside them.
--

local band, bor, bxor, bnot = bit32.band, bit32.bor, bit32.bxor, bit32.bnot
local rrot, rsh = bit32.rrotate, bit32.rshift
local K = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

local function be32(n)
	return string.char(band(rsh(n, 24), 255), band(rsh(n, 16), 255),
	    band(rsh(n, 8), 255), band(n, 255))
end

local function sha256(msg)
	local h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
	local bits = #msg * 8
	msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) ..
	    be32(math.floor(bits / 2^32)) .. be32(bits % 2^32)
	local w = {}
	for c = 1, #msg, 64 do
		for i = 0, 15 do
			local b1, b2, b3, b4 = msg:byte(c + 4 * i, c + 4 * i + 3)
			w[i] = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
		end
		for i = 16, 63 do
			local s0 = bxor(rrot(w[i - 15], 7), rrot(w[i - 15], 18),
			    rsh(w[i - 15], 3))
			local s1 = bxor(rrot(w[i - 2], 17), rrot(w[i - 2], 19),
			    rsh(w[i - 2], 10))
			w[i] = (w[i - 16] + s0 + w[i - 7] + s1) % 2^32
		end
		local a, b, c2, d, e, f2, g, hh =
		    h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
		for i = 0, 63 do
			local S1 = bxor(rrot(e, 6), rrot(e, 11), rrot(e, 25))
			local ch = bxor(band(e, f2), band(bnot(e), g))
			local t1 = (hh + S1 + ch + K[i + 1] + w[i]) % 2^32
			local S0 = bxor(rrot(a, 2), rrot(a, 13), rrot(a, 22))
			local maj = bxor(band(a, b), band(a, c2), band(b, c2))
			local t2 = (S0 + maj) % 2^32
			hh, g, f2, e = g, f2, e, (d + t1) % 2^32
			d, c2, b, a = c2, b, a, (t1 + t2) % 2^32
		end
		h[1] = (h[1] + a) % 2^32; h[2] = (h[2] + b) % 2^32
		h[3] = (h[3] + c2) % 2^32; h[4] = (h[4] + d) % 2^32
		h[5] = (h[5] + e) % 2^32; h[6] = (h[6] + f2) % 2^32
		h[7] = (h[7] + g) % 2^32; h[8] = (h[8] + hh) % 2^32
	end
	local out = {}
	for i = 1, 8 do out[i] = be32(h[i]) end
	return table.concat(out)
end

local function hmac_sha256(key, msg)
	if #key > 64 then key = sha256(key) end
	key = key .. string.rep("\0", 64 - #key)
	local ik, ok = {}, {}
	for i = 1, 64 do
		local b = key:byte(i)
		ik[i] = string.char(bxor(b, 0x36))
		ok[i] = string.char(bxor(b, 0x5c))
	end
	return sha256(table.concat(ok) .. sha256(table.concat(ik) .. msg))
end

local function unhex(s)
	if not s:match("^%x+$") or #s ~= 64 then return nil end
	return (s:gsub("%x%x", function(x)
		return string.char(tonumber(x, 16))
	end))
end

-- The key for key id from a "keys" preference: 64 hex digits (every
-- key id), or id=hex pairs separated by commas; nil when none.
local function key_for(pref, id)
	pref = (pref or ""):gsub("%s", "")
	if pref == "" then return nil end
	if not pref:find("=") then return unhex(pref) end
	for kid, hex in pref:gmatch("(%d+)=(%x+)") do
		if tonumber(kid) == id then return unhex(hex) end
	end
	return nil
end

return { sha256 = sha256, hmac_sha256 = hmac_sha256, key_for = key_for }
