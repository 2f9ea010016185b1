import Foundation
import NovaCore

/// Walking documents and graphs: `walk`, `graph.reachable`, `graph.reachable_paths`, `json.patch`.
extension Builtins {
    static let graphs: [String: Builtin] = [
        "walk": Builtin(1, relation: true) { (a: Arguments) throws(RegoError) -> Value? in
            var pairs: [Value] = []
            func visit(_ value: Value, _ path: [Value]) {
                pairs.append(.array([.array(path), value]))
                switch value {
                case .array(let items): for (i, item) in items.enumerated() { visit(item, path + [.int(i)]) }
                case .object(let fields): for key in fields.keys.sorted() { visit(fields[key]!, path + [key]) }
                case .set(let items): for item in items.sorted() { visit(item, path + [item]) }
                default: break
                }
            }
            visit(a[0], [])
            return .array(pairs)
        },
        "graph.reachable": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let graph = try a.object(0)
            var reached: Set<Value> = [], queue = try a.elements(1)
            while let node = queue.popLast() {
                guard let edges = graph[node], !reached.contains(node) else { continue }
                reached.insert(node)
                queue += try neighbours(edges, a)
            }
            return .set(reached)
        },
        "graph.reachable_paths": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            let graph = try a.object(0)
            var reached: Set<Value> = [], paths: Set<Value> = []
            // A path ends at a node with no edges to nodes of the graph, or where the next node
            // was already expanded (so cycles end).
            func extend(_ node: Value, _ path: [Value]) throws(RegoError) {
                let next = try neighbours(graph[node] ?? .null, a).filter { graph[$0] != nil }
                guard !next.isEmpty else { paths.insert(.array(path)); return }
                reached.insert(node)
                for edge in next {
                    if reached.contains(edge) { paths.insert(.array(path)) } else { try extend(edge, path + [edge]) }
                }
            }
            for node in try a.elements(1) where graph[node] != nil { try extend(node, [node]) }
            return .set(paths)
        },
        "json.patch": Builtin(2) { (a: Arguments) throws(RegoError) -> Value? in
            var document = a[0]
            for operation in try a.array(1) {
                guard case .object = operation, case .string(let op)? = operation["op"], let pathValue = operation["path"] else {
                    throw a.failure("invalid patch operation \(operation.regoText)")
                }
                let path = try pointer(pathValue, a)
                switch op {
                case "add":
                    guard let value = operation["value"] else { throw a.failure("add needs a value") }
                    guard let next = patched(document, path[...], .add(value)) else { return nil }
                    document = next
                case "remove":
                    guard let next = patched(document, path[...], .remove) else { return nil }
                    document = next
                case "replace":
                    guard let value = operation["value"], let next = patched(document, path[...], .replace(value)) else { return nil }
                    document = next
                case "move", "copy":
                    guard let fromValue = operation["from"] else { throw a.failure("\(op) needs from") }
                    let from = try pointer(fromValue, a)
                    guard let value = lookup(document, from[...]) else { return nil }
                    if op == "move" {
                        guard let removed = patched(document, from[...], .remove) else { return nil }
                        document = removed
                    }
                    guard let next = patched(document, path[...], .add(value)) else { return nil }
                    document = next
                case "test":
                    guard let value = operation["value"], lookup(document, path[...]) == value else { return nil }
                default:
                    throw a.failure("unknown patch operation \(op)")
                }
            }
            return document
        },
    ]

    static func neighbours(_ edges: Value, _ a: Arguments) throws(RegoError) -> [Value] {
        switch edges {
        case .null: return []
        case .array(let items): return items
        case .set(let items): return items.sorted()
        default: throw RegoError(.evalType, "\(a.name): graph edges must be arrays or sets, got \(edges.typeName)")
        }
    }

    enum PatchChange { case add(Value), remove, replace(Value) }

    static func pointer(_ value: Value, _ a: Arguments) throws(RegoError) -> [Value] {
        switch value {
        case .array(let segments): return segments
        case .string(let s):
            guard !s.isEmpty else { return [] }
            let trimmed = s.hasPrefix("/") ? String(s.dropFirst()) : s
            return trimmed.split(separator: "/", omittingEmptySubsequences: false).map {
                .string($0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~"))
            }
        default: throw a.failure("path must be a string or an array")
        }
    }

    static func lookup(_ value: Value, _ path: ArraySlice<Value>) -> Value? {
        guard let key = path.first else { return value }
        switch value {
        case .object(let fields): return fields[key].flatMap { lookup($0, path.dropFirst()) }
        case .array(let items):
            guard let i = arrayIndex(key), items.indices.contains(i) else { return nil }
            return lookup(items[i], path.dropFirst())
        case .set(let items): return items.contains(key) ? lookup(key, path.dropFirst()) : nil
        default: return nil
        }
    }

    static func arrayIndex(_ key: Value) -> Int? {
        if let i = key.intValue { return i }
        if case .string(let s) = key, let i = Int(s), String(i) == s { return i }
        return nil
    }

    /// The document with one change applied at `path`; nil when the path does not fit it.
    static func patched(_ value: Value, _ path: ArraySlice<Value>, _ change: PatchChange) -> Value? {
        guard let key = path.first else {
            switch change {
            case .add(let v), .replace(let v): return v
            case .remove: return nil
            }
        }
        let last = path.count == 1
        switch value {
        case .object(var fields):
            if last {
                switch change {
                case .add(let v): fields[key] = v
                case .replace(let v): guard fields[key] != nil else { return nil }; fields[key] = v
                case .remove: guard fields.removeValue(forKey: key) != nil else { return nil }
                }
                return .object(fields)
            }
            guard let child = fields[key], let next = patched(child, path.dropFirst(), change) else { return nil }
            fields[key] = next
            return .object(fields)
        case .array(var items):
            if last, case .add(let v) = change {
                if case .string("-") = key { items.append(v); return .array(items) }
                guard let i = arrayIndex(key), i >= 0, i <= items.count else { return nil }
                items.insert(v, at: i)
                return .array(items)
            }
            guard let i = arrayIndex(key), items.indices.contains(i) else { return nil }
            if last {
                switch change {
                case .replace(let v): items[i] = v
                case .remove: items.remove(at: i)
                case .add: return nil
                }
                return .array(items)
            }
            guard let next = patched(items[i], path.dropFirst(), change) else { return nil }
            items[i] = next
            return .array(items)
        case .set(var items):
            guard last else {
                guard items.contains(key), let next = patched(key, path.dropFirst(), change) else { return nil }
                items.remove(key)
                items.insert(next)
                return .set(items)
            }
            switch change {
            case .add(let v): guard v == key else { return nil }; items.insert(v)
            case .remove: guard items.remove(key) != nil else { return nil }
            case .replace(let v): guard items.remove(key) != nil else { return nil }; items.insert(v)
            }
            return .set(items)
        default:
            return nil
        }
    }
}
