-- require 'signal': wait for, ignore or reset TERM, INT, HUP, USR1, USR2
-- (Swift half: Modules/Signal/, defaults in Runtime/SignalHub.swift).
local raw, rt = ...
return { wait = rt.suspending(raw.wait), ignore = raw.ignore, reset = raw.reset }
