#!/usr/bin/env python3
"""Generate wire/src/command_table.rs from a real Redis 7.0 COMMAND / COMMAND DOCS dump.

    python3 wire/gen/gen_table.py > wire/src/command_table.rs

Only the commands Switchyard serves are emitted: IMPLEMENTED below lists them (top-level names,
and for containers the subcommands served). EXTRA adds commands a real 7.0 server lacks but
clients send (CLIENT SETINFO, from Redis 7.2). Adding a command to a node means adding it here.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

IMPLEMENTED = {
    # connection
    "auth": None, "hello": None, "ping": None, "echo": None, "quit": None, "reset": None,
    "select": None, "swapdb": None,
    "client": ["id", "setname", "getname", "list", "info", "kill", "setinfo", "pause", "unpause",
               "no-evict", "reply", "help"],
    # server
    "dbsize": None, "flushdb": None, "flushall": None, "time": None, "monitor": None,
    "info": None, "shutdown": None, "debug": None,
    "command": ["count", "docs", "getkeys", "getkeysandflags", "info", "list", "help"],
    "config": ["get", "set", "resetstat", "rewrite", "help"],
    "slowlog": ["get", "len", "reset", "help"],
    "latency": ["latest", "reset", "help"],
    # keys
    "del": None, "unlink": None, "exists": None, "type": None, "rename": None, "renamenx": None,
    "copy": None, "move": None, "expire": None, "pexpire": None, "expireat": None,
    "pexpireat": None, "ttl": None, "pttl": None, "expiretime": None, "pexpiretime": None,
    "persist": None, "keys": None, "scan": None, "randomkey": None, "touch": None,
    "dump": None, "restore": None,
    "object": ["encoding", "idletime", "freq", "refcount", "help"],
    # strings
    "get": None, "set": None, "getex": None, "getdel": None, "getset": None, "mget": None,
    "mset": None, "msetnx": None, "setnx": None, "setex": None, "psetex": None, "append": None,
    "strlen": None, "incr": None, "decr": None, "incrby": None, "decrby": None,
    "incrbyfloat": None, "getrange": None, "substr": None, "setrange": None, "setbit": None,
    "getbit": None, "bitcount": None, "bitpos": None, "bitop": None, "lcs": None,
    "bitfield": None, "bitfield_ro": None,
    # hashes
    "hset": None, "hsetnx": None, "hmset": None, "hget": None, "hmget": None, "hdel": None,
    "hexists": None, "hlen": None, "hkeys": None, "hvals": None, "hgetall": None,
    "hincrby": None, "hincrbyfloat": None, "hstrlen": None, "hscan": None, "hrandfield": None,
    # lists
    "lpush": None, "rpush": None, "lpushx": None, "rpushx": None, "lpop": None, "rpop": None,
    "llen": None, "lrange": None, "lindex": None, "lset": None, "lrem": None, "ltrim": None,
    "linsert": None, "lpos": None, "lmove": None, "rpoplpush": None, "lmpop": None,
    "blpop": None, "brpop": None, "blmove": None, "blmpop": None, "brpoplpush": None,
    # sets
    "sadd": None, "srem": None, "smembers": None, "sismember": None, "smismember": None,
    "scard": None, "spop": None, "srandmember": None, "smove": None, "sinter": None,
    "sintercard": None, "sinterstore": None, "sunion": None, "sunionstore": None, "sdiff": None,
    "sdiffstore": None, "sscan": None,
    # sorted sets
    "zadd": None, "zincrby": None, "zrem": None, "zcard": None, "zcount": None, "zlexcount": None,
    "zscore": None, "zmscore": None, "zrank": None, "zrevrank": None, "zrange": None,
    "zrangestore": None, "zrangebyscore": None, "zrevrangebyscore": None, "zrangebylex": None,
    "zrevrangebylex": None, "zrevrange": None, "zremrangebyrank": None,
    "zremrangebyscore": None, "zremrangebylex": None, "zpopmin": None, "zpopmax": None,
    "bzpopmin": None, "bzpopmax": None, "zmpop": None, "bzmpop": None, "zrandmember": None,
    "zunion": None, "zinter": None, "zdiff": None, "zunionstore": None, "zinterstore": None,
    "zdiffstore": None, "zintercard": None, "zscan": None,
    # hyperloglog
    "pfadd": None, "pfcount": None, "pfmerge": None,
    # pub/sub
    "subscribe": None, "unsubscribe": None, "psubscribe": None, "punsubscribe": None,
    "publish": None, "pubsub": ["channels", "numsub", "numpat", "help"],
    # transactions
    "multi": None, "exec": None, "discard": None, "watch": None, "unwatch": None,
    # persistence
    "save": None, "bgsave": None, "lastsave": None, "bgrewriteaof": None,
    # replication
    "replconf": None, "psync": None, "sync": None, "role": None,
    "replicaof": None, "slaveof": None, "failover": None,
    "wait": None,
}

# Commands newer than the dump that clients send at connect time (redis-py 8 sends CLIENT SETINFO).
EXTRA_SUBCOMMANDS = {
    "client": [
        {
            "info": ["client|setinfo", -4, ["noscript", "loading", "stale"], 0, 0, 0,
                     ["@slow", "@connection"], ["request_policy:all_nodes", "response_policy:all_succeeded"], [], []],
            "docs": [["summary", "Sets information specific to the client or connection."],
                     ["since", "7.2.0"], ["group", "connection"], ["complexity", "O(1)"],
                     ["arguments", [{"map": [["name", "attr"], ["type", "oneof"], ["arguments", [
                         {"map": [["name", "libname"], ["type", "string"], ["token", "LIB-NAME"]]},
                         {"map": [["name", "libver"], ["type", "string"], ["token", "LIB-VER"]]}]]]}]]],
        }
    ]
}


def items(x):
    if isinstance(x, dict) and "set" in x:
        return x["set"]
    return x


def status(x):
    return x["status"] if isinstance(x, dict) else x


def pairs(x):
    return x["map"] if isinstance(x, dict) and "map" in x else x


def rust_str(s):
    return json.dumps(s, ensure_ascii=False)


def ident(name):
    out = ""
    for part in name.replace("|", "-").replace("_", "-").split("-"):
        out += part[:1].upper() + part[1:]
    return out


def doc_value(v, depth=0):
    if isinstance(v, bool):
        return "DocValue::Int(%d)" % int(v)
    if isinstance(v, int):
        return "DocValue::Int(%d)" % v
    if isinstance(v, str):
        return "DocValue::Str(%s)" % rust_str(v)
    if isinstance(v, dict) and "status" in v:
        return "DocValue::Status(%s)" % rust_str(v["status"])
    if isinstance(v, dict) and "set" in v:
        return "DocValue::Set(&[%s])" % ", ".join(doc_value(i, depth + 1) for i in v["set"])
    if isinstance(v, dict) and "map" in v:
        return "DocValue::Map(&[%s])" % ", ".join(
            "(%s, %s)" % (rust_str(k), doc_value(val, depth + 1)) for k, val in v["map"])
    if isinstance(v, list):
        return "DocValue::Array(&[%s])" % ", ".join(doc_value(i, depth + 1) for i in v)
    raise ValueError(repr(v))


def key_spec(ks):
    m = dict(pairs(ks))
    bs = dict(pairs(m["begin_search"]))
    fk = dict(pairs(m["find_keys"]))
    bspec = dict(pairs(bs["spec"])) if bs.get("spec") is not None else {}
    fspec = dict(pairs(fk["spec"])) if fk.get("spec") is not None else {}
    if bs["type"] == "index":
        b = "BeginSearch::Index(%d)" % bspec["index"]
    elif bs["type"] == "keyword":
        b = "BeginSearch::Keyword { keyword: %s, start_from: %d }" % (
            rust_str(bspec["keyword"]), bspec["startfrom"])
    else:
        b = "BeginSearch::Unknown"
    if fk["type"] == "range":
        f = "FindKeys::Range { last_key: %d, key_step: %d, limit: %d }" % (
            fspec["lastkey"], fspec["keystep"], fspec["limit"])
    elif fk["type"] == "keynum":
        f = "FindKeys::Keynum { keynum_idx: %d, first_key: %d, key_step: %d }" % (
            fspec["keynumidx"], fspec["firstkey"], fspec["keystep"])
    else:
        f = "FindKeys::Unknown"
    flags = ", ".join(rust_str(status(x)) for x in items(m["flags"]))
    notes = "Some(%s)" % rust_str(m["notes"]) if "notes" in m else "None"
    return "KeySpec { notes: %s, flags: &[%s], begin_search: %s, find_keys: %s }" % (
        notes, flags, b, f)


FLAG_BITS = {
    "write": "WRITE", "readonly": "READONLY", "denyoom": "DENYOOM", "admin": "ADMIN",
    "pubsub": "PUBSUB", "noscript": "NOSCRIPT", "blocking": "BLOCKING", "loading": "LOADING",
    "stale": "STALE", "skip_monitor": "SKIP_MONITOR", "skip_slowlog": "SKIP_SLOWLOG",
    "asking": "ASKING", "fast": "FAST", "no_auth": "NO_AUTH", "may_replicate": "MAY_REPLICATE",
    "no_mandatory_keys": "NO_MANDATORY_KEYS", "no_async_loading": "NO_ASYNC_LOADING",
    "no_multi": "NO_MULTI", "movablekeys": "MOVABLE_KEYS", "allow_busy": "ALLOW_BUSY",
}

# Flags Redis 7.0.15 sets from its command JSON files but COMMAND does not print
# (CMD_TOUCHES_ARBITRARY_KEYS: the lazy-expiry DELs such a command causes are not wrapped in
# MULTI/EXEC, server.c propagatePendingCommands).
UNLISTED_FLAGS = {
    "scan": ["TOUCHES_ARBITRARY_KEYS"],
    "randomkey": ["TOUCHES_ARBITRARY_KEYS"],
}


def emit_command(info, docs, subs, ids, indent):
    name = info[0]
    flag_names = [status(f) for f in items(info[2])]
    bits = " | ".join(
        ["flags::" + FLAG_BITS[f] for f in flag_names]
        + ["flags::" + f for f in UNLISTED_FLAGS.get(name, [])]
    ) or "0"
    ident_name = ident(name)
    ids.append(ident_name)
    pad = " " * indent
    sub_src = ""
    if subs:
        sub_src = "&[\n" + "".join(
            emit_command(s_info, s_docs, None, ids, indent + 8) for s_info, s_docs in subs
        ) + pad + "    ]"
    else:
        sub_src = "&[]"
    return (
        f"{pad}Command {{\n"
        f"{pad}    id: CommandId::{ident_name},\n"
        f"{pad}    name: {rust_str(name)},\n"
        f"{pad}    arity: {info[1]},\n"
        f"{pad}    flags: {bits},\n"
        f"{pad}    flag_names: &[{', '.join(rust_str(f) for f in flag_names)}],\n"
        f"{pad}    first_key: {info[3]},\n"
        f"{pad}    last_key: {info[4]},\n"
        f"{pad}    key_step: {info[5]},\n"
        f"{pad}    acl_categories: &[{', '.join(rust_str(status(c)) for c in items(info[6]))}],\n"
        f"{pad}    tips: &[{', '.join(rust_str(status(t)) for t in items(info[7]))}],\n"
        f"{pad}    key_specs: &[{', '.join(key_spec(k) for k in items(info[8]))}],\n"
        f"{pad}    subcommands: {sub_src},\n"
        f"{pad}    docs: &[{', '.join('(%s, %s)' % (rust_str(k), doc_value(v)) for k, v in docs)}],\n"
        f"{pad}}},\n"
    )


def main():
    dump = json.load(open(os.path.join(HERE, "redis-7.0-commands.json")))
    infos = {c[0]: c for c in dump["info"]}
    docs = {k: pairs(v) for k, v in pairs(dump["docs"])}
    missing = sorted(set(IMPLEMENTED) - set(infos))
    if missing:
        sys.exit("not in the dump: %s" % missing)
    ids = []
    body = ""
    for name in sorted(IMPLEMENTED):
        info = infos[name]
        doc = [list(p) for p in docs[name]]
        wanted = IMPLEMENTED[name]
        subs = None
        if wanted is not None:
            sub_infos = {s[0]: s for s in items(info[9])}
            sub_docs_pairs = dict(pairs(dict(doc)["subcommands"]))
            subs = []
            kept_docs = []
            for sub in wanted:
                full = name + "|" + sub
                if full in sub_infos:
                    subs.append((sub_infos[full], [list(p) for p in pairs(sub_docs_pairs[full])]))
                    kept_docs.append([full, sub_docs_pairs[full]])
                    continue
                extra = [e for e in EXTRA_SUBCOMMANDS.get(name, []) if e["info"][0] == full]
                if not extra:
                    sys.exit("unknown subcommand %s" % full)
                subs.append((extra[0]["info"], extra[0]["docs"]))
                kept_docs.append([full, {"map": extra[0]["docs"]}])
            subs.sort(key=lambda s: s[0][0])
            kept_docs.sort()
            doc = [[k, {"map": kept_docs}] if k == "subcommands" else [k, v] for k, v in doc]
            info = list(info)
        body += emit_command(info, doc, subs, ids, 4)
    out = []
    out.append("// @generated by wire/gen/gen_table.py from a Redis 7.0.15 COMMAND / COMMAND DOCS dump.")
    out.append("// Do not edit by hand: change IMPLEMENTED in the generator and run it again.")
    out.append("")
    out.append("use crate::command::{flags, BeginSearch, Command, DocValue, FindKeys, KeySpec};")
    out.append("")
    out.append("/// One variant per executable command or container, in table order.")
    out.append("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]")
    out.append("#[repr(u16)]")
    out.append("pub enum CommandId {")
    for i in ids:
        out.append("    %s," % i)
    out.append("}")
    out.append("")
    out.append("impl CommandId {")
    out.append("    pub const COUNT: usize = %d;" % len(ids))
    out.append("}")
    out.append("")
    out.append("pub static COMMANDS: &[Command] = &[")
    out.append(body.rstrip("\n"))
    out.append("];")
    print("\n".join(out))


if __name__ == "__main__":
    main()
