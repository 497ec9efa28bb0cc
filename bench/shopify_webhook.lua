-- wrk script: signed Shopify orders/create webhooks, each a distinct order.
--
-- Every request carries a ~3 KB order body whose last key is a unique "id", a unique
-- X-Shopify-Webhook-Id, and a correct X-Shopify-Hmac-Sha256. Signing 3 KB in Lua per request
-- would load the cores we are measuring, so the body is split: a constant prefix whose length is
-- a multiple of 64 bytes (the SHA-256 block), hashed once at start, and a short tail holding the
-- id. Per request only the tail and the outer HMAC hash are computed (~4 compressions).
--
-- Environment: OP_BENCH_PREFIX (file with the body prefix), OP_BENCH_SECRET, OP_BENCH_SHOP.
local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local ror, rshift, lshift, tobit = bit.ror, bit.rshift, bit.lshift, bit.tobit
local byte, char, concat = string.byte, string.char, table.concat

local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
local IV = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
             0x5be0cd19 }
local W = {}

-- One SHA-256 compression of the 64 bytes of `s` starting at `off` (1-based) into state H.
local function compress(H, s, off)
  for i = 0, 15 do
    local a, b, c, d = byte(s, off + i * 4, off + i * 4 + 3)
    W[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
  end
  for i = 16, 63 do
    local w15, w2 = W[i - 15], W[i - 2]
    local s0 = bxor(ror(w15, 7), ror(w15, 18), rshift(w15, 3))
    local s1 = bxor(ror(w2, 17), ror(w2, 19), rshift(w2, 10))
    W[i] = tobit(W[i - 16] + s0 + W[i - 7] + s1)
  end
  local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
  for i = 0, 63 do
    local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
    local ch = bxor(band(e, f), band(bnot(e), g))
    local t1 = tobit(h + S1 + ch + K[i + 1] + W[i])
    local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
    local maj = bxor(band(a, b), band(a, c), band(b, c))
    h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + tobit(S0 + maj))
  end
  H[1], H[2], H[3], H[4] = tobit(H[1] + a), tobit(H[2] + b), tobit(H[3] + c), tobit(H[4] + d)
  H[5], H[6], H[7], H[8] = tobit(H[5] + e), tobit(H[6] + f), tobit(H[7] + g), tobit(H[8] + h)
end

local function copy(H) return { H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8] } end

-- Finishes a hash whose state H has absorbed `done` bytes (a multiple of 64) with `tail`.
local function finish(H, done, tail)
  local bits = (done + #tail) * 8
  local pad = 64 - ((#tail + 9) % 64)
  if pad == 64 then pad = 0 end
  local len = {}
  for i = 7, 0, -1 do len[#len + 1] = char(math.floor(bits / 2 ^ (i * 8)) % 256) end
  local m = tail .. "\128" .. string.rep("\0", pad) .. concat(len)
  for off = 1, #m, 64 do compress(H, m, off) end
  local out = {}
  for i = 1, 8 do
    local x = H[i]
    out[i] = char(band(rshift(x, 24), 255), band(rshift(x, 16), 255), band(rshift(x, 8), 255),
                  band(x, 255))
  end
  return concat(out)
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = byte(s, i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = B64:sub(c1 + 1, c1 + 1) .. B64:sub(c2 + 1, c2 + 1) ..
        (b and B64:sub(c3 + 1, c3 + 1) or "=") .. (c and B64:sub(c4 + 1, c4 + 1) or "=")
  end
  return concat(out)
end

local function xor_pad(key, v)
  local out = {}
  for i = 1, 64 do out[i] = char(bxor(byte(key, i) or 0, v)) end
  return concat(out)
end

local prefix, secret, shop = nil, os.getenv("OP_BENCH_SECRET"), os.getenv("OP_BENCH_SHOP")
local istate, ostate
local counter, thread_id = 0, 0

local function init_hmac()
  local f = assert(io.open(os.getenv("OP_BENCH_PREFIX"), "rb"))
  prefix = f:read("*a")
  f:close()
  assert(#prefix % 64 == 0, "prefix length must be a multiple of 64")
  istate = copy(IV)
  compress(istate, xor_pad(secret, 0x36), 1)
  for off = 1, #prefix, 64 do compress(istate, prefix, off) end
  ostate = copy(IV)
  compress(ostate, xor_pad(secret, 0x5c), 1)
end

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  init_hmac()
  -- Self-check against Shopify's published vector before measuring anything.
  local saved = { istate, ostate, prefix }
  local ki = copy(IV); compress(ki, xor_pad("test_secret_key", 0x36), 1)
  local ko = copy(IV); compress(ko, xor_pad("test_secret_key", 0x5c), 1)
  local mac = base64(finish(ko, 64, finish(ki, 64, '{"foo": "bar"}')))
  assert(mac == "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", "HMAC self-check failed: " .. mac)
  istate, ostate, prefix = saved[1], saved[2], saved[3]
end

function request()
  counter = counter + 1
  local id = string.format("%d%09d", 7000000000 + thread_id, counter)
  local tail = ',"id":' .. id .. '}'
  local inner = finish(copy(istate), 64 + #prefix, tail)
  local mac = base64(finish(copy(ostate), 64, inner))
  return wrk.format("POST", "/webhooks/shopify", {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = "orders/create",
    ["X-Shopify-Shop-Domain"] = shop,
    ["X-Shopify-Api-Version"] = "2026-04",
    ["X-Shopify-Webhook-Id"] = "bench-" .. id,
    ["X-Shopify-Hmac-Sha256"] = mac,
  }, prefix .. tail)
end
