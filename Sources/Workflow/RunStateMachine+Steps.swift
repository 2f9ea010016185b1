import Foundation
import NovaCore

/// The names of actions the state machine carries out itself, with durable timers.
public enum BuiltInAction {
    public static let approval = "approval"
    public static let sleep = "sleep"
}

extension RunStateMachine {
    mutating func activate(_ i: Int, at time: Double, into actions: inout [RunAction]) {
        guard status == .running, failure == nil else { return }
        let step = definition.steps[i]
        var scope = scope(readingSteps: readsSteps[i])
        var tasks: [TaskRun] = []
        do throws(StepError) {
            if let when = step.when, try !when.evaluate(in: scope) {
                steps[i].phase = .skipped
                stepDone(i, at: time, into: &actions)
                return
            }
            var items: [Value?] = [nil]
            if let forEach = step.forEach {
                guard let list = forEach.lookup(in: scope)?.arrayValue else {
                    throw StepError(code: "bad_for_each", message: "forEach ${\(forEach)} is not a list in this run", isRetryable: false)
                }
                items = list
                steps[i].isFanOut = true
            }
            for (j, item) in items.enumerated() {
                if let item {
                    scope = scope.setting("item", to: item).setting("index", to: .int(j))
                }
                tasks.append(TaskRun(input: try Template.resolve(step.inputs, in: scope), attempt: 1, phase: .ready, item: item))
            }
        } catch {
            steps[i].phase = .failed
            failure = (step.name, error)
            finishedSteps += 1
            abandonWaitingTasks()
            return
        }
        steps[i].phase = .active
        steps[i].tasks = tasks
        if tasks.isEmpty {
            steps[i].phase = .succeeded
            steps[i].output = []
            stepDone(i, at: time, into: &actions)
            return
        }
        for j in tasks.indices { begin(key(i, j), action: step.action, at: time, into: &actions) }
    }

    /// Puts a new task in the ready queue, or starts the durable timer of an approval or sleep.
    mutating func begin(_ key: TaskKey, action: String, at time: Double, into actions: inout [RunAction]) {
        guard let input = task(key)?.input else { return }
        switch action {
        case BuiltInAction.approval:
            var until: Double?
            if let timeout = input["timeout"] {
                guard let seconds = timeout.doubleValue ?? timeout.stringValue.flatMap({ DurationText.parse($0) }) else {
                    fail(
                        key, task: task(key)!, error: StepError(code: "invalid_input", message: "timeout must be a duration", isRetryable: false),
                        at: time, into: &actions)
                    return
                }
                until = time + seconds
            }
            update(key) { $0.phase = .awaitingApproval(until: until) }
            if let until { actions.append(.startTimer(key, at: until)) }
        case BuiltInAction.sleep:
            let duration = input["duration"]
            guard let seconds = duration?.doubleValue ?? duration?.stringValue.flatMap({ DurationText.parse($0) }) else {
                update(key) { $0.phase = .running }
                running += 1
                fail(
                    key, task: task(key)!, error: StepError(code: "invalid_input", message: "sleep needs a duration such as 30s", isRetryable: false),
                    at: time, into: &actions)
                return
            }
            update(key) { $0.phase = .sleeping(until: time + seconds) }
            actions.append(.startTimer(key, at: time + seconds))
        default:
            ready.append(key)
        }
    }

    mutating func succeed(_ key: TaskKey, output: Value, at time: Double, into actions: inout [RunAction]) {
        update(key) { $0.phase = .succeeded(output: output) }
        completionOrder.append(key)
        let i = stepIndex[key.step]!
        guard steps[i].phase == .active else { return }
        var outputs: [Value] = []
        for task in steps[i].tasks {
            guard case .succeeded(let output) = task.phase else { return }
            outputs.append(output)
        }
        steps[i].output = steps[i].isFanOut ? .array(outputs) : outputs[0]
        steps[i].phase = .succeeded
        stepDone(i, at: time, into: &actions)
    }

    mutating func stepDone(_ i: Int, at time: Double, into actions: inout [RunAction]) {
        finishedSteps += 1
        for dependent in dependents[i] {
            steps[dependent].remainingDependencies -= 1
            if steps[dependent].remainingDependencies == 0 { activate(dependent, at: time, into: &actions) }
        }
        guard finishedSteps == steps.count, status == .running, failure == nil else { return }
        do throws(StepError) {
            output = try Template.resolve(definition.outputs, in: scope(readingSteps: Set(stepIndex.keys)))
            status = .succeeded
        } catch {
            failure = ("outputs", error)
            status = .failed
        }
        actions.append(.finish(status))
    }

    mutating func fail(_ key: TaskKey, task: TaskRun, error: StepError, at time: Double, into actions: inout [RunAction]) {
        let step = definition.steps[stepIndex[key.step]!]
        let canContinue = key.isCompensation ? status == .compensating : (status == .running && failure == nil)
        if canContinue, step.retry.allowsRetry(of: error, afterAttempt: task.attempt) {
            var random = SeededRandom.derived(seed: seed, [Self.stableHash(key.description), UInt64(task.attempt)])
            let until = time + step.retry.delay(afterAttempt: task.attempt, unit: random.nextUnit())
            update(key) { $0.phase = .backingOff(until: until) }
            actions.append(.startTimer(key, at: until))
            return
        }
        update(key) { $0.phase = .failed(error) }
        if key.isCompensation {
            finishCompensation(key, error: error, at: time, into: &actions)
            return
        }
        stepFailed(key, error: error)
    }

    mutating func timerFired(_ key: TaskKey, at time: Double, into actions: inout [RunAction]) {
        guard let task = task(key) else { return }
        switch task.phase {
        case .backingOff:
            guard key.isCompensation ? status == .compensating : (status == .running && failure == nil) else { return }
            update(key) {
                $0.phase = .ready; $0.attempt += 1
            }
            ready.append(key)
        case .sleeping(let until):
            succeed(key, output: ["sleptUntil": .string(Timestamp.format(Date(timeIntervalSince1970: until)))], at: time, into: &actions)
        case .awaitingApproval:
            let error = StepError(code: "approval_timeout", message: "no decision before the approval's timeout", isRetryable: false)
            update(key) { $0.phase = .failed(error) }
            stepFailed(key, error: error)
        default:
            break
        }
    }

    /// Ends a task's step as failed (past its retries, rejected, or timed out waiting for
    /// approval): nothing new starts, and compensation begins once nothing is in flight.
    mutating func stepFailed(_ key: TaskKey, error: StepError) {
        let i = stepIndex[key.step]!
        guard steps[i].phase == .active else { return }
        steps[i].phase = .failed
        finishedSteps += 1
        if failure == nil { failure = (key.description, error) }
        abandonWaitingTasks()
    }

    /// Tasks not in flight stop: ready, backing off, sleeping or awaiting approval.
    mutating func abandonWaitingTasks() {
        for (key, _, phase) in taskPhases where !phase.isFinished && phase != .running {
            update(key) { $0.phase = .failed(.cancelled) }
        }
    }

    mutating func dispatch(into actions: inout [RunAction]) {
        guard status == .running || status == .compensating else { return }
        let limit = definition.concurrency ?? Int.max
        while running < limit, readyHead < ready.count {
            var pick = readyHead
            if isOrdered {
                var best = -Double.infinity
                for position in readyHead..<ready.count {
                    let key = ready[position]
                    let priority = key.isCompensation ? Double.infinity : priorities[stepIndex[key.step]!]
                    if priority > best { best = priority; pick = position }
                }
                let key = ready.remove(at: pick)
                ready.insert(key, at: readyHead)
            }
            let key = ready[readyHead]
            readyHead += 1
            guard let task = task(key), task.phase == .ready else { continue }
            update(key) { $0.phase = .running }
            running += 1
            actions.append(.execute(request(key, attempt: task.attempt)))
        }
        if readyHead > 256, readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
    }

    /// FNV-1a: a hash that is the same in every process, for seeding jitter.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
