import Foundation
import NIOHTTP1
import NovaCore
import NovaCronClient

/// The provider's view of the NovaCron API: resource CRUD by kind plural and name, with the
/// server's errors turned into Terraform diagnostics (a policy refusal names each policy and
/// the message of each rule it broke).
struct NovaCronAPI: Sendable {
    let client: NovaCronClient

    /// The resource document, or nil when it does not exist.
    func get(_ plural: String, _ name: String) async throws -> Value? {
        do {
            return try await client.send(.GET, path(plural, name)).body
        } catch let error as NovaError where error.code == .notFound {
            return nil
        }
    }

    func create(_ plural: String, _ document: Value) async throws -> (document: Value, warnings: [String]) {
        let reply = try await client.send(.POST, "/v1/\(plural)", json: document)
        return (reply.body ?? .null, reply.warnings)
    }

    func patch(_ plural: String, _ name: String, _ patch: Value) async throws -> (document: Value, warnings: [String]) {
        let reply = try await client.send(.PATCH, path(plural, name), json: patch)
        return (reply.body ?? .null, reply.warnings)
    }

    func delete(_ plural: String, _ name: String) async throws {
        do {
            try await client.send(.DELETE, path(plural, name) + "?managedBy=terraform")
        } catch let error as NovaError where error.code == .notFound {
            return
        }
    }

    func path(_ plural: String, _ name: String) -> String {
        "/v1/\(plural)/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? name)"
    }

    /// The attribute a spec field path names: `spec.vcpus` → `vcpus`,
    /// `spec.networks[1].ipAddress` → `network[1]` (the block element the user wrote).
    static func attributePath(for field: String, fields: [String: String]) -> AttributePath? {
        if let name = fields[field] { return AttributePath(stringLiteral: name) }
        guard let bracket = field.firstIndex(of: "["), let close = field[bracket...].firstIndex(of: "]"),
            let block = fields[String(field[..<bracket])], let index = Int(field[field.index(after: bracket)..<close])
        else { return nil }
        return AttributePath([.attribute(block), .index(index)])
    }

    /// The diagnostics for a failed call. `fields` maps a spec field (`spec.memoryMiB`) to the
    /// attribute the user wrote (`memory_mib`) so Terraform can point at the line.
    static func diagnostics(for error: any Error, action: String, fields: [String: String] = [:]) -> [TerraformDiagnostic] {
        guard let error = error as? NovaError else {
            return [.error("Cannot \(action)", String(describing: error))]
        }
        switch error.code {
        case .admissionDenied:
            let rules = error.diagnostics.filter { $0.severity == .error }
            guard !rules.isEmpty else { return [.error("NovaCron refused to \(action)", error.message)] }
            return rules.map { rule in
                .error(
                    "Refused by NovaCron policy: \(rule.message)",
                    "NovaCron's admission policies blocked the request to \(action). \(rule.message)\n\nChange the configuration to satisfy the policy, or ask an administrator to change the policy (novacron policy get)."
                )
            }
        case .validationFailed where !error.diagnostics.isEmpty:
            return error.diagnostics.map { diagnostic in
                let attribute = diagnostic.path.flatMap { attributePath(for: $0, fields: fields) }
                let place = diagnostic.path.map { " (\($0))" } ?? ""
                return .error("Invalid value\(place)", diagnostic.message, at: attribute)
            }
        case .unauthenticated:
            return [.error("NovaCron rejected the API key", "\(error.message)\n\nCheck the provider's api_key (or NOVACRON_API_KEY).")]
        case .forbidden:
            return [.error("The API key may not \(action)", error.message)]
        case .unavailable:
            return [.error("Cannot reach the NovaCron server", error.message)]
        default:
            var detail = error.message
            for diagnostic in error.diagnostics { detail += "\n- \(diagnostic.path.map { "\($0): " } ?? "")\(diagnostic.message)" }
            return [.error("Cannot \(action)", detail)]
        }
    }
}

extension NovaCronAPI {
    func replace(_ plural: String, _ name: String, _ document: Value) async throws -> (document: Value, warnings: [String]) {
        let reply = try await client.send(.PUT, path(plural, name), json: document)
        return (reply.body ?? .null, reply.warnings)
    }
}
