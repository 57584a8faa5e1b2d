-- wrk script of bench/stream-range.mjs: every request asks for a random range of RANGE_LENGTH bytes
-- of a FILE_BYTES-byte file, and a response other than 206 counts as an error.
local size = tonumber(os.getenv("FILE_BYTES"))
local length = tonumber(os.getenv("RANGE_LENGTH"))

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local start = math.random(0, size - length)
  return wrk.format("GET", nil, { Range = "bytes=" .. start .. "-" .. (start + length - 1) })
end
