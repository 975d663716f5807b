#!/usr/bin/env python3
"""`lumina-cli download` / `lumina-cli models` against the mock Hub: the files a pipeline needs and nothing
else, the cache layout, the token kept from the CDN, every fault with its message and exit code, nothing
wrong left in the cache, a later clean run succeeding, resume after kill -9 fetching only the missing bytes.

Mutation check (docs/hub.md): making PartialBlob::finish accept any digest (`if (true)` instead of
`digest == m_file.etag()`) fails test_corrupt_byte_every_time (exit 0 and a wrong blob instead of exit 3)."""
import json
import os
import signal
import subprocess
import time
import unittest

from hub_test_support import (BIG, CLI, SINGLE, TINY, TOKEN, MockHub, check_blobs, cli_env, new_cache,
                              repo_folder, run_cli)

WEIGHTS = "transformer/diffusion_pytorch_model.safetensors"


class DownloadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hub = MockHub(big_mb=16)

    @classmethod
    def tearDownClass(cls):
        cls.hub.close()

    def setUp(self):
        self.hub.reset()
        self.cache = new_cache(self)
        self.env = cli_env(self.hub, self.cache)

    def download(self, repo=TINY, extra_args=(), env=None):
        return run_cli(["download", repo, "--json"] + list(extra_args), env or self.env)

    def assert_clean_rerun(self, repo=TINY):
        self.hub.faults()
        rc, out, err = self.download(repo)
        self.assertEqual(rc, 0, err)
        self.assertTrue(json.loads(out)["complete"])
        check_blobs(self, self.cache, repo)

    def test_download_selects_pipeline_files_and_writes_the_cache_layout(self):
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        result = json.loads(out)
        commit = self.hub.repos[TINY].commit
        self.assertEqual(result["commit"], commit)
        self.assertEqual(result["revision"], "main")
        self.assertTrue(result["complete"])
        self.assertGreater(result["fetched_bytes"], 0)
        fetched = {r["path"] for r in self.hub.requests() if r["path"] and r["method"] == "GET"}
        for skipped in ("README.md", "transformer/diffusion_pytorch_model.bin", "text_encoder/pytorch_model.bin",
                        "vae/onnx/model.onnx"):
            self.assertNotIn(skipped, fetched)
        expected = {p for p in self.hub.repos[TINY].files if not p.endswith((".bin", ".onnx", ".md"))}
        self.assertEqual(fetched, expected)
        self.assertEqual(result["files"], len(expected))
        folder = repo_folder(self.cache, TINY)
        with open(os.path.join(folder, "refs", "main")) as f:
            self.assertEqual(f.read(), commit)
        snapshot = os.path.join(folder, "snapshots", commit)
        self.assertEqual(result["snapshot_path"], snapshot)
        for path in expected:
            link = os.path.join(snapshot, path)
            self.assertTrue(os.path.islink(link), path)
            target = os.readlink(link)
            self.assertFalse(os.path.isabs(target), target)
            f = self.hub.repos[TINY].files[path]
            self.assertEqual(os.path.basename(target), f.sha256 if f.lfs else f.blob_id)
            with open(link, "rb") as fh:
                self.assertEqual(fh.read(), f.data)
        self.assertEqual(len(check_blobs(self, self.cache, TINY)), len({self.hub.repos[TINY].files[p].blob_id
                                                                        for p in expected}))
        # The token goes to the Hub, never to the CDN the Hub redirects to.
        reqs = self.hub.requests()
        self.assertTrue(any(r["role"] == "cdn" for r in reqs))
        self.assertTrue(all(not r["auth"] for r in reqs if r["role"] == "cdn"))
        self.assertTrue(all(r["auth"] for r in reqs if r["role"] == "hub"))
        # A second run reuses everything.
        self.hub.reset()
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["fetched_bytes"], 0)
        self.assertEqual(self.hub.served(), 0)
        # `models` lists it as complete.
        rc, out, err = run_cli(["models", "--json"], self.env)
        self.assertEqual(rc, 0, err)
        models = json.loads(out)["models"]
        self.assertEqual([(m["repo_id"], m["revision"], m["commit"], m["complete"]) for m in models],
                         [(TINY, "main", commit, True)])
        self.assertGreater(models[0]["size_on_disk"], 600_000)
        # `models --verify` re-hashes: a damaged blob makes the snapshot incomplete.
        rc, out, err = run_cli(["models", "--verify", "--json"], self.env)
        self.assertEqual(json.loads(out)["models"][0]["corrupt"], [])
        blob = os.path.realpath(os.path.join(snapshot, "vae", "config.json"))
        with open(blob, "r+b") as fh:
            fh.write(b"X")
        rc, out, err = run_cli(["models", "--verify", "--json"], self.env)
        self.assertEqual(rc, 0, err)
        m = json.loads(out)["models"][0]
        self.assertEqual(m["corrupt"], ["vae/config.json"])
        self.assertFalse(m["complete"])
        os.remove(blob)
        # Offline: the complete snapshot is enough, and nothing is asked of the network.
        self.assertEqual(self.download(env=dict(self.env, HF_HUB_OFFLINE="1"))[0], 5)  # the blob is gone
        rc, out, err = self.download()  # fetched again, only that file
        self.assertEqual(json.loads(out)["fetched_bytes"], self.hub.repos[TINY].files["vae/config.json"].size)
        self.hub.reset()
        rc, out, err = self.download(env=dict(self.env, HF_HUB_OFFLINE="1"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.hub.requests(), [])

    def test_metadata_from_head_when_the_revision_has_none(self):
        self.hub.faults(nometa={})
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        heads = {r["path"] for r in self.hub.requests() if r["method"] == "HEAD"}
        self.assertIn(WEIGHTS, heads)
        self.assertTrue(all(not r["auth"] for r in self.hub.requests() if r["role"] == "cdn"))
        files = [f for f in self.hub.repos[TINY].files.values() if not f.path.endswith((".bin", ".onnx", ".md"))]
        self.assertEqual(len(check_blobs(self, self.cache, TINY)), len({f.blob_id for f in files}))

    def test_relative_redirects_are_followed_with_the_token(self):
        self.hub.faults(relative={}, nometa={})
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        cached = [r for r in self.hub.requests() if r["url"].startswith("/api/resolve-cache/")]
        self.assertTrue(cached)
        self.assertTrue(all(r["auth"] for r in cached))  # same origin: the token goes along
        check_blobs(self, self.cache, TINY)

    def test_offline_without_the_model_is_a_network_error(self):
        rc, out, err = self.download(env=dict(self.env, HF_HUB_OFFLINE="1"))
        self.assertEqual(rc, 5, err)
        self.assertIn("HF_HUB_OFFLINE", err)
        self.assertEqual(self.hub.requests(), [])

    def test_bad_arguments(self):
        for args in (["download"], ["download", "not a repo"], ["download", "a/b/c"], ["download", "../x"],
                     ["download", TINY, "--revision", "../../etc"], ["download", TINY, "--frobnicate"]):
            rc, out, err = run_cli(args, self.env)
            self.assertEqual(rc, 2, f"{args}: {err}")
        self.assertEqual(self.hub.requests(), [])

    def test_repository_not_found(self):
        self.hub.faults(notfound={})
        rc, out, err = self.download()
        self.assertEqual(rc, 3, err)
        self.assertIn("not found", err)
        self.assertIn("not found", json.loads(out)["error"])
        self.assert_clean_rerun()

    def test_gated_repository(self):
        self.hub.faults(gated={"token": "the-right-token"})
        rc, out, err = self.download()
        self.assertEqual(rc, 3, err)
        self.assertIn("gated", err)
        self.assertNotIn(TOKEN, err + out)
        # With the token the gate asks for, the same repository downloads.
        rc, out, err = self.download(env=dict(self.env, HF_TOKEN="the-right-token"))
        self.assertEqual(rc, 0, err)

    def test_token_from_the_token_file(self):
        env = dict(self.env)
        del env["HF_TOKEN"]
        token_file = os.path.join(os.path.dirname(self.cache), "token")
        with open(token_file, "w") as f:
            f.write("file-token\n")
        env["HF_TOKEN_PATH"] = token_file
        self.hub.faults(gated={"token": "file-token"})
        rc, out, err = self.download(env=env)
        self.assertEqual(rc, 0, err)
        self.assertTrue(all(not r["auth"] for r in self.hub.requests() if r["role"] == "cdn"))

    def test_unsafe_sibling_paths_are_refused(self):
        for bad in ("../evil.json", "/etc/passwd", "tokenizer\\..\\..\\x.json", "vae/./config.json", "a//b"):
            self.hub.reset()
            self.hub.faults(badpath={"path": bad})
            rc, out, err = self.download()
            self.assertEqual(rc, 3, f"{bad}: {err}")
            self.assertIn("unsafe file path", err)
            self.assertFalse(os.path.exists(os.path.join(self.cache, "..", "evil.json")))
            self.assertEqual(self.hub.served(), 0)
        self.assert_clean_rerun()

    def test_server_error_then_success(self):
        self.hub.faults(error500={"times": 2, "match": WEIGHTS})
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        self.assertIn("HTTP 500", err)
        check_blobs(self, self.cache, TINY)

    def test_server_error_every_time(self):
        self.hub.faults(error500={"times": -1, "api": True})
        rc, out, err = self.download()
        self.assertEqual(rc, 5, err)
        self.assertIn("giving up after 4 attempts", err)
        self.assert_clean_rerun()

    def test_rate_limit_honours_retry_after(self):
        self.hub.faults(ratelimit={"times": 1, "retry_after": 2, "match": WEIGHTS})
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        times = [r["time"] for r in self.hub.requests() if r["path"] == WEIGHTS and r["role"] == "hub"]
        self.assertGreaterEqual(len(times), 2)
        self.assertGreaterEqual(times[1] - times[0], 1.9)
        check_blobs(self, self.cache, TINY)

    def test_connection_dropped_mid_file_resumes(self):
        size = self.hub.repos[TINY].files[WEIGHTS].size
        self.hub.faults(drop={"times": 2, "after": 50_000, "match": WEIGHTS})
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        # The retries continued from where the connection dropped: nothing was fetched twice.
        self.assertEqual(self.hub.served(WEIGHTS), size)
        files = [f for f in self.hub.repos[TINY].files.values() if not f.path.endswith((".bin", ".onnx", ".md"))]
        self.assertEqual(len(check_blobs(self, self.cache, TINY)), len({f.blob_id for f in files}))

    def test_corrupt_byte_once_is_fetched_again(self):
        self.hub.faults(corrupt={"times": 1, "match": WEIGHTS})
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["verify_refetches"], 1)
        self.assertIn("hash mismatch", err)
        check_blobs(self, self.cache, TINY)

    def test_corrupt_byte_every_time(self):
        self.hub.faults(corrupt={"times": -1, "match": WEIGHTS})
        rc, out, err = self.download()
        self.assertEqual(rc, 3, err)
        self.assertIn("does not match the repository", err)
        self.assertIn(WEIGHTS, err)
        f = self.hub.repos[TINY].files[WEIGHTS]
        self.assertEqual(self.hub.served(WEIGHTS), 3 * f.size)  # the first try and two refetches
        self.assertFalse(os.path.exists(os.path.join(repo_folder(self.cache, TINY), "blobs", f.sha256)))
        check_blobs(self, self.cache, TINY)
        self.assert_clean_rerun()

    def test_stalled_connection_is_retried(self):
        self.hub.faults(stall={"times": 1, "after": 40_000, "seconds": 8, "match": WEIGHTS})
        start = time.time()
        rc, out, err = self.download()
        self.assertEqual(rc, 0, err)
        self.assertIn("stalled", err)
        self.assertLess(time.time() - start, 8)
        check_blobs(self, self.cache, TINY)

    def test_stalled_every_time_is_a_network_error(self):
        self.hub.faults(stall={"times": -1, "after": 0, "seconds": 4, "match": WEIGHTS})
        rc, out, err = self.download(env=dict(self.env, LUMINA_HUB_ATTEMPTS="2"))
        self.assertEqual(rc, 5, err)
        self.assertIn("stalled", err)
        check_blobs(self, self.cache, TINY)
        self.assert_clean_rerun()

    def test_not_enough_disk_space(self):
        self.hub.faults(hugesize={"size": 10**16, "match": WEIGHTS})
        rc, out, err = self.download()
        self.assertEqual(rc, 3, err)
        self.assertIn("not enough disk space", err)
        self.assertIn("available", err)
        self.assertEqual(self.hub.served(WEIGHTS), 0)
        self.assert_clean_rerun()

    def test_file_size_limit_stops_cleanly(self):
        # A full disk as the process sees it: RLIMIT_FSIZE makes writes past 4 MB fail with EFBIG (SIGXFSZ
        # ignored), like ENOSPC. The space of each file is reserved before its first byte is fetched.
        import resource

        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, 4 << 20))

        p = subprocess.run([CLI, "download", BIG], env=self.env, capture_output=True, text=True, timeout=120,
                           preexec_fn=limit)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("disk is full", p.stderr)
        check_blobs(self, self.cache, BIG)
        self.assertFalse(os.path.exists(os.path.join(repo_folder(self.cache, BIG), "blobs",
                                                     self.hub.repos[BIG].files[WEIGHTS].sha256)))
        self.assert_clean_rerun(BIG)

    def test_kill_9_then_resume_fetches_only_missing_bytes(self):
        f = self.hub.repos[BIG].files[WEIGHTS]
        self.hub.faults(rate={"bytes_per_second": 1_000_000})
        env = dict(self.env, LUMINA_HUB_MIN_PART_KB="4096")
        proc = subprocess.Popen([CLI, "download", BIG], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        state_path = os.path.join(repo_folder(self.cache, BIG), "blobs", f.sha256 + ".lumina-partial.json")
        deadline = time.time() + 60
        done = 0
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
            try:
                with open(state_path) as fh:
                    done = sum(p[2] for p in json.load(fh)["parts"])
            except (OSError, ValueError):
                continue
            if done > 2_000_000:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(1)  # the mock's throttled senders notice the closed sockets before the counts restart
        with open(state_path) as fh:
            state = json.load(fh)
        done = sum(p[2] for p in state["parts"])
        self.assertGreater(len(state["parts"]), 1)  # fetched in parallel parts
        self.assertGreater(done, 0)
        self.assertLess(done, f.size)
        self.hub.reset()
        rc, out, err = run_cli(["download", BIG, "--json"], env)
        self.assertEqual(rc, 0, err)
        # Exactly the bytes the state file did not vouch for were fetched again.
        self.assertEqual(self.hub.served(WEIGHTS), f.size - done)
        self.assertEqual(check_blobs(self, self.cache, BIG).count(f.sha256), 1)

    def test_interrupt_keeps_state_and_exit_130(self):
        f = self.hub.repos[BIG].files[WEIGHTS]
        self.hub.faults(rate={"bytes_per_second": 1_000_000})
        proc = subprocess.Popen([CLI, "download", BIG], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(2.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 130, err)
        self.assertIn("cancelled", err)
        blobs = os.path.join(repo_folder(self.cache, BIG), "blobs")
        self.assertTrue(os.path.exists(os.path.join(blobs, f.sha256 + ".lumina-partial.json")))
        rc, out, err = run_cli(["models", "--json"], self.env)
        models = json.loads(out)["models"]
        self.assertEqual([(m["repo_id"], m["complete"]) for m in models], [(BIG, False)])
        self.assertTrue(any(m.startswith("transformer") for m in models[0]["missing"]), models[0]["missing"])
        served_before = self.hub.served(WEIGHTS)
        self.hub.faults()
        rc, out, err = run_cli(["download", BIG, "--json"], self.env)
        self.assertEqual(rc, 0, err)
        self.assertLess(self.hub.served(WEIGHTS) - served_before, f.size)
        check_blobs(self, self.cache, BIG)

    def test_single_files_by_path(self):
        """--file: exactly the named files of a repository without model_index.json, verified into the cache,
        usable as --model."""
        path = "all_in_one/lumina_2.safetensors"
        rc, out, err = self.download(SINGLE, ["--file", path])
        self.assertEqual(rc, 0, err)
        result = json.loads(out)
        fetched = {r["path"] for r in self.hub.requests() if r["path"] and r["method"] == "GET"}
        self.assertEqual(fetched, {path})
        self.assertEqual(result["files"], 1)
        local = os.path.join(repo_folder(self.cache, SINGLE), "snapshots", self.hub.repos[SINGLE].commit, path)
        self.assertEqual(result["paths"], [local])
        with open(local, "rb") as fh:
            self.assertEqual(fh.read(), self.hub.repos[SINGLE].files[path].data)
        check_blobs(self, self.cache, SINGLE)
        rc, out, err = run_cli(["info", "--model", local, "--json"], self.env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["model_family"], "lumina2")
        # Reused on the next run, and offline needs nothing from the network.
        self.hub.reset()
        rc, out, err = self.download(SINGLE, ["--file", path])
        self.assertEqual((rc, json.loads(out)["fetched_bytes"]), (0, 0), err)
        self.hub.reset()
        rc, out, err = self.download(SINGLE, ["--file", path], env=dict(self.env, HF_HUB_OFFLINE="1"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.hub.requests(), [])
        # Offline, a file not in the cache is a network error naming it.
        rc, out, err = self.download(SINGLE, ["--file", "split_files/vae/ae.safetensors"],
                                     env=dict(self.env, HF_HUB_OFFLINE="1"))
        self.assertEqual(rc, 5, err)
        self.assertIn("split_files/vae/ae.safetensors", err)

    def test_single_file_mistakes_are_explained(self):
        # A path the revision lacks: exit 3, the repository's .safetensors files listed.
        rc, out, err = self.download(SINGLE, ["--file", "lumina_2.safetensors"])
        self.assertEqual(rc, 3, err)
        self.assertIn("has no file lumina_2.safetensors", err)
        self.assertIn("all_in_one/lumina_2.safetensors", err)
        # Without --file a repository with no model_index.json says how to get its files.
        rc, out, err = self.download(SINGLE)
        self.assertEqual(rc, 3, err)
        self.assertIn("--file", err)
        self.assertIn("split_files/vae/ae.safetensors", err)
        # Pickle weights and paths outside the repository are refused before any request.
        self.hub.reset()
        for bad in ("all_in_one/lumina_2.ckpt", "../x.safetensors", "/etc/passwd"):
            rc, out, err = self.download(SINGLE, ["--file", bad])
            self.assertEqual(rc, 2, f"{bad}: {err}")
        self.assertEqual(self.hub.requests(), [])
        self.assertEqual(check_blobs(self, self.cache, SINGLE), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
