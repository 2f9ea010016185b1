import ControlPlane
import NovaCore

/// The admission link that enforces policies on every write through the one door: `block`
/// refuses (each violated rule's message, with the policy's name and version), `warn` returns
/// the messages as warnings, `audit` only records. A policy that cannot be evaluated blocks
/// when it is blocking (fail closed) and warns otherwise.
public struct PolicyAdmission: AdmissionController {
    public let name = "policy"
    public let engine: PolicyEngine

    public init(engine: PolicyEngine) {
        self.engine = engine
    }

    public func admit(_ request: AdmissionRequest) async throws -> AdmissionResponse {
        guard let kind = (request.resource ?? request.oldResource)?.kind else { return .allowed }
        let decisions = try await engine.decide(
            operation: request.operation.rawValue, kind: kind, resource: request.resource,
            oldResource: request.oldResource, actor: request.principal.name,
            roles: [request.principal.role.name], time: request.time)
        var response = AdmissionResponse()
        for decision in decisions {
            let label = "policy \(decision.policy) v\(decision.version)"
            if let failure = decision.failure {
                let diagnostic = Diagnostic(code: "policy_error", message: "\(label) could not be evaluated: \(failure)")
                if decision.enforcement == .block { response.denials.append(diagnostic) } else { response.warnings.append(diagnostic) }
                continue
            }
            switch decision.enforcement {
            case .block:
                response.denials += decision.deny.map { Diagnostic(code: "policy_denied", message: "\($0.message) (\(label))") }
                response.warnings += decision.warn.map { Diagnostic(code: "policy_warning", message: "\($0.message) (\(label))", severity: .warning) }
            case .warn:
                response.warnings += (decision.deny + decision.warn).map {
                    Diagnostic(code: "policy_warning", message: "\($0.message) (\(label))", severity: .warning)
                }
            case .audit:
                break
            }
        }
        return response
    }
}
