/* Reference server for Benchmarks/http_hello.sh: the least a single-threaded
 * libuv program must do to answer HTTP/1.1 keep-alive requests. Every request
 * head (ended by an empty line) gets a fixed 200 "hello"; requests pipelined in
 * one read get their answers in one write. Request bodies are not supported
 * (wrk sends GETs).
 *   cc -O2 -o uv_responder Benchmarks/uv_responder.c -luv && ./uv_responder PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static const char response[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
#define RESPONSE_LEN (sizeof(response) - 1)

typedef struct {
    uv_tcp_t tcp;
    int matched; /* bytes of "\r\n\r\n" seen at the end of the last read */
} client_t;

typedef struct {
    uv_write_t req;
    char bytes[];
} write_req_t;

static void alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
    (void)handle;
    (void)suggested;
    buf->base = malloc(65536);
    buf->len = buf->base ? 65536 : 0;
}

static void close_cb(uv_handle_t *handle) { free(handle); }

static void write_cb(uv_write_t *req, int status) {
    (void)status;
    free(req);
}

/* Counts request heads ended in data, carrying a partial "\r\n\r\n" over reads. */
static size_t count_requests(client_t *c, const char *data, ssize_t n) {
    static const char end[] = "\r\n\r\n";
    size_t count = 0;
    int m = c->matched;
    for (ssize_t i = 0; i < n; i++) {
        if (data[i] == end[m]) {
            if (++m == 4) { count++; m = 0; }
        } else {
            m = data[i] == '\r' ? 1 : 0;
        }
    }
    c->matched = m;
    return count;
}

static void respond(client_t *c, size_t count) {
    size_t len = count * RESPONSE_LEN;
    char stack[RESPONSE_LEN * 16];
    char *out = len <= sizeof stack ? stack : malloc(len);
    for (size_t i = 0; i < count; i++) memcpy(out + i * RESPONSE_LEN, response, RESPONSE_LEN);
    uv_buf_t buf = uv_buf_init(out, (unsigned)len);
    int written = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
    if (written < 0 && written != UV_EAGAIN) {
        uv_close((uv_handle_t *)&c->tcp, close_cb);
    } else if ((size_t)(written < 0 ? 0 : written) < len) {
        /* the kernel buffer is full: queue a copy of the rest */
        size_t done = written < 0 ? 0 : (size_t)written;
        write_req_t *w = malloc(sizeof *w + len - done);
        memcpy(w->bytes, out + done, len - done);
        uv_buf_t rest = uv_buf_init(w->bytes, (unsigned)(len - done));
        uv_write(&w->req, (uv_stream_t *)&c->tcp, &rest, 1, write_cb);
    }
    if (out != stack) free(out);
}

static void read_cb(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf) {
    client_t *c = (client_t *)stream;
    if (n < 0) {
        uv_close((uv_handle_t *)stream, close_cb);
    } else if (n > 0) {
        size_t count = count_requests(c, buf->base, n);
        if (count > 0) respond(c, count);
    }
    free(buf->base);
}

static void connection_cb(uv_stream_t *server, int status) {
    if (status < 0) return;
    client_t *c = calloc(1, sizeof *c);
    uv_tcp_init(server->loop, &c->tcp);
    if (uv_accept(server, (uv_stream_t *)&c->tcp) == 0) {
        uv_tcp_nodelay(&c->tcp, 1);
        uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
    } else {
        uv_close((uv_handle_t *)&c->tcp, close_cb);
    }
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8093;
    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t server;
    struct sockaddr_in addr;
    uv_tcp_init(loop, &server);
    uv_ip4_addr("127.0.0.1", port, &addr);
    int r = uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0);
    if (r == 0) r = uv_listen((uv_stream_t *)&server, 4096, connection_cb);
    if (r != 0) {
        fprintf(stderr, "uv_responder: %s\n", uv_strerror(r));
        return 1;
    }
    return uv_run(loop, UV_RUN_DEFAULT);
}
