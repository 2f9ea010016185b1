import NovaCore

/// Rule values computed during one evaluation, by rule path number (`CompiledPolicy.nodes`).
/// Plain memory rather than an array of optionals: an evaluation of a small policy is a couple
/// of microseconds, and building `[Value??]` (its generic metadata looked up on every
/// evaluation) was a tenth of that.
///
/// A class so `with` can set a fresh cache aside and restore the outer one by reference.
final class RuleCache {
    let count: Int
    private let values: UnsafeMutablePointer<Value?>
    private let isComputed: UnsafeMutablePointer<Bool>

    /// Members of set, object and array rule values in iteration order (sorted), by rule
    /// number: a helper set several rules iterate (`some c in containers`) is sorted once.
    var members: [Int: [(key: Value, value: Value)]] = [:]

    init(count: Int) {
        self.count = count
        values = .allocate(capacity: max(1, count))
        values.initialize(repeating: nil, count: max(1, count))
        isComputed = .allocate(capacity: max(1, count))
        isComputed.initialize(repeating: false, count: max(1, count))
    }

    deinit {
        values.deinitialize(count: max(1, count))
        values.deallocate()
        isComputed.deallocate()
    }

    /// nil: not computed yet; `.some(nil)`: computed and undefined.
    subscript(index: Int) -> Value?? {
        get { isComputed[index] ? .some(values[index]) : nil }
        set {
            if let newValue {
                values[index] = newValue
                isComputed[index] = true
            } else {
                values[index] = nil
                isComputed[index] = false
            }
        }
    }
}
