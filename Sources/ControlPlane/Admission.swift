import Foundation
import NovaCore

/// What a write wants to do, as every admission link sees it.
public struct AdmissionRequest: Sendable {
    public enum Operation: String, Sendable { case create, update, delete }

    public var operation: Operation
    /// The resource as it would be after the write (nil for a delete).
    public var resource: Resource?
    /// The resource as it is now (nil for a create).
    public var oldResource: Resource?
    public var principal: Principal
    public var time: Date
}

/// A link's answer: refusals stop the write; warnings travel back to the caller; a link may
/// hand on a changed resource (defaults filled in) for the links after it.
public struct AdmissionResponse: Sendable {
    public var denials: [Diagnostic]
    public var warnings: [Diagnostic]
    public var mutatedResource: Resource?

    public init(denials: [Diagnostic] = [], warnings: [Diagnostic] = [], mutatedResource: Resource? = nil) {
        self.denials = denials
        self.warnings = warnings
        self.mutatedResource = mutatedResource
    }

    public static let allowed = AdmissionResponse()
}

/// One link of the admission chain. Schema validation is the first; policy enforcement plugs
/// in next. A link sees every write from every writer, because every write goes through
/// `ControlPlane`.
public protocol AdmissionController: Sendable {
    var name: String { get }
    func admit(_ request: AdmissionRequest) async throws -> AdmissionResponse
}

/// Checks the resource against its kind's schema and normalises its spec: the first link, so
/// that writers who build resources in code (not from documents) are held to the same rules as
/// the API. Its refusals are validation errors (422), not policy denials (403).
public struct SchemaAdmission: AdmissionController {
    public let name = "schema"

    public init() {}

    public func admit(_ request: AdmissionRequest) async throws -> AdmissionResponse {
        guard var resource = request.resource else { return .allowed }
        var problems: [Diagnostic] = []
        if let problem = ResourceName.problem(with: resource.name) {
            problems.append(Diagnostic(code: "invalid_name", message: problem, path: "metadata.name"))
        }
        let (normalized, diagnostics) = resource.kind.normalizeSpec(resource.spec)
        problems += diagnostics.filter { $0.severity == .error }
        guard problems.isEmpty, let normalized else { throw NovaError.validation(problems, subject: resource.reference) }
        resource.spec = normalized
        return AdmissionResponse(warnings: diagnostics.filter { $0.severity != .error }, mutatedResource: resource)
    }
}
