import Foundation
import NovaCore

/// Objects: lookup with defaults, keys, union, removal and filtering, subsets.
extension Builtins {
    static let objects: [String: Builtin] = [
        "object.get": Builtin(3) { (a: Arguments) throws(RegoError) -> Value? in
            _ = try a.object(0)
            guard case .array(let path) = a[1] else { return Evaluation.member(a[0], a[1]) ?? a[2] }
            var current = a[0]
            for key in path {
                guard let next = Evaluation.member(current, key) else { return a[2] }
                current = next
            }
            return current
        },
        "object.keys": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in .set(Set(try a.object(0).keys)) },
        "object.remove": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            var fields = try a.object(0)
            for key in try keys(a, 1) { fields[key] = nil }
            return .object(fields)
        },
        "object.filter": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let fields = try a.object(0), wanted = Set(try keys(a, 1))
            return .object(fields.filter { wanted.contains($0.key) })
        },
        "object.union": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            _ = try a.object(0)
            _ = try a.object(1)
            return merged(a[0], a[1])
        },
        "object.union_n": Builtin(1) { (a: Arguments) throws(RegoError) -> Value? in
            var result: Value = .emptyObject
            for item in try a.array(0) {
                guard case .object = item else { throw a.typeError(0, "array[object]") }
                result = merged(result, item)
            }
            return result
        },
        "object.subset": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            switch (a[0], a[1]) {
            case (.object, .object), (.set, .set), (.array, .array), (.array, .set): return .bool(isSubset(a[0], a[1]))
            case (.object, _), (.set, _), (.array, _): throw a.typeError(1, "any<object, set, array>")
            default: throw a.typeError(0, "any<object, set, array>")
            }
        },
        "json.filter": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            _ = try a.object(0)
            let paths = try jsonPaths(a, 1)
            return filtered(a[0], paths) ?? .emptyObject
        },
        "json.remove": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            _ = try a.object(0)
            return removing(a[0], try jsonPaths(a, 1))
        },
    ]

    /// Keys to remove or keep: an array, a set, or an object's keys.
    static func keys(_ a: Arguments, _ i: Int) throws(RegoError) -> [Value] {
        switch a[i] {
        case .array(let items): return items
        case .set(let items): return Array(items)
        case .object(let fields): return Array(fields.keys)
        default: throw a.typeError(i, "any<array, object, set>")
        }
    }

    /// Objects merged recursively; where both have a key and the values are not both objects,
    /// the right one wins.
    static func merged(_ left: Value, _ right: Value) -> Value {
        guard case .object(var l) = left, case .object(let r) = right else { return right }
        for (key, value) in r { l[key] = l[key].map { merged($0, value) } ?? value }
        return .object(l)
    }

    static func isSubset(_ superset: Value, _ subset: Value) -> Bool {
        switch (superset, subset) {
        case (.object(let sup), .object(let sub)):
            return sub.allSatisfy { key, value in sup[key].map { isSubset($0, value) } ?? false }
        case (.set(let sup), .set(let sub)):
            return sub.isSubset(of: sup)
        case (.array(let sup), .array(let sub)):
            guard sub.count <= sup.count else { return false }
            if sub.isEmpty { return true }
            return (0...(sup.count - sub.count)).contains { i in Array(sup[i..<i + sub.count]) == sub }
        case (.array(let sup), .set(let sub)):
            return sub.allSatisfy(sup.contains)
        default:
            return superset == subset
        }
    }

    /// JSON paths: "a/b/c" strings (with ~0 and ~1 escapes) or arrays of path segments.
    static func jsonPaths(_ a: Arguments, _ i: Int) throws(RegoError) -> [[Value]] {
        var paths: [[Value]] = []
        for item in try a.elements(i) {
            switch item {
            case .string(let s):
                let trimmed = s.hasPrefix("/") ? String(s.dropFirst()) : s
                paths.append(
                    trimmed.split(separator: "/", omittingEmptySubsequences: false).map {
                        .string($0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~"))
                    })
            case .array(let segments): paths.append(segments)
            default: throw a.typeError(i, "any<array[any<string, array[any]>], set[any<string, array[any]>]>")
            }
        }
        return paths
    }

    /// The parts of `value` the paths name (a path ending early keeps everything below it).
    static func filtered(_ value: Value, _ paths: [[Value]]) -> Value? {
        if paths.contains(where: \.isEmpty) { return value }
        var byHead: [Value: [[Value]]] = [:]
        for path in paths { byHead[path[0], default: []].append(Array(path.dropFirst())) }
        switch value {
        case .object(let fields):
            var result: [Value: Value] = [:]
            for (key, rest) in byHead {
                if let field = fields[key], let kept = filtered(field, rest) { result[key] = kept }
            }
            return .object(result)
        case .array(let items):
            var result: [Value] = []
            for (i, item) in items.enumerated() {
                if let rest = byHead[.string(String(i))] ?? byHead[.int(i)], let kept = filtered(item, rest) { result.append(kept) }
            }
            return .array(result)
        case .set(let items):
            var result: Set<Value> = []
            for item in items {
                if let rest = byHead[item], let kept = filtered(item, rest) { result.insert(kept) }
            }
            return .set(result)
        default:
            return nil
        }
    }

    static func removing(_ value: Value, _ paths: [[Value]]) -> Value {
        var byHead: [Value: [[Value]]] = [:]
        var removed: Set<Value> = []
        for path in paths where !path.isEmpty {
            if path.count == 1 { removed.insert(path[0]) } else { byHead[path[0], default: []].append(Array(path.dropFirst())) }
        }
        switch value {
        case .object(let fields):
            var result: [Value: Value] = [:]
            for (key, field) in fields where !removed.contains(key) { result[key] = byHead[key].map { removing(field, $0) } ?? field }
            return .object(result)
        case .array(let items):
            var result: [Value] = []
            for (i, item) in items.enumerated() {
                let key: Value = .string(String(i))
                if removed.contains(key) || removed.contains(.int(i)) { continue }
                result.append((byHead[key] ?? byHead[.int(i)]).map { removing(item, $0) } ?? item)
            }
            return .array(result)
        case .set(let items):
            return .set(Set(items.filter { !removed.contains($0) }.map { item in byHead[item].map { removing(item, $0) } ?? item }))
        default:
            return value
        }
    }
}
