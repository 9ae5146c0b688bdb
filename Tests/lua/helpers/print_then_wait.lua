-- For OutputTests: prints, then waits 5 s; the line must reach a pipe before.
print('early line')
require('time').sleep(5)
print('late line')
