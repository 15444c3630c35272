"""Polls a Ginx admin listener's /ginx/status every 50 ms for a while: one line per poll, the seconds since
the start, then for each destination of the first cluster its name, requests in flight, EWMA latency (ms)
and requests served. Usage: poll_status.py URL OUT SECONDS (bench/trace/stall-cycles runs it)."""
import json, sys, time, urllib.request
url, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
t0 = time.time()
with open(out, "w") as f:
    while time.time() - t0 < seconds:
        try:
            r = json.load(urllib.request.urlopen(url, timeout=2))
            parts = [f"{time.time()-t0:7.3f}"]
            for d in r["clusters"][0]["destinations"]:
                parts.append(f"{d['name']} {d['activeRequests']} {d['ewmaLatencyMs'] or 0:.1f} {d['requests']}")
            f.write(" | ".join(parts) + "\n")
        except (OSError, ValueError) as e:
            f.write(f"{time.time()-t0:7.3f} error {e}\n")
        time.sleep(0.05)
