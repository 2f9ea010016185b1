import Foundation
import NovaCore

/// What one write did.
public struct WriteOutcome: Sendable {
    public enum Action: String, Sendable { case created, configured, unchanged, deleted }

    public var action: Action
    /// The resource after the write (for a delete, as it was before).
    public var resource: Resource
    /// Warnings from the admission chain, for the caller.
    public var warnings: [Diagnostic]
}

/// How a writer makes a write: which manager it writes for, why, and whether it takes over a
/// resource another manager owns.
public struct WriteOptions: Sendable {
    /// The manager writing (`cli`, `terraform`, `workflow:NAME`, `gitops:APP`…), for writes
    /// whose resource does not say (deletes, patches). A resource's own `metadata.managedBy`
    /// names the manager of a create, replace or apply.
    public var manager: String?
    /// Recorded with the events and the audit entries of the write.
    public var reason: String?
    /// Accept the write although another manager owns the resource; the takeover is audited
    /// and the writer becomes the owner.
    public var force: Bool

    public init(manager: String? = nil, reason: String? = nil, force: Bool = false) {
        self.manager = manager
        self.reason = reason
        self.force = force
    }
}

extension ControlPlane {
    /// Creates a resource; `already_exists` if the name is taken.
    public func create(_ resource: Resource, options: WriteOptions = WriteOptions(), as principal: Principal) async throws -> WriteOutcome {
        try await authorize(principal, .create, resource.kind.plural, name: resource.name)
        var resource = resource
        if resource.metadata.managedBy == nil { resource.metadata.managedBy = options.manager }
        let (admitted, warnings) = try await admit(.create, resource, old: nil, as: principal)
        return try await commit([(.create(admitted), warnings)], reason: options.reason, as: principal)[0]
    }

    /// Replaces the desired state. The resource must carry the `resourceVersion` it was read at;
    /// if the store has moved on, the write is refused with `conflict`.
    public func replace(_ resource: Resource, options: WriteOptions = WriteOptions(), as principal: Principal) async throws -> WriteOutcome {
        try await authorize(principal, .update, resource.kind.plural, name: resource.name)
        var resource = resource
        if resource.metadata.managedBy == nil { resource.metadata.managedBy = options.manager }
        guard resource.metadata.resourceVersion > 0 else {
            throw NovaError(
                .invalidRequest, "replacing \(resource.reference) needs metadata.resourceVersion (the version you read); use apply to write without one")
        }
        guard let old = try await store.resource(resource.kind, named: resource.name) else {
            throw NovaError(.notFound, "\(resource.reference) does not exist")
        }
        if old.metadata.resourceVersion == resource.metadata.resourceVersion, old.hasSameDesiredState(as: resource),
            resource.metadata.managedBy == nil || resource.metadata.managedBy == old.metadata.managedBy
        {
            return WriteOutcome(action: .unchanged, resource: old, warnings: [])
        }
        let reason = try await checkOwnership(of: old, by: resource.metadata.managedBy, options: options, as: principal)
        let (admitted, warnings) = try await admit(.update, resource, old: old, as: principal)
        return try await commit([(.update(admitted, expectedVersion: resource.metadata.resourceVersion), warnings)], reason: reason, as: principal)[0]
    }

    /// Applies a JSON merge patch to the desired document (kind, metadata, spec) and writes the
    /// result. A `metadata.resourceVersion` in the patch makes the write conditional.
    public func patch(
        _ kind: ResourceKind, named name: String, with patch: Value, options: WriteOptions = WriteOptions(),
        as principal: Principal
    ) async throws -> WriteOutcome {
        try await authorize(principal, .update, kind.plural, name: name)
        guard patch.objectValue != nil else { throw NovaError(.invalidRequest, "a merge patch must be a JSON object") }
        let expected = patch["metadata"]?["resourceVersion"].flatMap { $0.intValue ?? $0.stringValue.flatMap { Int($0) } }
        for _ in 0..<3 {
            guard let old = try await store.resource(kind, named: name) else { throw NovaError(.notFound, "\(kind.name)/\(name) does not exist") }
            var document = old.desiredDocument.merging(patch: patch)
            document = document.setting(
                "metadata", to: (document["metadata"] ?? .emptyObject).setting("name", to: .string(name)).setting("resourceVersion", to: nil))
            var resource = try resources(from: [document], expectedKind: kind)[0]
            let manager = patch["metadata"]?["managedBy"]?.stringValue ?? options.manager
            resource.metadata.managedBy = manager ?? old.metadata.managedBy
            if resource.hasSameDesiredState(as: old), resource.metadata.managedBy == old.metadata.managedBy {
                return WriteOutcome(action: .unchanged, resource: old, warnings: [])
            }
            let reason = try await checkOwnership(of: old, by: manager, options: options, as: principal)
            let (admitted, warnings) = try await admit(.update, resource, old: old, as: principal)
            do {
                return try await commit(
                    [(.update(admitted, expectedVersion: expected ?? old.metadata.resourceVersion), warnings)], reason: reason,
                    as: principal)[0]
            } catch let error as NovaError where error.code == .conflict && expected == nil {
                continue
            }
        }
        throw NovaError(.conflict, "\(kind.name)/\(name) kept changing while it was being patched; try again", isRetryable: true)
    }

    /// Deletes a resource (conditionally, with a version).
    public func delete(
        _ kind: ResourceKind, named name: String, expectedVersion: Int? = nil, options: WriteOptions = WriteOptions(),
        as principal: Principal
    ) async throws -> WriteOutcome {
        try await authorize(principal, .delete, kind.plural, name: name)
        guard let old = try await store.resource(kind, named: name) else { throw NovaError(.notFound, "\(kind.name)/\(name) does not exist") }
        let reason = try await checkOwnership(of: old, by: options.manager, options: options, as: principal)
        let (_, warnings) = try await admit(.delete, nil, old: old, as: principal)
        return try await commit(
            [(.delete(kind, name: name, expectedVersion: expectedVersion ?? old.metadata.resourceVersion), warnings)],
            reason: reason, as: principal)[0]
    }

    /// Server-side apply of a batch: each resource is created, configured or left unchanged.
    /// The batch is all or nothing: if any write is refused, nothing is written.
    /// With `dryRun`, everything is checked and reported but nothing is written.
    public func apply(
        _ resources: [Resource], dryRun: Bool = false, options: WriteOptions = WriteOptions(),
        as principal: Principal
    ) async throws -> [WriteOutcome] {
        for attempt in 1...3 {
            var planned: [(write: ResourceWrite?, resource: Resource, action: WriteOutcome.Action, warnings: [Diagnostic])] = []
            var takeovers: [String] = []
            for resource in resources {
                let old = try await store.resource(resource.kind, named: resource.name)
                var wanted = resource
                let manager = wanted.metadata.managedBy ?? options.manager
                wanted.metadata.managedBy = manager ?? old?.metadata.managedBy
                if let old, old.hasSameDesiredState(as: wanted), old.metadata.managedBy == wanted.metadata.managedBy {
                    try await authorize(principal, .get, resource.kind.plural, name: resource.name)
                    planned.append((nil, old, .unchanged, []))
                    continue
                }
                try await authorize(principal, old == nil ? .create : .update, resource.kind.plural, name: resource.name)
                if let old, let takeover = try await checkOwnership(of: old, by: manager, options: options, as: principal) {
                    takeovers.append(takeover)
                }
                let (admitted, warnings) = try await admit(old == nil ? .create : .update, wanted, old: old, as: principal)
                if let old {
                    let expected = resource.metadata.resourceVersion > 0 ? resource.metadata.resourceVersion : old.metadata.resourceVersion
                    planned.append((.update(admitted, expectedVersion: expected), admitted, .configured, warnings))
                } else {
                    planned.append((.create(admitted), admitted, .created, warnings))
                }
            }
            if dryRun {
                return planned.map { WriteOutcome(action: $0.action, resource: $0.resource, warnings: $0.warnings) }
            }
            let writes = planned.compactMap { item in item.write.map { ($0, item.warnings) } }
            do {
                let reason = ([options.reason].compactMap { $0 } + takeovers).joined(separator: "; ")
                let committed = try await commit(writes, reason: reason.isEmpty ? nil : reason, as: principal)
                var iterator = committed.makeIterator()
                return planned.map { item in item.write == nil ? WriteOutcome(action: .unchanged, resource: item.resource, warnings: []) : iterator.next()! }
            } catch let error as NovaError
                where (error.code == .conflict || error.code == .alreadyExists) && attempt < 3
                && !resources.contains(where: { $0.metadata.resourceVersion > 0 })
            {
                // Another writer got in between reading and writing: plan again from what is stored now.
                continue
            }
        }
        throw NovaError(.conflict, "the resources kept changing while they were being applied; try again", isRetryable: true)
    }

    /// Writes the observed state: the reconciler's job, under its own principal (`update status`).
    /// The change goes to the event stream and to commit observers like any other commit.
    public func recordStatus(
        _ kind: ResourceKind, named name: String, status: ResourceStatus, reason: String? = nil,
        as principal: Principal = .reconciler
    ) async throws {
        try await authorize(principal, .update, "status", name: name)
        let context = CommitContext(actor: principal.name, reason: reason, time: clock.now)
        if let event = try await store.updateStatus(kind, named: name, to: status, context: context) {
            events.publish([event])
            await notifyObservers(of: CommitBatch(changes: [event]))
        }
    }

    /// Refuses (409 `managed_elsewhere`) a write by `manager` to a resource another manager
    /// owns, unless the write is forced; a forced takeover is audited and returns the reason
    /// recorded with the write. A write that names no manager is a person's edit: it keeps the
    /// owner (who sees the change as drift).
    func checkOwnership(of old: Resource, by manager: String?, options: WriteOptions, as principal: Principal) async throws -> String? {
        guard let owner = old.metadata.managedBy, let manager, manager != owner else { return options.reason }
        let takeover = "\(manager) took \(old.reference) over from \(owner)"
        guard options.force else {
            throw NovaError(
                .managedElsewhere, "\(old.reference) is managed by \(owner), not \(manager); change it through \(owner), or force the write to take it over")
        }
        try await auditLog.append([
            AuditRecord(
                time: clock.now, actor: principal.name, action: "takeover", kind: old.kind.name, name: old.name,
                detail: takeover + (options.reason.map { ": \($0)" } ?? ""))
        ])
        return [options.reason, "forced: \(takeover)"].compactMap { $0 }.joined(separator: "; ")
    }

    // MARK: - Internals

    /// Runs the admission chain. Schema validation throws a validation error; other links'
    /// refusals are recorded in the audit log and thrown as `admission_denied`.
    func admit(_ operation: AdmissionRequest.Operation, _ resource: Resource?, old: Resource?, as principal: Principal) async throws -> (Resource, [Diagnostic])
    {
        var request = AdmissionRequest(operation: operation, resource: resource, oldResource: old, principal: principal, time: clock.now)
        var warnings: [Diagnostic] = []
        for link in admission {
            let response = try await link.admit(request)
            if !response.denials.isEmpty {
                let subject = (resource ?? old).map(\.reference) ?? "the resource"
                try await auditLog.append([
                    AuditRecord(
                        time: clock.now, actor: principal.name, action: operation.rawValue,
                        kind: (resource ?? old)?.kind.name ?? "", name: (resource ?? old)?.name ?? "",
                        outcome: .denied, detail: "\(link.name): " + response.denials.map(\.message).joined(separator: "; "))
                ])
                throw NovaError(.admissionDenied, "\(subject) was refused by \(link.name)", diagnostics: response.denials)
            }
            warnings += response.warnings
            if let mutated = response.mutatedResource { request.resource = mutated }
        }
        return ((request.resource ?? old)!, warnings)
    }

    private func commit(_ writes: [(ResourceWrite, [Diagnostic])], reason: String?, as principal: Principal) async throws -> [WriteOutcome] {
        // Nothing is written on top of an audit chain that no longer holds.
        if let problem = auditAnchor?.problem {
            throw NovaError(.unavailable, "writes are refused until the audit log is repaired: \(problem)")
        }
        guard !writes.isEmpty else { return [] }
        let committed = try await store.commit(writes.map(\.0), context: CommitContext(actor: principal.name, reason: reason, time: clock.now), ids: ids)
        events.publish(committed.map(\.event))
        await notifyObservers(of: CommitBatch(changes: committed.map(\.event)))
        return zip(committed, writes).map { write, request in
            let action: WriteOutcome.Action = write.after == nil ? .deleted : (write.before == nil ? .created : .configured)
            return WriteOutcome(action: action, resource: (write.after ?? write.before)!, warnings: request.1)
        }
    }
}
