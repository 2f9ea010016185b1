import Foundation

/// A label selector as in Kubernetes: `env=prod,tier!=db,team` (equality, inequality, presence).
public struct LabelSelector: Sendable, Hashable {
    public enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case notExists(String)
    }

    public var requirements: [Requirement]

    public init(_ requirements: [Requirement] = []) { self.requirements = requirements }

    /// Parses selector text; an empty text selects everything.
    public init(parsing text: String) throws(NovaError) {
        var requirements: [Requirement] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if let range = part.range(of: "!=") {
                requirements.append(.notEquals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if part.hasPrefix("!") {
                requirements.append(.notExists(String(part.dropFirst())))
            } else {
                requirements.append(.exists(part))
            }
        }
        for requirement in requirements {
            let key: String
            switch requirement {
            case .equals(let k, _), .notEquals(let k, _), .exists(let k), .notExists(let k): key = k
            }
            if let problem = LabelRules.keyProblem(key) {
                throw NovaError(.invalidRequest, "invalid label selector \"\(text)\": \(problem)")
            }
        }
        self.requirements = requirements
    }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .exists(let key): labels[key] != nil
            case .notExists(let key): labels[key] == nil
            }
        }
    }
}
