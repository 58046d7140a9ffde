"""What the shipped binary is made of, by module and by package, and (given a running
watchdog) what each module keeps resident.

    python3 scripts/harness/size_by_module.py BINARY [--build DIR] [--pid PID] [--markdown]

BINARY is the unstripped link (`scripts/release-binary.sh --unstripped`): its symbols
are what `strip` removes. Every defined symbol of `nm --print-size --size-sort` is given
to the module whose object file defines it: the objects of the build (SwiftPM's
`<Module>.build/*.o` next to the binary) and the toolchain's static libraries
(`lib/swift_static/linux/*.a`), each read once with `nm --defined-only`. A symbol no
object claims (the linker's own, glibc's static start-up code) is named by its prefix
(`CNIOBoringSSL_`, `CCryptoBoringSSL_`, Swift's mangling `$s<length><Module>`) or counted
as "unattributed". Sections without symbols (Swift's metadata records, `.eh_frame`,
string tables) are listed by section, from `readelf -S`.

With --pid, the binary's mapped pages that are resident in that process
(`/proc/PID/pagemap`, bit 63: present; root reads it) are shared out to the modules by
the bytes of their symbols in each page, so the columns say what each module costs in
resident memory at that moment.

Standard library only; needs binutils (nm, readelf), as the test script's machine has.
"""
import argparse
import collections
import glob
import os
import re
import struct
import subprocess
import sys

PAGE = os.sysconf("SC_PAGE_SIZE")
CODE, READ_ONLY, DATA = "code", "read-only data", "data"


def kind_of(letter):
    letter = letter.lower()
    if letter in "tw":
        return CODE
    if letter in "rv":
        return READ_ONLY
    return DATA


def nm_defined(path):
    """Symbol names an object file or archive defines (the strong and weak ones)."""
    output = subprocess.run(["nm", "--defined-only", "--no-sort", path], capture_output=True, text=True).stdout
    names = []
    for line in output.splitlines():
        fields = line.split()
        if len(fields) >= 3 and len(fields[1]) == 1:
            names.append(fields[2])
    return names


def owners(binary, build=None):
    """Symbol name -> module, from the build's objects and the toolchain's archives."""
    owner = {}
    build = build or os.path.dirname(os.path.realpath(binary))
    # The objects the product linked, in link order: of a symbol several objects define
    # (a generic specialization two modules both emitted), the linker keeps the first.
    link_list = os.path.join(build, os.path.basename(binary) + ".product", "Objects.LinkFileList")
    if not os.path.exists(link_list):  # a copy of the binary under another name
        link_list = os.path.join(build, "watchdog.product", "Objects.LinkFileList")
    with open(link_list) as listed:
        objects = [line.strip().strip('"') for line in listed if line.strip()]
    for path in objects:
        parts = [part for part in path.split("/") if part.endswith(".build")]
        module = parts[-1][: -len(".build")] if parts else "unattributed"
        for name in nm_defined(path):
            owner.setdefault(name, module)
    swift = subprocess.run(["sh", "-c", "readlink -f \"$(command -v swift)\""], capture_output=True, text=True)
    toolchain = os.path.dirname(os.path.dirname(swift.stdout.strip()))
    # Full Foundation's libraries last: they repeat symbols of the ones the binary links
    # (CoreFoundation's Unicode tables are also FoundationEssentials' shims).
    full_foundation = ("libFoundation.", "libCoreFoundation", "libFoundationInternationalization", "lib_FoundationICU",
                       "libFoundationNetworking", "libFoundationXML", "lib_CF")
    archives = sorted(glob.glob(os.path.join(toolchain, "lib", "swift_static", "linux", "*.a")),
                      key=lambda path: (os.path.basename(path).startswith(full_foundation), path))
    for archive in archives:
        library = os.path.basename(archive)[3:-2]
        for name in nm_defined(archive):
            owner.setdefault(name, "toolchain:" + library)
    return owner


def packages(binary, build=None):
    """Module -> package, from the checkouts beside the build (`Sources/<Module>`)."""
    package_of = {}
    scratch = build or os.path.dirname(os.path.realpath(binary))
    while scratch != "/" and not os.path.isdir(os.path.join(scratch, "checkouts")):
        scratch = os.path.dirname(scratch)
    for checkout in glob.glob(os.path.join(scratch, "checkouts", "*")):
        for source in glob.glob(os.path.join(checkout, "Sources", "*")):
            package_of[os.path.basename(source)] = os.path.basename(checkout)
    return package_of


SWIFT_MODULE = re.compile(r"^\$s(\d+)")


def guess(name):
    """A module for a symbol no object file claimed."""
    for prefix in ("CNIOBoringSSL", "CCryptoBoringSSL"):
        if name.startswith(prefix + "_"):
            return prefix
    match = SWIFT_MODULE.match(name)
    if match:
        length = int(match.group(1))
        start = match.end()
        return name[start : start + length] or "unattributed"
    if name.startswith("$s"):
        return "toolchain:swiftCore"
    return "unattributed"


def symbols(binary):
    """(address, size, kind, name) of every defined symbol with a size."""
    output = subprocess.run(
        ["nm", "--print-size", "--size-sort", "--defined-only", binary], capture_output=True, text=True, check=True
    ).stdout
    result = []
    for line in output.splitlines():
        fields = line.split(maxsplit=3)
        if len(fields) == 4:
            result.append((int(fields[0], 16), int(fields[1], 16), kind_of(fields[2]), fields[3]))
    return result


def sections(binary):
    """(name, address, size, allocated) of the binary's sections."""
    output = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    result = []
    for line in output.splitlines():
        match = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+(\S*)", line)
        if match and match.group(1) != "NULL":
            flags = match.group(4)
            result.append((match.group(1), int(match.group(2), 16), int(match.group(3), 16), "A" in flags))
    return result


def resident_pages(pid, binary):
    """Virtual page numbers of the binary's mappings that are present in PID."""
    path = os.path.realpath(binary)
    exe = os.path.realpath(f"/proc/{pid}/exe")
    ranges = []
    with open(f"/proc/{pid}/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and fields[5] in (path, exe):
                start, end = (int(value, 16) for value in fields[0].split("-"))
                ranges.append((start, end))
    present = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for start, end in ranges:
            first, count = start // PAGE, (end - start) // PAGE
            pagemap.seek(first * 8)
            data = pagemap.read(count * 8)
            for index in range(len(data) // 8):
                (entry,) = struct.unpack_from("<Q", data, index * 8)
                if entry >> 63:
                    present.add(first + index)
    return present


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--build", help="the build directory that linked BINARY (default: its own directory)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    arguments = parser.parse_args()

    owner = owners(arguments.binary, arguments.build)
    package_of = packages(arguments.binary, arguments.build)
    all_symbols = symbols(arguments.binary)
    by_module = collections.defaultdict(lambda: collections.Counter())
    page_share = collections.defaultdict(lambda: collections.Counter())
    for address, size, kind, name in all_symbols:
        module = owner.get(name) or guess(name)
        by_module[module][kind] += size
        # Bytes of this symbol in each page it covers.
        position, end = address, address + size
        while position < end:
            page = position // PAGE
            page_end = (page + 1) * PAGE
            page_share[page][module] += min(end, page_end) - position
            position = page_end

    all_sections = sections(arguments.binary)
    allocated = sum(size for name, _, size, flag in all_sections if flag and name != ".tbss" and name != ".bss")
    symbolized = sum(sum(counts.values()) for counts in by_module.values())
    resident = collections.Counter()
    unclaimed_resident = 0
    if arguments.pid:
        for page in resident_pages(arguments.pid, arguments.binary):
            shares = page_share.get(page)
            if not shares:
                unclaimed_resident += PAGE
                continue
            total = sum(shares.values())
            for module, share in shares.items():
                resident[module] += PAGE * share / total

    def package(module):
        if module.startswith("toolchain:"):
            return "Swift toolchain"
        if module in ("CNIOBoringSSL", "CNIOBoringSSLShims"):
            return "swift-nio-ssl"
        if module in ("CCryptoBoringSSL", "CCryptoBoringSSLShims"):
            return "swift-crypto"
        if module == "unattributed":
            return "unattributed"
        if module == "SystemPackage":  # swift-system's Sources/System
            return "swift-system"
        return package_of.get(module, "watchdog")

    rows = sorted(by_module.items(), key=lambda item: -sum(item[1].values()))
    by_package = collections.defaultdict(lambda: [0, 0.0])
    for module, counts in rows:
        by_package[package(module)][0] += sum(counts.values())
        by_package[package(module)][1] += resident[module]

    def kb(value):
        return f"{value / 1024:,.0f}"

    print(f"binary: {arguments.binary}")
    print(
        f"allocated sections {kb(allocated)} kB, of which symbols {kb(symbolized)} kB"
        f" (the rest: sections without symbols, below)"
    )
    if arguments.pid:
        total_resident = sum(resident.values()) + unclaimed_resident
        print(f"resident in pid {arguments.pid}: {kb(total_resident)} kB of the binary's pages"
              f" ({kb(unclaimed_resident)} kB in pages without symbols)")
    def line(cells):
        return ("| " + " | ".join(cells) + " |") if arguments.markdown else "  ".join(cells)

    print()
    header = ["package", "size kB", "resident kB"] if arguments.pid else ["package", "size kB"]
    print(line(header))
    if arguments.markdown:
        print("|" + "|".join("---" for _ in header) + "|")
    for name, (size, held) in sorted(by_package.items(), key=lambda item: -item[1][0]):
        cells = [name, kb(size)] + ([kb(held)] if arguments.pid else [])
        print(line(cells))
    print()
    header = ["module", "package", "code kB", "read-only kB", "data kB"] + (["resident kB"] if arguments.pid else [])
    print(line(header))
    if arguments.markdown:
        print("|" + "|".join("---" for _ in header) + "|")
    for module, counts in rows[: arguments.top]:
        cells = [module, package(module), kb(counts[CODE]), kb(counts[READ_ONLY]), kb(counts[DATA])]
        if arguments.pid:
            cells.append(kb(resident[module]))
        print(line(cells))
    print()
    print("sections without symbols (kB): " + ", ".join(
        f"{name} {kb(size)}" for name, _, size, flag in sorted(all_sections, key=lambda s: -s[2])
        if flag and size >= 64 * 1024 and not name.startswith(".text") and name not in (".rodata", ".data", ".bss")
    ))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
