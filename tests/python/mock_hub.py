#!/usr/bin/env python3
"""A mock Hugging Face Hub on 127.0.0.1 for the downloader tests (tests/hub/) and the throughput benchmark.

It answers like the real Hub (huggingface_hub/hf_api.py model_info, file_download.py get_hf_file_metadata):
  GET  /api/models/{org}/{name}[/revision/{rev}][?blobs=true]  {"id", "sha", "siblings": [{"rfilename",
       "blobId", "size", "lfs": {"sha256", "size", "pointerSize"}}]} (metadata only with blobs=true)
  HEAD/GET /{org}/{name}/resolve/{rev}/{path}   LFS files: 302 to a second "CDN" port with X-Repo-Commit,
       X-Linked-Etag (the SHA-256), X-Linked-Size, ETag (the pointer's git SHA-1); other files: 200 with ETag
       (git blob SHA-1), X-Repo-Commit, Range support.
  GET  CDN /{sha256}   the content, with ETag, Accept-Ranges, Range (206 + Content-Range).
Control (on the hub port): GET /_mock/stats, POST /_mock/faults (JSON, replaces the fault table),
POST /_mock/reset (clears stats and faults).

Faults (each an entry of the JSON object; "match" is a substring of the file path, default ".safetensors";
"times" how many requests it hits, -1 for every one):
  drop      {"after": BYTES}                 send the headers and BYTES of the body, then close the socket
  corrupt   {}                               flip one byte in the middle of the body
  stall     {"after": BYTES, "seconds": S}   send BYTES, then nothing for S seconds, then close
  error500  {"api": bool}                    answer 500 (the revision API when "api" is true)
  ratelimit {"retry_after": S, "api": bool}  answer 429 with Retry-After: S
  notfound  {}                               the repository does not exist (404 RepoNotFound)
  gated     {"token": T}                     401 GatedRepo unless the request has "Authorization: Bearer T"
  badpath   {"path": P}                      the revision lists one more sibling named P
  hugesize  {"size": N}                      the revision says the matching file has N bytes
  nometa    {}                               the revision lists names only (as without ?blobs=true)
  relative  {}                               non-LFS files answer 307 with a relative Location
                                             (/api/resolve-cache/models/{repo}/{commit}/{path}), as the Hub does
  rate      {"bytes_per_second": N}          throttle every CDN body (for the kill -9 test)
Stats: bytes of file content sent per path, each request (method, path, range, whether it carried an
Authorization header, on which port), the times of the requests.

Repos: --repo ORG/NAME=DIR serves a folder (e.g. a pipeline made by make_tiny_pipeline.py);
--big-repo ORG/NAME=MB serves a synthetic one-component pipeline whose weights are MB megabytes;
--extras adds files a pipeline download must skip (.bin weights, a README, a nested folder).
Prints one JSON line {"hub": URL, "cdn": URL} on stdout once listening. Never touches the internet.
"""
import argparse
import hashlib
import http.server
import json
import os
import random
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

LFS_SUFFIXES = (".safetensors", ".bin", ".model", ".ckpt", ".pt", ".pth")


class RepoFile:
    def __init__(self, path, data):
        self.path = path
        self.data = data
        self.size = len(data)
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.lfs = path.endswith(LFS_SUFFIXES) or self.size > 1_000_000
        if self.lfs:
            pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\nsize {self.size}\n"
            self.pointer_size = len(pointer)
            self.blob_id = git_sha1(pointer.encode())
        else:
            self.blob_id = git_sha1(data)


def git_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Repo:
    def __init__(self, repo_id, files):
        self.repo_id = repo_id
        self.files = {f.path: f for f in files}
        h = hashlib.sha1(repo_id.encode())
        for f in sorted(self.files.values(), key=lambda f: f.path):
            h.update(f.path.encode() + f.blob_id.encode())
        self.commit = h.hexdigest()
        self.by_sha = {f.sha256: f for f in files}


def load_folder(repo_id, folder):
    files = []
    for root, _, names in os.walk(folder):
        for n in sorted(names):
            full = os.path.join(root, n)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            with open(full, "rb") as fh:
                files.append(RepoFile(rel, fh.read()))
    return files


def synthetic_pipeline(megabytes, seed=7):
    rng = random.Random(seed)
    n = megabytes * 1024 * 1024
    header = json.dumps({"weight": {"dtype": "U8", "shape": [n], "data_offsets": [0, n]}}).encode()
    header += b" " * (-len(header) % 8)
    payload = b"".join(rng.randbytes(1 << 20) for _ in range(megabytes))
    weights = struct.pack("<Q", len(header)) + header + payload
    index = {"_class_name": "LuminaPipeline", "_diffusers_version": "0.42.1",
             "transformer": ["diffusers", "LuminaNextDiT2DModel"]}
    return [RepoFile("model_index.json", json.dumps(index, indent=2).encode()),
            RepoFile("transformer/config.json", b'{"_class_name": "LuminaNextDiT2DModel"}\n'),
            RepoFile("transformer/diffusion_pytorch_model.safetensors", weights)]


def extras():
    rng = random.Random(3)
    return [RepoFile("README.md", b"# a test repository\n"),
            RepoFile("transformer/diffusion_pytorch_model.bin", rng.randbytes(2048)),
            RepoFile("text_encoder/pytorch_model.bin", rng.randbytes(2048)),
            RepoFile("vae/onnx/model.onnx", rng.randbytes(1024))]


class State:
    def __init__(self, repos):
        self.repos = repos
        self.lock = threading.Lock()
        self.faults = {}
        self.reset()

    def reset(self):
        with self.lock:
            self.bytes_served = {}
            self.requests = []
            self.faults = {}

    def take_fault(self, kind, path=None, api=False):
        """The fault entry of that kind when it applies to this request (counting it down)."""
        with self.lock:
            f = self.faults.get(kind)
            if f is None or f.get("times", -1) == 0:
                return None
            if bool(f.get("api", False)) != api:
                return None
            if path is not None and f.get("match", ".safetensors") not in path:
                return None
            if f.get("times", -1) > 0:
                f["times"] -= 1
            return dict(f)

    def peek_fault(self, kind):
        with self.lock:
            f = self.faults.get(kind)
            return dict(f) if f is not None and f.get("times", -1) != 0 else None

    def record(self, **kw):
        kw["time"] = time.time()
        with self.lock:
            self.requests.append(kw)

    def count(self, path, n):
        with self.lock:
            self.bytes_served[path] = self.bytes_served.get(path, 0) + n


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock-hub/1"
    state = None
    role = "hub"
    cdn_url = None

    def log_message(self, *args):
        pass

    # ---- helpers
    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_code(self, status, code, message, extra=None):
        headers = {"X-Error-Code": code, "X-Error-Message": message}
        headers.update(extra or {})
        self.send_json(status, {"error": message}, headers)

    def parse_range(self, size):
        value = self.headers.get("Range")
        if not value or not value.startswith("bytes="):
            return None
        a, _, b = value[6:].partition("-")
        start = int(a) if a else 0
        end = int(b) if b else size - 1
        return start, min(end, size - 1)

    def record(self, path=None):
        self.state.record(method=self.command, role=self.role, url=self.path, path=path,
                          range=self.headers.get("Range"), auth=self.headers.get("Authorization") is not None)

    def repo_for(self, org, name):
        return self.state.repos.get(f"{org}/{name}")

    def common_errors(self, repo_id, api, path=None):
        """Repository-wide faults; True when an answer was sent."""
        if self.state.peek_fault("notfound") is not None or repo_id not in self.state.repos:
            self.send_error_code(404, "RepoNotFound", f"Repository Not Found for url: {self.path}.")
            return True
        g = self.state.peek_fault("gated")
        if g is not None and self.headers.get("Authorization") != f"Bearer {g.get('token', '')}":
            self.send_error_code(401, "GatedRepo",
                                 f"Access to model {repo_id} is restricted. You must have access to it and be "
                                 "authenticated to access it. Please log in.")
            return True
        f = self.state.take_fault("error500", path=path, api=api)
        if f is not None:
            self.send_error_code(500, "InternalError", "Internal Error - We're working hard to fix this as soon "
                                                       "as possible!")
            return True
        f = self.state.take_fault("ratelimit", path=path, api=api)
        if f is not None:
            self.send_error_code(429, "RateLimited", "Too many requests", {"Retry-After": str(f["retry_after"])})
            return True
        return False

    # ---- the body with faults
    def send_body(self, f, start, end):
        data = memoryview(f.data)[start:end + 1]
        drop = self.state.take_fault("drop", path=f.path)
        stall = self.state.take_fault("stall", path=f.path)
        corrupt = self.state.take_fault("corrupt", path=f.path)
        rate = self.state.peek_fault("rate")
        if corrupt is not None and len(data):
            i = len(data) // 2
            data = memoryview(bytes(data[:i]) + bytes([data[i] ^ 0xFF]) + bytes(data[i + 1:]))
        limit = len(data)
        if drop is not None:
            limit = min(limit, drop.get("after", len(data) // 2))
        if stall is not None:
            limit = min(limit, stall.get("after", len(data) // 2))
        sent = 0
        chunk = 256 * 1024
        bps = rate.get("bytes_per_second") if rate is not None else None
        t0 = time.time()
        try:
            while sent < limit:
                n = min(chunk, limit - sent)
                if bps:
                    n = min(n, max(1024, bps // 20))
                self.wfile.write(data[sent:sent + n])
                self.state.count(f.path, n)
                sent += n
                if bps:
                    ahead = sent / bps - (time.time() - t0)
                    if ahead > 0:
                        time.sleep(ahead)
            self.wfile.flush()
            if stall is not None:
                time.sleep(stall.get("seconds", 60))
        except (BrokenPipeError, ConnectionResetError):
            pass
        if limit < len(data):
            self.close_connection = True

    def serve_file(self, f, extra_headers):
        rng = self.parse_range(f.size)
        if rng and rng[0] >= f.size and f.size > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{f.size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = rng if rng else (0, f.size - 1)
        self.send_response(206 if rng else 200)
        for k, v in extra_headers.items():
            self.send_header(k, v)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{end}/{f.size}")
        self.end_headers()
        if self.command == "HEAD" or f.size == 0:
            return
        self.send_body(f, start, end)

    # ---- routes
    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/_mock/faults":
            with self.state.lock:
                self.state.faults = json.loads(body or b"{}")
            self.send_json(200, {"ok": True})
        elif self.path == "/_mock/reset":
            self.state.reset()
            self.send_json(200, {"ok": True})
        else:
            self.send_json(404, {"error": "no such route"})

    def do_GET(self):
        parsed = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in parsed.path.split("/")[1:]]
        if self.role == "cdn":
            return self.cdn(parts)
        if parts[:2] == ["_mock", "stats"]:
            with self.state.lock:
                return self.send_json(200, {"bytes_served": self.state.bytes_served,
                                            "requests": self.state.requests})
        if parts[:3] == ["api", "resolve-cache", "models"] and len(parts) >= 7:
            path = "/".join(parts[6:])
            self.record(path=path)
            return self.resolve(parts[3], parts[4], parts[5], path, cached=True)
        if len(parts) >= 3 and parts[0] == "api" and parts[1] == "models":
            self.record()
            return self.api(parts[2:], urllib.parse.parse_qs(parsed.query))
        if len(parts) >= 5 and parts[2] == "resolve":
            path = "/".join(parts[4:])
            self.record(path=path)
            return self.resolve(parts[0], parts[1], parts[3], path)
        self.send_error_code(404, "EntryNotFound", "no such route")

    def api(self, rest, query):
        if len(rest) < 2:
            return self.send_error_code(404, "RepoNotFound", "Repository Not Found")
        repo_id = f"{rest[0]}/{rest[1]}"
        if len(rest) >= 4 and rest[2] == "tree":
            return self.tree(repo_id, rest[3], "/".join(rest[4:]))
        revision = urllib.parse.unquote("/".join(rest[3:])) if len(rest) >= 4 and rest[2] == "revision" else "main"
        if self.common_errors(repo_id, api=True):
            return
        repo = self.state.repos[repo_id]
        if revision not in ("main", repo.commit):
            return self.send_error_code(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        blobs = query.get("blobs", ["false"])[0].lower() in ("1", "true")
        if self.state.peek_fault("nometa") is not None:
            blobs = False  # a server that ignores ?blobs=true: sizes and hashes come from HEAD
        huge = self.state.peek_fault("hugesize")
        siblings = []
        for f in sorted(repo.files.values(), key=lambda f: f.path):
            s = {"rfilename": f.path}
            if blobs:
                size = f.size
                if huge is not None and huge.get("match", ".safetensors") in f.path:
                    size = huge["size"]
                s.update({"blobId": f.blob_id, "size": size})
                if f.lfs:
                    s["lfs"] = {"sha256": f.sha256, "size": size, "pointerSize": f.pointer_size}
            siblings.append(s)
        bad = self.state.peek_fault("badpath")
        if bad is not None:
            siblings.append({"rfilename": bad["path"], "blobId": "0" * 40, "size": 3})
        self.send_json(200, {"_id": "0" * 24, "id": repo_id, "modelId": repo_id, "sha": repo.commit,
                             "private": False, "gated": False, "disabled": False, "library_name": "diffusers",
                             "tags": ["diffusers", "safetensors"], "siblings": siblings})

    def tree(self, repo_id, revision, prefix):
        """GET /api/models/{repo}/tree/{rev}[/{path}]?recursive=..: what huggingface_hub's list_repo_tree reads."""
        if self.common_errors(repo_id, api=True):
            return
        repo = self.state.repos[repo_id]
        if revision not in ("main", repo.commit):
            return self.send_error_code(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        entries, folders = [], set()
        for f in sorted(repo.files.values(), key=lambda f: f.path):
            if prefix and not f.path.startswith(prefix + "/"):
                continue
            parent = f.path.rsplit("/", 1)[0] if "/" in f.path else ""
            while parent and parent != prefix and parent not in folders:
                folders.add(parent)
                entries.append({"type": "directory", "oid": "0" * 40, "size": 0, "path": parent})
                parent = parent.rsplit("/", 1)[0] if "/" in parent else ""
            e = {"type": "file", "oid": f.blob_id, "size": f.size, "path": f.path}
            if f.lfs:
                e["lfs"] = {"oid": f.sha256, "size": f.size, "pointerSize": f.pointer_size}
            entries.append(e)
        self.send_json(200, entries)

    def resolve(self, org, name, revision, path, cached=False):
        repo_id = f"{org}/{name}"
        if self.common_errors(repo_id, api=False, path=path):
            return
        repo = self.state.repos[repo_id]
        if revision not in ("main", repo.commit):
            return self.send_error_code(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        f = repo.files.get(path)
        if f is None:
            return self.send_error_code(404, "EntryNotFound", f"{path} does not exist on \"{revision}\"")
        if f.lfs:
            self.send_response(302)
            self.send_header("Location", f"{self.cdn_url}/{f.sha256}?repo={urllib.parse.quote(repo_id)}")
            self.send_header("X-Repo-Commit", repo.commit)
            self.send_header("X-Linked-Etag", f'"{f.sha256}"')
            self.send_header("X-Linked-Size", str(f.size))
            self.send_header("ETag", f'"{f.blob_id}"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not cached and self.state.peek_fault("relative") is not None:
            self.send_response(307)
            self.send_header("Location", f"/api/resolve-cache/models/{repo_id}/{repo.commit}/{urllib.parse.quote(path)}")
            self.send_header("X-Repo-Commit", repo.commit)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.serve_file(f, {"ETag": f'"{f.blob_id}"', "X-Repo-Commit": repo.commit,
                            "Content-Type": "application/octet-stream"})

    def cdn(self, parts):
        sha = parts[0] if parts else ""
        f = None
        for repo in self.state.repos.values():
            f = repo.by_sha.get(sha) or f
        self.record(path=f.path if f else None)
        if f is None:
            return self.send_json(404, {"error": "NoSuchKey"})
        self.serve_file(f, {"ETag": f'"{hashlib.md5(f.sha256.encode()).hexdigest()}"',
                            "Content-Type": "application/octet-stream"})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(repos, port=0, cdn_port=0):
    state = State(repos)
    cdn_handler = type("CdnHandler", (Handler,), {"state": state, "role": "cdn"})
    cdn = Server(("127.0.0.1", cdn_port), cdn_handler)
    hub_handler = type("HubHandler", (Handler,), {"state": state, "role": "hub",
                                                  "cdn_url": f"http://127.0.0.1:{cdn.server_address[1]}"})
    hub = Server(("127.0.0.1", port), hub_handler)
    for s in (hub, cdn):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    return hub, cdn, state


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", action="append", default=[], help="ORG/NAME=DIR")
    parser.add_argument("--big-repo", action="append", default=[], help="ORG/NAME=MEGABYTES")
    parser.add_argument("--extras", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--faults", default="{}", help="the initial fault table (JSON), as POST /_mock/faults")
    args = parser.parse_args()
    repos = {}
    for spec in args.repo:
        repo_id, _, folder = spec.partition("=")
        files = load_folder(repo_id, folder) + (extras() if args.extras else [])
        repos[repo_id] = Repo(repo_id, files)
    for spec in args.big_repo:
        repo_id, _, mb = spec.partition("=")
        repos[repo_id] = Repo(repo_id, synthetic_pipeline(int(mb)))
    hub, cdn, state = start(repos, args.port)
    state.faults = json.loads(args.faults)
    print(json.dumps({"hub": f"http://127.0.0.1:{hub.server_address[1]}",
                      "cdn": f"http://127.0.0.1:{cdn.server_address[1]}",
                      "repos": {r.repo_id: r.commit for r in repos.values()}}), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
