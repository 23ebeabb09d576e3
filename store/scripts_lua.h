/* The embedded scripts (cmake/embed_lua.cmake generates their definitions from store/lua/). */
#ifndef VS_SCRIPTS_LUA_H
#define VS_SCRIPTS_LUA_H

extern const char vs_lua_commit[];
extern const char vs_lua_lease_take[];
extern const char vs_lua_lease_renew[];
extern const char vs_lua_lease_drop[];
extern const char vs_lua_trim[];
extern const char vs_lua_accept[];
extern const char vs_lua_take[];
extern const char vs_lua_result[];
extern const char vs_lua_due[];
extern const char vs_lua_ack[];
extern const char vs_lua_quarantine[];
extern const char vs_lua_requeue[];
extern const char vs_lua_redeliver[];
extern const char vs_lua_list[];
extern const char vs_lua_erase[];
extern const char vs_lua_caseread[];
extern const char vs_lua_resume[];

#endif
