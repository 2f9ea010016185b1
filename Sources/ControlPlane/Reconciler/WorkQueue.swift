import Foundation

/// The reconciler's queue of resource keys (`Kind/name`): deduplicated, with per-key backoff,
/// and never handing one key to two workers at once. A plain value; the reconciler keeps it
/// under a lock and does the waiting.
struct WorkQueue {
    /// Keys ready now, in the order they became ready, from `head` on.
    private var ready: [String] = []
    private var head = 0
    private var readySet: Set<String> = []
    /// Keys to hand out once their time has come (backoff, or a settling resource's next look).
    private(set) var delayed: [String: Date] = [:]
    /// Keys a worker holds now.
    private(set) var working: Set<String> = []
    /// Keys that were added again while being worked on: ready again once released.
    private var dirty: Set<String> = []

    var isIdle: Bool { readySet.isEmpty && working.isEmpty }
    var count: Int { readySet.count + delayed.count }

    /// Asks for the key to be worked as soon as possible (a change arrived): a later look
    /// it was waiting for is brought forward.
    mutating func add(_ key: String) {
        delayed[key] = nil
        if working.contains(key) {
            dirty.insert(key)
        } else if readySet.insert(key).inserted {
            ready.append(key)
        }
    }

    /// Asks for the key to be worked at `time` (or sooner, if it is already due earlier).
    mutating func add(_ key: String, at time: Date) {
        if readySet.contains(key) { return }
        if let existing = delayed[key], existing <= time { return }
        delayed[key] = time
    }

    /// Moves delayed keys whose time has come to the ready list; returns when the next one is due.
    mutating func promote(now: Date) -> Date? {
        var next: Date?
        for (key, time) in delayed {
            if time <= now {
                delayed[key] = nil
                if working.contains(key) { dirty.insert(key) } else if readySet.insert(key).inserted { ready.append(key) }
            } else {
                next = min(next ?? time, time)
            }
        }
        return next
    }

    /// The next ready key, now held by the caller until `release`.
    mutating func take() -> String? {
        while head < ready.count {
            let key = ready[head]
            head += 1
            if head > 1_024, head * 2 > ready.count {
                ready.removeFirst(head)
                head = 0
            }
            readySet.remove(key)
            if working.insert(key).inserted { return key }
            dirty.insert(key)
        }
        return nil
    }

    /// The caller is done with the key; a change that came meanwhile makes it ready again.
    mutating func release(_ key: String) {
        working.remove(key)
        if dirty.remove(key) != nil { add(key) }
    }
}
