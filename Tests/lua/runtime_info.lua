--! args: --threads 3
-- require 'moonbase': worker count and the calling VM's worker.
local moonbase = require 'moonbase'
print(moonbase.workers(), type(moonbase.version))
local w = moonbase.worker()
print(w >= 1 and w <= moonbase.workers())
