-- Prints what a script gets as arguments (CommandLineTests runs it): arg[0],
-- then arg[1..n] and the chunk's `...`, one per line.
local n = select('#', ...)
print('arg[0] ' .. arg[0]:match('[^/]*$'), '#arg ' .. #arg, '#... ' .. n)
for i = 1, #arg do print(i, arg[i], (select(i, ...))) end
