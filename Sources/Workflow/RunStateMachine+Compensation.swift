import NovaCore

extension RunStateMachine {
    /// Undoes completed steps in reverse order of completion, one at a time. A compensation that
    /// fails past its retries is recorded and the rest still run.
    mutating func beginCompensation(at time: Double, into actions: inout [RunAction]) {
        compensations = completionOrder.reversed().filter { definition.steps[stepIndex[$0.step]!].compensate != nil }.map(\.compensation)
        guard !compensations.isEmpty else {
            status = .failed
            actions.append(.finish(.failed))
            return
        }
        status = .compensating
        startNextCompensation(at: time, into: &actions)
    }

    mutating func startNextCompensation(at time: Double, into actions: inout [RunAction]) {
        while nextCompensation < compensations.count {
            let key = compensations[nextCompensation]
            nextCompensation += 1
            let i = stepIndex[key.step]!
            let original = task(TaskKey(step: key.step, index: key.index))
            let scope = scope(readingSteps: readsSteps[i].union([key.step]), item: original?.item, index: key.index)
            do throws(StepError) {
                let input = try Template.resolve(definition.steps[i].compensate!.inputs, in: scope)
                compensationTasks[key] = TaskRun(input: input, attempt: 1, phase: .ready, item: original?.item)
                ready.append(key)
                return
            } catch {
                compensationTasks[key] = TaskRun(input: .null, attempt: 1, phase: .failed(error), item: original?.item)
                compensationFailures[key] = error
            }
        }
        status = compensationFailures.isEmpty ? .compensated : .compensationFailed
        actions.append(.finish(status))
    }

    mutating func finishCompensation(_ key: TaskKey, error: StepError?, at time: Double, into actions: inout [RunAction]) {
        if let error { compensationFailures[key] = error }
        startNextCompensation(at: time, into: &actions)
    }
}
