"""python -m labkit up | down | status [--watch]"""
from __future__ import annotations

import argparse
import sys
import time

from labkit import baseline, binaries, cloud, cluster, poll, ports, status
from labkit.endpoints import BadEndpoint, validate
from labkit.services.redis import UsersOutdated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labkit", description="The course's local cloud.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="start every server that is not running (safe to run again)")
    sub.add_parser("down", help="stop every server")
    st = sub.add_parser("status", help="one table of every service")
    st.add_argument("--watch", action="store_true", help="refresh every second until Ctrl-C")
    args = parser.parse_args(argv)
    try:
        validate()
        if args.command == "up":
            cloud.up()
            for deviation in baseline.restore():
                print(f"restored: {deviation.what}")
            print(status.table(status.wait_healthy()))
        elif args.command == "down":
            cloud.down()
        elif args.watch:
            while True:
                print("\033[H\033[J" + time.strftime("%H:%M:%S ") + "local cloud\n" + status.table(), flush=True)
                time.sleep(1)
        else:
            rows = status.rows()
            print(status.table(rows))
            if not status.healthy(rows):
                return 1
            drift = baseline.deviations()
            print("\n".join(["", "Not at the baseline every lab expects:", *(f"  - {d}" for d in drift)])
                  if drift else "\nAt the baseline every lab expects.")
    except (cloud.StartFailed, cluster.ClusterUnhealthy, poll.TimedOut, ports.PortTaken,
            binaries.MissingProgram, BadEndpoint, PermissionError, UsersOutdated) as exc:
        print(f"labkit {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
