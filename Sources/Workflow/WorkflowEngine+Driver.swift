import Foundation
import Logging
import NovaCore
import Synchronization

extension WorkflowEngine {
    /// Drives one run until it ends or the engine stops: every input becomes an event, the event
    /// is committed with the run's row (and a checkpoint for a finished attempt), and only then
    /// are the machine's actions carried out.
    func drive(_ run: LiveRun) async {
        var run = run
        await withDiscardingTaskGroup { group in
            var inline = perform(run.initialActions, for: run, in: &group)
            startClocks(for: run, in: &group)
            if run.machine.status.isTerminal {
                await finish(&run)
                return
            }
            while true {
                var input: DriverInput?
                if let request = inline {
                    input = await attempt(request, startedBy: run.record.startedBy, workflow: run.record.workflow, cancelled: run.cancelled)
                }
                if input == nil { input = await run.mailbox.next() }
                guard let input else { break }
                let (keepGoing, next) = await handle(input, &run, in: &group)
                guard keepGoing else { break }
                inline = next
            }
            group.cancelAll()
        }
        mailboxes.withLock { _ = $0.removeValue(forKey: run.record.id) }
        for input in run.mailbox.close() { answer(input, afterEndOf: run) }
        let pending = waiters.withLock { $0.removeValue(forKey: run.record.id) ?? [] }
        for waiter in pending {
            if run.record.status.isTerminal {
                waiter.resume(returning: run.record)
            } else {
                waiter.resume(throwing: NovaError(.unavailable, "the workflow engine stopped before run \(run.record.id) ended", isRetryable: true))
            }
        }
    }

    /// Answers a request that arrived as the run stopped being driven.
    private func answer(_ input: DriverInput, afterEndOf run: LiveRun) {
        let ended = NovaError(.conflict, "run \(run.record.id) is not running (\(run.record.status.rawValue))")
        switch input {
        case .inspect(let reply): reply.resume(returning: run.snapshot)
        case .event(_, let reply): reply?.resume(throwing: ended)
        case .decide(_, _, _, _, _, let reply): reply.resume(throwing: ended)
        case .attemptFinished: break
        }
    }

    /// Handles one input; false when the driver should stop, and the attempt to run inline next.
    private func handle(_ input: DriverInput, _ run: inout LiveRun, in group: inout DiscardingTaskGroup) async -> (Bool, TaskRequest?) {
        let now = clock.now
        var event: RunEvent
        var reply: CheckedContinuation<Void, any Error>?
        var checkpoints: [StepCheckpoint] = []
        switch input {
        case .inspect(let continuation):
            continuation.resume(returning: run.snapshot)
            return (true, nil)
        case .attemptFinished(let key, let attempt, let result, let startedAt):
            metrics.recordAttempt(seconds: now.timeIntervalSince(startedAt), succeeded: (try? result.get()) != nil)
            switch result {
            case .success(let output):
                event = .taskSucceeded(key, attempt: attempt, output: output)
                checkpoints.append(
                    StepCheckpoint(
                        run: run.record.id, task: key, attempt: attempt, succeeded: true, output: output, error: nil,
                        startedAt: startedAt, finishedAt: now))
            case .failure(let error):
                event = .taskFailed(key, attempt: attempt, error: error)
                checkpoints.append(
                    StepCheckpoint(
                        run: run.record.id, task: key, attempt: attempt, succeeded: false, output: .null, error: error,
                        startedAt: startedAt, finishedAt: now))
            }
        case .event(let given, let continuation):
            if case .signalled = given, run.nextSequence > Self.maximumHistory {
                continuation?.resume(
                    throwing: NovaError(.conflict, "run \(run.record.id) has recorded \(Self.maximumHistory) events; it takes no more signals"))
                return (true, nil)
            }
            event = given
            reply = continuation
        case .decide(let key, let approved, let by, let roles, let comment, let continuation):
            guard let approval = run.machine.pendingApproval(key) else {
                continuation.resume(throwing: NovaError(.conflict, "\(key) is not waiting for approval in run \(run.record.id)"))
                return (true, nil)
            }
            if let role = approval["role"]?.stringValue, !roles.contains(role), !roles.contains("admin") {
                continuation.resume(throwing: NovaError(.forbidden, "approving \(key) needs the \(role) role"))
                return (true, nil)
            }
            event = .approvalDecided(key, approved: approved, by: by, comment: comment)
            reply = continuation
        }
        let actions: [RunAction]
        do {
            actions = try run.machine.apply(event, at: now.timeIntervalSince1970)
        } catch {
            reply?.resume(throwing: error)
            return (true, nil)
        }
        if checkpoints.isEmpty, let key = event.task, let (attempt, phase) = run.machine.state(of: key), phase.isFinished {
            // Approvals, sleeps and approval timeouts end without an attempt result: checkpoint them too.
            var output = Value.null
            var error: StepError?
            if case .succeeded(let value) = phase { output = value }
            if case .failed(let failure) = phase { error = failure }
            checkpoints.append(
                StepCheckpoint(
                    run: run.record.id, task: key, attempt: attempt, succeeded: error == nil, output: output, error: error,
                    startedAt: now, finishedAt: now))
        }
        if actions.contains(where: { if case .startTimer(let key, _) = $0 { key == event.task } else { false } }), case .taskFailed = event {
            metrics.update { $0.retries += 1 }
        }
        if case .slaAtRisk = event { metrics.update { $0.slaAtRisk += 1 } }
        if case .slaBreached = event {
            metrics.update { $0.slaBreached += 1 }
            logger.warning("workflow run \(run.record.id) (\(run.record.workflow)) passed its SLA")
        }
        if event == .slaAtRisk || event == .slaBreached, let url = run.machine.definition.slaNotify {
            let record = run.record, breached = event == .slaBreached, logger = logger
            group.addTask {
                let message = "workflow \(record.workflow) run \(record.id) \(breached ? "passed" : "is at risk of missing") its SLA"
                let context = ActionContext(run: record.id, workflow: record.workflow, task: TaskKey(step: "sla"), attempt: 1, startedBy: record.startedBy)
                do {
                    _ = try await NotifyAction().run(
                        [
                            "url": .string(url), "message": .string(message),
                            "payload": ["level": .string(breached ? "breached" : "at_risk")],
                        ], context: context)
                } catch {
                    logger.warning("SLA notification for run \(record.id) failed: \(error)")
                }
            }
        }
        let history = [RunHistoryEntry(sequence: run.nextSequence, time: now, event: event)]
        run.nextSequence += 1
        let ended = update(&run.record, from: run, at: now)
        do {
            try await store.commit([RunCommit(run: run.record, history: history, checkpoints: checkpoints)])
        } catch {
            logger.error("workflow run \(run.record.id) could not be saved, it stops here and resumes at the next start: \(error)")
            reply?.resume(throwing: NovaError(.storage, "the run's state could not be saved: \(error)", isRetryable: true))
            return (false, nil)
        }
        reply?.resume()
        let inline = perform(actions, for: run, in: &group)
        if ended {
            metrics.update {
                $0.runsActive -= 1; $0.runsEnded[run.record.status, default: 0] += 1
            }
            return (false, nil)
        }
        return (true, inline)
    }

    /// Copies the machine's status, output and error into the record; true when the run ended.
    private func update(_ record: inout RunRecord, from run: LiveRun, at now: Date) -> Bool {
        record.status = run.machine.status
        record.updatedAt = now
        if record.status.isTerminal {
            record.output = run.machine.output
            record.error = run.errorValue
        }
        return record.status.isTerminal
    }

    private func finish(_ run: inout LiveRun) async {
        _ = update(&run.record, from: run, at: clock.now)
        do { try await store.commit([RunCommit(run: run.record, history: [])]) } catch {
            logger.error("workflow run \(run.record.id) could not be saved: \(error)")
        }
        metrics.update {
            $0.runsActive -= 1; $0.runsEnded[run.record.status, default: 0] += 1
        }
    }

    /// Carries out the machine's actions; returns the one attempt to run inline, if any.
    func perform(_ actions: [RunAction], for run: LiveRun, in group: inout DiscardingTaskGroup) -> TaskRequest? {
        let executes = actions.reduce(0) { count, action in if case .execute = action { count + 1 } else { count } }
        var inline: TaskRequest?
        for action in actions {
            switch action {
            case .execute(let request):
                if executes == 1, runsInline(request) {
                    inline = request
                    continue
                }
                let post = run.mailbox, cancelled = run.cancelled, record = run.record
                group.addTask {
                    if let result = await self.attempt(request, startedBy: record.startedBy, workflow: record.workflow, cancelled: cancelled) {
                        post.post(result)
                    }
                }
            case .startTimer(let key, let at):
                let post = run.mailbox
                group.addTask {
                    guard await self.sleep(until: at) else { return }
                    post.post(.event(.timerFired(key), reply: nil))
                }
            case .cancel(let keys):
                run.cancelled.cancel(keys)
            case .finish:
                break
            }
        }
        return inline
    }

    /// The run's deadline and SLA timers, from its start time.
    private func startClocks(for run: LiveRun, in group: inout DiscardingTaskGroup) {
        let start = run.record.createdAt.timeIntervalSince1970
        let post = run.mailbox
        var clocks: [(Double, RunEvent)] = []
        if let deadline = run.machine.definition.deadline { clocks.append((start + deadline, .deadlineExceeded)) }
        if let sla = run.sla {
            clocks.append((start + sla * 0.8, .slaAtRisk))
            clocks.append((start + sla, .slaBreached))
        }
        for (at, event) in clocks {
            group.addTask {
                guard await self.sleep(until: at) else { return }
                post.post(.event(event, reply: nil))
            }
        }
    }

    /// Sleeps until a wall-clock time; false when cancelled first.
    func sleep(until at: Double) async -> Bool {
        let delay = at - clock.now.timeIntervalSince1970
        if delay > 0 {
            do { try await Task.sleep(for: .seconds(delay)) } catch { return false }
        }
        return !Task.isCancelled
    }

    // MARK: - Resuming

    func resumeUnfinishedRuns() async throws -> [LiveRun] {
        var resumed: [LiveRun] = []
        for record in try await store.unfinishedRuns() where !mailboxes.withLock({ $0[record.id] != nil }) {
            guard let definition = try await store.definition(named: record.workflow, version: record.version) else {
                logger.error("run \(record.id) needs workflow \(record.workflow) version \(record.version), which is gone; it stays as it is")
                continue
            }
            let history = try await store.history(run: record.id)
            var priorities: [Double]?, sla: Double?
            if case .started(_, let stored, let storedSLA)? = history.first?.event { (priorities, sla) = (stored, storedSLA) }
            var machine = RunStateMachine(definition: definition, runID: record.id, seed: record.seed, priorities: priorities)
            for entry in history { _ = try? machine.apply(entry.event, at: entry.time.timeIntervalSince1970) }
            let now = clock.now
            let sequence = (history.last?.sequence ?? 0) + 1
            try await store.commit([RunCommit(run: record, history: [RunHistoryEntry(sequence: sequence, time: now, event: .resumed)])])
            var run = LiveRun(record: record, machine: machine, nextSequence: sequence + 1, initialActions: machine.resumptionActions())
            if let sla { run.sla = sla }
            run.record.updatedAt = now
            mailboxes.withLock { $0[record.id] = run.mailbox }
            metrics.update { $0.runsActive += 1 }
            resumed.append(run)
        }
        return resumed
    }
}
