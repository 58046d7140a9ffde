import Foundation
import TestSupport
import Testing

/// This source tree, and whether it is a git checkout (a clone can be made of it).
enum Checkout {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let isGit = FileManager.default.fileExists(atPath: root + "/.git")
}

/// The repository stands alone: a clone in a folder with nothing beside it has all it
/// needs. This clones the committed tree into an empty temporary folder and checks that
/// nothing in the clone reaches outside it: no symbolic link out, no relative path that
/// climbs above the clone, no absolute path into the checkout it came from, no package
/// dependency by path, and the test data the suites read is there.
@Suite(.enabled(if: Checkout.isGit || RealDocker.required))
struct StandaloneCloneTests {
    static let packageRoot = Checkout.root

    /// Files larger than this are data, not text that could name a path.
    static let textLimit = 2 * 1024 * 1024

    @Test func aCloneWithNothingBesideItReachesNothingOutsideIt() async throws {
        let folder = try TemporaryDirectory()
        let clone = folder.path + "/watchdog"
        let git = FileManager.default.isExecutableFile(atPath: "/usr/bin/git") ? "/usr/bin/git" : "/usr/local/bin/git"
        let cloned = try await RealDocker.shell(
            [git, "clone", "--quiet", "--no-hardlinks", Self.packageRoot, clone],
            environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path, "GIT_CONFIG_NOSYSTEM": "1"])
        try #require(cloned.status == 0, "git clone failed: \(cloned.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["watchdog"])

        let root = URL(fileURLWithPath: clone).standardizedFileURL.path
        var problems: [String] = []
        var files = 0
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            if relative == ".git" || relative.hasPrefix(".git/") {
                enumerator?.skipDescendants()
                continue
            }
            let path = root + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: path)
                let resolved = Self.resolve(target, from: (path as NSString).deletingLastPathComponent)
                if !Self.isInside(resolved, root) { problems.append("\(relative): a link to \(target), outside") }
                continue
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular,
                (attributes[.size] as? Int ?? 0) <= Self.textLimit,
                let data = FileManager.default.contents(atPath: path), !data.contains(0)
            else { continue }
            files += 1
            let text = String(decoding: data, as: UTF8.self)
            problems += Self.outsideReferences(in: text, file: relative, root: root, origin: Self.packageRoot)
        }
        #expect(files > 100, "the clone holds only \(files) text files")
        #expect(problems.isEmpty, "the clone reaches outside itself:\n\(problems.joined(separator: "\n"))")

        // The data the tests read is in the clone itself.
        let vectors = try FileManager.default.contentsOfDirectory(atPath: root + "/Tests/CollectorsTests/SigV4Suite")
        #expect(vectors.count >= 30, "SigV4 vectors in the clone: \(vectors.count)")
        let manifest = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        #expect(!manifest.contains(".package(path:"), "Package.swift depends on a package by path")
    }

    /// The paths in `text` that leave `root`: a `../` chain climbing above it (resolved
    /// from the file's folder), the folder above the clone, or the checkout it came from.
    static func outsideReferences(in text: String, file: String, root: String, origin: String) -> [String] {
        var found: [String] = []
        let folder = (root + "/" + file as NSString).deletingLastPathComponent
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let place = "\(file):\(number + 1)"
            if line.contains(origin + "/") || line.hasSuffix(origin) {
                found.append("\(place): names the checkout \(origin)")
            }
            if line.contains(sharedFolder) { found.append("\(place): names \(sharedFolder)") }
            var rest = line[...]
            while let start = rest.firstRange(of: "../") {
                // Only a path that starts here: not the tail of `a/../b` or `https://x/../`.
                let before = rest[..<start.lowerBound].last
                var end = start.lowerBound
                while end < rest.endIndex, !" \t\"'`()[]<>,;:=".contains(rest[end]) {
                    end = rest.index(after: end)
                }
                let token = String(rest[start.lowerBound..<end])
                if before == nil || " \t\"'`(=[<".contains(before!) {
                    let resolved = resolve(token, from: folder)
                    if !isInside(resolved, root) { found.append("\(place): \(token) leaves the repository") }
                }
                rest = rest[end...]
                if rest.isEmpty || end == start.lowerBound { break }
            }
        }
        return found
    }

    /// The folder beside the checkout that holds what is not the product's; spelled in
    /// two parts so that this file does not name it.
    static let sharedFolder = ".." + "/shared"

    static func resolve(_ path: String, from folder: String) -> String {
        let absolute = path.hasPrefix("/") ? path : folder + "/" + path
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root + "/")
    }

    /// The check itself: it finds what it is meant to find.
    @Test func outsideReferencesAreFound() {
        let root = "/tmp/x/watchdog"
        let origin = "/checkout/of/origin"
        let shared = Self.sharedFolder + "/SPEC.md"
        #expect(Self.outsideReferences(in: "see \(shared)", file: "README.md", root: root, origin: origin).count == 2)
        #expect(Self.outsideReferences(in: "[a](../../b.md)", file: "docs/a.md", root: root, origin: origin).count == 1)
        #expect(Self.outsideReferences(in: "[a](../README.md)", file: "docs/a.md", root: root, origin: origin).isEmpty)
        #expect(
            Self.outsideReferences(in: "path \(origin)/Sources", file: "a.swift", root: root, origin: origin).count == 1
        )
        #expect(
            Self.outsideReferences(in: "cd \"$(dirname x)/..\"", file: "scripts/t.sh", root: root, origin: origin)
                .isEmpty)
        #expect(Self.outsideReferences(in: "a/../b and x/../../y", file: "a.txt", root: root, origin: origin).isEmpty)
    }
}
