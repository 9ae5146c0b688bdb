-- An error report longer than 16 KiB reaches stderr cut to its first 16 KiB
-- and a note of how many bytes were cut (before: a 50 MB message was written
-- in full, with a blocking write on the worker's thread).
local big = string.rep('x', 50 * 1024 * 1024)
spawn(function() error(big, 0) end):detach()
this_fiber.yield()
print('still running')
