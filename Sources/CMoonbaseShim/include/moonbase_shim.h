#ifndef MOONBASE_SHIM_H
#define MOONBASE_SHIM_H

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
#include <sys/eventfd.h>
#include <stdio.h>
#include <stdio_ext.h>

/* What a Swift-implemented Lua function returns besides a result count.
 * Swift never calls lua_error/lua_yield itself: it returns one of these and the
 * C trampoline does the non-local exit after every Swift frame is gone. */
#define MB_RAISE (-2)  /* error value on top of the stack: raise it as is */
#define MB_YIELD (-3)  /* one value on top of the stack: yield it */

typedef int (*mb_swift_function)(lua_State *L);

/* Pushes a Lua C closure that calls `fn` through the trampoline. The `nup`
 * values on top of the stack become upvalues 2...nup+1 (upvalue 1 holds fn). */
void mb_push_swift_function(lua_State *L, mb_swift_function fn, int nup);

/* Index of the Swift function's own upvalue k (k >= 1). */
static inline int mb_upvalue(int k) { return lua_upvalueindex(k + 1); }

/* Function-like macros of the Lua headers, which Swift cannot import. */
static inline void mb_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline int mb_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline void mb_setglobal(lua_State *L, const char *s) { lua_setglobal(L, s); }
static inline const char *mb_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline int mb_registryindex(void) { return LUA_REGISTRYINDEX; }


/* A non-blocking, close-on-exec eventfd (Glibc's Swift module lacks eventfd). */
static inline int mb_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

/* preadv2(fd, buf, size, offset -1 = the file position, RWF_NOWAIT): copies
 * only bytes already in the page cache, never waits for the disk. Returns the
 * count, or -errno (-EAGAIN when the data is not cached). preadv2 is a GNU
 * extension the Swift importer does not see. */
long mb_read_cached(int fd, void *buf, unsigned long size);

/* Bytes print/io.write left in stdout's buffer (__fpending: stdio_ext.h,
 * which Swift's Glibc module lacks). */
static inline size_t mb_stdout_pending(void) { return __fpending(stdout); }
static inline void mb_flush_stdout(void) { fflush(stdout); }

/* luaL_openlibs under lua_cpcall: out of memory is a status, not a panic. */
int mb_openlibs(lua_State *L);

/* A CPU hint inside spin-wait loops. */
static inline void mb_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
