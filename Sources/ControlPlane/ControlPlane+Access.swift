import Foundation
import NovaCore

/// A newly made API key: the secret is shown once and never stored.
public struct IssuedAPIKey: Sendable {
    public var record: APIKeyRecord
    public var secret: String
}

extension ControlPlane {
    static let keyPrefix = "nck"

    /// Every resource a role rule may name.
    public var permissionResources: [String] { kinds.map(\.plural) + Role.nonKindResources }

    /// The role with this name, built-in or custom.
    public func role(named name: String) async throws -> Role? {
        if let builtIn = Role.builtIn.first(where: { $0.name == name }) { return builtIn }
        return try await access.customRoles().first { $0.name == name }
    }

    /// Finds who holds a bearer key; nil if the key is unknown, malformed or revoked.
    public func authenticate(bearer key: String) async throws -> Principal? {
        let parts = key.split(separator: "_")
        guard parts.count == 3, parts[0] == ControlPlane.keyPrefix,
            let record = try await access.key(id: String(parts[1])), record.revokedAt == nil,
            constantTimeEquals(record.keyHash, sha256Hex(key)),
            let role = try await role(named: record.roleName)
        else { return nil }
        return Principal(name: "apikey:\(record.name)", role: role)
    }

    /// The principal a workflow run started by `name` acts as: the key's holder with the key's
    /// role as it is now (a revoked key's runs can no longer write), NovaCron's own components
    /// as themselves; a schedule's runs (`apikey:NAME via schedule:S`) as the schedule's owner.
    /// Schedules written before owners were recorded (`schedule:S` alone) act as operators.
    public func principal(startedBy name: String) async throws -> Principal? {
        if let via = name.range(of: " via schedule:") { return try await principal(startedBy: String(name[..<via.lowerBound])) }
        if name.hasPrefix("system:") || name == "system" { return .system(String(name.dropFirst(min(name.count, 7)))) }
        if name.hasPrefix("schedule:") { return Principal(name: name, role: .operator) }
        guard name.hasPrefix("apikey:") else { return nil }
        let keyName = String(name.dropFirst(7))
        let holders = try await access.keys().filter { $0.name == keyName && $0.revokedAt == nil }
        guard holders.count == 1, let role = try await role(named: holders[0].roleName) else { return nil }
        return Principal(name: name, role: role)
    }

    /// Makes a key for a role. The secret is returned once; only its hash is kept.
    public func createAPIKey(name: String, roleName: String, as principal: Principal) async throws -> IssuedAPIKey {
        try await authorize(principal, .create, "apikeys", name: name)
        if let problem = ResourceName.problem(with: name) {
            throw NovaError.validation([Diagnostic(code: "invalid_name", message: problem, path: "name")], subject: "the API key")
        }
        guard let role = try await role(named: roleName) else {
            throw NovaError.validation([Diagnostic(code: "unknown_role", message: "no role named \"\(roleName)\"", path: "role")], subject: "the API key")
        }
        try await requireCeiling(role, for: principal, action: "apikey.create", name: name, subject: "an API key")
        if try await access.keys().contains(where: { $0.name == name && $0.revokedAt == nil }) {
            throw NovaError(.alreadyExists, "an active API key is already named \"\(name)\"; pick another name or revoke that key first")
        }
        var random = SystemRandom()
        let id = randomText(12, alphabet: "0123456789abcdef", using: &random)
        let secret =
            "\(ControlPlane.keyPrefix)_\(id)_\(randomText(40, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", using: &random))"
        let record = APIKeyRecord(id: id, name: name, roleName: roleName, keyHash: sha256Hex(secret), createdAt: clock.now, createdBy: principal.name)
        try await access.insertKey(record)
        try await auditLog.append([
            AuditRecord(
                time: clock.now, actor: principal.name, action: "apikey.create", kind: "APIKey", name: name,
                detail: "id \(id), role \(roleName)")
        ])
        return IssuedAPIKey(record: record, secret: secret)
    }

    public func listAPIKeys(as principal: Principal) async throws -> [APIKeyRecord] {
        try await authorize(principal, .list, "apikeys")
        return try await access.keys()
    }

    /// Revokes a key by id or by name.
    public func revokeAPIKey(_ idOrName: String, as principal: Principal) async throws -> APIKeyRecord {
        try await authorize(principal, .delete, "apikeys", name: idOrName)
        let keys = try await access.keys().filter { $0.revokedAt == nil }
        let matches = keys.filter { $0.id == idOrName || $0.name == idOrName }
        guard let key = matches.first else { throw NovaError(.notFound, "no active API key with id or name \"\(idOrName)\"") }
        guard matches.count == 1 else { throw NovaError(.invalidRequest, "several keys are named \"\(idOrName)\"; revoke by id") }
        if let role = try await role(named: key.roleName) {
            try await requireCeiling(role, for: principal, action: "apikey.revoke", name: key.name, subject: "a key")
        }
        _ = try await access.revokeKey(id: key.id, at: clock.now)
        try await auditLog.append([
            AuditRecord(time: clock.now, actor: principal.name, action: "apikey.revoke", kind: "APIKey", name: key.name, detail: "id \(key.id)")
        ])
        var revoked = key
        revoked.revokedAt = clock.now
        return revoked
    }

    public func listRoles(as principal: Principal) async throws -> [Role] {
        try await authorize(principal, .list, "roles")
        return Role.builtIn + (try await access.customRoles())
    }

    public func saveRole(_ document: Value, as principal: Principal) async throws -> Role {
        try await authorize(principal, .create, "roles")
        let role = try Role.read(document, knownResources: permissionResources)
        try await requireCeiling(role, for: principal, action: "role.save", name: role.name, subject: "a role")
        try await access.saveRole(role)
        try await auditLog.append([
            AuditRecord(
                time: clock.now, actor: principal.name, action: "role.save", kind: "Role", name: role.name,
                afterFingerprint: role.value.fingerprint)
        ])
        return role
    }

    /// No principal hands out more than it holds: a key or role it makes, or a key it revokes,
    /// must be within its own rights. Refusals are audited like any other.
    func requireCeiling(_ role: Role, for principal: Principal, action: String, name: String, subject: String) async throws {
        let beyond = role.grants(beyond: principal.role)
        guard !beyond.isEmpty else { return }
        let shown = beyond.prefix(5).joined(separator: ", ") + (beyond.count > 5 ? ", …" : "")
        try await recordDenial(
            AuditRecord(
                time: clock.now, actor: principal.name, action: "\(action).denied", kind: "Role", name: role.name,
                outcome: .denied, detail: "beyond the caller's rights: \(shown)"))
        throw NovaError(
            .forbidden, "\(principal.name) cannot make or revoke \(subject) with role \(role.name): it grants what the caller does not hold (\(shown))")
    }

    public func deleteRole(named name: String, as principal: Principal) async throws {
        try await authorize(principal, .delete, "roles", name: name)
        if try await access.keys().contains(where: { $0.roleName == name && $0.revokedAt == nil }) {
            throw NovaError(.conflict, "role \(name) is still held by active API keys; revoke them first")
        }
        guard try await access.deleteRole(named: name) else { throw NovaError(.notFound, "no custom role named \(name)") }
        try await auditLog.append([AuditRecord(time: clock.now, actor: principal.name, action: "role.delete", kind: "Role", name: name)])
    }

    /// On a store with no API keys, makes the first admin key. Returns nil when keys exist.
    public func bootstrapAdminKey() async throws -> IssuedAPIKey? {
        guard try await access.keys().isEmpty else { return nil }
        return try await createAPIKey(name: "admin", roleName: Role.admin.name, as: .system("bootstrap"))
    }
}

private func randomText(_ count: Int, alphabet: String, using random: inout some RandomNumberGenerator) -> String {
    let characters = Array(alphabet)
    return String((0..<count).map { _ in characters[Int.random(in: 0..<characters.count, using: &random)] })
}

private func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
