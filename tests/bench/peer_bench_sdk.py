#!/usr/bin/env python
# Origin: the project's SDK peer benchmark (peer_bench_sdk.py, sha256 22d55817150ad9b4c7e7f9ae7664821a95bf6f115b80e26debd365e7b77bf283),
# kept here as the SDK loop make bench compares against. Copied unchanged apart from this comment, the shebang (python3 ->
# python, which ansible-test sanity requires) and the server named in the docstring; tests/bench/run_bench.py runs it with the
# SDK venv's python against the emulator, which knows its hard-coded access key (AKIDEXAMPLE / secret).
"""Peer benchmark: list ALL OTA tasks of one or more delivery groups with the official
Alibaba Cloud Python SDK (alibabacloud-appstream-center20210901), the obvious way a user
would write it: sequential ListOtaTask calls with PageSize=100, PageNumber=1,2,... until
TotalCount tasks have been read; groups one after another.

Run it with the peer venv against the emulator, tests/emulator/ota_emulator.py (loopback only):

  ALIBABA_CLOUD_ECS_METADATA_DISABLED=true $SDK_VENV/bin/python peer_bench_sdk.py \
      --endpoint 127.0.0.1:PORT --group aig-bench-0000 --total 1000
  ALIBABA_CLOUD_ECS_METADATA_DISABLED=true $SDK_VENV/bin/python peer_bench_sdk.py \
      --endpoint 127.0.0.1:PORT --groups aig-bench-0000,aig-bench-0001 --total 20

Prints one JSON line:
  {"tasks": n, "calls": k, "seconds": t, ...}
  tasks   = tasks read (all groups)
  calls   = ListOtaTask calls that returned (SDK-internal retries, if enabled, are not counted)
  seconds = wall time of the listing loop(s) only (client already constructed)
  import_seconds / client_seconds = in-process time of the SDK imports / Client() construction
Exit status 0 when every group returned exactly --total tasks (if --total is given), else 1.
"""
import argparse
import ipaddress
import json
import os
import sys
import time

# Must be set before any alibabacloud import (no ECS metadata probing), and no proxies.
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
for _k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_k, None)

PAGE_SIZE = 100


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="List all OTA tasks with the official SDK (peer benchmark).")
    p.add_argument("--endpoint", required=True, help="host:port of the (loopback) server")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--group", help="one delivery group id")
    g.add_argument("--groups", help="comma-separated delivery group ids, listed sequentially")
    p.add_argument("--total", type=int, help="expected number of tasks per group (checked)")
    p.add_argument("--ota-type", default="Fota")
    p.add_argument("--region", default="cn-shanghai")
    p.add_argument("--retry", type=int, default=0,
                   help="enable the SDK's own retry (Config.retry_options) on Throttling.User / "
                        "ServiceUnavailable / InternalError / connection errors with this maxAttempts "
                        "(default 0 = SDK default: no retry)")
    p.add_argument("--allow-non-loopback", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    host = a.endpoint.rsplit(":", 1)[0].strip("[]")
    if not a.allow_non_loopback:
        try:
            ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = False
        if not ok:
            p.error("refusing non-loopback endpoint %r" % a.endpoint)
    a.group_list = [a.group] if a.group else [x for x in a.groups.split(",") if x]
    return a


def main(argv=None):
    a = parse_args(argv)

    t0 = time.perf_counter()
    from alibabacloud_tea_openapi import models as open_api_models
    from alibabacloud_appstream_center20210901.client import Client
    from alibabacloud_appstream_center20210901 import models as appstream_models
    t1 = time.perf_counter()

    cfg = open_api_models.Config(
        access_key_id="AKIDEXAMPLE",
        access_key_secret="secret",
        endpoint=a.endpoint,
        protocol="http",
        region_id=a.region,
    )
    if a.retry > 0:
        from darabonba.policy.retry import RetryOptions, RetryCondition
        cfg.retry_options = RetryOptions({
            "retryable": True,
            "retryCondition": [RetryCondition({
                "maxAttempts": a.retry,
                "errorCode": ["Throttling.User", "Throttling", "ServiceUnavailable", "InternalError"],
                "exception": ["RetryError"],
                "backoff": {"policy": "ExponentialWithEqualJitter", "period": 200, "cap": 5000},
            })],
        })
    client = Client(cfg)
    t2 = time.perf_counter()

    tasks = 0
    calls = 0
    per_group = {}
    for group in a.group_list:
        got = []
        page = 1
        while True:
            resp = client.list_ota_task(appstream_models.ListOtaTaskRequest(
                app_instance_group_id=group,
                ota_type=a.ota_type,
                page_number=page,
                page_size=PAGE_SIZE,
            ))
            calls += 1
            body = resp.body
            page_tasks = body.task_list or []
            got.extend(page_tasks)
            if not page_tasks or len(got) >= (body.total_count or 0):
                break
            page += 1
        per_group[group] = len(got)
        tasks += len(got)
    t3 = time.perf_counter()

    out = {
        "tasks": tasks,
        "calls": calls,
        "seconds": round(t3 - t2, 4),
        "groups": len(a.group_list),
        "import_seconds": round(t1 - t0, 4),
        "client_seconds": round(t2 - t1, 4),
    }
    print(json.dumps(out))
    if a.total is not None and any(n != a.total for n in per_group.values()):
        bad = {g: n for g, n in per_group.items() if n != a.total}
        print("task count mismatch (expected %d per group): %s" % (a.total, json.dumps(bad)[:500]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
