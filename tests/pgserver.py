"""A real, throw-away PostgreSQL server for the test session (RECIPES.md).

initdb refuses to run as root, so the server runs as the ``postgres`` user via
``runuser``; pytest itself stays root.
"""
import glob
import os
import shutil
import socket
import subprocess
import tempfile


def binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def available():
    return bool(binaries()) and os.geteuid() == 0 and shutil.which("runuser") is not None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bin = binaries()
        self.dir = tempfile.mkdtemp(prefix="shouwen-pg-")
        self.port = _free_port()
        shutil.chown(self.dir, "postgres")

    def _as_postgres(self, *args):
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self):
        data = os.path.join(self.dir, "data")
        self._as_postgres(f"{self.bin}/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        self._as_postgres(f"{self.bin}/pg_ctl", "-D", data, "-l", os.path.join(self.dir, "log"),
                          "-w", "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir} -F", "start")
        return self

    def create_database(self, name):
        self._as_postgres(f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "postgres", name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        try:
            self._as_postgres(f"{self.bin}/pg_ctl", "-D", os.path.join(self.dir, "data"),
                              "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
