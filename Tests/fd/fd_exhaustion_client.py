# The client half of FDExhaustionTests: PORT PID. Holds 1000 connections to a
# server limited to 64 descriptors, samples its CPU time, lets go, then needs
# 20 requests answered within 10 s. Prints one line per check.
import socket, sys, time

port, pid = int(sys.argv[1]), int(sys.argv[2])

def cpu():
    fields = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0

held = []
for _ in range(1000):
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    held.append(s)
time.sleep(0.5)
before = cpu()
time.sleep(1.0)
used = cpu() - before
print('cpu while exhausted below 0.5 s', used < 0.5, used)
for s in held:
    s.close()

start, answered = time.time(), 0
while answered < 20 and time.time() - start < 10:
    try:
        s = socket.create_connection(('127.0.0.1', port), timeout=1)
        s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        reply = s.recv(4096)
        s.close()
        if b'hello' in reply:
            answered += 1
            continue
    except OSError:
        pass
    time.sleep(0.05)
print('answered after recovery', answered, 'within', round(time.time() - start, 1), 's')
sys.exit(0 if used < 0.5 and answered == 20 else 1)
