"""redis-py 8 against a running server: every command family, pipelines, transactions,
pub/sub, blocking pops with timeouts, client name/info.

    python client_suite.py --port 6379 --protocol 3

Each section runs on its own and reports PASS or FAIL with what differed; the exit status is 1
if any section failed. Keys are namespaced per section so sections do not interfere.
"""

import argparse
import sys
import threading
import time
import traceback

import redis


class CheckFailed(Exception):
    pass


def check(label, got, want):
    if got != want:
        raise CheckFailed(f"{label}: expected {want!r}, got {got!r}")


def check_true(label, condition, detail=""):
    if not condition:
        raise CheckFailed(f"{label}: {detail}")


def expect_error(label, fn, error_class=redis.ResponseError, text=None):
    try:
        result = fn()
    except error_class as err:
        if text is not None and str(err) != text:
            raise CheckFailed(f"{label}: error text {str(err)!r}, expected {text!r}")
        return
    raise CheckFailed(f"{label}: expected {error_class.__name__}, got result {result!r}")


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INTEGER = "value is not an integer or out of range"


def section_connection(r, make):
    check("ping", r.ping(), True)
    check("echo", r.echo("hi there"), "hi there")
    expect_error(
        "auth without password",
        lambda: r.auth("secret"),
        redis.AuthenticationError,
    )
    other_db = make(db=3)
    other_db.set("conn:db3", "x")
    check("key set in db 3 is not in db 0", r.exists("conn:db3"), 0)
    check("key visible in db 3", other_db.get("conn:db3"), "x")
    other_db.flushdb()
    check("select out of range", _raises(lambda: make(db=99).ping()), True)


def _raises(fn):
    try:
        fn()
    except redis.RedisError:
        return True
    return False


def section_client_name_and_info(r, make):
    named = make(client_name="suite-client")
    check("name given at connect", named.client_getname(), "suite-client")
    check("setname", r.client_setname("renamed"), True)
    check("getname", r.client_getname(), "renamed")
    info = r.client_info()
    check("client info name", info.get("name"), "renamed")
    check_true("client info id", int(info.get("id", -1)) == r.client_id(), repr(info))
    check_true("client info db", str(info.get("db")) == "0", repr(info))
    listed = r.client_list()
    check_true(
        "client list has both clients",
        {"renamed", "suite-client"} <= {c.get("name") for c in listed},
        repr(listed),
    )
    expect_error("setname with a space", lambda: r.client_setname("has space"))
    check("client id is an integer", isinstance(r.client_id(), int), True)


def section_strings(r, make):
    p = "str:"
    check("set", r.set(p + "s", "hello"), True)
    check("get", r.get(p + "s"), "hello")
    check("get missing", r.get(p + "missing"), None)
    check("set nx on existing", r.set(p + "s", "x", nx=True), None)
    check("set xx get", r.set(p + "s", "world", xx=True, get=True), "hello")
    check("set ex", r.set(p + "ttl", "v", ex=100), True)
    check("ttl", r.ttl(p + "ttl"), 100)
    check("set keepttl", r.set(p + "ttl", "v2", keepttl=True), True)
    check("ttl kept", r.ttl(p + "ttl"), 100)
    check("set px", r.set(p + "px", "v", px=100000), True)
    check_true("pttl", 99000 < r.pttl(p + "px") <= 100000, r.pttl(p + "px"))
    check("incr", r.incr(p + "n"), 1)
    check("incrby", r.incrby(p + "n", 41), 42)
    check("decr", r.decr(p + "n"), 41)
    check("decrby", r.decrby(p + "n", 50), -9)
    check("incrbyfloat", r.incrbyfloat(p + "n", 1.5), -7.5)
    check("get float", r.get(p + "n"), "-7.5")
    expect_error("incr non-integer", lambda: r.incr(p + "s"), text=NOT_INTEGER)
    r.set(p + "max", 2**63 - 1)
    expect_error(
        "incr overflow",
        lambda: r.incr(p + "max"),
        text="increment or decrement would overflow",
    )
    check("mset", r.mset({p + "a": "1", p + "b": "2"}), True)
    check("mget", r.mget([p + "a", p + "missing", p + "b"]), ["1", None, "2"])
    check("msetnx", r.msetnx({p + "a": "x", p + "c": "3"}), False)
    check("setnx", r.setnx(p + "c", "3"), True)
    check("append", r.append(p + "s", "!"), 6)
    check("strlen", r.strlen(p + "s"), 6)
    check("getrange", r.getrange(p + "s", 0, 2), "wor")
    check("setrange", r.setrange(p + "s", 0, "W"), 6)
    check("get after setrange", r.get(p + "s"), "World!")
    check("getset", r.getset(p + "a", "new"), "1")
    check("getdel", r.getdel(p + "a"), "new")
    check("getdel missing", r.getdel(p + "a"), None)
    check("getex persist", r.getex(p + "ttl", persist=True), "v2")
    check("ttl after persist", r.ttl(p + "ttl"), -1)
    r.set(p + "k1", "ohmytext")
    r.set(p + "k2", "mynewtext")
    check("lcs", r.lcs(p + "k1", p + "k2"), "mytext")
    check("setbit", r.setbit(p + "bits", 7, 1), 0)
    check("getbit", r.getbit(p + "bits", 7), 1)
    check("bitcount", r.bitcount(p + "bits"), 1)
    check("bitpos", r.bitpos(p + "bits", 1), 7)
    binary = make(decode=False)
    payload = bytes(range(256))
    binary.set(p + "binary", payload)
    check("binary safe value", binary.get(p + "binary"), payload)
    check("large value", _roundtrip_large(binary, p + "large"), True)


def _roundtrip_large(binary, key):
    value = b"x" * (3 * 1024 * 1024) + b"end"
    binary.set(key, value)
    return binary.get(key) == value


def section_keys(r, make):
    p = "keys:"
    r.set(p + "a", "1")
    r.set(p + "b", "2")
    check("exists", r.exists(p + "a", p + "b", p + "missing"), 2)
    check("type string", r.type(p + "a"), "string")
    check("type none", r.type(p + "missing"), "none")
    check("expire", r.expire(p + "a", 100), True)
    check("ttl", r.ttl(p + "a"), 100)
    check("expire gt", r.expire(p + "a", 50, gt=True), False)
    check("persist", r.persist(p + "a"), True)
    check("ttl missing", r.ttl(p + "missing"), -2)
    check("pexpireat / pexpiretime", r.pexpireat(p + "a", 4102444800000), True)
    check("pexpiretime", r.pexpiretime(p + "a"), 4102444800000)
    check("expiretime", r.expiretime(p + "a"), 4102444800)
    check("rename", r.rename(p + "a", p + "c"), True)
    check("renamenx", r.renamenx(p + "c", p + "b"), False)
    check("copy", r.copy(p + "c", p + "d"), True)
    check("keys", sorted(r.keys(p + "*")), [p + "b", p + "c", p + "d"])
    check("scan_iter", sorted(r.scan_iter(match=p + "*", count=2)), [p + "b", p + "c", p + "d"])
    check("touch", r.touch(p + "b", p + "missing"), 1)
    check("delete", r.delete(p + "b", p + "missing"), 1)
    check("unlink", r.unlink(p + "c", p + "d"), 2)
    r.set(p + "short", "5", px=50)
    time.sleep(0.15)
    check("expired key is gone", r.get(p + "short"), None)
    r.set(p + "int", "12345")
    check("object encoding int", r.object("encoding", p + "int"), "int")
    r.set(p + "emb", "hello")
    check("object encoding embstr", r.object("encoding", p + "emb"), "embstr")
    check("move", r.move(p + "emb", 2), True)
    other = make(db=2)
    check("moved key in db 2", other.get(p + "emb"), "hello")
    other.flushdb()
    r.delete(p + "int")
    check("randomkey in empty namespace", r.exists(p + "emb"), 0)
    big = {f"{p}many:{n}": n for n in range(1000)}
    r.mset(big)
    check("scan_iter sees every key", len(set(r.scan_iter(match=p + "many:*", count=100))), 1000)
    check("delete many", r.delete(*big.keys()), 1000)


def section_lists(r, make):
    p = "list:"
    k = p + "l"
    check("rpush", r.rpush(k, "a", "b", "c"), 3)
    check("lpush", r.lpush(k, "z"), 4)
    check("lrange", r.lrange(k, 0, -1), ["z", "a", "b", "c"])
    check("llen", r.llen(k), 4)
    check("lindex", r.lindex(k, -1), "c")
    check("lset", r.lset(k, 0, "Z"), True)
    check("linsert", r.linsert(k, "before", "b", "x"), 5)
    check("lpos", r.lpos(k, "b"), 3)
    check("lrem", r.lrem(k, 1, "x"), 1)
    check("lpop", r.lpop(k), "Z")
    check("rpop count", r.rpop(k, 2), ["c", "b"])
    check("lpop missing", r.lpop(p + "missing"), None)
    r.rpush(k, "b", "c", "d")
    check("ltrim", r.ltrim(k, 1, -1), True)
    check("after ltrim", r.lrange(k, 0, -1), ["b", "c", "d"])
    check("lmove", r.lmove(k, p + "dst", "LEFT", "RIGHT"), "b")
    check("rpoplpush", r.rpoplpush(k, p + "dst"), "d")
    check("lmpop", r.lmpop(2, p + "missing", p + "dst", direction="LEFT", count=5), [p + "dst", ["d", "b"]])
    check("empty list removed", r.exists(p + "dst"), 0)
    r.set(p + "str", "x")
    expect_error("lpush wrong type", lambda: r.lpush(p + "str", "a"), text=WRONGTYPE)
    many = [str(n) for n in range(1000)]
    r.rpush(p + "big", *many)
    check("large list", r.lrange(p + "big", 0, -1), many)
    check("large list encoding", r.object("encoding", p + "big"), "quicklist")


def section_hashes(r, make):
    p = "hash:"
    k = p + "h"
    check("hset mapping", r.hset(k, mapping={"f1": "v1", "f2": "v2"}), 2)
    check("hset existing", r.hset(k, "f1", "v1b"), 0)
    check("hget", r.hget(k, "f1"), "v1b")
    check("hget missing", r.hget(k, "nope"), None)
    check("hmget", r.hmget(k, ["f1", "nope", "f2"]), ["v1b", None, "v2"])
    check("hgetall", r.hgetall(k), {"f1": "v1b", "f2": "v2"})
    check("hgetall missing", r.hgetall(p + "missing"), {})
    check("hincrby", r.hincrby(k, "n", 5), 5)
    check("hincrbyfloat", r.hincrbyfloat(k, "fl", 2.5), 2.5)
    check("hexists", r.hexists(k, "f2"), True)
    check("hlen", r.hlen(k), 4)
    check("hkeys", sorted(r.hkeys(k)), ["f1", "f2", "fl", "n"])
    check("hvals", sorted(r.hvals(k)), ["2.5", "5", "v1b", "v2"])
    check("hsetnx", r.hsetnx(k, "f1", "x"), False)
    check("hstrlen", r.hstrlen(k, "f1"), 3)
    check("hdel", r.hdel(k, "f1", "nope"), 1)
    check("hscan_iter", dict(r.hscan_iter(k)), {"f2": "v2", "n": "5", "fl": "2.5"})
    check_true("hrandfield", r.hrandfield(k) in {"f2", "n", "fl"})
    check("hrandfield count", sorted(r.hrandfield(k, 3)), ["f2", "fl", "n"])
    expect_error("hincrby non-integer", lambda: r.hincrby(k, "f2", 1), text="hash value is not an integer")
    check("object encoding", r.object("encoding", k), "listpack")
    r.hset(k, "long", "x" * 100)
    check("object encoding after long value", r.object("encoding", k), "hashtable")
    check("hdel all", r.hdel(k, "f2", "n", "fl", "long"), 4)
    check("empty hash removed", r.exists(k), 0)


def section_sets(r, make):
    p = "set:"
    s, t = p + "s", p + "t"
    check("sadd", r.sadd(s, "a", "b", "c"), 3)
    check("sadd existing", r.sadd(s, "a"), 0)
    check("smembers", r.smembers(s), {"a", "b", "c"})
    check("sismember", r.sismember(s, "a"), True)
    check("smismember", r.smismember(s, ["a", "z"]), [True, False])
    check("scard", r.scard(s), 3)
    r.sadd(t, "b", "c", "d")
    check("sinter", r.sinter(s, t), {"b", "c"})
    check("sunion", r.sunion(s, t), {"a", "b", "c", "d"})
    check("sdiff", r.sdiff(s, t), {"a"})
    check("sintercard", r.sintercard(2, [s, t]), 2)
    check("sinterstore", r.sinterstore(p + "dst", [s, t]), 2)
    check("sunionstore", r.sunionstore(p + "dst", [s, t]), 4)
    check("sdiffstore", r.sdiffstore(p + "dst", [s, t]), 1)
    check("smove", r.smove(s, t, "a"), True)
    check("srem", r.srem(s, "b", "z"), 1)
    check("spop", r.spop(s), "c")
    check("emptied set removed", r.exists(s), 0)
    check("srandmember count", sorted(r.srandmember(t, 10)), ["a", "b", "c", "d"])
    check("sscan_iter", set(r.sscan_iter(t)), {"a", "b", "c", "d"})
    r.sadd(p + "ints", 1, 2, 3)
    check("intset encoding", r.object("encoding", p + "ints"), "intset")
    check("spop count", sorted(r.spop(p + "ints", 5)), ["1", "2", "3"])


def section_sorted_sets(r, make):
    p = "zset:"
    z = p + "z"
    check("zadd", r.zadd(z, {"a": 1, "b": 2, "c": 3}), 3)
    check("zadd nx", r.zadd(z, {"a": 10, "d": 4}, nx=True), 1)
    check("zadd xx ch", r.zadd(z, {"a": 1.5, "e": 9}, xx=True, ch=True), 1)
    check("zadd gt", r.zadd(z, {"a": 0}, gt=True, ch=True), 0)
    check("zadd incr", r.zadd(z, {"a": 1}, incr=True), 2.5)
    check("zscore", r.zscore(z, "a"), 2.5)
    check("zscore missing", r.zscore(z, "nope"), None)
    check("zmscore", r.zmscore(z, ["a", "nope"]), [2.5, None])
    check("zincrby", r.zincrby(z, 0.5, "b"), 2.5)
    check("zrange", r.zrange(z, 0, -1), ["a", "b", "c", "d"])
    check(
        "zrange withscores",
        [tuple(x) for x in r.zrange(z, 0, -1, withscores=True)],
        [("a", 2.5), ("b", 2.5), ("c", 3.0), ("d", 4.0)],
    )
    check("zrevrange", r.zrevrange(z, 0, 1), ["d", "c"])
    check("zrangebyscore", r.zrangebyscore(z, "(2.5", "+inf"), ["c", "d"])
    check("zrangebyscore limit", r.zrangebyscore(z, "-inf", "+inf", start=1, num=2), ["b", "c"])
    check("zrank", r.zrank(z, "c"), 2)
    check("zrevrank", r.zrevrank(z, "c"), 1)
    check("zcount", r.zcount(z, 2.5, 3), 3)
    check("zcard", r.zcard(z), 4)
    check("zrem", r.zrem(z, "d", "nope"), 1)
    check("zpopmin", _pairs(r.zpopmin(z)), [("a", 2.5)])
    check("zpopmax", _pairs(r.zpopmax(z, 5)), [("c", 3.0), ("b", 2.5)])
    check("emptied zset removed", r.exists(z), 0)
    lex = p + "lex"
    r.zadd(lex, {"a": 0, "b": 0, "c": 0, "d": 0})
    check("zrangebylex", r.zrangebylex(lex, "[b", "(d"), ["b", "c"])
    check("zlexcount", r.zlexcount(lex, "-", "+"), 4)
    r.zadd(p + "w", {"b": 1, "x": 2})
    check("zunionstore", r.zunionstore(p + "u", {lex: 1, p + "w": 10}), 5)
    check(
        "zunion withscores",
        [tuple(x) for x in r.zunion([lex, p + "w"], withscores=True)],
        [("a", 0.0), ("c", 0.0), ("d", 0.0), ("b", 1.0), ("x", 2.0)],
    )
    check("zinter", r.zinter([lex, p + "w"]), ["b"])
    check("zinterstore", r.zinterstore(p + "i", [lex, p + "w"]), 1)
    check("zdiff", r.zdiff([lex, p + "w"]), ["a", "c", "d"])
    check("zrandmember", r.zrandmember(p + "i"), "b")
    check("zscan_iter", [tuple(x) for x in r.zscan_iter(p + "w")], [("b", 1.0), ("x", 2.0)])
    check("listpack encoding", r.object("encoding", lex), "listpack")
    r.zadd(p + "inf", {"top": float("inf"), "bottom": float("-inf")})
    check(
        "infinite scores",
        [tuple(x) for x in r.zrange(p + "inf", 0, -1, withscores=True)],
        [("bottom", float("-inf")), ("top", float("inf"))],
    )
    expect_error(
        "zadd gt nx",
        lambda: r.zadd(z, {"a": 1}, nx=True, gt=True),
        redis.DataError,
    )


def _pairs(reply):
    """(member, score) pairs, whether redis-py returned them nested or (RESP3, no count) flat."""
    if reply and not isinstance(reply[0], (list, tuple)):
        return [tuple(reply)]
    return [tuple(pair) for pair in reply]


def section_hyperloglog(r, make):
    p = "hll:"
    check("pfadd", r.pfadd(p + "a", "x", "y", "z"), 1)
    check("pfadd no change", r.pfadd(p + "a", "x"), 0)
    check("pfcount", r.pfcount(p + "a"), 3)
    r.pfadd(p + "b", "z", "w")
    check("pfcount union", r.pfcount(p + "a", p + "b"), 4)
    check("pfmerge", r.pfmerge(p + "m", p + "a", p + "b"), True)
    check("pfcount merged", r.pfcount(p + "m"), 4)
    r.set(p + "plain", "not an hll")
    expect_error(
        "pfcount on plain string",
        lambda: r.pfcount(p + "plain"),
        text="WRONGTYPE Key is not a valid HyperLogLog string value.",
    )
    many = [f"item{n}" for n in range(10000)]
    r.pfadd(p + "many", *many)
    count = r.pfcount(p + "many")
    check_true("pfcount within 2%", abs(count - 10000) < 200, count)


def section_server(r, make):
    info = r.info()
    check_true("info redis_version", info.get("redis_version", "").startswith("7."), repr(info.get("redis_version")))
    check_true("info connected_clients", int(info.get("connected_clients", 0)) >= 1, "")
    check_true("info used_memory", int(info.get("used_memory", 0)) > 0, "")
    check_true("info role", info.get("role") == "master", repr(info.get("role")))
    r.set("server:x", "1")
    keyspace = r.info("keyspace")
    check_true("info keyspace db0", "db0" in keyspace and keyspace["db0"]["keys"] >= 1, repr(keyspace))
    check("config get", r.config_get("maxmemory-policy"), {"maxmemory-policy": "noeviction"})
    check("config set", r.config_set("maxmemory-policy", "allkeys-lru"), True)
    check("config get after set", r.config_get("maxmemory-policy"), {"maxmemory-policy": "allkeys-lru"})
    r.config_set("maxmemory-policy", "noeviction")
    check_true("config get glob", "hash-max-listpack-entries" in r.config_get("hash-max-*"), "")
    seconds, micros = r.time()
    check_true("time", abs(seconds - time.time()) < 5 and 0 <= micros < 1_000_000, (seconds, micros))
    check_true("dbsize", r.dbsize() >= 1, "")
    check("command count", r.command_count(), len(r.command()))
    check_true("slowlog get", isinstance(r.slowlog_get(), list), "")
    check("flushdb", r.flushdb(), True)
    check("dbsize after flushdb", r.dbsize(), 0)


def section_pipelines(r, make):
    p = "pipe:"
    pipe = r.pipeline(transaction=False)
    for n in range(200):
        pipe.set(f"{p}{n}", n)
    for n in range(200):
        pipe.get(f"{p}{n}")
    results = pipe.execute()
    check("pipeline sets", results[:200], [True] * 200)
    check("pipeline gets", results[200:], [str(n) for n in range(200)])
    pipe = r.pipeline(transaction=False)
    pipe.set(p + "s", "x").incr(p + "s").get(p + "s")
    results = pipe.execute(raise_on_error=False)
    check("pipeline ok", results[0], True)
    check_true("pipeline error in place", isinstance(results[1], redis.ResponseError), repr(results))
    check_true("pipeline error text", str(results[1]).endswith(NOT_INTEGER), str(results[1]))
    check("pipeline continues", results[2], "x")


def section_transactions(r, make):
    p = "tx:"
    pipe = r.pipeline(transaction=True)
    pipe.set(p + "a", 1).incr(p + "a").lpush(p + "l", "x", "y").lrange(p + "l", 0, -1)
    check("multi/exec", pipe.execute(), [True, 2, 2, ["y", "x"]])
    pipe = r.pipeline(transaction=True)
    pipe.set(p + "s", "x").incr(p + "s").set(p + "t", "y")
    results = pipe.execute(raise_on_error=False)
    check_true("runtime error inside exec", isinstance(results[1], redis.ResponseError), repr(results))
    check_true("runtime error text", str(results[1]).endswith(NOT_INTEGER), str(results[1]))
    check("others in exec still applied", r.get(p + "t"), "y")
    other = make()
    with r.pipeline(transaction=True) as pipe:
        pipe.watch(p + "w")
        other.set(p + "w", "changed")
        pipe.multi()
        pipe.set(p + "w", "mine")
        expect_error("watch conflict", pipe.execute, redis.WatchError)
    check("value from the other client kept", r.get(p + "w"), "changed")

    def increment(pipe):
        current = int(pipe.get(p + "counter") or 0)
        pipe.multi()
        pipe.set(p + "counter", current + 1)

    for _ in range(5):
        r.transaction(increment, p + "counter")
    check("optimistic transactions", r.get(p + "counter"), "5")
    pipe = r.pipeline(transaction=True)
    pipe.set(p + "q", 1)
    pipe.execute_command("NOSUCHCOMMAND")
    expect_error("queue-time error aborts", pipe.execute)
    check("aborted transaction applied nothing", r.get(p + "q"), None)


def section_pubsub(r, make):
    pubsub = r.pubsub()
    pubsub.subscribe("news", "sport")
    confirmations = [_next_message(pubsub, "subscribe confirmation") for _ in range(2)]
    check(
        "subscribe confirmations",
        [(m["type"], m["channel"], m["data"]) for m in confirmations],
        [("subscribe", "news", 1), ("subscribe", "sport", 2)],
    )
    pubsub.psubscribe("n*")
    confirmation = _next_message(pubsub, "psubscribe confirmation")
    check("psubscribe", (confirmation["type"], confirmation["channel"]), ("psubscribe", "n*"))
    check("publish to two subscriptions", r.publish("news", "hello"), 2)
    first = _next_message(pubsub, "message")
    second = _next_message(pubsub, "pmessage")
    check("message", (first["type"], first["channel"], first["data"]), ("message", "news", "hello"))
    check(
        "pmessage",
        (second["type"], second["pattern"], second["channel"], second["data"]),
        ("pmessage", "n*", "news", "hello"),
    )
    check("pubsub channels", sorted(r.pubsub_channels()), ["news", "sport"])
    check("pubsub numsub", r.pubsub_numsub("news", "none"), [("news", 1), ("none", 0)])
    check("pubsub numpat", r.pubsub_numpat(), 1)
    pubsub.unsubscribe("sport")
    message = _next_message(pubsub, "unsubscribe confirmation")
    check("unsubscribe", (message["type"], message["channel"]), ("unsubscribe", "sport"))
    check("publish after unsubscribe", r.publish("sport", "x"), 0)
    pubsub.close()
    check_true(
        "subscriptions gone after close",
        _wait_for(lambda: r.publish("news", "x") == 0),
        "PUBLISH still reached a subscriber",
    )
    received = []
    worker = make().pubsub()
    worker.subscribe(**{"events": lambda message: received.append(message["data"])})
    thread = worker.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        check_true("thread subscribed", _wait_for(lambda: r.publish("events", "e1") == 1), "")
        check_true("callback called", _wait_for(lambda: "e1" in received), repr(received))
    finally:
        thread.stop()
        thread.join(timeout=5)


def _next_message(pubsub, what):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.5)
        if message is not None:
            return message
    raise CheckFailed(f"no {what} within 5 s")


def _wait_for(probe, limit=5.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.02)
    return probe()


def section_blocking(r, make):
    p = "block:"
    started = time.monotonic()
    check("blpop timeout", r.blpop([p + "empty"], timeout=0.2), None)
    waited = time.monotonic() - started
    # The lower bound is the server's; the upper one only catches a timeout never served.
    check_true("blpop waited its timeout", 0.15 <= waited < 9, f"waited {waited:.3f}s")
    check("bzpopmin timeout", r.bzpopmin([p + "emptyz"], timeout=0.1), None)
    check("blmove timeout", r.blmove(p + "empty", p + "dst", 0.1, "LEFT", "RIGHT"), None)
    r.rpush(p + "ready", "now")
    check("blpop ready", list(r.blpop([p + "empty", p + "ready"], timeout=1)), [p + "ready", "now"])

    pusher = make()

    def push_later():
        time.sleep(0.3)
        pusher.rpush(p + "later", "a", "b")

    thread = threading.Thread(target=push_later)
    # Taken before the pusher starts: the push comes at least 0.3 s after it, however the
    # threads are scheduled.
    started = time.monotonic()
    thread.start()
    got = r.brpop([p + "later"], timeout=5)
    got = list(got) if got else got
    waited = time.monotonic() - started
    thread.join()
    # Served with the pushed element (not timed out), after the push: it blocked until then.
    check("brpop served by another client", got, [p + "later", "b"])
    check_true("brpop woke on push", waited >= 0.3, f"waited {waited:.3f}s")
    check("rest of the list", r.lrange(p + "later", 0, -1), ["a"])

    def zadd_later():
        time.sleep(0.2)
        pusher.zadd(p + "z", {"m": 1})

    thread = threading.Thread(target=zadd_later)
    thread.start()
    got = r.bzpopmin([p + "z"], timeout=5)
    thread.join()
    check("bzpopmin served", tuple(got) if got else got, (p + "z", "m", 1.0))
    check("blmpop", r.blmpop(0.1, 1, p + "later", direction="LEFT", count=3), [p + "later", ["a"]])
    expect_error("negative timeout", lambda: r.blpop([p + "x"], timeout=-1))


SECTIONS = [
    section_connection,
    section_client_name_and_info,
    section_strings,
    section_keys,
    section_lists,
    section_hashes,
    section_sets,
    section_sorted_sets,
    section_hyperloglog,
    section_server,
    section_pipelines,
    section_transactions,
    section_pubsub,
    section_blocking,
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--protocol", type=int, choices=[2, 3], default=3)
    args = parser.parse_args()

    def make(db=0, client_name=None, decode=True):
        return redis.Redis(
            host=args.host,
            port=args.port,
            db=db,
            protocol=args.protocol,
            client_name=client_name,
            decode_responses=decode,
            socket_timeout=10,
            socket_connect_timeout=5,
        )

    print(f"redis-py {redis.__version__}, RESP{args.protocol}, port {args.port}")
    failed = []
    for section in SECTIONS:
        name = section.__name__.removeprefix("section_")
        client = make()
        try:
            client.flushall()
        except redis.RedisError:
            # FLUSHALL belongs to the server family: sections namespace their keys anyway.
            pass
        try:
            section(client, make)
            print(f"PASS {name}")
        except CheckFailed as err:
            failed.append(name)
            print(f"FAIL {name}: {err}")
        except Exception as err:  # an unexpected exception is a failure of that section
            failed.append(name)
            detail = "".join(traceback.format_exception_only(type(err), err)).strip()
            print(f"FAIL {name}: {detail}")
            traceback.print_exc(limit=3, file=sys.stdout)
        finally:
            client.close()
    total = len(SECTIONS)
    print(f"redis-py RESP{args.protocol}: {total - len(failed)} of {total} sections ok")
    if failed:
        print(f"failing sections: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
