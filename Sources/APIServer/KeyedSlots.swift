import Synchronization

/// Slots bounded in all and per key (a remote address, a principal): what the connection and
/// watch limits both count.
final class KeyedSlots: Sendable {
    let total: Int
    let perKey: Int
    private let open = Mutex<(total: Int, byKey: [String: Int])>((0, [:]))

    init(total: Int, perKey: Int) {
        self.total = total
        self.perKey = perKey
    }

    /// Takes a slot for `key`; false when either bound is reached.
    func take(_ key: String) -> Bool {
        open.withLock { state in
            let mine = state.byKey[key, default: 0]
            guard state.total < total, mine < perKey else { return false }
            state.total += 1
            state.byKey[key] = mine + 1
            return true
        }
    }

    func give(_ key: String) {
        open.withLock { state in
            state.total -= 1
            let left = state.byKey[key, default: 1] - 1
            state.byKey[key] = left > 0 ? left : nil
        }
    }
}
