#!/usr/bin/env python3
"""Language-server latency: change → diagnostics round trips on a generated project.

    scripts/lsp-bench.py [FILES]   (default 2000; builds the release binary first)

Generates FILES Flask blueprints (three guarded routes each) mounted by one app, starts
`keyhole lsp`, opens one view and alternately removes and restores a guard, timing each
`didChange` until the file's `publishDiagnostics` arrives.
"""
import json, os, shutil, subprocess, sys, tempfile, time

count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=repo, check=True)
binary = os.path.join(repo, "target", "release", "keyhole")

root = os.path.realpath(tempfile.mkdtemp(prefix="lspbench"))
os.makedirs(os.path.join(root, "app", "views"))
mounts = []
for i in range(count):
    with open(os.path.join(root, "app", "views", f"v{i}.py"), "w") as f:
        f.write(f"""from flask import Blueprint
from flask_login import login_required

bp{i} = Blueprint("v{i}", __name__)


@bp{i}.get("/items")
@login_required
def list_{i}():
    return []


@bp{i}.post("/items")
@login_required
def create_{i}():
    return {{}}


@bp{i}.delete("/items/<int:id>")
@login_required
def delete_{i}(id):
    return "", 204
""")
    mounts.append(f"from app.views.v{i} import bp{i}\napp.register_blueprint(bp{i}, url_prefix='/r{i}')\n")
open(os.path.join(root, "app", "__init__.py"), "w").close()
with open(os.path.join(root, "app", "main.py"), "w") as f:
    f.write("from flask import Flask\napp = Flask(__name__)\n" + "".join(mounts))

p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def send(msg):
    body = json.dumps(msg).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    p.stdin.flush()


def recv():
    headers = {}
    while True:
        line = p.stdout.readline().decode().strip()
        if not line:
            break
        k, v = line.split(":", 1)
        headers[k.lower()] = v.strip()
    return json.loads(p.stdout.read(int(headers["content-length"])))


def diagnostics_for(uri):
    while True:
        m = recv()
        if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
            return m["params"]["diagnostics"]


send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"capabilities": {}, "rootUri": "file://" + root}})
recv()
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
path = os.path.join(root, "app", "views", "v7.py")
uri = "file://" + path
text = open(path).read()
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})
# Let the first (cold) analysis finish: a hover is answered after it.
send({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
      "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}})
while recv().get("id") != 2:
    pass
times = []
for version in range(2, 22):
    unguarded = version % 2 == 0
    new = text.replace("@login_required\ndef delete", "def delete") if unguarded else text
    start = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange",
          "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": new}]}})
    found = diagnostics_for(uri)
    times.append((time.perf_counter() - start) * 1000)
    assert bool(found) == unguarded, found
times.sort()
print(f"{count + 2} files: change → diagnostics over {len(times)} changes: "
      f"median {times[len(times) // 2]:.0f} ms, min {times[0]:.0f} ms, max {times[-1]:.0f} ms")
send({"jsonrpc": "2.0", "id": 3, "method": "shutdown"})
while recv().get("id") != 3:
    pass
send({"jsonrpc": "2.0", "method": "exit"})
p.wait()
shutil.rmtree(root)
