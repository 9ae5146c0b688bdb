#define _GNU_SOURCE
#include "moonbase_shim.h"
#include <errno.h>
#include <sys/uio.h>
#include <string.h>

/* Pushes "file:line: " of the nearest caller that is user code: frames of the
 * runtime's own Lua wrappers (chunks named "=[moonbase ...]") are skipped, so
 * an error names the line of the user's call. */
static void mb_where(lua_State *L) {
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (strncmp(ar.source, "=[moonbase", 10) == 0) continue;
        if (ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
        break;
    }
    lua_pushliteral(L, "");
}

static int mb_trampoline(lua_State *L) {
    mb_swift_function fn = (mb_swift_function)lua_touserdata(L, lua_upvalueindex(1));
    int n = fn(L);
    if (n >= 0) return n;
    if (n == MB_YIELD) return lua_yield(L, 1);
    /* MB_RAISE: a string message gets the caller's position, as luaL_error does. */
    if (lua_type(L, -1) == LUA_TSTRING) {
        mb_where(L);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

void mb_push_swift_function(lua_State *L, mb_swift_function fn, int nup) {
    lua_pushlightuserdata(L, (void *)fn);
    if (nup > 0) lua_insert(L, -(nup + 1));
    lua_pushcclosure(L, mb_trampoline, nup + 1);
}

long mb_read_cached(int fd, void *buf, unsigned long size) {
    struct iovec iov = { buf, size };
    ssize_t n = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
    return n >= 0 ? (long)n : -(long)errno;
}

static int mb_openlibs_protected(lua_State *L) {
    luaL_openlibs(L);
    return 0;
}

int mb_openlibs(lua_State *L) { return lua_cpcall(L, mb_openlibs_protected, NULL); }
