# The client half of ConnectionMemoryTests: PORT PID MODE. Opens 200
# connections that stall the server, then prints the server's resident memory
# growth per connection (KiB) and exits 1 if it is over the bound.
#   pipelined: each sends up to 3 MB of pipelined 'GET /big' requests and never
#              reads a response (the handler's writes wait: back-pressure).
#   chunked:   each sends a chunked upload in 1-byte chunks (600 KB of framing
#              for 100 KB of body) and stalls before its end.
#   keepalive: each makes one request, reads its answer and stays open
#              (Benchmarks/http_limits.sh; idle keep-alive connections).
# Bound: 64 KiB per connection beyond the request body it is allowed (the
# body counts in chunked mode: 100 KB of data, the framing does not).
import socket, sys, time

port, pid, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
CONNS, CAP = 200, 3_000_000

def rss_kib():
    for line in open('/proc/%d/status' % pid):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])

def cpu_ticks():
    fields = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])

def settle(limit=60):
    # Until the server has read and parsed what it was sent (a debug build is slow).
    end, last = time.time() + limit, -1
    while time.time() < end:
        now = cpu_ticks()
        if now == last: return
        last = now
        time.sleep(1.0)

def hello():
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    data = b''
    while True:
        d = s.recv(4096)
        if not d: break
        data += d
    s.close()
    return b'hello' in data

# Warm up: the server's own buffers and Lua state, before the baseline.
for _ in range(20): hello()
time.sleep(0.5)
base = rss_kib()

if mode == 'pipelined':
    payload = (b'GET /big HTTP/1.1\r\nHost: x\r\nX-Pad: ' + b'a' * 1000 + b'\r\n\r\n') * (CAP // 1040)
    body_allowed = 0
elif mode == 'keepalive':
    payload = b''
    body_allowed = 0
else:
    head = b'POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
    payload = head + b'1\r\na\r\n' * 100_000
    body_allowed = 100_000 // 1024

conns = []
for _ in range(CONNS):
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    if mode == 'keepalive':
        s.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
        reply = b''
        while b'hello' not in reply:
            reply += s.recv(4096)
    s.setblocking(False)
    conns.append([s, 0])
deadline, last_progress = time.time() + 30, time.time()
while time.time() < deadline and time.time() - last_progress < 1.5:
    progress = False
    for c in conns:
        if c[1] >= len(payload): continue
        try:
            n = c[0].send(payload[c[1]:c[1] + 262144])
            if n > 0: c[1] += n; progress = True
        except BlockingIOError:
            pass
    if progress: last_progress = time.time()
    else: time.sleep(0.05)
settle()
grown = rss_kib() - base
per = grown / CONNS
sent = sum(c[1] for c in conns) // CONNS // 1024
bound = 64 + body_allowed
print('%s: sent %d KiB per connection, server RSS +%.1f KiB per connection (bound %d KiB)' % (mode, sent, per, bound))
ok = per <= bound
for c in conns: c[0].close()
settle()
answered = hello()
print('answers after', answered)
sys.exit(0 if ok and answered else 1)
