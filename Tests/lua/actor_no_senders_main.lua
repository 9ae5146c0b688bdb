-- The main actor waiting in receive when its last address goes raises (Emilua);
-- uncaught, the main fiber fails: reported, exit status 1 (it used to end silently with 0).
local inbox = require 'inbox'
if _CONTEXT == 'worker' then inbox:receive(); return end
spawn_vm('.'):send({ from = inbox })
inbox:receive()
print('never printed')
