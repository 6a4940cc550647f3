#!/usr/bin/env python3
"""apiserver_standin: a stand-in Kubernetes API server for the publish tests.

Serves HTTPS on ADDR:PORT with CERT/KEY and answers what `nodeward watch --publish`
asks: GET /api/v1/nodes/NAME (a v1 Node with --node-uid) and server-side apply PATCHes
of openreports.io/v1alpha1 clusterreports. Every request is recorded as one JSON line
in LOG (method, path, query, headers, and the body in DIR/body-N.json); the record is
written before the answer, so a test that has read the answer also finds the record.

  --fail N      answer the first N PATCHes 500 (a metav1.Status), then as usual
  --fail-all    answer every PATCH 500
  --hang        never answer a GET (the request is still recorded)

Prints "ready" on standard output once it listens. Answers follow the API server's
shapes (k8s.io/apimachinery pkg/apis/meta/v1 types.go Status; server-side apply returns
200 with the object, 201 when it created it).
"""
import argparse
import http.server
import json
import os
import ssl
import sys
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=6443)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--node", required=True)
    ap.add_argument("--node-uid", required=True)
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--fail-all", action="store_true")
    ap.add_argument("--hang", action="store_true")
    a = ap.parse_args()
    state = {"n": 0, "patches": 0, "objects": {}}
    logdir = os.path.dirname(os.path.abspath(a.log))

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, code, obj):
            data = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def status(self, code, reason, msg):
            self.answer(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                               "message": msg, "reason": reason, "code": code})

        def record(self, body):
            state["n"] += 1
            u = urllib.parse.urlsplit(self.path)
            rec = {"n": state["n"], "method": self.command, "path": u.path,
                   "query": urllib.parse.parse_qs(u.query), "headers": {k.lower(): v for k, v in self.headers.items()}}
            if body is not None:
                bf = os.path.join(logdir, "body-%d.json" % state["n"])
                with open(bf, "wb") as f:
                    f.write(body)
                rec["body_file"] = bf
            with open(a.log, "a") as f:
                f.write(json.dumps(rec) + "\n")
            return u

        def do_GET(self):
            u = self.record(None)
            if a.hang:
                time.sleep(3600)
            if u.path == "/api/v1/nodes/" + a.node:
                self.answer(200, {"kind": "Node", "apiVersion": "v1",
                                  "metadata": {"name": a.node, "uid": a.node_uid, "resourceVersion": "1"},
                                  "spec": {}, "status": {}})
            else:
                self.status(404, "NotFound", "not found")

        def do_PATCH(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            u = self.record(body)
            prefix = "/apis/openreports.io/v1alpha1/clusterreports/"
            if not u.path.startswith(prefix):
                return self.status(404, "NotFound", "the server could not find the requested resource")
            state["patches"] += 1
            if a.fail_all or state["patches"] <= a.fail:
                return self.status(500, "InternalError", "stand-in failure %d" % state["patches"])
            if self.headers.get("Content-Type") != "application/apply-patch+yaml":
                return self.status(415, "UnsupportedMediaType", "want application/apply-patch+yaml")
            try:
                obj = json.loads(body)
            except ValueError:
                return self.status(400, "BadRequest", "body is not JSON")
            name = u.path[len(prefix):]
            created = name not in state["objects"]
            obj.setdefault("metadata", {})["uid"] = "report-uid-1"
            state["objects"][name] = obj
            self.answer(201 if created else 200, obj)

    srv = http.server.HTTPServer((a.addr, a.port), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
