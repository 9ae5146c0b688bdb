--! args: --threads 1
-- docs/GUIDE.md, "Logging and timers": a heartbeat every 50 ms, logged as
-- JSON to a file, stopped after three beats.
local log = require 'log'
local time = require 'time'

local path = os.tmpname()
assert(log.configure{ format = 'json', file = path })

local beats = 0
local heartbeat
heartbeat = time.every(0.05, function()
  beats = beats + 1
  log.info('heartbeat', { beat = beats })
  if beats == 3 then heartbeat:cancel() end
end)
time.after(0.5, function()
  -- the writer thread appends in the background: by now the lines are there
  for line in io.lines(path) do print((line:gsub('"time":"[^"]*",', ''))) end
  os.remove(path)
end)
