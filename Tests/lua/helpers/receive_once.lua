-- For spawn_vm_oom: an actor that waits for one message.
require('inbox'):receive()
