"""The benchmark harness behind bench/run: Ginx side by side with nginx, HAProxy, Caddy, YARP alone and
the direct path, on the same machine in the same run. One module per concern:

- paths: where things are; processes: starting and stopping processes, their CPU and memory;
- tools: the peers' binaries (installed from Debian when missing) and the .NET builds;
- probes: plain HTTP calls, readiness and correctness checks;
- replicas: the SampleBackend fleet, its chaos and its /stats;
- peers: each proxy's configuration (templates in bench/peers/) and how it starts;
- scenarios: what is measured (classic scenarios, the uneven fleet's faults);
- load: one wrk run and what it measured;
- classic, uneven, alldown, growth: the four scenario families;
- report: tables and JSON; charts: SVG pictures.
"""
