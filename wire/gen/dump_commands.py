#!/usr/bin/env python3
"""Dump a real Redis server's COMMAND and COMMAND DOCS (RESP3) to JSON.

The command table in wire/src/command_table.rs is generated from this dump, so that
arity, flags, key positions, key specs, ACL categories and docs match Redis byte for byte.

    redis-server --port 0 --unixsocket /tmp/r.sock --daemonize yes
    python3 wire/gen/dump_commands.py /tmp/r.sock > wire/gen/redis-7.0-commands.json
"""
import json
import socket
import sys


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(1 << 20)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(1 << 20)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def value(self):
        line = self.line()
        kind, rest = chr(line[0]), line[1:].decode()
        if kind in "+":
            return {"status": rest}
        if kind == "-":
            raise RuntimeError(rest)
        if kind == ":":
            return int(rest)
        if kind == "$":
            return self.exact(int(rest)).decode()
        if kind == "=":
            return self.exact(int(rest)).decode()[4:]
        if kind == "_":
            return None
        if kind == ",":
            return float(rest)
        if kind == "#":
            return rest == "t"
        if kind in "*~":
            items = [self.value() for _ in range(int(rest))]
            return {"set": items} if kind == "~" else items
        if kind == "%":
            pairs = []
            for _ in range(int(rest)):
                k = self.value()
                pairs.append([k, self.value()])
            return {"map": pairs}
        raise RuntimeError("unexpected type " + kind)


def command(sock, reader, *args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    sock.sendall(out)
    return reader.value()


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    reader = Reader(sock)
    command(sock, reader, "HELLO", "3")
    info = command(sock, reader, "COMMAND")
    docs = command(sock, reader, "COMMAND", "DOCS")
    json.dump({"info": info, "docs": docs}, sys.stdout, indent=0, sort_keys=False)


if __name__ == "__main__":
    main()
