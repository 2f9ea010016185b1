import Foundation
import Logging
import NovaCore
import Synchronization

/// The one door: every read and write of resources, from every writer (API, CLI, Terraform,
/// GitOps, runbooks, automation), goes through here.
///
/// A write flows: authorisation → admission chain (schema first, then policy) → store (with
/// history, audit entry and event in one transaction) → event stream.
public final class ControlPlane: Sendable {
    /// Sealed: every read and write from outside goes through the door's methods.
    let store: any ResourceStore
    /// Where durable observers keep their positions.
    let cursors: (any ObserverCursorStore)?
    let feeds = Mutex<[CommitFeed]>([])
    public let auditLog: any AuditLog
    public let access: any AccessStore
    public let kinds: [ResourceKind]
    public let events: EventHub
    public let clock: any WallClock
    let admission: [any AdmissionController]
    let ids: any IDGenerator
    let logger: Logger
    let denials: DenialLimiter
    /// Signed checkpoints of the audit chain (nil: the chain is checked by its hashes alone).
    public let auditAnchor: AuditAnchor?

    /// - Parameters:
    ///   - admission: links run after schema validation, in order.
    ///   - denialWindow: each principal's refusals are audited up to 30 per window, then answered 429.
    public init(
        store: any ResourceStore, auditLog: any AuditLog, access: any AccessStore, kinds: [ResourceKind] = ResourceKind.builtIn,
        admission: [any AdmissionController] = [], clock: any WallClock = SystemClock(), ids: any IDGenerator = UUIDGenerator(),
        events: EventHub = EventHub(), auditAnchor: AuditAnchor? = nil, denialWindow: Duration = .seconds(10),
        logger: Logger = Logger(label: "novacron.controlplane")
    ) {
        denials = DenialLimiter(window: denialWindow)
        self.auditAnchor = auditAnchor
        self.store = store
        cursors = store as? any ObserverCursorStore
        self.auditLog = auditLog
        self.access = access
        self.kinds = kinds
        self.admission = [SchemaAdmission()] + admission
        self.clock = clock
        self.ids = ids
        self.events = events
        self.logger = logger
    }

    /// The kind named by `text` (`vm`, `VMs`, `networks`…).
    public func kind(named text: String) -> ResourceKind? { kinds.first { $0.isNamed(text) } }

    // MARK: - Authorisation

    /// Throws `forbidden`, and records the attempt in the audit log, unless the principal may.
    public func authorize(_ principal: Principal, _ verb: Verb, _ resource: String, name: String = "") async throws {
        guard !principal.isAllowed(verb, on: resource) else { return }
        try await recordDenial(
            AuditRecord(
                time: clock.now, actor: principal.name, action: verb.rawValue, kind: resource, name: name,
                outcome: .denied, detail: "role \(principal.role.name) may not \(verb.rawValue) \(resource)"))
        throw NovaError(.forbidden, "\(principal.name) (role \(principal.role.name)) may not \(verb.rawValue) \(resource)")
    }

    /// Audits a refusal, unless the principal is past its denial budget (see `DenialLimiter`):
    /// then the request is answered 429 and only counted.
    func recordDenial(_ record: AuditRecord) async throws {
        switch denials.record(record.actor) {
        case .throttle:
            throw NovaError(.tooManyRequests, "\(record.actor) was refused too often; wait \(denials.window) before trying again")
        case .audit(let suppressed):
            var record = record
            if suppressed > 0 { record.detail += " (\(suppressed) further denials before this one were not recorded)" }
            try await auditLog.append([record])
        }
    }

    // MARK: - Reads

    public func get(_ kind: ResourceKind, named name: String, as principal: Principal) async throws -> Resource {
        try await authorize(principal, .get, kind.plural, name: name)
        guard let resource = try await store.resource(kind, named: name) else {
            throw NovaError(.notFound, "\(kind.name)/\(name) does not exist")
        }
        return resource
    }

    public func list(
        _ kind: ResourceKind, matching selector: LabelSelector = LabelSelector(), after cursor: String? = nil,
        limit: Int = 100, as principal: Principal
    ) async throws -> ResourcePage {
        try await authorize(principal, .list, kind.plural)
        return try await store.resources(kind, matching: selector, after: cursor, limit: max(1, min(limit, 1000)))
    }

    public func history(_ kind: ResourceKind, named name: String, as principal: Principal) async throws -> [HistoryEntry] {
        try await authorize(principal, .get, "history", name: name)
        return try await store.history(kind, named: name)
    }

    /// Events after a sequence, of the kinds the principal may read (`get`): an event carries
    /// the resource, so a reader who may list events but not VMs sees no VM in them.
    /// `lastSequence` is how far the log was read, to continue from.
    public func events(after sequence: Int64, limit: Int, as principal: Principal) async throws -> (items: [ResourceEvent], lastSequence: Int64) {
        try await authorize(principal, .list, "events")
        let page = try await store.events(after: sequence, limit: max(1, min(limit, 1000)))
        return (page.filter { mayRead($0, principal) }, page.last?.sequence ?? sequence)
    }

    /// Whether the principal may see an event (it may read the event's kind).
    public func mayRead(_ event: ResourceEvent, _ principal: Principal) -> Bool {
        kind(named: event.kind).map { principal.isAllowed(.get, on: $0.plural) } ?? false
    }

    public func auditEntries(after sequence: Int64, limit: Int, as principal: Principal) async throws -> [AuditEntry] {
        try await authorize(principal, .list, "audit")
        return try await auditLog.entries(after: sequence, limit: max(1, min(limit, 1000)))
    }

    public func verifyAudit(as principal: Principal) async throws -> AuditVerification {
        try await authorize(principal, .get, "audit")
        if let auditAnchor { return try await auditAnchor.verify() }
        return try await auditLog.verify()
    }

    // MARK: - Documents

    /// Reads documents into resources, reporting every problem of every document at once
    /// (paths are prefixed with the document's position when there are several).
    public func resources(from documents: [Value], expectedKind: ResourceKind? = nil, sources: [String]? = nil) throws(NovaError) -> [Resource] {
        var resources: [Resource] = []
        var problems: [Diagnostic] = []
        for (index, document) in documents.enumerated() {
            let (resource, diagnostics) = Resource.read(document: document, kinds: kinds, expectedKind: expectedKind)
            let prefix = sources?[index] ?? (documents.count > 1 ? "documents[\(index)]" : nil)
            problems += diagnostics.filter { $0.severity == .error }.map { diagnostic in
                var d = diagnostic
                if let prefix { d.path = d.path.map { $0.isEmpty ? prefix : "\(prefix).\($0)" } ?? prefix }
                return d
            }
            if let resource { resources.append(resource) }
        }
        if !problems.isEmpty {
            throw NovaError.validation(problems, subject: documents.count == 1 ? "the document" : "the documents")
        }
        var seen: Set<String> = []
        for resource in resources where !seen.insert(resource.reference).inserted {
            throw NovaError(.invalidRequest, "\(resource.reference) appears more than once in the batch")
        }
        return resources
    }
}
