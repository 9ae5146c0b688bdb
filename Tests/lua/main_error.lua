-- the main fiber failing: message and traceback on stderr, exit status 1
local function deeper() error('main fiber broke') end
print('before')
deeper()
print('never')
