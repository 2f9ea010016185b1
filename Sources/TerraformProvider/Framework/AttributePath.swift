/// Where in a value something is: `network[1].ip_address` is
/// `[.attribute("network"), .index(1), .attribute("ip_address")]`.
struct AttributePath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    enum Step: Hashable, Sendable {
        case attribute(String)
        case key(String)
        case index(Int)
    }

    var steps: [Step]

    init(_ steps: [Step] = []) { self.steps = steps }

    init(stringLiteral value: String) { steps = [.attribute(value)] }

    func appending(_ step: Step) -> AttributePath { AttributePath(steps + [step]) }

    var description: String {
        var text = ""
        for step in steps {
            switch step {
            case .attribute(let name): text += text.isEmpty ? name : ".\(name)"
            case .key(let key): text += "[\"\(key)\"]"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
