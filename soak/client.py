"""The soak's load (soak/run): keep-alive and new-connection HTTP clients on
loopback for SECONDS, while the server's RSS, fds and CPU are sampled every
5 s. Fails (exit 1) if a request is lost or RSS or fds grow past a bound."""
import http.client, os, sys, threading, time

port, pid, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
stop = time.time() + seconds
lock = threading.Lock()
counts = {'ok': 0, 'errors_expected': 0, 'lost': 0, 'db_ok': 0, 'db_retries': 0}
lost_examples = []
last_db_ok = [0.0]

def expect(path):
    return 500 if path == '/error' else 200

def record(path, status, exc=None):
    with lock:
        if exc is None and status == expect(path):
            counts['errors_expected' if path == '/error' else 'ok'] += 1
            if path == '/db': counts['db_ok'] += 1; last_db_ok[0] = time.time()
        else:
            counts['lost'] += 1
            if len(lost_examples) < 5: lost_examples.append((path, status, repr(exc)))

def db_request():
    """A /db request retried while the MySQL server is down (503, counted in
    db_retries) for up to 60 s; only then is it lost."""
    give_up = time.time() + 60
    while True:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
        try:
            conn.request('GET', '/db')
            r = conn.getresponse(); r.read()
            status, exc = r.status, None
        except Exception as e:
            status, exc = None, e
        conn.close()
        if status == 503 and time.time() < give_up:
            with lock: counts['db_retries'] += 1
            time.sleep(0.2)
            continue
        record('/db', status, exc)
        return

def db_load():
    while time.time() < stop:
        db_request()

def keep_alive(paths):
    conn = None
    i = 0
    while time.time() < stop:
        path = paths[i % len(paths)]; i += 1
        try:
            if conn is None: conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
            conn.request('GET', path)
            r = conn.getresponse(); r.read()
            record(path, r.status)
            if r.getheader('connection', '').lower() == 'close': conn.close(); conn = None
        except Exception as e:
            record(path, None, e); conn = None

def new_connections(paths):
    i = 0
    while time.time() < stop:
        path = paths[i % len(paths)]; i += 1
        try:
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
            conn.request('GET', path, headers={'Connection': 'close'})
            r = conn.getresponse(); r.read(); conn.close()
            record(path, r.status)
        except Exception as e:
            record(path, None, e)

def sample():
    with open(f'/proc/{pid}/status') as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith('VmRSS:')) // 1024
    fds = len(os.listdir(f'/proc/{pid}/fd'))
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    return rss, fds, cpu

threads = [threading.Thread(target=keep_alive, args=(['/ok', '/ok', '/file', '/error'],)) for _ in range(4)]
threads += [threading.Thread(target=new_connections, args=(['/ok', '/error', '/file'],)) for _ in range(2)]
threads += [threading.Thread(target=db_load) for _ in range(2)]
for t in threads: t.start()
samples = []
last_cpu, last_t = sample()[2], time.time()
while time.time() < stop:
    time.sleep(min(5, max(0.1, stop - time.time())))
    rss, fds, cpu = sample()
    now = time.time()
    samples.append((rss, fds, (cpu - last_cpu) / (now - last_t) * 100))
    last_cpu, last_t = cpu, now
    with lock: c = dict(counts)
    print(f'soak: t={seconds - (stop - now):6.0f}s rss={rss} MiB fds={fds} cpu={samples[-1][2]:.0f}% '
          f'ok={c["ok"]} handler_errors={c["errors_expected"]} db_ok={c["db_ok"]} '
          f'db_retries={c["db_retries"]} lost={c["lost"]}', flush=True)
for t in threads: t.join()
# Bounds: after a warm-up of a quarter of the run, RSS may grow by at most
# 25% + 20 MiB and fds by at most 20.
warm = samples[max(0, len(samples) // 4 - 1)]
peak_rss = max(s[0] for s in samples[len(samples) // 4:])
peak_fds = max(s[1] for s in samples[len(samples) // 4:])
failed = []
if counts['lost']: failed.append(f'{counts["lost"]} requests lost, e.g. {lost_examples}')
if peak_rss > warm[0] * 1.25 + 20: failed.append(f'RSS grew from {warm[0]} to {peak_rss} MiB')
if peak_fds > warm[1] + 20: failed.append(f'fds grew from {warm[1]} to {peak_fds}')
# The MySQL server is killed and restarted a third of the way through (soak/run):
# queries must succeed again by the end.
if last_db_ok[0] < stop - min(30, seconds / 4): failed.append('no MySQL query succeeded near the end (after the restart)')
total = counts['ok'] + counts['errors_expected']
print(f'soak: {total} requests ({total / seconds:.0f}/s), {counts["errors_expected"]} handler errors, '
      f'{counts["db_ok"]} MySQL queries ({counts["db_retries"]} retried while the server was down), '
      f'lost {counts["lost"]}; RSS {samples[0][0]} -> {samples[-1][0]} MiB (peak {max(s[0] for s in samples)}); '
      f'fds {samples[0][1]} -> {samples[-1][1]}; mean CPU {sum(s[2] for s in samples) / len(samples):.0f}%')
print('soak: FAIL: ' + '; '.join(failed) if failed else 'soak: PASS')
sys.exit(1 if failed else 0)
