"""Where a profiled run spent its instructions: callgrind's self cost by module and the
top functions, demangled.

    python3 scripts/harness/profile_table.py CALLGRIND_OUT BINARY [--ticks N] [--top 25]

BINARY is the unstripped binary the profile ran (its symbols give each function its
module, as `size_by_module.py` does). With --ticks, instructions are also shown per
tick. Needs valgrind's `callgrind_annotate` and the toolchain's `swift demangle`.
"""
import argparse
import collections
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from size_by_module import guess, owners, packages  # noqa: E402

LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(?:\S*?):(.*?)(?:\s+\[(.*)\])?$")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile")
    parser.add_argument("binary")
    parser.add_argument("--ticks", type=int)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--build", help="the build directory that linked BINARY (default: its own directory)")
    arguments = parser.parse_args()

    output = subprocess.run(
        ["callgrind_annotate", "--inclusive=no", "--threshold=100", arguments.profile],
        capture_output=True, text=True, check=True).stdout
    functions = []
    total = 0
    for line in output.splitlines():
        found = LINE.match(line)
        if not found:
            if "PROGRAM TOTALS" in line:
                total = int(line.split()[0].replace(",", ""))
            continue
        # `'2` marks a recursion level of the same function.
        name = re.sub(r"'\d+$", "", found.group(2).strip())
        functions.append((int(found.group(1).replace(",", "")), name, found.group(3) or ""))
    if not total:
        total = sum(cost for cost, _, _ in functions)
    binary = os.path.realpath(arguments.binary)
    owner = owners(arguments.binary, arguments.build)
    # callgrind writes C++ names demangled (the runtime's): give those their module too.
    cxx = [name for name in owner if name.startswith("_Z")]
    demangled = subprocess.run(["c++filt"], input="\n".join(cxx), capture_output=True, text=True).stdout.splitlines()
    if len(demangled) == len(cxx):
        for name, plain in zip(cxx, demangled):
            owner.setdefault(plain, owner[name])
    package_of = packages(arguments.binary, arguments.build)
    by_module = collections.Counter()
    for cost, name, obj in functions:
        if obj and os.path.basename(obj) != os.path.basename(binary):
            module = os.path.basename(obj)
        else:
            module = owner.get(name) or guess(name)
        by_module[module] += cost

    per_tick = f", {total / arguments.ticks / 1e6:.1f} M per tick over {arguments.ticks} ticks" if arguments.ticks else ""
    print(f"instructions: {total:,}{per_tick}")
    print()
    print("| module | package | share of instructions |")
    print("|---|---|---|")
    for module, cost in by_module.most_common(arguments.top):
        package = ("Swift toolchain" if module.startswith("toolchain:") else
                   "swift-nio-ssl" if module.startswith("CNIOBoringSSL") else
                   "system library" if ".so" in module else package_of.get(module, "watchdog"))
        print(f"| {module} | {package} | {cost * 100 / total:.1f} % |")
    print()
    names = [name for _, name, _ in functions[: arguments.top]]
    demangled = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(names),
                               capture_output=True, text=True).stdout
    demangled = subprocess.run(["c++filt"], input=demangled, capture_output=True, text=True).stdout.splitlines()
    if len(demangled) != len(names):
        demangled = names
    print("| function (self cost) | module | share |")
    print("|---|---|---|")
    for (cost, name, obj), shown in zip(functions[: arguments.top], demangled):
        module = os.path.basename(obj) if obj and os.path.basename(obj) != os.path.basename(binary) else (owner.get(name) or guess(name))
        shown = shown.replace("|", "\\|")
        if len(shown) > 110:
            shown = shown[:107] + "..."
        print(f"| `{shown}` | {module} | {cost * 100 / total:.1f} % |")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
