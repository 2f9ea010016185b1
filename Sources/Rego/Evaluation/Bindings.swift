import NovaCore

/// Variable bindings of one branch of evaluation: a persistent list, so each branch extends
/// its parent in constant time and backtracking simply drops the extension.
struct Bindings: Sendable {
    final class Node: Sendable {
        let name: String
        /// Nil marks the name as unbound again (`some x` hides an outer x).
        let value: Value?
        let next: Node?
        init(name: String, value: Value?, next: Node?) {
            self.name = name
            self.value = value
            self.next = next
        }
    }

    private var head: Node?

    init() {}

    subscript(name: String) -> Value? {
        var node = head
        while let current = node {
            if current.name == name { return current.value }
            node = current.next
        }
        return nil
    }

    func binding(_ name: String, to value: Value) -> Bindings {
        guard name != "_" else { return self }
        var copy = self
        copy.head = Node(name: name, value: value, next: head)
        return copy
    }

    func removing(_ names: [String]) -> Bindings {
        var copy = self
        for name in names where self[name] != nil { copy.head = Node(name: name, value: nil, next: copy.head) }
        return copy
    }
}
