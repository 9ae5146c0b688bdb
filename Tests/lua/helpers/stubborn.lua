-- For ShutdownTests: a fiber that cannot be interrupted keeps shutdown waiting.
spawn(function() this_fiber.disable_interruption(); require('time').sleep(30) end)
print('running')
