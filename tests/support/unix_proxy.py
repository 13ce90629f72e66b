#!/usr/bin/env python3
"""Forwards connections made to a Unix socket LISTEN to the Unix socket TARGET, byte for byte,
until killed: a network between one client and a server that a test can cut (kill it: every
connection through it drops and new ones are refused) and mend (start it again).

Usage: unix_proxy.py LISTEN TARGET
"""
import asyncio
import os
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def serve(client_reader, client_writer, target):
    try:
        server_reader, server_writer = await asyncio.open_unix_connection(target)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


async def main(listen, target):
    if os.path.exists(listen):
        os.unlink(listen)
    server = await asyncio.start_unix_server(lambda r, w: serve(r, w, target), path=listen)
    os.chmod(listen, 0o777)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
