# The client half of StaticFilesShrinkTests: PORT ROOT. Fetches an 8 MiB file
# from examples/static_files.lua (serve ROOT), reads 256 KiB of it, cuts the
# file to 1 MiB while it is being streamed, and reads on. The client must see
# an error (a body cut short of its framing), never a complete response.
import http.client, os, sys, time

port, root = int(sys.argv[1]), sys.argv[2]
path = os.path.join(root, 'big.bin')
with open(path, 'wb') as f:
    f.write(b'x' * (8 << 20))

conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
conn.request('GET', '/big.bin')
resp = conn.getresponse()
print('status', resp.status, 'chunked', resp.getheader('Transfer-Encoding'))
got = resp.read(256 << 10)
os.truncate(path, 1 << 20)
time.sleep(0.2)
try:
    rest = resp.read()
    print('complete-looking response of', len(got) + len(rest), 'bytes: wrong')
    sys.exit(1)
except http.client.IncompleteRead as e:
    print('client saw the body cut short after', len(got) + len(e.partial), 'bytes')
except (ConnectionError, OSError) as e:
    print('client saw the connection fail:', type(e).__name__)
sys.exit(0)
