"""Where a process's resident memory goes, from /proc/PID/smaps: the pages of its own
binary (file-backed: code and read-only data, clean and shared with the page cache; and
the binary's written pages: relocated data, .data, .bss), the heap, anonymous mappings
(thread stacks, malloc arenas, large allocations), shared libraries, and the rest.

    python3 scripts/harness/smaps.py PID     # one line, kB
Imported by measure.py for the footprint run. Standard library only.
"""
import os
import sys


def rss_by_mapping(pid):
    """kB per group, and the totals of file-backed and anonymous resident memory."""
    binary = os.path.realpath(f"/proc/{pid}/exe")
    groups = {"binary file": 0, "binary written": 0, "heap": 0, "anonymous": 0, "libraries": 0, "other": 0}
    totals = {"file": 0, "anonymous": 0, "rss": 0}
    name, rss, anonymous = None, 0, 0

    def close():
        if name is None:
            return
        file_backed = rss - anonymous
        totals["rss"] += rss
        totals["anonymous"] += anonymous
        totals["file"] += file_backed
        if name == binary or name.startswith(binary + " "):
            groups["binary file"] += file_backed
            groups["binary written"] += anonymous
        elif name == "[heap]":
            groups["heap"] += rss
        elif name == "":
            groups["anonymous"] += rss
        elif name.startswith("/"):
            groups["libraries"] += rss
        else:
            groups["other"] += rss

    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if not fields:
                continue
            # A mapping's header: "start-end perms offset dev inode [path]".
            if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                close()
                name, rss, anonymous = (" ".join(fields[5:]) if len(fields) > 5 else ""), 0, 0
            elif fields[0] == "Rss:":
                rss = int(fields[1])
            elif fields[0] == "Anonymous:":
                anonymous = int(fields[1])
    close()
    return groups, totals


def describe(pid):
    groups, totals = rss_by_mapping(pid)
    parts = ", ".join(f"{group} {kb}" for group, kb in groups.items())
    return (f"RSS {totals['rss']} kB = file-backed {totals['file']} + anonymous {totals['anonymous']}; "
            f"by mapping: {parts} (kB)")


if __name__ == "__main__":
    print(describe(int(sys.argv[1])))
