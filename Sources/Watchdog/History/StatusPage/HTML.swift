/// A page as a tree, rendered with every outside string escaped by construction: element
/// and attribute names are the code's own (`StaticString`), text and attribute values are
/// escaped when written, so no key, title or silence comment can become markup.
///
/// Why not a template package: the ones available here (swift-mustache, Stencil, Leaf,
/// Plot) all import full Foundation, and swift-mustache alone made a static binary 51 MB
/// larger (docs/footprint.md); this is the part of one the page needs.
struct HTML: Sendable {
    fileprivate enum Node: Sendable {
        case element(StaticString, [(StaticString, String)], [HTML])
        case text(String)
        /// The code's own markup (the style sheet): never outside text.
        case trusted(StaticString)
        case group([HTML])
    }

    fileprivate let node: Node

    /// `<name attributes...>children</name>`.
    init(_ name: StaticString, _ attributes: [(StaticString, String)] = [], _ children: [HTML] = []) {
        node = .element(name, attributes, children)
    }

    init(_ name: StaticString, _ attributes: [(StaticString, String)] = [], text: String) {
        node = .element(name, attributes, [.text(text)])
    }

    private init(node: Node) { self.node = node }

    static func text(_ text: String) -> HTML { HTML(node: .text(text)) }
    static func trusted(_ markup: StaticString) -> HTML { HTML(node: .trusted(markup)) }
    static func group(_ children: [HTML]) -> HTML { HTML(node: .group(children)) }
    static let empty = HTML.group([])

    /// Elements written without an end tag.
    private static let void: Set<String> = ["meta", "br", "link", "input", "img", "hr"]

    /// The document, `<!DOCTYPE html>` first.
    func document() -> String {
        var output = "<!DOCTYPE html>\n"
        output.reserveCapacity(64 * 1024)
        write(to: &output)
        return output
    }

    func write(to output: inout String) {
        switch node {
        case .text(let text):
            Self.escape(text, into: &output)
        case .trusted(let markup):
            output += markup.description
        case .group(let children):
            for child in children { child.write(to: &output) }
        case .element(let name, let attributes, let children):
            output += "<"
            output += name.description
            for (attribute, value) in attributes {
                output += " "
                output += attribute.description
                output += "=\""
                Self.escape(value, into: &output)
                output += "\""
            }
            output += ">"
            guard !Self.void.contains(name.description) else { return }
            for child in children { child.write(to: &output) }
            output += "</"
            output += name.description
            output += ">"
        }
    }

    /// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in a quoted attribute.
    static func escape(_ text: String, into output: inout String) {
        // Most text has nothing to escape: appended whole.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            output += text
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
    }
}
