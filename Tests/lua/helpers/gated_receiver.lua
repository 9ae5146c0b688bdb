-- An actor that receives nothing until its gate opens, so a test can fill its
-- inbox without racing it. The gate is a Unix socket named after the process
-- (every VM of one run shares the pid). The line read from the gate says what
-- next: "drain N": receive N messages (the first one is `{reply = address}`)
-- and send back the array of the others; "quit": end without receiving.
-- Required from a main script, it gives the test side (`open_gate`, `fill`).
local socket = require 'socket'
local inbox = require 'inbox'
local sleep = require('time').sleep

local function gate_path()
  local pid = io.open('/proc/self/stat'):read('*l'):match('^%d+')
  return '/tmp/moonbase-gate-' .. pid .. '.sock'
end

if _CONTEXT == 'worker' then
  local gate = assert(socket.connect('unix', gate_path()))
  local order = assert(gate:readline())
  gate:close()
  local n = tonumber(order:match('^drain (%d+)$'))
  if not n then return end
  local reply = inbox:receive().reply
  local got = {}
  for _ = 2, n do got[#got + 1] = inbox:receive() end
  reply:send(got)
  return
end

local M = {}

-- Listens on the gate; close the result when done.
function M.open_gate()
  os.remove(gate_path())
  return assert(socket.listen('unix', gate_path()))
end

-- Spawns a gated actor (`opts` for spawn_vm) and a fiber sending it `total`
-- messages (the first is the reply address); returns the actor, the gate
-- connection and a function giving how many sends have returned so far.
function M.start(gate, opts, total, on_result)
  local actor = spawn_vm('helpers.gated_receiver', opts)
  local conn = assert(gate:accept())
  local state = { sent = 0 }
  state.sender = spawn(function()
    local ok, err = actor:send({ reply = inbox })
    if ok then state.sent = 1 end
    for i = 2, total do
      ok, err = actor:send(i)
      if not ok then return err end
      state.sent = i
    end
    return 'all sent'
  end)
  return actor, conn, state
end

-- Waits until the sender stops advancing (the gated actor cannot drain its
-- inbox meanwhile, so the count is final) and returns it.
function M.wait_blocked(state)
  local last = -1
  while state.sent ~= last do last = state.sent; sleep(0.05) end
  return state.sent
end

-- How many of `total` messages went in before the sender blocked, and whether
-- all of them arrived in order once the gate opened.
function M.fill(gate, opts, total)
  local _, conn, state = M.start(gate, opts, total)
  local blocked_at = M.wait_blocked(state)
  conn:write('drain ' .. total .. '\n')
  state.sender:join()
  local got = inbox:receive()
  local in_order = #got == total - 1
  for i, v in ipairs(got) do in_order = in_order and v == i + 1 end
  conn:close()
  return blocked_at, in_order
end

return M
