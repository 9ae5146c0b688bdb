local raw = ...
return {
  version = raw.version(),
  -- the number of worker threads (`--threads`)
  workers = raw.workers,
  -- the 1-based index of the worker running the calling VM
  worker = raw.worker,
}
